/** Readiness and liveness probes on long-running containers; liveness differs from readiness. */
import { resourcePolicy } from "../lib/define";
import { LONG_RUNNING_KINDS, containersOf, describeContainer, kindOf } from "../lib/kubernetes";

export const containerProbes = resourcePolicy({
  name: "container-probes",
  description: "Long-running containers have readiness and liveness probes, and the two are not identical.",
  enforcementLevel: "mandatory",
  appliesTo: (type) => LONG_RUNNING_KINDS.has(kindOf(type) ?? ""),
  check(target, report) {
    for (const ref of containersOf(target)) {
      if (ref.init) continue;
      const where = describeContainer(target, ref);
      const { readinessProbe, livenessProbe } = ref.container;
      if (readinessProbe === undefined) report(`${where}: no readiness probe; add readinessProbe so traffic waits until the container is ready.`);
      if (livenessProbe === undefined) report(`${where}: no liveness probe; add livenessProbe so a hung container is restarted.`);
      if (readinessProbe !== undefined && livenessProbe !== undefined && JSON.stringify(readinessProbe) === JSON.stringify(livenessProbe)) {
        report(`${where}: livenessProbe is identical to readinessProbe; give liveness its own endpoint or timings, or a busy pod is restarted instead of taken out of rotation.`);
      }
    }
  },
});
