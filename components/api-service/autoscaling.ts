/** HorizontalPodAutoscaler intent: bounds, targets and how fast to scale each way. */
import type * as k8s from "@pulumi/kubernetes";
import { defaults } from "../core/defaults";
import { findDuplicates } from "../core/duplicates";
import { Validator } from "../core/errors";
import { labelProblems } from "../core/kubernetes-syntax";

/** How fast to scale in one direction: at most `pods` (or `percent`) per `periodSeconds`. */
export interface ScalingRateArgs {
  /** Pods added/removed per period. @default 1 */
  readonly pods?: number;
  /** Percent of current pods per period, instead of (or as well as) `pods`; the larger change wins. */
  readonly percent?: number;
  /** @default 30 (up), 300 (down) */
  readonly periodSeconds?: number;
  /** How long a lower (down) or higher (up) recommendation must hold first. @default 0 (up), 300 (down) */
  readonly stabilizationWindowSeconds?: number;
}

/** A per-pod custom metric (e.g. from prometheus-adapter): scale to keep its average at `averageValue`. */
export interface CustomMetricArgs {
  /** Metric name, e.g. `active_ws_connections`. */
  readonly name: string;
  /** Target average per pod, as a quantity: `"1000"`, `"500m"`. */
  readonly averageValue: string;
  /** `pods` (per-pod metric) or `external` (e.g. a queue depth). @default "pods" */
  readonly type?: "pods" | "external";
  /** Label selector of the metric series. */
  readonly selector?: Readonly<Record<string, string>>;
}

export interface AutoscalingArgs {
  /** At least 1; 2 or more in production. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Target average CPU utilization in percent of requests. @default 70 when no other target is set */
  readonly cpuUtilization?: number;
  /** Target average memory utilization in percent of requests. */
  readonly memoryUtilization?: number;
  readonly customMetrics?: readonly CustomMetricArgs[];
  /** @default +1 pod per 30 s, no stabilization */
  readonly scaleUp?: ScalingRateArgs;
  /** @default -1 pod per 5 min, after 5 min of lower recommendations */
  readonly scaleDown?: ScalingRateArgs;
}

type HpaSpec = k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec;

function checkRate(v: Validator, field: string, rate: ScalingRateArgs): void {
  const positive = (value: number | undefined, key: string, max = Number.MAX_SAFE_INTEGER) =>
    value === undefined || v.require(Number.isInteger(value) && value >= 1 && value <= max, `${field}.${key}`, value, `expected an integer from 1 to ${max === Number.MAX_SAFE_INTEGER ? "any" : max}`);
  positive(rate.pods, "pods");
  positive(rate.percent, "percent", 1000);
  positive(rate.periodSeconds, "periodSeconds", 1800);
  const window = rate.stabilizationWindowSeconds;
  if (window !== undefined) {
    v.require(Number.isInteger(window) && window >= 0 && window <= 3600, `${field}.stabilizationWindowSeconds`, window, "expected an integer from 0 to 3600");
  }
}

export function validateAutoscaling(v: Validator, a: AutoscalingArgs): void {
  v.require(Number.isInteger(a.minReplicas) && a.minReplicas >= 1, "autoscaling.minReplicas", a.minReplicas, "expected an integer of at least 1");
  v.require(Number.isInteger(a.maxReplicas) && a.maxReplicas >= 1 && a.maxReplicas <= 1000, "autoscaling.maxReplicas", a.maxReplicas, "expected an integer from 1 to 1000");
  if (Number.isInteger(a.minReplicas) && Number.isInteger(a.maxReplicas) && a.maxReplicas < a.minReplicas) {
    v.require(false, "autoscaling.maxReplicas", a.maxReplicas, `expected at least minReplicas (${a.minReplicas})`);
  }
  for (const key of ["cpuUtilization", "memoryUtilization"] as const) {
    const value = a[key];
    if (value !== undefined) v.require(Number.isInteger(value) && value >= 1 && value <= 100, `autoscaling.${key}`, value, "expected a percentage from 1 to 100");
  }
  (a.customMetrics ?? []).forEach((m, i) => {
    v.require(/^[a-zA-Z_:][a-zA-Z0-9_:.-]*$/.test(m.name ?? ""), `autoscaling.customMetrics[${i}].name`, m.name, "expected a metric name");
    v.require(/^\d+(\.\d+)?(m|k|M|G)?$/.test(m.averageValue ?? ""), `autoscaling.customMetrics[${i}].averageValue`, m.averageValue, "expected a quantity such as \"1000\" or \"500m\"");
    v.require(m.type === undefined || m.type === "pods" || m.type === "external", `autoscaling.customMetrics[${i}].type`, m.type, "expected \"pods\" or \"external\"");
  });
  const metrics = Array.isArray(a.customMetrics) ? a.customMetrics : [];
  for (const d of findDuplicates(metrics, (m) => (m && typeof m.name === "string" ? `${m.type ?? "pods"}/${m.name}/${JSON.stringify(m.selector ?? {})}` : undefined))) {
    v.require(false, `autoscaling.customMetrics[${d.index}].name`, metrics[d.index].name, `expected a metric not already targeted by autoscaling.customMetrics[${d.first}]`);
  }
  metrics.forEach((m, i) => {
    for (const [field, value, allowed] of labelProblems(`autoscaling.customMetrics[${i}].selector`, m?.selector)) v.require(false, field, value, allowed);
  });
  checkRate(v, "autoscaling.scaleUp", a.scaleUp ?? {});
  checkRate(v, "autoscaling.scaleDown", a.scaleDown ?? {});
}

function behaviorRules(rate: ScalingRateArgs, d: { pods: number; periodSeconds: number; stabilizationWindowSeconds: number }) {
  const periodSeconds = rate.periodSeconds ?? d.periodSeconds;
  const policies: { type: string; value: number; periodSeconds: number }[] = [];
  if (rate.pods !== undefined || rate.percent === undefined) policies.push({ type: "Pods", value: rate.pods ?? d.pods, periodSeconds });
  if (rate.percent !== undefined) policies.push({ type: "Percent", value: rate.percent, periodSeconds });
  return { stabilizationWindowSeconds: rate.stabilizationWindowSeconds ?? d.stabilizationWindowSeconds, selectPolicy: "Max", policies };
}

/** The HPA spec (autoscaling/v2) for a Deployment named `target`. */
export function hpaSpec(target: string, a: AutoscalingArgs): HpaSpec {
  const metrics: NonNullable<HpaSpec["metrics"]> = [];
  const cpu = a.cpuUtilization ?? (a.memoryUtilization === undefined && !a.customMetrics?.length ? 70 : undefined);
  if (cpu !== undefined) metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } } });
  if (a.memoryUtilization !== undefined) {
    metrics.push({ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: a.memoryUtilization } } });
  }
  for (const m of a.customMetrics ?? []) {
    const metric = { name: m.name, selector: m.selector ? { matchLabels: { ...m.selector } } : undefined };
    const target = { type: "AverageValue", averageValue: m.averageValue };
    metrics.push(m.type === "external" ? { type: "External", external: { metric, target } } : { type: "Pods", pods: { metric, target } });
  }
  return {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target },
    minReplicas: a.minReplicas,
    maxReplicas: a.maxReplicas,
    metrics,
    behavior: {
      scaleUp: behaviorRules(a.scaleUp ?? {}, defaults.autoscaling.scaleUp),
      scaleDown: behaviorRules(a.scaleDown ?? {}, defaults.autoscaling.scaleDown),
    },
  };
}
