import { ApiService, ApiServiceArgs, KeelValidationError } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

const image = "ghcr.io/shop/api:1.4.2";

/** Builds an ApiService with `args` under mocks and returns the error message and what got registered. */
async function attempt(args: Partial<ApiServiceArgs>, name = "api") {
  let message = "";
  const s = await synthesize(() => {
    const platform = testPlatform();
    try {
      new ApiService(name, { platform, image, ...args });
    } catch (err) {
      expect(err).toBeInstanceOf(KeelValidationError);
      message = (err as Error).message;
    }
  });
  const registered = s.resources.filter((r) => r.urn.includes("ApiService"));
  return { message, registered };
}

describe("ApiService validation", () => {
  it.each<[string, Partial<ApiServiceArgs>, string]>([
    ["negative replicas", { replicas: -1 }, 'ApiService "api": replicas is -1; expected an integer from 0 to 1000'],
    ["fractional replicas", { replicas: 1.5 }, 'ApiService "api": replicas is 1.5; expected an integer from 0 to 1000'],
    [
      "a memory size in GB",
      { resources: { requests: { memory: "12 GB" } } },
      'ApiService "api": resources.requests.memory is "12 GB"; expected bytes with a unit such as "512Mi", "2Gi" or "500M" (did you mean "12Gi"?)',
    ],
    [
      "an ephemeral-storage limit below the /tmp emptyDir",
      { resources: { limits: { ephemeralStorage: "32Mi" } } },
      'ApiService "api": resources.limits.ephemeralStorage is "32Mi"; expected at least "64Mi", the sizeLimits of the disk-backed emptyDir volumes the container writes (tmp "64Mi"), with room for its logs on top: the kubelet evicts the pod once its ephemeral storage passes the limit',
    ],
    ["the latest tag", { image: "ghcr.io/shop/api:latest" }, 'ApiService "api": image is "ghcr.io/shop/api:latest"; expected a pinned tag or digest; "latest" changes under a running Deployment'],
    ["a port out of range", { port: 70000 }, 'ApiService "api": port is 70000; expected a port from 1 to 65535'],
    [
      "a privileged port without the capability",
      { port: 80 },
      'ApiService "api": port is 80; expected a port of 1024 or above (containers run as non-root), or security.addCapabilities: ["NET_BIND_SERVICE"] to bind it',
    ],
    [
      "replicas under an HPA",
      { replicas: 3, autoscaling: { minReplicas: 2, maxReplicas: 4 } },
      'ApiService "api": replicas is 3; expected no fixed replicas when autoscaling is set (the HPA owns the count; use autoscaling.minReplicas)',
    ],
    ["an HPA upside down", { autoscaling: { minReplicas: 5, maxReplicas: 3 } }, 'ApiService "api": autoscaling.maxReplicas is 3; expected at least minReplicas (5)'],
    ["an HPA utilization over 100", { autoscaling: { minReplicas: 2, maxReplicas: 3, cpuUtilization: 170 } }, 'ApiService "api": autoscaling.cpuUtilization is 170; expected a percentage from 1 to 100'],
    ["a PDB that blocks drains", { disruptionBudget: { maxUnavailable: 0 } }, 'ApiService "api": disruptionBudget.maxUnavailable is 0; expected at least 1 (or a percentage of at least 1%); 0 blocks node drains'],
    [
      "a PDB minAvailable equal to replicas",
      { replicas: 3, disruptionBudget: { minAvailable: 3 } },
      'ApiService "api": disruptionBudget.minAvailable is 3; expected fewer pods than the 3 replicas (or a percentage below 100%), so nodes can still be drained',
    ],
    [
      "a rollout that cannot progress",
      { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
      'ApiService "api": rollingUpdate sets maxSurge and maxUnavailable both to 0; expected at least one above 0, or no rollout can progress',
    ],
    [
      "a mounted token without a reason",
      { serviceAccount: { automountToken: true } },
      'ApiService "api": serviceAccount.tokenReason is undefined; expected why the pod calls the Kubernetes API (10 characters at least), since serviceAccount.automountToken is true; it becomes the policy exemption',
    ],
    ["a root user", { security: { runAsUser: 0 } }, 'ApiService "api": security.runAsUser is 0; expected an integer user id from 1 to 2147483647 (containers never run as root; Kubernetes allows at most 2147483647)'],
    ["a dangerous capability", { security: { addCapabilities: ["SYS_ADMIN"] } }, 'ApiService "api": security.addCapabilities is "SYS_ADMIN"; expected one of NET_BIND_SERVICE'],
    ["an ingress host with a scheme", { ingress: { host: "https://api.example.com" } }, 'ApiService "api": ingress.host is "https://api.example.com"; expected a DNS name without a port or scheme (Ingress rules match the name only)'],
    ["a bad TLS secret name", { ingress: { host: "api.example.com", tls: { secretName: "API_TLS" } } }, 'ApiService "api": ingress.tls.secretName is "API_TLS"; expected a Secret name (lowercase letters, digits, \'-\' and \'.\', at most 253 characters)'],
    ["a bad body size", { ingress: { host: "api.example.com", maxBodySize: "10 MB" } }, 'ApiService "api": ingress.maxBodySize is "10 MB"; expected an nginx size such as "10m" or "512k"'],
    ["a bad CIDR", { allowTo: [{ peer: { kind: "cidr", cidr: "10.0.0.0/33" } }] }, 'ApiService "api": allowTo[0].peer.cidr is "10.0.0.0/33"; expected an IPv4 prefix length from 0 to 32'],
    ["an env name with a space", { env: { "MY VAR": "x" } }, 'ApiService "api": env is "MY VAR"; expected a variable name of letters, digits, \'_\', \'-\' and \'.\', not starting with a digit'],
    ["a variable both plain and secret", { env: { TOKEN: "a" }, secretEnv: { TOKEN: "b" } }, 'ApiService "api": secretEnv.TOKEN is "TOKEN"; expected a name not also set in env'],
    ["a file under /tmp", { files: { "/tmp/x.conf": { content: "x" } } }, 'ApiService "api": files is "/tmp/x.conf"; expected a path outside /tmp (an emptyDir is mounted there)'],
  ])("rejects %s before registering anything", async (_case, args, expected) => {
    const { message, registered } = await attempt(args);
    expect(message).toBe(expected);
    expect(registered).toEqual([]);
  });

  it("rejects a name that is not a DNS label", async () => {
    const { message } = await attempt({}, "My_API");
    expect(message).toBe(
      'ApiService "My_API": name is "My_API"; expected lowercase letters, digits and \'-\', starting with a letter and ending with a letter or digit (a DNS-1035 label: it names Services)',
    );
  });

  it("reports every problem at once, one per line", async () => {
    const { message } = await attempt({ replicas: -1, port: 0 });
    expect(message.split("\n")).toEqual([
      'ApiService "api": port is 0; expected a port from 1 to 65535',
      'ApiService "api": replicas is -1; expected an integer from 0 to 1000',
    ]);
  });

  it("needs a TLS Secret when the platform has no cert-manager", async () => {
    let message = "";
    await synthesize(() => {
      const platform = testPlatform({ operators: { certManager: false } });
      try {
        new ApiService("api", { platform, image, ingress: { host: "api.example.com" } });
      } catch (err) {
        message = (err as Error).message;
      }
    });
    expect(message).toBe(
      'ApiService "api": ingress.tls.secretName is undefined; expected the name of an existing TLS Secret, since the platform has no cert-manager (operators.certManager is false)',
    );
  });

  it("rejects the docker platform until it can run services", () => {
    const platform = { kind: "docker" as const, name: "local", docker: { network: "shop" } };
    expect(() => new ApiService("api", { platform, image })).toThrow(
      'ApiService "api": platform.kind is "docker"; expected "kubernetes" or "aws" (the docker platform does not run ApiService yet)',
    );
  });
});
