/**
 * Node-group sizing from capacity, with no AWS calls: what a node of a known instance type
 * leaves to pods (EKS's kube-reserved and eviction formulas), and how many nodes the workloads
 * plus the platform's own pods need with headroom to spare.
 */
import { KeelValidationError } from "../core/errors";
import { parseCpu, parseMemory } from "../core/quantities";

/** What an instance type offers: vCPUs, memory and the pods the VPC CNI can address. */
export interface InstanceShape {
  readonly vcpu: number;
  readonly memoryGiB: number;
  /**
   * Pods per node with the VPC CNI and no prefix delegation: ENIs x (IPv4 addresses per ENI - 1) + 2
   * (AWS's eni-max-pods.txt; the 2 are host-network pods such as aws-node and kube-proxy).
   */
  readonly maxPods: number;
}

const shape = (vcpu: number, memoryGiB: number, maxPods: number): InstanceShape => ({ vcpu, memoryGiB, maxPods });

/**
 * The instance types keel sizes for. large: 3 ENIs x 10 addresses (29 pods; t3: 3 x 12, 35);
 * xlarge and 2xlarge: 4 x 15 (58); 4xlarge: 8 x 30 (234).
 */
export const INSTANCE_SHAPES: Readonly<Record<string, InstanceShape>> = Object.freeze({
  "t3.large": shape(2, 8, 35),
  "t3.xlarge": shape(4, 16, 58),
  "t3.2xlarge": shape(8, 32, 58),
  ...family("m6i", 4),
  ...family("m7i", 4),
  ...family("m6g", 4),
  ...family("m7g", 4),
  ...family("c6i", 2),
  ...family("r6i", 8),
});

/** large..4xlarge of a family with `gibPerVcpu` memory per vCPU (c: 2, m: 4, r: 8). */
function family(name: string, gibPerVcpu: number): Record<string, InstanceShape> {
  return {
    [`${name}.large`]: shape(2, 2 * gibPerVcpu, 29),
    [`${name}.xlarge`]: shape(4, 4 * gibPerVcpu, 58),
    [`${name}.2xlarge`]: shape(8, 8 * gibPerVcpu, 58),
    [`${name}.4xlarge`]: shape(16, 16 * gibPerVcpu, 234),
  };
}

/** Why `t` is not an instance type keel can size, or undefined when it is. */
export function instanceTypeProblem(t: unknown): string | undefined {
  if (typeof t === "string" && Object.prototype.hasOwnProperty.call(INSTANCE_SHAPES, t)) return undefined;
  return `expected one of the instance types keel sizes: ${Object.keys(INSTANCE_SHAPES).join(", ")}`;
}

/** The CPU architecture of a known instance type: Graviton families (a "g" after the generation, e.g. m7g) are arm64. */
export function instanceArchitecture(t: string): "arm64" | "x86_64" {
  return /^[a-z]+\d+g[a-z]*\./.test(t) ? "arm64" : "x86_64";
}

/** CPU, memory (Kubernetes quantities) and pod count. */
export interface WorkloadCapacity {
  readonly cpu: string;
  readonly memory: string;
  readonly pods: number;
}

export interface NodeGroupSize {
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  /** What one node leaves to pods: millicores, bytes, pods. */
  readonly allocatable: { cpu: number; memoryBytes: number; pods: number };
  /** One line with the figures behind desiredSize. */
  readonly reason: string;
}

const MI = 2 ** 20;
const GI = 2 ** 30;

/**
 * kube-reserved CPU in millicores, EKS's tiers: 6% of the first core, 1% of the second,
 * 0.5% of the third and fourth, 0.25% of each core above four.
 */
export function kubeReservedCpu(vcpu: number): number {
  const tiers: [cores: number, share: number][] = [[1, 0.06], [1, 0.01], [2, 0.005], [Infinity, 0.0025]];
  let left = vcpu;
  let reserved = 0;
  for (const [cores, share] of tiers) {
    const used = Math.min(left, cores);
    reserved += used * 1000 * share;
    left -= used;
  }
  return reserved;
}

/**
 * What a node leaves to pods: capacity minus kube-reserved (CPU tiers; memory 255Mi + 11Mi per
 * pod the node can hold) minus the kubelet's 100Mi hard eviction threshold. Capacity is the
 * instance's nominal vCPUs and GiB (the kernel keeps a little of the memory: real nodes report
 * slightly less, which the headroom absorbs).
 */
export function nodeAllocatable(s: InstanceShape): { cpu: number; memoryBytes: number; pods: number } {
  return {
    cpu: s.vcpu * 1000 - kubeReservedCpu(s.vcpu),
    memoryBytes: s.memoryGiB * GI - (255 + 11 * s.maxPods) * MI - 100 * MI,
    pods: s.maxPods,
  };
}

const parsedCpu = (q: string): number | undefined => (/^0+(\.0*)?m?$/.test(q) ? 0 : parseCpu(q).ok ? (parseCpu(q) as { value: number }).value : undefined);
const parsedMemory = (q: string): number | undefined => (/^0+$/.test(q) ? 0 : parseMemory(q).ok ? (parseMemory(q) as { value: number }).value : undefined);

