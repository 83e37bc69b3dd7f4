import { ApiService } from "../../../components";
import { at, synthesize } from "../../helpers/synth";
import { testPlatform } from "../../helpers/platform";

const image = "ghcr.io/shop/api:1.4.2";

describe("ApiService defaults", () => {
  it("creates a Deployment, Service, ServiceAccount and NetworkPolicy, with a PDB for 2 replicas", async () => {
    const s = await synthesize(() => new ApiService("api", { platform: testPlatform(), image }));
    const kinds = s.objects.filter((o) => o.metadata.namespace === "shop").map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual([
      "Deployment/api",
      "NetworkPolicy/acme-http01-solver",
      "NetworkPolicy/api-netpol",
      "NetworkPolicy/default-deny",
      "PodDisruptionBudget/api",
      "Service/api",
      "ServiceAccount/api",
    ]);
    expect(at(s.object("PodDisruptionBudget", "api"), "spec")).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" } },
    });
  });

  it("registers children under the component with keel's type token", async () => {
    const s = await synthesize(() => new ApiService("api", { platform: testPlatform(), image }));
    const component = s.resource("api", "ApiService");
    expect(component.type).toBe("keel:components:ApiService");
    expect(s.resource("api-deployment", "Deployment").parent).toBe(component.urn);
  });

  it("runs hardened: non-root, read-only root with a writable /tmp, no capabilities, seccomp", async () => {
    const s = await synthesize(() => new ApiService("api", { platform: testPlatform(), image }));
    const pod = at(s.object("Deployment", "api"), "spec.template.spec") as Record<string, unknown>;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe("api");
    const container = at(pod, "containers.0") as Record<string, unknown>;
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }]);
    expect(at(s.object("ServiceAccount", "api"), "automountServiceAccountToken")).toBe(false);
  });

  it("labels everything and selects without the version", async () => {
    const s = await synthesize(() => new ApiService("api", { platform: testPlatform(), image }));
    const deployment = s.object("Deployment", "api");
    expect(deployment.metadata.labels).toEqual({
      "app.kubernetes.io/name": "api",
      "app.kubernetes.io/instance": "api",
      "app.kubernetes.io/version": "1.4.2",
      "app.kubernetes.io/component": "api",
      "app.kubernetes.io/part-of": "shop",
      "app.kubernetes.io/managed-by": "keel",
    });
    expect(at(deployment, "spec.selector")).toEqual({ matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" } });
    expect(at(s.object("Service", "api"), "spec.selector")).toEqual({ "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" });
  });

  it("sets probes, resources, rolling update and topology spread", async () => {
    const s = await synthesize(() => new ApiService("api", { platform: testPlatform(), image }));
    const spec = at(s.object("Deployment", "api"), "spec") as Record<string, unknown>;
    expect(spec.replicas).toBe(2);
    expect(spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } });
    const container = at(spec, "template.spec.containers.0") as Record<string, unknown>;
    // Ephemeral storage: 64Mi/256Mi for logs, plus the 64Mi /tmp emptyDir it writes.
    expect(container.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "128Mi" }, limits: { cpu: "500m", memory: "256Mi", "ephemeral-storage": "320Mi" } });
    expect(at(container, "livenessProbe.httpGet.path")).toBe("/health/live");
    expect(at(container, "readinessProbe.httpGet.path")).toBe("/health/ready");
    expect(at(container, "startupProbe.httpGet.path")).toBe("/health/live");
    const spread = at(spec, "template.spec.topologySpreadConstraints") as { topologyKey: string }[];
    expect(spread.map((c) => c.topologyKey)).toEqual(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
  });

  it("annotates pods for Prometheus scraping on a bare cluster", async () => {
    const s = await synthesize(() => new ApiService("api", { platform: testPlatform(), image }));
    expect(at(s.object("Deployment", "api"), "spec.template.metadata.annotations")).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "8080",
      "prometheus.io/path": "/metrics",
    });
    expect(s.all("ServiceMonitor")).toHaveLength(0);
  });

  it("emits a ServiceMonitor, labelled for the operator's selector, when the operator is installed", async () => {
    const s = await synthesize(() =>
      new ApiService("api", { platform: testPlatform({ operators: { prometheusOperator: true } }), image, metrics: { port: 9090, path: "/prom" } }),
    );
    const monitor = s.object("ServiceMonitor", "api");
    expect(monitor.metadata.labels?.release).toBe("kube-prometheus-stack");
    expect(at(monitor, "spec.endpoints")).toEqual([{ port: "metrics", path: "/prom", interval: "30s" }]);
    expect(at(s.object("Service", "api"), "spec.ports")).toEqual([
      { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
      { name: "metrics", port: 9090, targetPort: "metrics", protocol: "TCP" },
    ]);
    expect(at(s.object("Deployment", "api"), "spec.template.metadata.annotations")).toEqual({});
  });

  it("exposes its in-cluster URL", async () => {
    let url: Promise<string> | undefined;
    await synthesize(() => {
      const api = new ApiService("api", { platform: testPlatform(), image, servicePort: 8000 });
      url = new Promise((resolve) => api.url.apply(resolve));
    });
    await expect(url).resolves.toBe("http://api.shop.svc.cluster.local:8000");
  });

  it("has no PDB with one replica, and refuses one the args ask for instead of dropping it", async () => {
    const s = await synthesize(() => new ApiService("api", { platform: testPlatform(), image, replicas: 1 }));
    expect(s.all("PodDisruptionBudget")).toHaveLength(0);
    await synthesize(() => {
      expect(() => new ApiService("api", { platform: testPlatform(), image, replicas: 1, disruptionBudget: { maxUnavailable: 1 } })).toThrow(
        'ApiService "api": disruptionBudget is {"maxUnavailable":1}; expected false or no disruptionBudget with fewer than 2 replicas (1): keel creates no PodDisruptionBudget there, since it would block node drains',
      );
    });
  });
});

describe("ApiService shutdown and volumes", () => {
  it("keeps serving 5 s after it is told to stop, and re-owns volumes only on a mismatch", async () => {
    const s = await synthesize(() => new ApiService("api", { platform: testPlatform(), image }));
    const pod = at(s.object("Deployment", "api"), "spec.template.spec") as { containers: { lifecycle?: unknown }[]; securityContext: { fsGroupChangePolicy?: string } };
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(pod.securityContext.fsGroupChangePolicy).toBe("OnRootMismatch");
    const off = await synthesize(() => new ApiService("api", { platform: testPlatform(), image, preStopSeconds: 0 }));
    expect((at(off.object("Deployment", "api"), "spec.template.spec") as { containers: { lifecycle?: unknown }[] }).containers[0].lifecycle).toBeUndefined();
  });

  it("refuses a pause the grace period cannot hold", async () => {
    const messages: string[] = [];
    await synthesize(() => {
      const platform = testPlatform();
      for (const [i, preStopSeconds] of [30, 1.5].entries()) {
        try {
          new ApiService(`api${i}`, { platform, image, preStopSeconds });
        } catch (err) {
          messages.push((err as Error).message);
        }
      }
    });
    expect(messages).toEqual([
      'ApiService "api0": preStopSeconds is 30; expected less than terminationGracePeriodSeconds (30), so the process still gets time to shut down',
      'ApiService "api1": preStopSeconds is 1.5; expected an integer from 0 to 120',
    ]);
  });
});
