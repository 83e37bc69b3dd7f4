/**
 * The default alert rules: the failures that matter, each with a summary and a runbook note.
 * Metric names are the exporters' own (kube-state-metrics, kubelet, postgres_exporter,
 * redis_exporter, kafka_exporter) and keel's backup metric.
 */

import type { AlertRule } from "../core/alert-rule";
import { BACKUP_SUCCESS_METRIC } from "../core/telemetry";

export { BACKUP_SUCCESS_METRIC };

export type { AlertRule };

export interface AlertRuleOptions {
  /** Ratio of 5xx responses that pages. @default 0.05 */
  readonly errorRatio?: number;
  /** p99 latency in seconds that warns. @default 1 */
  readonly latencyP99Seconds?: number;
  /** Volume usage ratio that warns. @default 0.85 */
  readonly volumeUsageRatio?: number;
  /** Replica lag in seconds that warns. @default 30 */
  readonly replicationLagSeconds?: number;
  /** Oldest acceptable last successful backup, in hours (the schedule plus slack). @default 26 */
  readonly backupMaxAgeHours?: number;
}

export function defaultAlertRules(o: AlertRuleOptions = {}): AlertRule[] {
  const errorRatio = o.errorRatio ?? 0.05;
  const latency = o.latencyP99Seconds ?? 1;
  const volume = o.volumeUsageRatio ?? 0.85;
  const lag = o.replicationLagSeconds ?? 30;
  const backupHours = o.backupMaxAgeHours ?? 26;
  const rule = (alert: string, expr: string, forDuration: string, severity: "critical" | "warning", summary: string, runbook: string): AlertRule => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, runbook },
  });
  return [
    rule("TargetDown", "up == 0", "5m", "critical", "{{ $labels.job }} target {{ $labels.instance }} is down", "Check the pod's status and logs (kubectl -n {{ $labels.namespace }} describe pod {{ $labels.pod }}); a NetworkPolicy may block Prometheus from the metrics port."),
    rule("PodCrashLooping", "increase(kube_pod_container_status_restarts_total[15m]) > 3", "5m", "warning", "{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} restarted more than 3 times in 15 minutes", "Read the previous container's logs (kubectl logs --previous); look for OOMKilled in kubectl describe pod and failing liveness probes."),
    rule(
      "HighErrorRatio",
      `sum by (namespace, service) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (namespace, service) (rate(http_requests_total[5m])) > ${errorRatio}`,
      "10m",
      "critical",
      `{{ $labels.service }} answers more than ${errorRatio * 100}% of requests with 5xx`,
      "Check recent deploys (kubectl rollout history) and the service's dependencies; roll back with kubectl rollout undo if a release caused it.",
    ),
    rule(
      "HighLatencyP99",
      `histogram_quantile(0.99, sum by (namespace, service, le) (rate(http_request_duration_seconds_bucket[5m]))) > ${latency}`,
      "10m",
      "warning",
      `{{ $labels.service }} p99 latency is above ${latency}s`,
      "Look for saturation (CPU throttling, database or cache latency) in the service dashboard; scale out if the HPA is at its maximum.",
    ),
    rule(
      "VolumeAlmostFull",
      `kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > ${volume}`,
      "15m",
      "warning",
      `Volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} is more than ${volume * 100}% full`,
      "Expand the PVC (its StorageClass must allow volume expansion) or lower the data's retention.",
    ),
    rule("PostgresReplicationLag", `pg_replication_lag_seconds > ${lag}`, "5m", "warning", `PostgreSQL replica {{ $labels.instance }} lags more than ${lag}s behind the primary`, "Check the replica's WAL receiver (pg_stat_wal_receiver) and the network to the primary; a long-running query on the replica can also hold replay back."),
    rule(
      "BackupTooOld",
      `time() - ${BACKUP_SUCCESS_METRIC} > ${backupHours * 3600}`,
      "10m",
      "critical",
      `The last successful backup of {{ $labels.backup }} is more than ${backupHours} hours old`,
      "Read the backup CronJob's last Job logs (kubectl -n {{ $labels.backup_namespace }} get jobs -l app.kubernetes.io/instance={{ $labels.backup }}); check the object storage credentials and free space.",
    ),
    rule("BackupNeverSucceeded", `absent(${BACKUP_SUCCESS_METRIC})`, "30h", "warning", "No backup has reported success", "The backup CronJob has not pushed its success metric yet: check that it ran and can reach the Pushgateway."),
    rule("RedisDown", "redis_up == 0", "2m", "critical", "Redis {{ $labels.instance }} is down", "Check the Redis pod and its persistence volume; in sentinel mode, check that a replica was promoted."),
    rule("KafkaUnderReplicatedPartitions", "sum by (topic) (kafka_topic_partition_under_replicated_partition) > 0", "10m", "warning", "Topic {{ $labels.topic }} has under-replicated partitions", "A broker is down or lagging: check broker pods and disk; partitions recover when the broker catches up."),
  ];
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** The rule file Prometheus loads (and promtool checks). */
export function ruleGroups(rules: readonly AlertRule[]): { groups: RuleGroup[] } {
  return { groups: [{ name: "keel", rules: [...rules] }] };
}

