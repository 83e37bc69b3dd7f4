/**
 * Every workload is isolated in both directions: NetworkPolicies select its pods for Ingress and
 * for Egress, so traffic is denied unless allowed. A policy whose policyTypes (as Kubernetes
 * defaults them: Ingress, plus Egress when it has egress rules) cover Ingress only leaves every
 * destination open to the pods it selects.
 */
import { stackPolicy } from "../lib/define";
import { WORKLOAD_KINDS, describe } from "../lib/kubernetes";
import { parsePolicy } from "../lib/network-model";
import { objectName, SelectorIndex, workloadViews } from "./workloads";

export const networkPolicyCoverage = stackPolicy({
  name: "network-policy-coverage",
  description: "Every workload's pods are selected by NetworkPolicies for both ingress and egress (deny by default in both directions).",
  enforcementLevel: "mandatory",
  check(resources, report) {
    const policies = new SelectorIndex(resources, "NetworkPolicy", "spec.podSelector");
    for (const w of workloadViews(resources, WORKLOAD_KINDS)) {
      const selecting = policies.selecting(w);
      if (selecting.length === 0) {
        report(w.target.urn, `${describe(w.target)}: no NetworkPolicy selects its pods, so all traffic to and from them is allowed; add a policy that denies by default and allows named peers.`);
        continue;
      }
      const parsed = selecting.map((p) => ({ name: objectName(p), policy: parsePolicy(p.props) }));
      const names = parsed.map((p) => p.name).join(", ");
      const covers = { Ingress: parsed.some((p) => p.policy.ingress !== undefined), Egress: parsed.some((p) => p.policy.egress !== undefined) };
      if (!covers.Ingress && !covers.Egress) {
        report(w.target.urn, `${describe(w.target)}: the NetworkPolicies selecting its pods (${names}) name no policyType Kubernetes knows, so all traffic to and from them is allowed; set policyTypes: [Ingress, Egress].`);
        continue;
      }
      for (const [direction, other, open, peers] of [["Ingress", "Egress", "every source may reach them", "sources"], ["Egress", "Ingress", "they may reach every destination", "destinations"]] as const) {
        if (covers[direction]) continue;
        report(w.target.urn, `${describe(w.target)}: the NetworkPolicies selecting its pods (${names}) cover ${other} only, so ${open}; add policyTypes: [${direction}] to one of them (or a policy of its own) with the ${peers} it needs.`);
      }
    }
  },
});
