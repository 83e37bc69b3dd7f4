/**
 * Readiness and liveness probes on long-running containers (native sidecars included: they run
 * for the pod's whole life); liveness differs from readiness.
 */
import { resourcePolicy } from "../lib/define";
import { LONG_RUNNING_KINDS, containersOf, describeContainer, isUnset, kindOf } from "../lib/kubernetes";

/**
 * The same JSON value, whatever the order of an object's keys: `null` and absent fields are the
 * same (the API server decodes null as unset), list items compare in order.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const key of keys) {
    if (isUnset(x[key]) && isUnset(y[key])) continue;
    if (!sameValue(x[key], y[key])) return false;
  }
  return true;
}

export const containerProbes = resourcePolicy({
  name: "container-probes",
  description: "Long-running containers (native sidecars included) have readiness and liveness probes, and the two are not identical.",
  enforcementLevel: "mandatory",
  appliesTo: (type) => LONG_RUNNING_KINDS.has(kindOf(type) ?? ""),
  check(target, report) {
    for (const ref of containersOf(target)) {
      if (ref.init && !ref.sidecar) continue;
      const where = describeContainer(target, ref);
      const { readinessProbe, livenessProbe } = ref.container;
      if (isUnset(readinessProbe)) report(`${where}: no readiness probe; add readinessProbe so traffic waits until the container is ready.`);
      if (isUnset(livenessProbe)) report(`${where}: no liveness probe; add livenessProbe so a hung container is restarted.`);
      if (!isUnset(readinessProbe) && !isUnset(livenessProbe) && sameValue(readinessProbe, livenessProbe)) {
        report(`${where}: livenessProbe is identical to readinessProbe; give liveness its own endpoint or timings, or a busy pod is restarted instead of taken out of rotation.`);
      }
    }
  },
});
