/**
 * IAM documents keel writes: typed statements, serialized once (inner Outputs resolved), and a
 * least-privilege check every keel-made document passes (tests hold each one to it). Roles for
 * service accounts (IRSA) trust exactly one ServiceAccount of one cluster.
 */
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { statementProblems } from "../../policies/lib/iam-statements";
import { childName } from "../core/naming";
import { AwsTags, awsTags } from "./tags";

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource?: pulumi.Input<string> | readonly pulumi.Input<string>[];
  readonly Principal?: { readonly Service?: string | readonly string[]; readonly Federated?: pulumi.Input<string>; readonly AWS?: pulumi.Input<string> | readonly pulumi.Input<string>[] };
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, pulumi.Input<string> | readonly pulumi.Input<string>[]>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** The document as JSON, once every Output in it is known. */
export function policyJson(doc: pulumi.Input<PolicyDocument>): pulumi.Output<string> {
  return pulumi.jsonStringify(pulumi.output(doc));
}

/** A trust policy letting an AWS service (e.g. "eks.amazonaws.com") assume the role. */
export function servicePrincipalTrust(service: string | readonly string[], extra: Partial<Pick<PolicyStatement, "Condition">> = {}): PolicyDocument {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", ...extra }] };
}

/** Where a cluster's service accounts get their web identity: the IAM OIDC provider and its issuer (host and path, no scheme). */
export interface OidcIdentity {
  readonly oidcProviderArn: pulumi.Input<string>;
  readonly oidcIssuer: pulumi.Input<string>;
}

/** An OIDC issuer URL without its scheme (how IRSA conditions and the OIDC provider's ARN name it). */
export const issuerHost = (url: string): string => url.replace(/^https:\/\//, "");

/** A trust policy for IRSA: only `system:serviceaccount:<namespace>:<serviceAccount>` of this cluster, for STS. */
export function irsaTrust(identity: OidcIdentity, namespace: pulumi.Input<string>, serviceAccount: string): pulumi.Output<PolicyDocument> {
  return pulumi.all([identity.oidcIssuer, namespace]).apply(([issuer, namespace]) => {
    const host = issuerHost(issuer);
    return {
      Version: "2012-10-17" as const,
      Statement: [
        {
          Effect: "Allow" as const,
          Principal: { Federated: identity.oidcProviderArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${host}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`, [`${host}:aud`]: "sts.amazonaws.com" } },
        },
      ],
    };
  });
}

/**
 * What makes a document broader than least privilege, one line per statement: an Allow of every
 * action (`*`, or a whole service such as `iam:*`) on every resource (`*`), or an Allow through
 * NotAction/NotResource. Empty when none. The pack's iam-least-privilege policy runs the same check.
 */
export function leastPrivilegeProblems(doc: PolicyDocument): string[] {
  return statementProblems(doc) ?? [];
}

/** A role and the policy attachments it needs before it is usable (dependsOn these, not only the role). */
export interface RoleWithPolicies {
  readonly role: iam.Role;
  readonly attachments: pulumi.Resource[];
}

/** What a role may do: its inline policy and AWS managed policies by name (e.g. "service-role/AmazonEBSCSIDriverPolicy") in the account's partition. */
export interface RolePermissions {
  readonly policy?: PolicyDocument;
  readonly managed?: readonly string[];
  readonly partition: pulumi.Input<string>;
  readonly tags: AwsTags;
}

/**
 * A role with its trust policy and permissions, returning the attachments too so that users of
 * the role can wait for its permissions (EKS checks the cluster role's at creation).
 */
export function roleWithPolicies(name: string, trust: pulumi.Input<PolicyDocument>, a: RolePermissions, opts: pulumi.CustomResourceOptions): RoleWithPolicies {
  const role = new iam.Role(name, { assumeRolePolicy: policyJson(trust), tags: awsTags(a.tags, name) }, opts);
  const attachments: pulumi.Resource[] = [];
  if (a.policy) attachments.push(new iam.RolePolicy(childName(name, "policy"), { role: role.name, policy: policyJson(a.policy) }, opts));
  for (const policyName of a.managed ?? []) {
    // Named after the policy, so adding or removing one never renames the others.
    const short = policyName.split("/").pop()!.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase();
    attachments.push(new iam.RolePolicyAttachment(childName(name, short), { role: role.name, policyArn: managedPolicyArn(a.partition, policyName) }, opts));
  }
  return { role, attachments };
}

/** A role an AWS service (e.g. "eks.amazonaws.com") assumes. */
export function serviceRole(name: string, service: string, a: RolePermissions, opts: pulumi.CustomResourceOptions): RoleWithPolicies {
  return roleWithPolicies(name, servicePrincipalTrust(service), a, opts);
}

/** A role for one ServiceAccount of a cluster (IRSA). */
export function irsaRole(name: string, identity: OidcIdentity, namespace: pulumi.Input<string>, serviceAccount: string, a: RolePermissions, opts: pulumi.CustomResourceOptions): RoleWithPolicies {
  return roleWithPolicies(name, irsaTrust(identity, namespace, serviceAccount), a, opts);
}

/** An AWS managed policy's ARN in the partition of the account (aws, aws-cn, aws-us-gov). */
export function managedPolicyArn(partition: pulumi.Input<string>, policyName: string): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:iam::aws:policy/${policyName}`;
}
