/**
 * Prometheus and Alertmanager configuration as ObservabilityStack generates it, checked by the
 * tools themselves: promtool check config / check rules / test rules, amtool check-config; and
 * the generated scrape jobs run by a real Prometheus against a stand-in kube-state-metrics.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { AlertRule, alertmanagerConfig, defaultAlertRules, prometheusConfig, ruleGroups, withStaticDiscovery } from "../components/observability-stack";
import { daemon, waitFor } from "./processes";
import { run, workdir } from "./tools";

const SA = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Points the service-account files at local stand-ins (they exist only inside a pod). */
function localFiles(config: Record<string, unknown>, dir: string): Record<string, unknown> {
  fs.writeFileSync(path.join(dir, "token"), "token");
  fs.writeFileSync(path.join(dir, "ca.crt"), "");
  return JSON.parse(JSON.stringify(config).split(SA).join(dir));
}

describe("prometheus.yml", () => {
  it("passes promtool check config (Kubernetes discovery swapped for static targets)", () => {
    const dir = workdir({ "rules.yml": ruleGroups(defaultAlertRules()) });
    const config = prometheusConfig({
      namespaces: ["shop", "data"],
      ruleFiles: [path.join(dir, "rules.yml")],
      alertmanager: { namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "alertmanager" } },
      externalLabels: { system: "shop" },
    });
    fs.writeFileSync(path.join(dir, "prometheus.yml"), JSON.stringify(localFiles(withStaticDiscovery(config), dir)));
    const r = run("promtool", ["check", "config", "prometheus.yml"], dir);
    expect(r.output).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  it("fails promtool on a broken config (the check can fail)", () => {
    const dir = workdir({ "prometheus.yml": { global: { scrape_interval: "30 seconds" } } });
    expect(run("promtool", ["check", "config", "prometheus.yml"], dir).code).not.toBe(0);
  });
});

/** Renders the `{{ $labels.x }}` and `{{ $value }}`-free templates of an annotation for expected alerts. */
function render(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: string) => labels[k] ?? "");
}

function expected(rule: AlertRule, labels: Record<string, string>) {
  return {
    exp_labels: { ...labels, severity: rule.labels.severity },
    exp_annotations: { summary: render(rule.annotations.summary, labels), runbook: render(rule.annotations.runbook, labels) },
  };
}

