/** Validation and defaults for ObservabilityStack: every problem at once, before any resource. */
import { checkArgShape } from "../core/arg-shape";
import type { AlertRule } from "../core/alert-rule";
import { KeelValidationError, UNDECRYPTED_SECRET, Validator } from "../core/errors";
import { urlProblem } from "../core/kubernetes-syntax";
import { componentNameProblem, isDnsLabel } from "../core/naming";
import { parseStorage } from "../core/quantities";
import { EmptyDirWrite, ResolvedResources, TMP_WRITE, checkEphemeralStorage, resolveResources } from "../core/resources";
import type { KubernetesTarget } from "../platform/types";
import { systemNamespaceProblem } from "../platform/cluster-facts";
import { IngressArgs, claimIngressRoutes, validateIngress } from "../workload/ingress";
import type { ObservabilityStackArgs } from "./index";
import * as pulumi from "@pulumi/pulumi";
import { validateAlertRuleOptions, validateAlertRules } from "./alert-rules";
import { isSlackChannel } from "./alertmanager-config";
import { NODE_LOGS } from "./node-logs-config";

const PROM_DURATION = /^\d+(ms|s|m|h|d|w|y)$/;
const PROM_SIZE = /^\d+(B|KB|MB|GB|TB|PB|EB)$/;
const GO_DURATION = /^\d+(h|m|s)$/;

const DURATION_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, y: 365 * 86400e3 };
/** A single-unit Prometheus or Go duration (`"15d"`, `"168h"`) in milliseconds; NaN when it is not one. */
function durationMs(value: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(value);
  return m ? Number(m[1]) * DURATION_MS[m[2]] : NaN;
}
const HOUR = 3600e3;
const DAY = 24 * HOUR;
/** Go's time.Duration (int64 nanoseconds) ends after about 292 years: Prometheus refuses longer durations. */
const MAX_GO_DURATION_MS = 290 * 365 * DAY;
/** Smallest volume for a store with a write-ahead log: Prometheus' and Loki's WAL are cut in 128MiB segments, and blocks or chunks being compacted need room beside them. */
const MIN_STORE_BYTES = 1024 ** 3;

/** The disk-backed emptyDir volumes of each part's container besides /tmp (frontends.ts, node-logs.ts): its ephemeral-storage limit holds them. */
export const PART_EMPTY_DIRS = {
  alertmanager: { data: { volume: "data", sizeLimit: "256Mi" } },
  grafana: { data: { volume: "data", sizeLimit: "1Gi" }, logs: { volume: "logs", sizeLimit: "64Mi" } },
  // The node-log collector's pod has no /tmp: its positions are all it writes.
  nodeLogs: { positions: { volume: "positions", sizeLimit: NODE_LOGS.positionsSize } },
} as const satisfies Record<string, Record<string, EmptyDirWrite>>;

function partWrites(key: string): EmptyDirWrite[] {
  const own: EmptyDirWrite[] = Object.values((PART_EMPTY_DIRS as Record<string, Record<string, EmptyDirWrite>>)[key] ?? {});
  return key === "nodeLogs" ? own : [TMP_WRITE, ...own];
}

interface Part {
  readonly resources: ResolvedResources;
  readonly replicas: number;
}

export interface ResolvedObservability {
  readonly name: string;
  readonly target: KubernetesTarget;
  readonly namespace: pulumi.Input<string>;
  readonly prometheus?: Part & { retention: string; retentionSize: string; storage: string; scrapeInterval: string; alertRules: NonNullable<Exclude<ObservabilityStackArgs["prometheus"], false>>["alertRules"]; extraAlertRules: readonly AlertRule[] };
  readonly alertmanager?: Part & Pick<NonNullable<Exclude<ObservabilityStackArgs["alertmanager"], false>>, "slack" | "pagerduty">;
  readonly grafana?: Part & { adminUser: string; ingress?: IngressArgs };
  readonly collector?: Part;
  readonly loki?: Part & { retention: string; storage: string };
  readonly tempo?: Part & { retention: string; storage: string };
  readonly pushgateway?: Part;
  readonly kubeStateMetrics?: Part;
  readonly nodeLogs?: Part & { namespace: string; dockerEngine: boolean };
  /** Protect the stateful parts (see ObservabilityStackArgs.protect). */
  readonly protect: boolean;
}

