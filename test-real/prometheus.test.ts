/**
 * Prometheus and Alertmanager configuration as ObservabilityStack generates it, checked by the
 * tools themselves: promtool check config / check rules / test rules, amtool check-config.
 */
import * as fs from "fs";
import * as path from "path";
import { AlertRule, alertmanagerConfig, defaultAlertRules, prometheusConfig, ruleGroups, withStaticDiscovery } from "../components/observability-stack";
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
