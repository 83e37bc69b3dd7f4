/**
 * Exemptions are explicit: `exemption-reason` rejects one without a real reason (or naming a
 * policy that does not exist); `exemption-audit` lists every exemption in use, and those that
 * no longer suppress anything, so reviews see them.
 */
import { checks, resourcePolicy, runResourceCheck, runStackCheck, stackPolicy } from "../lib/define";
import type { Target } from "../lib/define";
import { exemptionsOf, reasonProblem } from "../lib/exemptions";
import { describe } from "../lib/kubernetes";

function what(t: Target): string {
  return t.type.startsWith("kubernetes:") ? describe(t) : `${t.type.split(":").pop()} ${t.name}`;
}

export const exemptionReason = resourcePolicy({
  name: "exemption-reason",
  description: "Every exemption names an existing policy and says why.",
  enforcementLevel: "mandatory",
  appliesTo: () => true,
  check(t, report) {
    for (const [policy, reason] of exemptionsOf(t)) {
      if (!checks.has(policy)) {
        report(`${what(t)}: exempts it from unknown policy "${policy}"; use one of the pack's policy names.`);
        continue;
      }
      const problem = reasonProblem(reason);
      if (problem) report(`${what(t)}: exempts it from ${policy} but ${problem}; write why in the value of exempt.keel.dev/${policy} (e.g. "docker-in-docker needs privileges to build images").`);
    }
  },
});

export const exemptionAudit = stackPolicy({
  name: "exemption-audit",
  description: "Lists every exemption in use (and those that suppress nothing).",
  enforcementLevel: "advisory",
  check(resources, report) {
    const stackFindings = new Map<string, { urn: string; message: string }[]>();
    for (const t of resources) {
      for (const [policy, reason] of exemptionsOf(t)) {
        const entry = checks.get(policy);
        if (!entry || reasonProblem(reason)) continue;
        let suppressed: string[];
        if (entry.kind === "resource") {
          suppressed = runResourceCheck(entry.check, t);
        } else {
          if (!stackFindings.has(policy)) stackFindings.set(policy, runStackCheck(entry.check, resources));
          suppressed = (stackFindings.get(policy) ?? []).filter((f) => f.urn === t.urn).map((f) => f.message);
        }
        if (suppressed.length > 0) report(t.urn, `exemption used: ${policy} on ${what(t)}: ${reason.trim()} (suppresses ${suppressed.length} violation${suppressed.length === 1 ? "" : "s"})`);
        else report(t.urn, `exemption unused: ${policy} on ${what(t)} suppresses nothing; remove exempt.keel.dev/${policy}.`);
      }
    }
  },
});
