/** Requests and limits on every container, init containers included: CPU, memory, ephemeral storage. */
import { resourcePolicy } from "../lib/define";
import { ContainerRef, containersOf, describe, describeContainer, isUnset, isWorkload, objectsIn, podSpecOf } from "../lib/kubernetes";
import { at, obj, str } from "../lib/props";

export const containerResources = resourcePolicy({
  name: "container-resources",
  description: "Every container sets CPU and memory requests and a memory limit (and a CPU limit unless configured otherwise).",
  enforcementLevel: "mandatory",
  config: { requireCpuLimit: { type: "boolean", default: true, description: "Also require resources.limits.cpu." } },
  appliesTo: isWorkload,
  check(target, report, config) {
    for (const ref of containersOf(target)) {
      const where = describeContainer(target, ref);
      const r = ref.container.resources;
      if (isUnset(at(r, "requests.cpu"))) report(`${where}: no CPU request; set resources.requests.cpu (e.g. "100m") so the scheduler reserves it.`);
      if (isUnset(at(r, "requests.memory"))) report(`${where}: no memory request; set resources.requests.memory (e.g. "128Mi") so the scheduler reserves it.`);
      if (isUnset(at(r, "limits.memory"))) report(`${where}: no memory limit; set resources.limits.memory (e.g. "256Mi") so a leak is OOM-killed instead of starving the node.`);
      if (config.requireCpuLimit === true && isUnset(at(r, "limits.cpu"))) {
        report(`${where}: no CPU limit; set resources.limits.cpu (e.g. "500m"), or set this policy's requireCpuLimit to false.`);
      }
    }
  },
});

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
/** Kubernetes' quantity grammar: a number (`1`, `1.5`, `1.`, `.5`), then a binary suffix, a decimal exponent (`e9`, `E-3`) or a decimal suffix. */
const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|(m|k|M|G|T|P|E)?)$/;

/**
 * A Kubernetes quantity (`"512Mi"`, `"1G"`, `"1e9"`, `"1E3"`, `"128974848"`, or a YAML number) in
 * its base unit; undefined when it is not one, or negative (no resource amount is).
 */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  const m = typeof value === "string" ? QUANTITY.exec(value) : null;
  if (!m || m[1] === "-") return undefined;
  const n = Number(m[2]);
  if (m[3] !== undefined) return n * BINARY[m[3]];
  if (m[4] !== undefined) return n * 10 ** Number(m[4]);
  return n * DECIMAL[m[5] ?? ""];
}

/** Bytes as people write them: the largest binary unit that divides them, else a decimal one, else plain. */
function formatBytes(bytes: number): string {
  for (const [unit, factor] of [["Ti", 2 ** 40], ["Gi", 2 ** 30], ["Mi", 2 ** 20], ["Ki", 2 ** 10]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  for (const [unit, factor] of [["T", 1e12], ["G", 1e9], ["M", 1e6], ["k", 1e3]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

const shown = (v: unknown) => (typeof v === "number" ? String(v) : JSON.stringify(v));

/**
 * The pod's ephemeral-storage limit as the kubelet works it out (PodLimits): the sum of the app
 * containers' and sidecars' limits, or an init container's (plus the sidecars started before it)
 * when larger. Undefined when no container has a limit: the kubelet then enforces none.
 */
function podLimit(refs: readonly { readonly ref: ContainerRef; readonly limit?: number }[]): number | undefined {
  if (refs.every((r) => r.limit === undefined)) return undefined;
  let running = 0;
  let sidecars = 0;
  let init = 0;
  for (const { ref, limit = 0 } of refs) {
    if (!ref.init) running += limit;
    else if (ref.sidecar) {
      running += limit;
      sidecars += limit;
    } else init = Math.max(init, limit + sidecars);
  }
  return Math.max(running, init);
}

export const containerEphemeralStorage = resourcePolicy({
  name: "container-ephemeral-storage",
  description: "Every container requests and limits ephemeral storage, and the pod's limit holds its disk-backed emptyDir volumes.",
  enforcementLevel: "mandatory",
  config: {
    requireRequest: { type: "boolean", default: true, description: 'Require resources.requests["ephemeral-storage"].' },
    requireLimit: { type: "boolean", default: true, description: 'Require resources.limits["ephemeral-storage"].' },
  },
  appliesTo: isWorkload,
  check(target, report, config) {
    const limits: { ref: ContainerRef; limit?: number }[] = [];
    let judged = true;
    for (const ref of containersOf(target)) {
      const where = describeContainer(target, ref);
      const amounts = { requests: undefined as number | undefined, limits: undefined as number | undefined };
      for (const kind of ["requests", "limits"] as const) {
        const given = obj(at(ref.container.resources, kind))["ephemeral-storage"];
        if (isUnset(given)) continue;
        amounts[kind] = parseQuantity(given);
        if (amounts[kind] === undefined) {
          report(`${where}: resources.${kind}["ephemeral-storage"] is ${shown(given)}, not a Kubernetes quantity; write bytes with a suffix such as "256Mi", "1G" or "1e9".`);
          judged = false;
        }
      }
      const resources = obj(ref.container.resources);
      const request = obj(resources.requests)["ephemeral-storage"];
      const limit = obj(resources.limits)["ephemeral-storage"];
      if (isUnset(request) && config.requireRequest === true) {
        report(`${where}: no ephemeral-storage request; set resources.requests["ephemeral-storage"] (e.g. "64Mi") so the scheduler reserves disk for its logs and scratch files, or set this policy's requireRequest to false.`);
      }
      if (isUnset(limit) && config.requireLimit === true) {
        report(`${where}: no ephemeral-storage limit; set resources.limits["ephemeral-storage"] (e.g. "256Mi") so a pod filling the node's disk is evicted on its own instead of putting the node under disk pressure, or set this policy's requireLimit to false.`);
      }
      if (amounts.requests !== undefined && amounts.limits !== undefined && amounts.requests > amounts.limits) {
        report(`${where}: ephemeral-storage request ${shown(request)} is more than its limit ${shown(limit)}; the API server rejects the pod, so make the request at most the limit.`);
      }
      limits.push({ ref, limit: amounts.limits });
    }
    const pod = judged ? podLimit(limits) : undefined;
    if (pod === undefined) return;
    // Memory-backed emptyDirs count against memory, not ephemeral storage.
    const volumes = objectsIn(podSpecOf(target).volumes)
      .map((v) => ({ name: str(v.name) ?? "?", dir: v.emptyDir }))
      .filter((v) => !isUnset(v.dir) && obj(v.dir).medium !== "Memory")
      .map((v) => ({ name: v.name, sizeLimit: obj(v.dir).sizeLimit }))
      .map((v) => ({ ...v, bytes: parseQuantity(v.sizeLimit) }))
      .filter((v): v is { name: string; sizeLimit: unknown; bytes: number } => v.bytes !== undefined);
    const total = volumes.reduce((sum, v) => sum + v.bytes, 0);
    if (total <= pod) return;
    const names = volumes.map((v) => `"${v.name}" (${shown(v.sizeLimit)})`).join(", ");
    report(
      `${describe(target)}: its disk-backed emptyDir volumes ${names} may hold ${formatBytes(total)}, more than the pod's ephemeral-storage limit ${formatBytes(pod)} (its containers' limits added up); the kubelet evicts the pod once it uses more than that, so raise the ephemeral-storage limit of the container that writes them, or lower their sizeLimits.`,
    );
  },
});