const cores = (millicores: number): string => String(Math.round(millicores / 10) / 100);
const gib = (bytes: number): string => `${Math.round((bytes / GI) * 10) / 10}Gi`;

/**
 * Sizes one node group. The workloads plus the platform's own pods (`systemPods`: add-ons and
 * daemonsets, in total for the group) may use at most (1 - headroom) of the group's allocatable
 * CPU, memory and pods at desiredSize:
 *
 * - needed = max over CPU, memory and pods of ceil(demand / (allocatable per node x (1 - headroom))), at least 1;
 * - desiredSize = max(needed, minNodes); minSize = desiredSize (keel owns the size; no autoscaler
 *   shrinks below what the capacity needs);
 * - maxSize = maxNodes, or max(2 x desiredSize, desiredSize + zones): room for a rolling update
 *   (EKS adds nodes before draining) and for an autoscaler added later.
 *
 * Throws a KeelValidationError (`sizeNodeGroup "<instanceType>": <field> is ...`) for an unknown
 * instance type, an unparseable quantity, a headroom outside [0, 1), or maxNodes below desiredSize.
 */
export function sizeNodeGroup(a: {
  instanceType: string;
  workloads: WorkloadCapacity;
  systemPods: WorkloadCapacity;
  headroom: number;
  minNodes: number;
  maxNodes?: number;
  zones: number;
}): NodeGroupSize {
  const problems: string[] = [];
  const fail = (field: string, value: unknown, allowed: string) => problems.push(`${field} is ${JSON.stringify(value)}; ${allowed}`);
  const typeProblem = instanceTypeProblem(a.instanceType);
  if (typeProblem) fail("instanceType", a.instanceType, typeProblem);
  const demand = { cpu: 0, memory: 0, pods: 0 };
  for (const [field, w] of [["workloads", a.workloads], ["systemPods", a.systemPods]] as const) {
    const cpu = parsedCpu(String(w.cpu));
    const memory = parsedMemory(String(w.memory));
    if (cpu === undefined) fail(`${field}.cpu`, w.cpu, 'expected cores ("0.5", "2") or millicores ("500m")');
    if (memory === undefined) fail(`${field}.memory`, w.memory, 'expected bytes with a unit such as "512Mi" or "2Gi"');
    if (!Number.isInteger(w.pods) || w.pods < 0) fail(`${field}.pods`, w.pods, "expected a whole number of pods, 0 or more");
    demand.cpu += cpu ?? 0;
    demand.memory += memory ?? 0;
    demand.pods += w.pods;
  }
  if (!(typeof a.headroom === "number" && a.headroom >= 0 && a.headroom < 1)) fail("headroom", a.headroom, "expected a fraction of at least 0 and below 1 (0.3 leaves 30% spare)");
  if (!Number.isInteger(a.minNodes) || a.minNodes < 1) fail("minNodes", a.minNodes, "expected an integer of at least 1");
  if (!Number.isInteger(a.zones) || a.zones < 1) fail("zones", a.zones, "expected an integer of at least 1");
  if (problems.length > 0) throw new KeelValidationError("sizeNodeGroup", a.instanceType, problems);

  const per = nodeAllocatable(INSTANCE_SHAPES[a.instanceType]);
  const usable = 1 - a.headroom;
  const need = (amount: number, perNode: number) => Math.ceil(amount / (perNode * usable) - 1e-9);
  const needed = Math.max(1, need(demand.cpu, per.cpu), need(demand.memory, per.memoryBytes), need(demand.pods, per.pods));
  const desiredSize = Math.max(needed, a.minNodes);
  const maxSize = a.maxNodes ?? Math.max(2 * desiredSize, desiredSize + a.zones);
  if (!Number.isInteger(maxSize) || maxSize < desiredSize) {
    throw new KeelValidationError("sizeNodeGroup", a.instanceType, [`maxNodes is ${a.maxNodes}; expected at least ${desiredSize}, the nodes the capacity needs`]);
  }

  const w = a.workloads;
  const s = a.systemPods;
  const figures = (cpu: number, memory: number, pods: number) => `${cores(cpu)} CPU / ${gib(memory)} / ${pods} pods`;
  const reason =
    `${desiredSize} x ${a.instanceType}: workloads ${figures(parsedCpu(String(w.cpu))!, parsedMemory(String(w.memory))!, w.pods)}` +
    ` + platform ${figures(parsedCpu(String(s.cpu))!, parsedMemory(String(s.memory))!, s.pods)}` +
    ` fit in ${Math.round(usable * 100)}% of ${figures(per.cpu * desiredSize, per.memoryBytes * desiredSize, per.pods * desiredSize)}` +
    (desiredSize > needed ? ` (${needed} would do; minNodes is ${a.minNodes})` : "");
  return { minSize: desiredSize, desiredSize, maxSize, allocatable: per, reason };
}
