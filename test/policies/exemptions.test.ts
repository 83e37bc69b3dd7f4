import { noPrivileged } from "../../policies/kubernetes/security-context";
import { exemptionAudit, exemptionReason } from "../../policies/stack/exemptions";
import { replicasMinimum } from "../../policies/stack/availability";
import { DEPLOYMENT, deployment, firstContainer, stackViolations, target, violations } from "./harness";

type Props = Record<string, unknown>;

function privileged(annotations: Record<string, string>): Props {
  const d = deployment("dind");
  ((firstContainer(d).securityContext as Props).privileged as unknown) = true;
  (d.metadata as Props).annotations = annotations;
  return d;
}

describe("exemptions", () => {
  const reason = "docker-in-docker needs privileges to build images";

  it("suppress the named policy when they give a reason", () => {
    expect(violations(noPrivileged, DEPLOYMENT, privileged({ "exempt.keel.dev/no-privileged": reason }))).toEqual([]);
    expect(violations(exemptionReason, DEPLOYMENT, privileged({ "exempt.keel.dev/no-privileged": reason }))).toEqual([]);
  });

  it.each([["", "it gives no reason"], ["TODO", '"TODO" is not a reason'], ["dind", '"dind" is too short to be a reason (10 characters at least)']])(
    "do not apply without a real reason (%p), and are a violation themselves",
    (given, problem) => {
      const d = privileged({ "exempt.keel.dev/no-privileged": given });
      expect(violations(noPrivileged, DEPLOYMENT, d)).toHaveLength(1);
      expect(violations(exemptionReason, DEPLOYMENT, d)).toEqual([
        `Deployment shop/dind: exempts it from no-privileged but ${problem}; write why in the value of exempt.keel.dev/no-privileged (e.g. "docker-in-docker needs privileges to build images").`,
      ]);
    },
  );

  it("must name a policy of the pack", () => {
    expect(violations(exemptionReason, DEPLOYMENT, privileged({ "exempt.keel.dev/no-privilidged": reason }))).toEqual([
      'Deployment shop/dind: exempts it from unknown policy "no-privilidged"; use one of the pack\'s policy names.',
    ]);
  });

  it("apply to stack policies on the resource they name", () => {
    const d = deployment("api", 1);
    (d.metadata as Props).annotations = { "exempt.keel.dev/replicas-minimum": "a singleton leader; two replicas would double-send emails" };
    expect(stackViolations(replicasMinimum, [target(DEPLOYMENT, d)])).toEqual([]);
  });

  it("are listed by the audit: used, and unused", () => {
    const used = target(DEPLOYMENT, privileged({ "exempt.keel.dev/no-privileged": reason }), "dind");
    const single = deployment("api", 3);
    (single.metadata as Props).annotations = { "exempt.keel.dev/replicas-minimum": "kept from when it ran a single replica" };
    const unused = target(DEPLOYMENT, single, "api");
    expect(stackViolations(exemptionAudit, [used, unused])).toEqual([
      { urn: used.urn, message: `exemption used: no-privileged on Deployment shop/dind: ${reason} (suppresses 1 violation)` },
      { urn: unused.urn, message: "exemption unused: replicas-minimum on Deployment shop/api suppresses nothing; remove exempt.keel.dev/replicas-minimum." },
    ]);
  });
});