describe("alert rules", () => {
  const rules = defaultAlertRules({ backupMaxAgeHours: 26 });
  const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));

  it("pass promtool check rules, and each has a summary and a runbook", () => {
    const dir = workdir({ "rules.yml": ruleGroups(rules) });
    const r = run("promtool", ["check", "rules", "rules.yml"], dir);
    expect(r.output).toContain(`SUCCESS: ${rules.length} rules found`);
    for (const rule of rules) {
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.runbook.length).toBeGreaterThan(20);
    }
  });

  it("fire on the series they are for, and stay quiet otherwise (promtool test rules)", () => {
    const down = { job: "api", instance: "10.0.0.1:8080", namespace: "shop", pod: "api-1" };
    const crash = { namespace: "shop", pod: "api-1", container: "api" };
    const svc = { namespace: "shop", service: "api" };
    const pvc = { namespace: "data", persistentvolumeclaim: "data-pg-0" };
    const pg = { instance: "pg-replica:9187" };
    const backup = { job: "keel-backup", backup: "db-backup", backup_namespace: "data" };
    const redis = { instance: "redis:9121" };
    const tests = [
      {
        interval: "1m",
        input_series: [
          { series: `up{job="api",instance="10.0.0.1:8080",namespace="shop",pod="api-1"}`, values: "0x10" },
          { series: `up{job="api",instance="10.0.0.2:8080",namespace="shop",pod="api-2"}`, values: "1x10" },
          { series: `kube_pod_container_status_restarts_total{namespace="shop",pod="api-1",container="api"}`, values: "0+1x30" },
          { series: `kube_pod_container_status_restarts_total{namespace="shop",pod="web-1",container="web"}`, values: "0x30" },
          { series: `http_requests_total{namespace="shop",service="api",status="500"}`, values: "0+10x30" },
          { series: `http_requests_total{namespace="shop",service="api",status="200"}`, values: "0+90x30" },
          { series: `http_requests_total{namespace="shop",service="web",status="500"}`, values: "0+1x30" },
          { series: `http_requests_total{namespace="shop",service="web",status="200"}`, values: "0+99x30" },
          { series: `http_request_duration_seconds_bucket{namespace="shop",service="api",le="0.5"}`, values: "0+1x30" },
          { series: `http_request_duration_seconds_bucket{namespace="shop",service="api",le="2"}`, values: "0+50x30" },
          { series: `http_request_duration_seconds_bucket{namespace="shop",service="api",le="+Inf"}`, values: "0+100x30" },
          { series: `kubelet_volume_stats_used_bytes{namespace="data",persistentvolumeclaim="data-pg-0"}`, values: "90x30" },
          { series: `kubelet_volume_stats_capacity_bytes{namespace="data",persistentvolumeclaim="data-pg-0"}`, values: "100x30" },
          { series: `kubelet_volume_stats_used_bytes{namespace="data",persistentvolumeclaim="data-redis-0"}`, values: "10x30" },
          { series: `kubelet_volume_stats_capacity_bytes{namespace="data",persistentvolumeclaim="data-redis-0"}`, values: "100x30" },
          { series: `pg_replication_lag_seconds{instance="pg-replica:9187"}`, values: "120x30" },
          { series: `redis_up{instance="redis:9121"}`, values: "0x10" },
          { series: `kafka_topic_partition_under_replicated_partition{topic="orders",partition="0"}`, values: "1x30" },
          { series: `kafka_topic_partition_under_replicated_partition{topic="audit",partition="0"}`, values: "0x30" },
        ],
        alert_rule_test: [
          { eval_time: "10m", alertname: "TargetDown", exp_alerts: [expected(byName.TargetDown, down)] },
          { eval_time: "20m", alertname: "PodCrashLooping", exp_alerts: [expected(byName.PodCrashLooping, crash)] },
          { eval_time: "20m", alertname: "HighErrorRatio", exp_alerts: [expected(byName.HighErrorRatio, svc)] },
          { eval_time: "20m", alertname: "HighLatencyP99", exp_alerts: [expected(byName.HighLatencyP99, svc)] },
          { eval_time: "20m", alertname: "VolumeAlmostFull", exp_alerts: [expected(byName.VolumeAlmostFull, pvc)] },
          { eval_time: "10m", alertname: "PostgresReplicationLag", exp_alerts: [expected(byName.PostgresReplicationLag, pg)] },
          { eval_time: "5m", alertname: "RedisDown", exp_alerts: [expected(byName.RedisDown, redis)] },
          { eval_time: "20m", alertname: "KafkaUnderReplicatedPartitions", exp_alerts: [expected(byName.KafkaUnderReplicatedPartitions, { topic: "orders" })] },
          { eval_time: "4m", alertname: "TargetDown", exp_alerts: [] },
          { eval_time: "20m", alertname: "BackupTooOld", exp_alerts: [] },
        ],
      },
      {
        // The last success at t=0: 27 hours later it fires, 1 hour later it does not.
        interval: "1m",
        input_series: [{ series: `keel_backup_last_success_timestamp_seconds{job="keel-backup",backup="db-backup",backup_namespace="data"}`, values: "0x1700" }],
        alert_rule_test: [
          { eval_time: "27h", alertname: "BackupTooOld", exp_alerts: [expected(byName.BackupTooOld, backup)] },
          { eval_time: "1h", alertname: "BackupTooOld", exp_alerts: [] },
          { eval_time: "27h", alertname: "BackupNeverSucceeded", exp_alerts: [] },
        ],
      },
      {
        interval: "1m",
        input_series: [{ series: `up{job="other"}`, values: "1x1900" }],
        alert_rule_test: [{ eval_time: "31h", alertname: "BackupNeverSucceeded", exp_alerts: [expected(byName.BackupNeverSucceeded, {})] }],
      },
    ];
    const dir = workdir({ "rules.yml": ruleGroups(rules), "tests.yml": { rule_files: ["rules.yml"], evaluation_interval: "1m", tests } });
    const r = run("promtool", ["test", "rules", "tests.yml"], dir);
    expect(r.output).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });
});