const SIZES: Record<string, { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } }> = {
  prometheus: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
  alertmanager: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
  grafana: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  collector: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  loki: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
  tempo: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
  pushgateway: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
  kubeStateMetrics: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
  nodeLogs: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
};

const SLACK_WEBHOOK_PROBLEM = "alertmanager.slack.webhookUrl is not an https:// URL; expected the Slack incoming-webhook URL (value not shown: it is a secret)";

/** The webhook Output, failing (inside apply, so the deployment or synth fails) when its value is not an https:// URL. */
function checkedWebhook(name: string, url: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(url).apply((value) => {
    if (value !== UNDECRYPTED_SECRET && urlProblem(value, { schemes: ["https"], noCredentials: false })) throw new KeelValidationError("ObservabilityStack", name, [SLACK_WEBHOOK_PROBLEM]);
    return value;
  });
}

/** A Prometheus size (`"45GB"`) in bytes: Prometheus' units are powers of 1024. */
function promSizeBytes(size: string): number {
  const m = /^(\d+)(B|KB|MB|GB|TB|PB|EB)$/.exec(size);
  return m ? Number(m[1]) * 1024 ** ["B", "KB", "MB", "GB", "TB", "PB", "EB"].indexOf(m[2]) : 0;
}

export function resolveObservabilityArgs(name: string, args: ObservabilityStackArgs): ResolvedObservability {
  const v = new Validator("ObservabilityStack", name);
  checkArgShape(v, "ObservabilityStackArgs", args, () => resolveObservabilityArgs(name, args)); // unknown keys and wrong shapes, before anything reads them
  v.throwIfInvalid();
  const nameProblem = componentNameProblem(name, [{ kind: "StatefulSet", role: "alertmanager" }, { kind: "StatefulSet", role: "prometheus" }, { kind: "StatefulSet", role: "loki" }, { kind: "StatefulSet", role: "tempo" }, { kind: "DaemonSet", role: "otel-collector" }, { kind: "Deployment", role: "kube-state-metrics" }, { kind: "Deployment", role: "pushgateway" }, { kind: "Deployment", role: "grafana" }]);
  if (nameProblem) v.require(false, "name", name, nameProblem);
  const platform = args?.platform;
  if (!platform || (platform.kind !== "kubernetes" && platform.kind !== "aws")) {
    v.require(false, "platform.kind", platform?.kind, "expected \"kubernetes\" or \"aws\" (the docker platform does not run ObservabilityStack yet)");
    v.throwIfInvalid();
  }
  const target = (platform as { kubernetes: KubernetesTarget }).kubernetes;
  const part = (key: string, given: { resources?: Parameters<typeof resolveResources>[2]; replicas?: number } | undefined, replicasAllowed = true): Part => {
    const replicas = given?.replicas ?? 1;
    if (replicasAllowed) v.require(Number.isInteger(replicas) && replicas >= 1 && replicas <= 10, `${key}.replicas`, replicas, "expected an integer from 1 to 10");
    const resources = resolveResources(v, `${key}.resources`, given?.resources, SIZES[key]);
    checkEphemeralStorage(v, resources, partWrites(key));
    return { resources, replicas };
  };
  const storage = (field: string, value: string) => {
    const parsed = parseStorage(value);
    if (!parsed.ok) v.require(false, field, value, parsed.reason);
    else v.require(parsed.value >= MIN_STORE_BYTES, field, value, "expected at least 1Gi: the write-ahead log is cut in 128MiB segments, and blocks or chunks being compacted need room beside it");
    return parsed.ok ? parsed.value : 0;
  };
  const on = <T>(value: T | false | undefined): value is T | undefined => value !== false;

  let prometheus: ResolvedObservability["prometheus"];
  if (on(args.prometheus)) {
    const p = args.prometheus ?? {};
    const size = p.storage ?? "20Gi";
    const bytes = storage("prometheus.storage", size);
    const retentionSize = p.retentionSize ?? `${Math.max(1, Math.floor((bytes * 0.9) / 1e9))}GB`;
    prometheus = { ...part("prometheus", p), retention: p.retention ?? "15d", retentionSize, storage: size, scrapeInterval: p.scrapeInterval ?? "30s", alertRules: p.alertRules, extraAlertRules: p.extraAlertRules ?? [] };
    if (v.require(PROM_DURATION.test(prometheus.retention), "prometheus.retention", prometheus.retention, 'expected a Prometheus duration such as "15d" or "720h"')) {
      const ms = durationMs(prometheus.retention);
      // 0 means "the default" (15d) to Prometheus; below one 2h TSDB block nothing is kept on disk as asked.
      v.require(ms >= 2 * HOUR && ms <= MAX_GO_DURATION_MS, "prometheus.retention", prometheus.retention, "expected a duration from 2h (one TSDB block; 0 would silently mean Prometheus' default 15d) to 290y (the longest duration Prometheus can represent)");
    }
    if (v.require(PROM_SIZE.test(retentionSize), "prometheus.retentionSize", retentionSize, 'expected a Prometheus size such as "45GB"') && bytes > 0) {
      v.require(promSizeBytes(retentionSize) <= bytes, "prometheus.retentionSize", retentionSize, `expected at most prometheus.storage (${JSON.stringify(size)}; Prometheus counts "GB" as GiB): with a larger limit the volume fills up before old blocks are deleted`);
    }
    if (v.require(PROM_DURATION.test(prometheus.scrapeInterval), "prometheus.scrapeInterval", prometheus.scrapeInterval, 'expected a Prometheus duration such as "30s"')) {
      const ms = durationMs(prometheus.scrapeInterval);
      // 0 silently means Prometheus' default (1m); above the 5m staleness window every series goes stale between scrapes.
      v.require(ms >= 1000 && ms <= 5 * 60e3, "prometheus.scrapeInterval", prometheus.scrapeInterval, "expected a duration from 1s to 5m: 0 silently means Prometheus' default (1m), and above 5m (Prometheus' staleness window) every series goes stale between scrapes");
    }
    validateAlertRuleOptions(v, "prometheus.alertRules", p.alertRules); validateAlertRules(v, "prometheus.extraAlertRules", p.extraAlertRules); // thresholds go into PromQL (alert-rules.ts)
  }
  let alertmanager: ResolvedObservability["alertmanager"];
  if (on(args.alertmanager)) {
    const a = args.alertmanager ?? {};
    alertmanager = { ...part("alertmanager", a), slack: a.slack, pagerduty: a.pagerduty };
    if (a.requireReceiver === true && !a.slack && !a.pagerduty) {
      const reason = a.noReceiverReason;
      if (reason === undefined) v.fail("alertmanager has no receiver (slack or pagerduty) and requireReceiver is true; expected a receiver, or alertmanager.noReceiverReason saying who watches alerts instead");
      else v.require(typeof reason === "string" && reason.trim().length >= 20, "alertmanager.noReceiverReason", reason, "expected a reason of 20 characters or more (who watches alerts instead)");
    }
    if (a.slack) {
      v.require(typeof a.slack.channel === "string" && a.slack.channel.length > 0, "alertmanager.slack.channel", a.slack.channel, 'expected a channel such as "#alerts"');
      if (typeof a.slack.channel === "string" && a.slack.channel.length > 0) v.require(isSlackChannel(a.slack.channel), "alertmanager.slack.channel", a.slack.channel, 'expected a Slack channel such as "#alerts" (lowercase letters, digits, \'-\', \'_\', \'.\'), "@user" or a channel ID');
      // A plain string can be checked now; never echo it (it is a secret).
      const url: unknown = a.slack.webhookUrl;
      // An Output or Promise (a secret from config) is checked when its value is known, with the same message.
      if (pulumi.Output.isInstance(url) || (typeof url === "object" && url !== null && typeof (url as { then?: unknown }).then === "function")) {
        alertmanager = { ...alertmanager, slack: { ...a.slack, webhookUrl: checkedWebhook(name, url as pulumi.Input<string>) } };
      } else if (urlProblem(url, { schemes: ["https"], noCredentials: false })) v.fail(SLACK_WEBHOOK_PROBLEM);
    }
    if (!prometheus) v.fail("alertmanager is on but prometheus is off; expected prometheus to send it alerts (or alertmanager: false)");
  }
  let grafana: ResolvedObservability["grafana"];
  if (on(args.grafana)) {
    grafana = { ...part("grafana", args.grafana, false), adminUser: args.grafana?.adminUser ?? "admin", ingress: args.grafana?.ingress };
    v.require(grafana.replicas === 1, "grafana.replicas", grafana.replicas, "expected 1: Grafana keeps users, sessions and preferences in a SQLite file per replica, so with more than one users are logged out at random (ObservabilityStack gives Grafana no shared database)");
    if (grafana.ingress) validateIngress(v, grafana.ingress, target, "grafana.ingress");
  }
  const backend = (key: "loki" | "tempo", given: { retention?: string; storage?: string; resources?: Parameters<typeof resolveResources>[2] } | undefined) => {
    const retention = given?.retention ?? "168h";
    if (v.require(GO_DURATION.test(retention), `${key}.retention`, retention, 'expected a duration in hours such as "168h"') && key === "loki") {
      const ms = durationMs(retention);
      // Loki's compactor deletes whole index periods (24h for the TSDB index): it refuses a retention below or between them.
      v.require(ms >= DAY && ms % DAY === 0, "loki.retention", retention, 'expected a multiple of 24h such as "168h": Loki\'s retention deletes whole 24h index periods, and Loki refuses a shorter one');
    }
    const size = given?.storage ?? "20Gi";
    storage(`${key}.storage`, size);
    return { ...part(key, given, false), retention, storage: size };
  };
  const loki = on(args.loki) ? backend("loki", args.loki) : undefined;
  const tempo = on(args.tempo) ? backend("tempo", args.tempo) : undefined;
  const collector = on(args.collector) ? part("collector", args.collector, false) : undefined;
  const pushgateway = args.pushgateway === false ? undefined : part("pushgateway", undefined, false);
  const kubeStateMetrics = args.kubeStateMetrics === false ? undefined : part("kubeStateMetrics", undefined, false);
  let nodeLogs: ResolvedObservability["nodeLogs"];
  if (args.nodeLogs !== false && (loki || args.nodeLogs !== undefined)) {
    const n = args.nodeLogs ?? {};
    nodeLogs = { ...part("nodeLogs", n, false), namespace: n.namespace ?? `${target.system}-node-logs`, dockerEngine: n.dockerEngine ?? false };
    v.require(isDnsLabel(nodeLogs.namespace), "nodeLogs.namespace", nodeLogs.namespace, "expected a namespace name: lowercase letters, digits and '-', at most 63 characters");
    const systemProblem = systemNamespaceProblem(nodeLogs.namespace);
    if (systemProblem) v.require(false, "nodeLogs.namespace", nodeLogs.namespace, systemProblem);
    if (!loki) v.fail("nodeLogs is on but loki is off; expected loki to ship the logs to (or nodeLogs: false)");
  }
  v.throwIfInvalid();
  claimIngressRoutes("ObservabilityStack", name, grafana?.ingress, target);
  return { name, target, namespace: target.namespaces.monitoring, prometheus, alertmanager, grafana, collector, loki, tempo, pushgateway, kubeStateMetrics, nodeLogs, protect: args.protect ?? false };
}
