import type { Policy } from "@pulumi/policy";
import { hpaMinimum, hpaOwnsReplicas, podDisruptionBudget, replicasMinimum, statefulSetHeadlessService, topologySpread } from "./availability";
import { exemptionAudit, exemptionReason } from "./exemptions";
import { networkPolicyCoverage } from "./network";

export const stackPolicies: readonly Policy[] = [
  networkPolicyCoverage,
  replicasMinimum,
  podDisruptionBudget,
  topologySpread,
  hpaMinimum,
  hpaOwnsReplicas,
  statefulSetHeadlessService,
  exemptionReason,
  exemptionAudit,
];
