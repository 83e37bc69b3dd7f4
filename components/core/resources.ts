/** Container resource requests and limits, validated and always set (ephemeral storage included). */
import type * as k8s from "@pulumi/kubernetes";
import { defaults } from "./defaults";
import { KeelValidationError, Validator } from "./errors";
import { CpuQuantity, MemoryQuantity, formatCpu, parseCpu, parseMemory } from "./quantities";

export interface ResourceAmounts {
  /** CPU: cores (`0.5`, `"2"`) or millicores (`"500m"`). */
  readonly cpu?: CpuQuantity;
  /** Memory: `"512Mi"`, `"2Gi"`. */
  readonly memory?: MemoryQuantity;
  /**
   * Ephemeral storage (`"1Gi"`): the container's logs, its writable layer and the disk-backed
   * emptyDir volumes it writes. A limit must hold those volumes' sizeLimits.
   * @default requests "64Mi", limits "256Mi", each plus the sizeLimits of the emptyDir volumes the container writes
   */
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
  /** The user's ephemeral storage in bytes; undefined where keel sizes it ({@link toK8sResources}). */
  readonly requestEphemeralBytes?: number;
  readonly limitEphemeralBytes?: number;
  /** Whose amounts these are (component, name, args field): errors found later name them. */
  readonly origin: { readonly component: string; readonly name: string; readonly field: string };
}

/** A disk-backed emptyDir volume a container writes, and its sizeLimit. */
export interface EmptyDirWrite {
  readonly volume: string;
  readonly sizeLimit: string;
}

/** The /tmp emptyDir every container with a read-only root filesystem writes. */
export const TMP_WRITE: EmptyDirWrite = { volume: "tmp", sizeLimit: defaults.tmpVolume.sizeLimit };

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
    requestEphemeralBytes: ephemeral.requests,
    limitEphemeralBytes: ephemeral.limits,
    origin: { component: v.component, name: v.name, field },
  };
}

function bytesOf(quantity: string): number {
  const parsed = parseMemory(quantity);
  // keel writes every sizeLimit itself (or validated it): a bad one is a bug of keel's.
  if (!parsed.ok) throw new Error(`keel: emptyDir sizeLimit ${JSON.stringify(quantity)} is not a quantity: ${parsed.reason}`);
  return parsed.value;
}

/** Bytes as an exact quantity: the largest binary unit that divides them (`"10304Mi"`), else plain bytes. */
export function exactQuantity(bytes: number): string {
  for (const [unit, factor] of [["Ti", 2 ** 40], ["Gi", 2 ** 30], ["Mi", 2 ** 20], ["Ki", 2 ** 10]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

/**
 * The problem with the user's ephemeral-storage limit when it cannot hold the emptyDir volumes
 * the container writes (the kubelet evicts the pod before they are full), else undefined.
 */
export function ephemeralLimitProblem(r: ResolvedResources, writes: readonly EmptyDirWrite[]): { field: string; value: string; allowed: string } | undefined {
  if (r.limitEphemeralBytes === undefined) return undefined;
  const written = writes.reduce((sum, w) => sum + bytesOf(w.sizeLimit), 0);
  if (r.limitEphemeralBytes >= written) return undefined;
  const volumes = writes.map((w) => `${w.volume} ${JSON.stringify(w.sizeLimit)}`).join(", ");
  return {
    field: `${r.origin.field}.limits.ephemeralStorage`,
    value: r.limits["ephemeral-storage"],
    allowed: `expected at least ${JSON.stringify(exactQuantity(written))}, the sizeLimits of the disk-backed emptyDir volumes the container writes (${volumes}), with room for its logs on top: the kubelet evicts the pod once its ephemeral storage passes the limit`,
  };
}

/** Reports a user's ephemeral-storage limit too small for the emptyDir volumes its container writes (resolve, before any resource). */
export function checkEphemeralStorage(v: Validator, r: ResolvedResources, writes: readonly EmptyDirWrite[]): void {
  const problem = ephemeralLimitProblem(r, writes);
  if (problem) v.require(false, problem.field, problem.value, problem.allowed);
}

/**
 * Requests and limits as Kubernetes takes them, ephemeral storage included: the user's figures,
 * else {@link defaults.ephemeralStorage} plus the sizeLimits of the disk-backed emptyDir volumes
 * the container writes (`writes`: see workload.ts, each volume is charged to one container of
 * its pod). A default never contradicts a figure the user gave: the limit is at least the
 * request, the request at most the limit.
 */
export function toK8sResources(r: ResolvedResources, writes: readonly EmptyDirWrite[]): k8s.types.input.core.v1.ResourceRequirements {
  const problem = ephemeralLimitProblem(r, writes);
  if (problem) throw new KeelValidationError(r.origin.component, r.origin.name, [`${problem.field} is ${JSON.stringify(problem.value)}; ${problem.allowed}`]);
  const written = writes.reduce((sum, w) => sum + bytesOf(w.sizeLimit), 0);
  const requests = { ...r.requests };
  const limits = { ...r.limits };
  const key = "ephemeral-storage";
  if (limits[key] === undefined) {
    const fallback = bytesOf(defaults.ephemeralStorage.limit) + written;
    limits[key] = r.requestEphemeralBytes !== undefined && r.requestEphemeralBytes > fallback ? requests[key] : exactQuantity(fallback);
  }
  if (requests[key] === undefined) {
    const fallback = bytesOf(defaults.ephemeralStorage.request) + written;
    requests[key] = r.limitEphemeralBytes !== undefined && r.limitEphemeralBytes < fallback ? limits[key] : exactQuantity(fallback);
  }
  return { requests, limits };
}
