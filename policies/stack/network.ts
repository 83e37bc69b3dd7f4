/** Every workload is selected by a NetworkPolicy, so traffic is denied unless allowed. */
import { stackPolicy } from "../lib/define";
import { WORKLOAD_KINDS, describe } from "../lib/kubernetes";
import { SelectorIndex, workloadViews } from "./workloads";

export const networkPolicyCoverage = stackPolicy({
  name: "network-policy-coverage",
  description: "Every workload's pods are selected by a NetworkPolicy (deny by default).",
  enforcementLevel: "mandatory",
  check(resources, report) {
    const policies = new SelectorIndex(resources, "NetworkPolicy", "spec.podSelector");
    for (const w of workloadViews(resources, WORKLOAD_KINDS)) {
      if (policies.selecting(w).length === 0) {
        report(w.target.urn, `${describe(w.target)}: no NetworkPolicy selects its pods, so all traffic to and from them is allowed; add a policy that denies by default and allows named peers.`);
      }
    }
  },
});
