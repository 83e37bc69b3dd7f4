/** Requests and limits on every container, init containers included. */
import { resourcePolicy } from "../lib/define";
import { containersOf, describeContainer, isWorkload } from "../lib/kubernetes";
import { at } from "../lib/props";

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
      if (at(r, "requests.cpu") === undefined) report(`${where}: no CPU request; set resources.requests.cpu (e.g. "100m") so the scheduler reserves it.`);
      if (at(r, "requests.memory") === undefined) report(`${where}: no memory request; set resources.requests.memory (e.g. "128Mi") so the scheduler reserves it.`);
      if (at(r, "limits.memory") === undefined) report(`${where}: no memory limit; set resources.limits.memory (e.g. "256Mi") so a leak is OOM-killed instead of starving the node.`);
      if (config.requireCpuLimit === true && at(r, "limits.cpu") === undefined) {
        report(`${where}: no CPU limit; set resources.limits.cpu (e.g. "500m"), or set this policy's requireCpuLimit to false.`);
      }
    }
  },
});
