import { ObservabilityStack, collectorConfig, dashboards, grafanaDatasources, lokiConfig, prometheusConfig, tempoConfig } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

type Obj = Record<string, unknown>;

const KSM = { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": "obs-kube-state-metrics" };

describe("Kubernetes discovery blocks (promtool here is built without them)", () => {
  const config = prometheusConfig({
    namespaces: ["shop", "data"],
    ruleFiles: ["/etc/prometheus/rules.yml"],
    alertmanager: { namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "alertmanager" } },
    kubeStateMetrics: { namespace: "monitoring", podLabels: KSM },
  });
  const blocks: Obj[] = [];
  const labels: string[] = [];
  JSON.stringify(config, (key, value) => {
    if (key === "kubernetes_sd_configs") blocks.push(...(value as Obj[]));
    if (key === "source_labels") labels.push(...(value as string[]));
    return value;
  });

  it("use only Prometheus' documented kubernetes_sd_config fields and roles", () => {
    expect(blocks.length).toBe(5);
    for (const b of blocks) {
      expect(Object.keys(b).every((k) => ["role", "namespaces", "api_server", "selectors", "attach_metadata", "kubeconfig_file"].includes(k))).toBe(true);
      expect(["node", "service", "pod", "endpoints", "endpointslice", "ingress"]).toContain(b.role);
      if (b.namespaces) expect(Object.keys(b.namespaces as Obj).every((k) => ["names", "own_namespace"].includes(k))).toBe(true);
    }
    expect(blocks[0]).toEqual({ role: "pod", namespaces: { names: ["shop", "data"] } });
    expect(blocks[1]).toEqual({ role: "pod", namespaces: { names: ["monitoring"] } });
  });

  it("relabel only from documented meta labels", () => {
    const documented = [/^__meta_kubernetes_pod_annotation_[a-z0-9_]+$/, /^__meta_kubernetes_pod_label_[a-z0-9_]+$/, /^__meta_kubernetes_(pod_phase|namespace|pod_name|node_name|pod_container_port_number)$/, /^__address__$/];
    for (const l of labels) expect([l, documented.some((re) => re.test(l))]).toEqual([l, true]);
    expect(labels).toContain("__meta_kubernetes_pod_annotation_prometheus_io_scrape");
  });
});

describe("backend configuration", () => {
  it("turns Loki's retention on, so old logs are deleted", () => {
    const c = lokiConfig("168h") as { compactor: Obj; limits_config: Obj };
    expect(c.compactor).toMatchObject({ retention_enabled: true, delete_request_store: "filesystem" });
    expect(c.limits_config.retention_period).toBe("168h");
  });

  it("keeps Tempo blocks for the retention", () => {
    expect((tempoConfig("72h") as { compactor: Obj }).compactor).toEqual({ compaction: { block_retention: "72h" } });
  });

  it("routes OTLP traces to Tempo, logs to Loki, metrics to Prometheus", () => {
    const c = collectorConfig({ traces: "tempo:4317", logs: "http://loki:3100/otlp" }) as { service: { pipelines: Record<string, { exporters: string[] }> }; exporters: Obj };
    expect(c.service.pipelines.traces.exporters).toEqual(["otlp/tempo"]);
    expect(c.service.pipelines.logs.exporters).toEqual(["otlphttp/loki"]);
    expect(c.service.pipelines.metrics.exporters).toEqual(["prometheus"]);
    expect(c.exporters["otlp/tempo"]).toEqual({ endpoint: "tempo:4317", tls: { insecure: true } });
  });

  it("labels metric series with the resource attributes that name the pod (for HPAs), and only a bounded few", () => {
    const c = collectorConfig({ traces: "tempo:4317", logs: "http://loki:3100/otlp" }) as { service: { pipelines: Record<string, { processors: string[] }> }; exporters: Obj; processors: Obj };
    expect(c.exporters.prometheus).toEqual({ endpoint: "0.0.0.0:8889", resource_to_telemetry_conversion: { enabled: true } });
    expect(c.service.pipelines.metrics.processors).toEqual(["memory_limiter", "transform/metric-resource", "batch"]);
    // Traces and logs keep every resource attribute.
    expect(c.service.pipelines.traces.processors).toEqual(["memory_limiter", "batch"]);
    expect(c.service.pipelines.logs.processors).toEqual(["memory_limiter", "batch"]);
    expect(c.processors["transform/metric-resource"]).toEqual({
      error_mode: "ignore",
      metric_statements: [{ context: "resource", statements: ['keep_keys(attributes, ["service.name", "service.namespace", "service.version", "service.instance.id", "k8s.namespace.name", "k8s.pod.name"])'] }],
    });
  });
});

describe("Grafana dashboards", () => {
  const datasources = (grafanaDatasources({ prometheus: "http://p:9090", loki: "http://l:3100", tempo: "http://t:3200" }) as { datasources: { uid: string }[] }).datasources;
  const uids = new Set(datasources.map((d) => d.uid));
  const boards = dashboards();

  it("cover service RED metrics, PostgreSQL, Redis, Kafka and Kubernetes workloads", () => {
    expect(Object.keys(boards).sort()).toEqual(["kafka.json", "kubernetes-workloads.json", "postgresql.json", "redis.json", "service-red.json"]);
    expect(new Set(Object.values(boards).map((b) => b.uid)).size).toBe(5);
  });

  it("are valid JSON whose every datasource reference exists", () => {
    for (const [file, board] of Object.entries(boards)) {
      const parsed = JSON.parse(JSON.stringify(board)) as Obj;
      const refs: string[] = [];
      JSON.stringify(parsed, (key, value) => {
        if (key === "datasource") refs.push((value as { uid: string }).uid);
        return value;
      });
      expect(refs.length).toBeGreaterThan(4);
      for (const uid of refs) expect([file, uids.has(uid)]).toEqual([file, true]);
    }
  });
});

describe("ObservabilityStack validation", () => {
  it("rejects a Slack webhook that is not https without echoing it", async () => {
    let message = "";
    await synthesize(() => {
      const platform = testPlatform();
      try {
        new ObservabilityStack("obs", { platform, alertmanager: { slack: { webhookUrl: "http://hooks.internal/token123", channel: "#a" } } });
      } catch (err) {
        message = (err as Error).message;
      }
    });
    expect(message).toBe('ObservabilityStack "obs": alertmanager.slack.webhookUrl is not an https:// URL; expected the Slack incoming-webhook URL (value not shown: it is a secret)');
  });

  it("rejects bad retention, sizes and an Alertmanager without Prometheus, before registering anything", async () => {
    let message = "";
    const s = await synthesize(() => {
      const platform = testPlatform();
      try {
        new ObservabilityStack("obs", { platform, prometheus: false, loki: { retention: "7 days", storage: "20 GB" }, alertmanager: { replicas: 0 } });
      } catch (err) {
        message = (err as Error).message;
      }
    });
    expect(message.split("\n")).toEqual([
      'ObservabilityStack "obs": alertmanager.replicas is 0; expected an integer from 1 to 10',
      'ObservabilityStack "obs": alertmanager is on but prometheus is off; expected prometheus to send it alerts (or alertmanager: false)',
      'ObservabilityStack "obs": loki.retention is "7 days"; expected a duration in hours such as "168h"',
      'ObservabilityStack "obs": loki.storage is "20 GB"; expected bytes with a unit such as "512Mi", "2Gi" or "500M" (did you mean "20Gi"?)',
    ]);
    expect(s.resources.filter((r) => r.urn.includes("ObservabilityStack"))).toEqual([]);
  });
});
