/**
 * Node logs: the OpenTelemetry Collector DaemonSet that ships every container's stdout/stderr
 * to Loki, in a namespace of its own (test-real/node-logs.test.ts runs its configuration).
 */
import { parse } from "yaml";
import { ObservabilityStack, nodeLogOperators } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { at, synthesize } from "../../helpers/synth";

type Obj = Record<string, unknown>;

const stack = (nodeLogs?: { dockerEngine?: boolean }) =>
  synthesize(() => {
    new ObservabilityStack("obs", { platform: testPlatform(), nodeLogs });
  });

describe("node-log collection", () => {
  it("runs in a namespace of its own whose Pod Security level admits it, denying all traffic by default", async () => {
    const s = await stack();
    expect(s.object("Namespace", "shop-node-logs").metadata).toMatchObject({
      labels: { "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/managed-by": "keel", "pod-security.kubernetes.io/enforce": "privileged" },
      annotations: { "keel.dev/pod-security": "privileged: the node-log collector mounts /var/log/pods read-only and reads it as root, which baseline and restricted forbid" },
    });
    const deny = s.all("NetworkPolicy").filter((p) => p.metadata.namespace === "shop-node-logs" && p.metadata.name === "default-deny");
    expect(deny.map((p) => p.spec)).toEqual([{ podSelector: {}, policyTypes: ["Ingress", "Egress"] }]);
  });

  it("reads /var/log/pods read-only as root with nothing else, and says why in its exemptions", async () => {
    const s = await stack();
    const ds = s.object("DaemonSet", "obs-node-logs");
    expect(ds.metadata.namespace).toBe("shop-node-logs");
    expect(at(ds, "metadata.annotations")).toEqual({
      "exempt.keel.dev/no-host-path": "reads the container log files the kubelet keeps under /var/log/pods (mounted read-only); nothing else of the host is mounted",
      "exempt.keel.dev/no-root-group": "runs with root's own group 0 as well as uid 0 (see run-as-non-root), to read the log files the container runtime writes as root:root with mode 0640; every capability is dropped, no privilege escalation, a read-only root filesystem",
      "exempt.keel.dev/run-as-non-root":
        "the container runtime writes the log files as root with mode 0640; the collector reads them as uid 0 with every capability dropped, no privilege escalation and a read-only root filesystem",
    });
    const pod = at(ds, "spec.template.spec") as Obj;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes).toContainEqual({ name: "pod-logs", hostPath: { path: "/var/log/pods", type: "Directory" } });
    expect((pod.volumes as Obj[]).filter((v) => v.hostPath)).toHaveLength(1);
    const c = at(ds, "spec.template.spec.containers.0") as Obj;
    expect(c.image).toBe("otel/opentelemetry-collector-contrib:0.109.0");
    expect(c.securityContext).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
      seccompProfile: { type: "RuntimeDefault" },
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(c.volumeMounts).toContainEqual({ name: "pod-logs", mountPath: "/var/log/pods", readOnly: true });
  });

  it("mounts Docker's container directory read-only too on Docker Engine nodes", async () => {
    const s = await stack({ dockerEngine: true });
    const ds = s.object("DaemonSet", "obs-node-logs");
    expect((at(ds, "spec.template.spec.volumes") as Obj[]).filter((v) => v.hostPath).map((v) => v.hostPath)).toEqual([
      { path: "/var/log/pods", type: "Directory" },
      { path: "/var/lib/docker/containers", type: "Directory" },
    ]);
    expect(at(ds, "spec.template.spec.containers.0.volumeMounts")).toContainEqual({ name: "docker-containers", mountPath: "/var/lib/docker/containers", readOnly: true });
  });

  it("collects the platform's namespaces, parses the runtime format and JSON bodies, and ships to Loki over OTLP", async () => {
    const s = await stack();
    const cm = s.all("ConfigMap").find((c) => c.metadata.name.startsWith("obs-node-logs-config-"));
    expect(cm?.metadata.namespace).toBe("shop-node-logs");
    const config = parse((cm?.data as Record<string, string>)["collector.yaml"]) as { receivers: { filelog: Obj }; exporters: Obj; service: { pipelines: Obj } };
    expect(config.receivers.filelog.include).toEqual(["/var/log/pods/shop_*/*/*.log", "/var/log/pods/data_*/*/*.log", "/var/log/pods/storage_*/*/*.log", "/var/log/pods/monitoring_*/*/*.log"]);
    expect(config.receivers.filelog.operators).toEqual(nodeLogOperators());
    expect(nodeLogOperators().map((o) => `${o.type}:${o.id}`)).toEqual(["container:runtime-format", "add:docker-newline", "json_parser:json-body", "severity_parser:json-level"]);
    expect(config.exporters).toEqual({ "otlphttp/loki": { endpoint: "http://obs-loki.monitoring.svc.cluster.local:3100/otlp" } });
    expect(config.service.pipelines).toEqual({ logs: { receivers: ["filelog"], processors: ["memory_limiter", "batch"], exporters: ["otlphttp/loki"] } });
  });

  it("reaches Loki, which admits it; Prometheus scrapes its metrics, both ends allowing it", async () => {
    const s = await stack();
    const self = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop-node-logs" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "node-logs", "app.kubernetes.io/instance": "obs-node-logs" } } };
    const own = s.object("NetworkPolicy", "obs-node-logs-netpol");
    expect(own.metadata.namespace).toBe("shop-node-logs");
    expect(at(own, "spec.egress.1")).toEqual({
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "obs-loki" } } }],
      ports: [{ port: 3100, protocol: "TCP" }],
    });
    expect(at(own, "spec.ingress")).toEqual([{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }], ports: [{ port: 8888, protocol: "TCP" }] }]);
    expect(at(s.object("NetworkPolicy", "obs-loki-from-obs-node-logs"), "spec.ingress")).toEqual([{ from: [self], ports: [{ port: 3100, protocol: "TCP" }] }]);
    expect(at(s.object("NetworkPolicy", "obs-prometheus-netpol"), "spec.egress")).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop-node-logs" } } }] });
    expect(at(s.object("DaemonSet", "obs-node-logs"), "spec.template.metadata.annotations")).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": "8888", "prometheus.io/path": "/metrics" });
    const prometheus = s.all("ConfigMap").find((c) => c.metadata.name.startsWith("obs-prometheus-config-"));
    const pods = (parse((prometheus?.data as Record<string, string>)["prometheus.yml"]) as { scrape_configs: Obj[] }).scrape_configs[1];
    expect(at(pods, "kubernetes_sd_configs.0.namespaces.names")).toEqual(["shop", "data", "storage", "monitoring", "shop-node-logs"]);
  });

  it("is off without Loki, and refuses to run without it", async () => {
    const off = await synthesize(() => {
      new ObservabilityStack("obs", { platform: testPlatform(), loki: false });
    });
    expect(off.all("DaemonSet").map((d) => d.metadata.name)).toEqual(["obs-otel-collector"]);
    let message = "";
    await synthesize(() => {
      try {
        new ObservabilityStack("obs", { platform: testPlatform(), loki: false, nodeLogs: { namespace: "Node_Logs" } });
      } catch (err) {
        message = (err as Error).message;
      }
    });
    expect(message.split("\n")).toEqual([
      `ObservabilityStack "obs": nodeLogs.namespace is "Node_Logs"; expected a namespace name: lowercase letters, digits and '-', at most 63 characters`,
      'ObservabilityStack "obs": nodeLogs is on but loki is off; expected loki to ship the logs to (or nodeLogs: false)',
    ]);
  });
});
