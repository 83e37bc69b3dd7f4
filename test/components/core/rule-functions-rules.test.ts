import { Validator } from "../../../components/core/errors";
import { NetworkRule, validateRules } from "../../../components/core/network";
import { ProbesArgs, resolveProbes } from "../../../components/core/probes";
import { resolveDisruptionBudget } from "../../../components/workload/disruption";
import { IngressArgs, validateIngress } from "../../../components/workload/ingress";
import type { KubernetesTarget } from "../../../components/platform/types";

/** Runs `check` with a fresh Validator and returns its problems as message lines. */
function problems(check: (v: Validator) => void): string[] {
  const v = new Validator("ApiService", "api");
  check(v);
  try {
    v.throwIfInvalid();
    return [];
  } catch (err) {
    return (err as Error).message.split("\n").map((l) => l.replace('ApiService "api": ', ""));
  }
}

const target = { operators: { certManager: true, prometheusOperator: false, strimzi: false }, ingress: { className: "nginx" } } as unknown as KubernetesTarget;

describe("probe rules", () => {
  const probes = (args: unknown) => problems((v) => resolveProbes(v, "probes", args as ProbesArgs, 8080));
  it("refuses a scheme Kubernetes does not know, and HTTP settings on other handlers", () => {
    expect(probes({ readiness: { path: "/ready", scheme: "https" } })).toEqual(['probes.readiness.scheme is "https"; expected "HTTP" or "HTTPS" (upper case)']);
    expect(probes({ liveness: { command: ["true"], port: 9000 }, startup: false })).toEqual(["probes.liveness.port is 9000; expected none with command (port belongs to an HTTP probe and would be ignored)"]);
    expect(probes({ readiness: { path: "/re ady" } })).toEqual(['probes.readiness.path is "/re ady"; expected an absolute HTTP path such as "/health/ready", without spaces or control characters']);
  });
});

describe("network rule checks", () => {
  const rules = (r: unknown) => problems((v) => validateRules(v, "allowTo", r as NetworkRule[]));
  it("names a rule without a peer, a protocol in lower case and a port listed twice", () => {
    expect(rules([{ ports: [{ port: 443 }] }])).toEqual(["allowTo[0].peer is undefined; expected a peer: a keel component, or peers.workload(...), peers.namespace(...), peers.cidr(...)"]);
    expect(rules([{ peer: { kind: "cidr", cidr: "10.0.0.0/8" }, ports: [{ port: 53, protocol: "udp" }] }])).toEqual(['allowTo[0].ports[0].protocol is "udp"; expected one of TCP, UDP, SCTP (upper case)']);
    expect(rules([{ peer: { kind: "cidr", cidr: "10.0.0.0/8" }, ports: [{ port: 53, protocol: "UDP" }, { port: 53 }, { port: 53, protocol: "TCP" }] }])).toEqual([
      "allowTo[0].ports[2].port is 53; expected a port not already listed by allowTo[0].ports[1]",
    ]);
    expect(rules([{ peer: { kind: "cidr", cidr: "10.0.0.0/8", except: ["10.1.0.0/16", "192.168.0.0/16", "10.0.0.0/8"] } }])).toEqual([
      "allowTo[0].peer.except[1] is \"192.168.0.0/16\"; expected a range inside 10.0.0.0/8 and smaller than it (Kubernetes refuses other exceptions)",
      "allowTo[0].peer.except[2] is \"10.0.0.0/8\"; expected a range inside 10.0.0.0/8 and smaller than it (Kubernetes refuses other exceptions)",
    ]);
    expect(rules([{ peer: { kind: "cidr", cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }])).toEqual([]);
    expect(rules("everything")).toEqual(['allowTo is "everything"; expected a list of rules such as [{ peer, ports }]']);
  });
});

describe("disruption budgets", () => {
  const budget = (args: unknown, replicas: number) => problems((v) => resolveDisruptionBudget(v, args as never, replicas));
  it("refuses a budget that would be dropped or that protects nothing, and keeps the silent default", () => {
    expect(budget(undefined, 1)).toEqual([]);
    expect(budget(false, 5)).toEqual([]);
    expect(budget({ maxUnavailable: "100%" }, 4)).toEqual(['disruptionBudget.maxUnavailable is "100%"; expected fewer pods than the 4 replicas (or a percentage below 100%); a budget that lets every pod go protects nothing']);
    expect(budget({ maxUnavailable: "150%" }, 4)).toEqual(['disruptionBudget.maxUnavailable is "150%"; expected a percentage of at most 100%']);
    expect(budget({ maxUnavailable: 1 }, 0)).toEqual(['disruptionBudget is {"maxUnavailable":1}; expected false or no disruptionBudget with fewer than 2 replicas (0): keel creates no PodDisruptionBudget there, since it would block node drains']);
    expect(budget({ maxUnavailable: "50%" }, 2)).toEqual([]);
  });
});

describe("ingress rules", () => {
  const ingress = (a: Partial<IngressArgs>) => problems((v) => validateIngress(v, { host: "api.example.com", ...a }, target));
  it("checks hosts, paths per pathType, duplicates, class, issuer and annotations", () => {
    expect(ingress({ paths: ["/api/(.*)"], pathType: "ImplementationSpecific" })).toEqual([]);
    expect(ingress({ paths: ["/a", "/b", "/a"], pathType: "Exact" })).toEqual(['ingress.paths[2] is "/a"; expected a path not already routed by ingress.paths[0] (the same host and path twice)']);
    expect(ingress({ paths: ["/a", "/a/"], pathType: "Exact" })).toEqual([]);
    expect(ingress({ paths: [] })).toEqual(["ingress.paths is []; expected at least one path, such as [\"/\"]"]);
    expect(ingress({ additionalHosts: ["*.example.com", "10.1.2.3"] })).toEqual(['ingress.additionalHosts[1] is "10.1.2.3"; expected a DNS name, not an IP address (Ingress hosts cannot be addresses)']);
    expect(ingress({ tls: { clusterIssuer: "Lets Encrypt" } })).toEqual(['ingress.tls.clusterIssuer is "Lets Encrypt"; expected a ClusterIssuer name (lowercase letters, digits, \'-\' and \'.\', at most 253 characters)']);
    expect(ingress({ annotations: { "nginx.ingress.kubernetes.io/": "x" } })).toEqual([
      "ingress.annotations is \"nginx.ingress.kubernetes.io/\"; expected [prefix/]name: an optional DNS subdomain prefix (at most 253 characters) and a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    ]);
  });
});
