import type { Policy } from "@pulumi/policy";
import { hpaMinimum, hpaOwnsReplicas, podDisruptionBudget, replicasMinimum, statefulSetHeadlessService, topologySpread } from "./availability";
import { exemptionAudit, exemptionReason } from "./exemptions";
import { stackFlows } from "./flows";
import { imageContents } from "./images";
import { networkPolicyCoverage } from "./network";
import { stackPrerequisites } from "./prerequisites";
import { helperReadiness } from "./readiness";
import { stackReferences } from "./references";
import { noAutomountedToken } from "../kubernetes/service-accounts";

export const stackPolicies: readonly Policy[] = [
  networkPolicyCoverage,
  replicasMinimum,
  podDisruptionBudget,
  topologySpread,
  hpaMinimum,
  hpaOwnsReplicas,
  statefulSetHeadlessService,
  stackReferences,
  stackFlows,
  helperReadiness,
  imageContents,
  stackPrerequisites,
  noAutomountedToken,
  exemptionReason,
  exemptionAudit,
];
