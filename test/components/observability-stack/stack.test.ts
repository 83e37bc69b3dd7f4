import * as path from "path";
import { ApiService, ObservabilityStack } from "../../../components";
import { runPack } from "../../../offline/check/analyze";
import { readConfigFile } from "../../../offline/check/config";
import { resourcesFromRun } from "../../../offline/check/inputs";
import { RunningPack, startPack } from "../../../offline/check/pack";
import { ROOT } from "../../helpers/cli";
import { integrityProblems } from "../../helpers/integrity";
import { testPlatform } from "../../helpers/platform";
import { schemaProblems } from "../../helpers/schema";
import { at, synthesize } from "../../helpers/synth";

const SLACK = "https://hooks.slack.com/services/T000/B000/secret-slack-token";
const PAGERDUTY = "pagerduty-routing-key-that-is-secret";

function prodStack() {
  const platform = testPlatform({ storageClass: "gp3" });
  const obs = new ObservabilityStack("obs", {
    platform,
    prometheus: { replicas: 2, retention: "15d", storage: "50Gi" },
    alertmanager: { replicas: 2, slack: { webhookUrl: SLACK, channel: "#alerts" }, pagerduty: { routingKey: PAGERDUTY } },
    grafana: { replicas: 1, ingress: { host: "grafana.example.com" } },
  });
  new ApiService("api", { platform, image: "ghcr.io/shop/api:1.0.0", telemetry: obs.telemetry });
}

let pack: RunningPack;
afterAll(() => pack?.stop());

describe("ObservabilityStack on Kubernetes", () => {
  it("creates every part, schema-valid, with references that resolve", async () => {
    const s = await synthesize(prodStack);
    const workloads = s.objects.filter((o) => ["StatefulSet", "Deployment", "DaemonSet"].includes(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(workloads).toEqual([
      "DaemonSet/obs-node-logs",
      "DaemonSet/obs-otel-collector",
      "Deployment/api",
      "Deployment/obs-grafana",
      "Deployment/obs-kube-state-metrics",
      "Deployment/obs-pushgateway",
      "StatefulSet/obs-alertmanager",
      "StatefulSet/obs-loki",
      "StatefulSet/obs-prometheus",
      "StatefulSet/obs-tempo",
    ]);
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(s.objects)).toEqual([]);
    // Everything in the monitoring namespace, but the node-log collector in its own.
    for (const o of s.objects.filter((x) => x.metadata.name.startsWith("obs-") && x.metadata.namespace)) {
      expect([o.metadata.name, o.metadata.namespace]).toEqual([o.metadata.name, o.metadata.name.startsWith("obs-node-logs") ? "shop-node-logs" : "monitoring"]);
    }
  });

  it("never writes the receivers' secrets or the Grafana password", async () => {
    const s = await synthesize(prodStack);
    const written = s.written();
    expect(written).not.toContain("secret-slack-token");
    expect(written).not.toContain(PAGERDUTY);
    const grafanaPassword = s.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword");
    expect(grafanaPassword).toBeDefined();
  });

  it("gives services the OTLP endpoint and lets them reach the collector", async () => {
    const s = await synthesize(prodStack);
    const env = s.all("ConfigMap").find((c) => c.metadata.name.startsWith("api-env-"));
    expect(at(env, "data.OTEL_EXPORTER_OTLP_ENDPOINT")).toBe("http://obs-otel-collector.monitoring.svc.cluster.local:4317");
    expect(at(env, "data.OTEL_SERVICE_NAME")).toBe("api");
    const egress = at(s.object("NetworkPolicy", "api-netpol"), "spec.egress") as unknown[];
    expect(egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "otel-collector", "app.kubernetes.io/instance": "obs-otel-collector" } } }],
      ports: [{ port: 4317, protocol: "TCP" }, { port: 4318, protocol: "TCP" }],
    });
  });

  it("keeps Loki's retention deleting (compactor) and Prometheus' retention by time and size", async () => {
    const s = await synthesize(prodStack);
    const args = at(s.object("StatefulSet", "obs-prometheus"), "spec.template.spec.containers.0.args") as string[];
    expect(args).toEqual(expect.arrayContaining(["--storage.tsdb.retention.time=15d", "--storage.tsdb.retention.size=48GB"]));
    const loki = s.all("ConfigMap").find((c) => c.metadata.name.startsWith("obs-loki-config-"));
    expect(String(at(loki, "data.loki\\.yaml") ?? (loki?.data as Record<string, string>)["loki.yaml"])).toContain("retention_enabled: true");
  });

  it("passes the policy pack's prod config with no mandatory violation, and only exemptions with reasons", async () => {
    const s = await synthesize(prodStack);
    pack = await startPack(path.join(ROOT, "policies"));
    const { diagnostics } = await runPack(pack, resourcesFromRun(s.resources), readConfigFile(path.join(ROOT, "policies", "config", "prod.json")), "prod.json");
    expect(diagnostics.filter((d) => d.level === "mandatory")).toEqual([]);
    const used = diagnostics.filter((d) => d.policy === "exemption-audit").map((d) => d.message.replace(/ \(suppresses.*$/, ""));
    expect(used.every((m) => m.startsWith("exemption used: "))).toBe(true);
    expect(used).toContain("exemption used: no-automounted-token on StatefulSet monitoring/obs-prometheus: Prometheus discovers its targets through the Kubernetes API");
    expect(used.filter((m) => m.includes("obs-node-logs"))).toEqual([
      "exemption used: no-host-path on DaemonSet shop-node-logs/obs-node-logs: reads the container log files the kubelet keeps under /var/log/pods (mounted read-only); nothing else of the host is mounted",
      "exemption used: no-root-group on DaemonSet shop-node-logs/obs-node-logs: runs with root's own group 0 as well as uid 0 (see run-as-non-root), to read the log files the container runtime writes as root:root with mode 0640; every capability is dropped, no privilege escalation, a read-only root filesystem",
      "exemption used: run-as-non-root on DaemonSet shop-node-logs/obs-node-logs: the container runtime writes the log files as root with mode 0640; the collector reads them as uid 0 with every capability dropped, no privilege escalation and a read-only root filesystem",
    ]);
  });
});