describe("alertmanager.yml", () => {
  it("passes amtool check-config with Slack and PagerDuty receivers", () => {
    const config = alertmanagerConfig({ slack: { webhookUrl: "https://hooks.slack.com/services/T0/B0/x", channel: "#alerts" }, pagerduty: { routingKey: "0123456789abcdef0123456789abcdef" } });
    const dir = workdir({ "alertmanager.yml": config });
    const r = run("amtool", ["check-config", "alertmanager.yml"], dir);
    expect(r.output).toContain("SUCCESS");
    expect(r.output).toContain("3 receivers");
    expect(r.code).toBe(0);
  });

  it("passes amtool check-config with no receivers configured", () => {
    const dir = workdir({ "alertmanager.yml": alertmanagerConfig({}) });
    expect(run("amtool", ["check-config", "alertmanager.yml"], dir).code).toBe(0);
  });
});

/** A pod as Kubernetes discovery (role pod) would describe it: the meta labels the generated relabel rules read. */
interface DiscoveredPod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly port: number;
}

function metaLabels(pod: DiscoveredPod): Record<string, string> {
  const meta: Record<string, string> = {
    __meta_kubernetes_namespace: pod.namespace,
    __meta_kubernetes_pod_name: pod.name,
    __meta_kubernetes_pod_phase: "Running",
    __meta_kubernetes_pod_annotation_prometheus_io_scrape: "true",
    __meta_kubernetes_pod_annotation_prometheus_io_port: String(pod.port),
    __meta_kubernetes_pod_annotation_prometheus_io_path: "/metrics",
  };
  for (const [k, v] of Object.entries(pod.labels)) meta[`__meta_kubernetes_pod_label_${k.replace(/[^a-zA-Z0-9_]/g, "_")}`] = v;
  return meta;
}

/**
 * The generated config with discovery replaced by what it would find: every pod-role job gets
 * the pods of its namespaces as static targets carrying the same meta labels, so Prometheus
 * applies the generated relabel rules itself; node-role jobs and Alertmanager get none.
 */
function withDiscoveredPods(config: Record<string, unknown>, pods: readonly DiscoveredPod[]): Record<string, unknown> {
  type Sd = { role: string; namespaces?: { names: string[] } };
  const jobs = (config.scrape_configs as Record<string, unknown>[]).map((job) => {
    const sd = job.kubernetes_sd_configs as Sd[] | undefined;
    if (!sd) return job;
    const { kubernetes_sd_configs: _sd, ...rest } = job;
    const found = sd.flatMap((d) => (d.role === "pod" ? pods.filter((p) => !d.namespaces || d.namespaces.names.includes(p.namespace)) : []));
    return { ...rest, static_configs: found.map((p) => ({ targets: [`127.0.0.1:${p.port}`], labels: metaLabels(p) })) };
  });
  const { alerting: _alerting, ...rest } = config;
  return { ...rest, scrape_configs: jobs };
}

/** An exporter on loopback serving `body(scrape number)` at /metrics. */
async function exporter(body: (n: number) => string): Promise<{ port: number; close: () => Promise<void> }> {
  let n = 0;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
    res.end(body(n++));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function freePort(): Promise<number> {
  const { port, close } = await exporter(() => "");
  await close();
  return port;
}

async function getJson(url: string): Promise<{ data: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve(JSON.parse(text) as { data: unknown }));
      })
      .on("error", reject);
  });
}

