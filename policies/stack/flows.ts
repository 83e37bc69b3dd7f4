/** Every flow the stack needs is allowed by the NetworkPolicies at both of its ends. */
import { CLUSTER_FACTS_SETTING } from "../lib/cluster-facts";
import { stackPolicy } from "../lib/define";
import { denyingSides, endpointName } from "../lib/network-model";
import { NeededFlow, neededFlows } from "../lib/needed-flows";
import { networkModel, wholeStack } from "./whole-stack";

function portsText(f: NeededFlow): string {
  return f.ports.map((p) => `${p.port}/${p.protocol}`).join(" or ");
}

export const stackFlows = stackPolicy({
  name: "stack-flows",
  description: "Every flow the stack needs (DNS, ingress and ACME solvers, scraping, connections, cluster peers, the API server) is allowed at both ends.",
  enforcementLevel: "mandatory",
  config: CLUSTER_FACTS_SETTING,
  check(resources, report, config) {
    const w = wholeStack(resources, config);
    const analysis = neededFlows(w.stack, w.facts);
    for (const b of analysis.broken) report(b.urn, b.message);
    if (w.facts.networkPolicy?.enforced === false) return; // nothing is filtered; stack-prerequisites says what that costs
    const model = networkModel(w);
    const seen = new Set<string>();
    for (const f of analysis.flows) {
      const key = `${endpointName(f.from)}|${endpointName(f.to)}|${portsText(f)}|${f.why}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const verdicts = f.ports.map((p) => {
        const flow = { from: f.from, to: f.to, port: p.port, protocol: p.protocol };
        return { flow, verdict: model.evaluate(flow) };
      });
      if (verdicts.some((v) => v.verdict.allowed)) continue;
      const first = verdicts[0];
      const side = !first.verdict.ingress.allowed ? "ingress" : "egress";
      const fix = side === "ingress" ? `admit ${endpointName(f.from)} in a NetworkPolicy selecting ${endpointName(f.to)}` : `allow egress to ${endpointName(f.to)} in a NetworkPolicy selecting ${endpointName(f.from)}`;
      report(f.urn, `blocked flow ${endpointName(f.from)} -> ${endpointName(f.to)} on ${portsText(f)} (${f.why}): denied by ${denyingSides(first.flow, first.verdict)}; ${fix}.`);
    }
  },
});