describe("Grafana's ingress", () => {
  it("publishes Grafana with TLS only when asked, and admits the ingress controller only then", async () => {
    const s = await synthesize(prodStack);
    expect(at(s.object("Ingress", "obs-grafana"), "spec.tls")).toEqual([{ hosts: ["grafana.example.com"], secretName: "obs-grafana-tls" }]);
    expect(JSON.stringify(at(s.object("NetworkPolicy", "obs-grafana-netpol"), "spec.ingress"))).toContain("ingress-nginx");
    const bare = await synthesize(() => {
      new ObservabilityStack("obs", { platform: testPlatform() });
    });
    expect(bare.all("Ingress")).toEqual([]);
    expect(JSON.stringify(at(bare.object("NetworkPolicy", "obs-grafana-netpol"), "spec.ingress"))).not.toContain("ingress-nginx");
  });
});

describe("ObservabilityStack with the Prometheus operator", () => {
  it("emits a Prometheus, its rules and ServiceMonitors selected by the platform's labels, all schema-valid", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform({ storageClass: "gp3", operators: { prometheusOperator: true } });
      new ObservabilityStack("obs", { platform, prometheus: { replicas: 2 } });
    });
    const prometheus = s.object("Prometheus", "obs-prometheus");
    expect(at(prometheus, "spec.serviceMonitorSelector")).toEqual({ matchLabels: { release: "kube-prometheus-stack" } });
    expect(at(prometheus, "spec.replicas")).toBe(2);
    expect(s.all("PrometheusRule")).toHaveLength(1);
    expect(s.all("StatefulSet").map((o) => o.metadata.name)).not.toContain("obs-prometheus");
    const monitors = s.all("ServiceMonitor").map((m) => m.metadata.name).sort();
    expect(monitors).toEqual(["obs-alertmanager", "obs-grafana", "obs-kube-state-metrics", "obs-loki", "obs-node-logs", "obs-otel-collector", "obs-pushgateway", "obs-tempo"]);
    // kube-state-metrics' series keep the namespace/pod they describe; no other monitor honours exported labels.
    expect(s.all("ServiceMonitor").filter((m) => JSON.stringify(m.spec).includes("honorLabels")).map((m) => [m.metadata.name, at(m, "spec.endpoints")])).toEqual([
      ["obs-kube-state-metrics", [{ port: "http", path: "/metrics", interval: "30s", honorLabels: true }]],
    ]);
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(at(s.object("Service", "obs-otel-collector"), "spec.ports")).toContainEqual({ name: "metrics", port: 8889, targetPort: 8889, protocol: "TCP" });
  });
});