describe("kube-state-metrics, scraped by Prometheus with the generated jobs", () => {
  const ksmLabels = { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": "obs-kube-state-metrics" };
  let series: Record<string, string>[] = [];
  let appSeries: Record<string, string>[] = [];

  beforeAll(async () => {
    // The crash-looping pod's restart counter grows by one at every scrape; the exporter's pod is another.
    const ksm = await exporter((n) => `# TYPE kube_pod_container_status_restarts_total counter\nkube_pod_container_status_restarts_total{namespace="shop",pod="api-1",container="api",uid="7f1c"} ${n}\n`);
    // An ordinary workload that exports a "pod" label of its own: its job must not honour it.
    const app = await exporter(() => `# TYPE app_info gauge\napp_info{pod="not-me"} 1\n`);
    const pods: DiscoveredPod[] = [
      { namespace: "monitoring", name: "obs-kube-state-metrics-5c9d7-x2k4q", labels: ksmLabels, port: ksm.port },
      { namespace: "shop", name: "api-1", labels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" }, port: app.port },
    ];
    const config = prometheusConfig({
      namespaces: ["shop", "monitoring"],
      scrapeInterval: "1s",
      ruleFiles: [],
      kubeStateMetrics: { namespace: "monitoring", podLabels: ksmLabels },
      alertmanager: { namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "alertmanager" } },
    });
    const dir = workdir({ "prometheus.yml": withDiscoveredPods(config, pods) });
    const port = await freePort();
    const prometheus = daemon("prometheus", [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`]);
    const api = `http://127.0.0.1:${port}/api/v1`;
    try {
      const query = async (q: string) => ((await getJson(`${api}/query?query=${encodeURIComponent(q)}`).catch(() => ({ data: { result: [] } }))).data as { result: { metric: Record<string, string> }[] }).result;
      await waitFor("four scrapes of kube-state-metrics", async () => (await query("kube_pod_container_status_restarts_total >= 4")).length > 0, 60_000);
      series = (await query("kube_pod_container_status_restarts_total")).map((r) => r.metric);
      appSeries = (await query("app_info")).map((r) => r.metric);
    } finally {
      await prometheus.stop("SIGTERM");
      await ksm.close();
      await app.close();
    }
  });

  it("keeps the labels of the pod the series is about (honor_labels on the kube-state-metrics job only)", () => {
    expect(series).toEqual([{ __name__: "kube_pod_container_status_restarts_total", namespace: "shop", pod: "api-1", container: "api", uid: "7f1c", instance: expect.stringMatching(/^127\.0\.0\.1:\d+$/), job: "kube-state-metrics" }]);
    expect(appSeries).toEqual([expect.objectContaining({ job: "kubernetes-pods", namespace: "shop", pod: "api-1", exported_pod: "not-me" })]);
  });

  it("makes PodCrashLooping name the crashing pod (promtool test rules on the stored series)", () => {
    const rules = defaultAlertRules();
    const rule = rules.find((r) => r.alert === "PodCrashLooping") as AlertRule;
    const { __name__: name, ...labels } = series[0];
    const selector = `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
    const tests = [{ interval: "1m", input_series: [{ series: selector, values: "0+1x30" }], alert_rule_test: [{ eval_time: "20m", alertname: "PodCrashLooping", exp_alerts: [expected(rule, labels)] }] }];
    const dir = workdir({ "rules.yml": ruleGroups(rules), "tests.yml": { rule_files: ["rules.yml"], evaluation_interval: "1m", tests } });
    const r = run("promtool", ["test", "rules", "tests.yml"], dir);
    expect(render(rule.annotations.summary, labels)).toBe("shop/api-1 container api restarted more than 3 times in 15 minutes");
    expect(r.output).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });
});
