/** Every policy of the pack, in report order: Kubernetes per resource, whole stack, AWS, exemptions. */
import type { Policy } from "@pulumi/policy";
import { dataServicePolicies } from "./aws";
import { kubernetesPolicies } from "./kubernetes";
import { stackPolicies } from "./stack";

export const policies: readonly Policy[] = [...kubernetesPolicies, ...stackPolicies, ...dataServicePolicies];
