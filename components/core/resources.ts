/** Container resource requests and limits, validated and always set. */
import type * as k8s from "@pulumi/kubernetes";
import { defaults } from "./defaults";
import { Validator } from "./errors";
import { CpuQuantity, MemoryQuantity, formatCpu, parseCpu, parseMemory } from "./quantities";

export interface ResourceAmounts {
  /** CPU: cores (`0.5`, `"2"`) or millicores (`"500m"`). */
  readonly cpu?: CpuQuantity;
  /** Memory: `"512Mi"`, `"2Gi"`. */
  readonly memory?: MemoryQuantity;
  /** Ephemeral storage (`"1Gi"`). @default unset */
  readonly ephemeralStorage?: MemoryQuantity;
}

export interface ResourcesArgs {
  /** What the scheduler reserves. @default { cpu: "100m", memory: "128Mi" } */
  readonly requests?: ResourceAmounts;
  /** The most the container may use; memory over the limit is OOM-killed. @default { cpu: "500m", memory: "256Mi" } */
  readonly limits?: ResourceAmounts;
}

/** Requests and limits as Kubernetes writes them, plus parsed numbers for capacity reports. */
export interface ResolvedResources {
  readonly requests: Record<string, string>;
  readonly limits: Record<string, string>;
  readonly requestMillicores: number;
  readonly limitMillicores: number;
  readonly requestMemoryBytes: number;
  readonly limitMemoryBytes: number;
}

/** More memory than the largest nodes have (cloud instances stop at 24 to 32 TiB): a typo such as "100Ti" for "100Gi". */
export const MAX_NODE_MEMORY_BYTES = 32 * 2 ** 40;
const MAX_NODE_MEMORY_RULE = "expected at most \"32Ti\" (more memory than the largest nodes have: no pod with it could be scheduled)";

function cpuString(q: CpuQuantity): string {
  return typeof q === "number" ? formatCpu(Math.round(q * 1000)) : q;
}

/**
 * Applies defaults to `args` and checks every quantity and that requests do not exceed limits.
 * A user who sets only a request gets a limit at least as large (the default or the request).
 */
export function resolveResources(
  v: Validator,
  field: string,
  args: ResourcesArgs = {},
  fallback: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } } = defaults.resources,
): ResolvedResources {
  const reqCpu = args.requests?.cpu ?? fallback.requests.cpu;
  const reqMem = args.requests?.memory ?? fallback.requests.memory;
  const parsedReqCpu = parseCpu(reqCpu);
  const parsedReqMem = parseMemory(reqMem);
  if (!parsedReqCpu.ok) v.require(false, `${field}.requests.cpu`, reqCpu, parsedReqCpu.reason);
  if (!parsedReqMem.ok) v.require(false, `${field}.requests.memory`, reqMem, parsedReqMem.reason);

  const limCpuDefault = parsedReqCpu.ok && parsedReqCpu.value > (parseCpu(fallback.limits.cpu) as { value: number }).value ? reqCpu : fallback.limits.cpu;
  const limMemDefault = parsedReqMem.ok && parsedReqMem.value > (parseMemory(fallback.limits.memory) as { value: number }).value ? reqMem : fallback.limits.memory;
  const limCpu = args.limits?.cpu ?? limCpuDefault;
  const limMem = args.limits?.memory ?? limMemDefault;
  const parsedLimCpu = parseCpu(limCpu);
  const parsedLimMem = parseMemory(limMem);
  if (!parsedLimCpu.ok) v.require(false, `${field}.limits.cpu`, limCpu, parsedLimCpu.reason);
  if (!parsedLimMem.ok) v.require(false, `${field}.limits.memory`, limMem, parsedLimMem.reason);

  if (parsedReqCpu.ok && parsedLimCpu.ok && parsedReqCpu.value > parsedLimCpu.value) {
    v.require(false, `${field}.requests.cpu`, reqCpu, `expected at most the limit ${JSON.stringify(cpuString(limCpu))}`);
  }
  if (parsedReqMem.ok && parsedLimMem.ok && parsedReqMem.value > parsedLimMem.value) {
    v.require(false, `${field}.requests.memory`, reqMem, `expected at most the limit ${JSON.stringify(limMem)}`);
  }
  const requests: Record<string, string> = { cpu: cpuString(reqCpu), memory: reqMem };
  const limits: Record<string, string> = { cpu: cpuString(limCpu), memory: limMem };
  for (const [kind, amount, parsed] of [["requests", reqMem, parsedReqMem], ["limits", limMem, parsedLimMem]] as const) {
    if (parsed.ok && parsed.value > MAX_NODE_MEMORY_BYTES) v.require(false, `${field}.${kind}.memory`, amount, MAX_NODE_MEMORY_RULE);
  }
  const ephemeral: Partial<Record<"requests" | "limits", number>> = {};
  for (const [kind, amounts] of [["requests", args.requests], ["limits", args.limits]] as const) {
    const eph = amounts?.ephemeralStorage;
    if (eph === undefined) continue;
    const parsed = parseMemory(eph);
    if (!parsed.ok) v.require(false, `${field}.${kind}.ephemeralStorage`, eph, parsed.reason);
    else ephemeral[kind] = parsed.value;
    (kind === "requests" ? requests : limits)["ephemeral-storage"] = eph;
  }
  if (ephemeral.requests !== undefined && ephemeral.limits !== undefined && ephemeral.requests > ephemeral.limits) {
    v.require(false, `${field}.requests.ephemeralStorage`, args.requests?.ephemeralStorage, `expected at most the limit ${JSON.stringify(args.limits?.ephemeralStorage)} (Kubernetes requires every request to be at most its limit)`);
  }
  return {
    requests,
    limits,
    requestMillicores: parsedReqCpu.ok ? parsedReqCpu.value : 0,
    limitMillicores: parsedLimCpu.ok ? parsedLimCpu.value : 0,
    requestMemoryBytes: parsedReqMem.ok ? parsedReqMem.value : 0,
    limitMemoryBytes: parsedLimMem.ok ? parsedLimMem.value : 0,
  };
}

export function toK8sResources(r: ResolvedResources): k8s.types.input.core.v1.ResourceRequirements {
  return { requests: { ...r.requests }, limits: { ...r.limits } };
}