/** The rules a Prometheus part loads: the defaults with its thresholds, then those other components bring. */
export function alertRulesOf(part: { readonly alertRules?: AlertRuleOptions; readonly extraAlertRules?: readonly AlertRule[] }): AlertRule[] {
  const rules = [...defaultAlertRules(part.alertRules), ...(part.extraAlertRules ?? [])];
  return rules.filter((r, i) => rules.findIndex((x) => x.alert === r.alert) === i);
}

/** The PromQL thresholds of AlertRuleOptions: each is written into a rule's expression, so each must be a number in its range. */
const OPTION_RANGES: Readonly<Record<keyof AlertRuleOptions, readonly [number, number, boolean, string]>> = {
  errorRatio: [0, 1, false, "a ratio above 0 and at most 1, such as 0.05"],
  latencyP99Seconds: [0, 3600, false, "seconds above 0 and at most 3600, such as 1"],
  volumeUsageRatio: [0, 1, false, "a ratio above 0 and at most 1, such as 0.85"],
  replicationLagSeconds: [0, 86400, false, "seconds above 0 and at most 86400, such as 30"],
  backupMaxAgeHours: [1, 8760, true, "whole hours from 1 to 8760, such as 26"],
};

/**
 * `prometheus.alertRules`: numbers in their ranges (a string such as "0 or vector(1)" would
 * become part of the PromQL expression). Unknown keys are left to the args' shape check.
 */
export function validateAlertRuleOptions(v: { require(ok: boolean, field: string, value: unknown, allowed: string): boolean }, field: string, options: unknown): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    v.require(false, field, options, "expected an object of thresholds such as { errorRatio: 0.05 }");
    return;
  }
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(OPTION_RANGES, key) || value === undefined) continue;
    const [min, max, integer, allowed] = OPTION_RANGES[key as keyof AlertRuleOptions];
    const ok = typeof value === "number" && Number.isFinite(value) && value > min - (integer ? 1 : 0) && value <= max && (!integer || Number.isInteger(value));
    v.require(ok, `${field}.${key}`, value, `expected ${allowed}`);
  }
}

/** Prometheus' duration syntax (model.ParseDuration): units in descending order, each once. */
export const PROMETHEUS_DURATION = /^(?=\d)((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Rules other components bring (`prometheus.extraAlertRules`): the rule-file shape promtool
 * accepts: an alert name, a non-empty expression, a Prometheus duration, severity critical or
 * warning, and a summary and runbook; no control character in names and labels (YAML carries
 * every other character of the text as it is).
 */
export function validateAlertRules(v: { require(ok: boolean, field: string, value: unknown, allowed: string): boolean }, field: string, rules: unknown): void {
  if (rules === undefined) return;
  if (!Array.isArray(rules)) {
    v.require(false, field, rules, "expected a list of alert rules (e.g. db.alertRules())");
    return;
  }
  // eslint-disable-next-line no-control-regex
  const clean = (s: unknown) => typeof s === "string" && s.trim().length > 0 && !/[\x00-\x1f\x7f]/.test(s);
  rules.forEach((r: Partial<AlertRule> | undefined, i) => {
    const at = `${field}[${i}]`;
    if (typeof r !== "object" || r === null) {
      v.require(false, at, r, "expected an alert rule { alert, expr, for, labels, annotations }");
      return;
    }
    v.require(clean(r.alert), `${at}.alert`, r.alert, "expected an alert name: one line of text");
    v.require(typeof r.expr === "string" && r.expr.trim().length > 0 && !r.expr.includes("\0"), `${at}.expr`, r.expr, "expected a PromQL expression");
    v.require(typeof r.for === "string" && PROMETHEUS_DURATION.test(r.for), `${at}.for`, r.for, 'expected a Prometheus duration such as "5m"');
    v.require(r.labels?.severity === "critical" || r.labels?.severity === "warning", `${at}.labels.severity`, r.labels?.severity, 'expected "critical" or "warning"');
    for (const key of Object.keys(r.labels ?? {})) v.require(LABEL_NAME.test(key), `${at}.labels`, key, "expected a Prometheus label name (letters, digits, '_')");
    for (const key of ["summary", "runbook"] as const) {
      const text = r.annotations?.[key];
      v.require(typeof text === "string" && text.trim().length > 0 && !text.includes("\0"), `${at}.annotations.${key}`, text, "expected text");
    }
  });
}
