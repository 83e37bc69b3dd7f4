/**
 * What every managed data service on the aws platform shares (RDS, ElastiCache, MSK, S3): where
 * it runs (the platform's data subnets, which have no route to the internet), who may reach it (a
 * security group admitting the cluster's nodes on the service's ports only), its encryption key,
 * its AWS names and tags, and the endpoint clients' NetworkPolicies reach (the data subnets: a
 * managed endpoint's address moves on failover).
 *
 * Security groups cannot tell pods apart: every pod of the cluster passes the security group, and
 * the client's own egress NetworkPolicy (and the store's credentials) narrow who connects. A team
 * that needs the network to separate pods gives `clientSecurityGroupIds` (security groups for
 * pods, docs/aws.md) and the store admits those instead of the nodes.
 */
import * as ec2 from "@pulumi/aws/ec2";
import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { childName } from "../core/naming";
import type { NetworkPort } from "../core/network";
import type { AwsPlatformShape } from "../platform/aws-shape";
import type { Platform } from "../platform/types";
import type { DataStoreBase, ManagedEndpoint } from "../workload/data-store";
import { statefulOptions } from "../workload/data-store";
import { awsTags } from "./tags";

export interface ManagedDataContext {
  /** The component's name: every AWS resource is named `<name>-<role>`. */
  readonly name: string;
  /** The system (`app.kubernetes.io/part-of`): part of AWS identifiers, so systems sharing an account don't collide. */
  readonly system: string;
  readonly region: string;
  readonly shape: AwsPlatformShape;
  /** Parent and aws provider: every AWS resource's options. */
  readonly opts: pulumi.CustomResourceOptions;
  /** `opts` plus protect/retainOnDelete when the component is protected: instances, groups, buckets, keys, secrets. */
  readonly statefulOpts: pulumi.CustomResourceOptions;
  readonly protect: boolean;
  /** Tags for the resource named `name`. */
  tags(name: string): Record<string, string>;
}

/** The context of a managed store; the platform must be an aws platform attached to an AwsPlatform (resolveDataStoreBase checked it). */
export function managedDataContext(parent: pulumi.Resource, base: DataStoreBase, platform: Platform, protect = false): ManagedDataContext {
  if (platform.kind !== "aws" || platform.aws.shape === undefined) throw new Error(`${base.name}: a managed store needs an aws platform with its shape (resolveDataStoreBase checks this first)`);
  const opts: pulumi.CustomResourceOptions = { parent, ...(platform.aws.provider ? { provider: platform.aws.provider } : {}) };
  const common = { "keel.dev/system": base.system, "keel.dev/component": base.name, "keel.dev/platform": platform.aws.shape.name };
  return {
    name: base.name,
    system: base.system,
    region: platform.aws.region,
    shape: platform.aws.shape,
    opts,
    statefulOpts: { ...opts, ...statefulOptions(protect) },
    protect,
    tags: (name: string) => awsTags(common, name),
  };
}

/**
 * An AWS identifier for the store's resource `suffix` (DB instance, replication group, MSK
 * cluster, parameter group, bucket prefix): `<system>-<name>[-suffix]` when the name does not
 * start with the system already, lowercase letters, digits and hyphens, starting with a letter, at
 * most `max` characters (a cut name ends in a short hash of the whole, so two never collide).
 */
export function awsIdentifier(ctx: Pick<ManagedDataContext, "name" | "system">, suffix = "", max = 63): string {
  const base = ctx.name === ctx.system || ctx.name.startsWith(`${ctx.system}-`) ? ctx.name : `${ctx.system}-${ctx.name}`;
  const full = (suffix ? `${base}-${suffix}` : base).toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").replace(/^[^a-z]+/, "").replace(/-$/, "");
  if (full.length <= max) return full;
  const hash = fnv1a(full).toString(36).slice(0, 6);
  return `${full.slice(0, max - hash.length - 1).replace(/-$/, "")}-${hash}`;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The store's security group: admits the cluster's node security group (every pod: the VPC CNI
 * gives pods the nodes' groups) on `ports` only, or `clientSecurityGroupIds` instead (security
 * groups for pods). No egress rule: a data service starts no connection (replies need none).
 */
export function dataSecurityGroup(ctx: ManagedDataContext, role: string, ports: readonly number[], clientSecurityGroupIds?: readonly pulumi.Input<string>[]): ec2.SecurityGroup {
  const name = childName(ctx.name, role);
  const sources = clientSecurityGroupIds && clientSecurityGroupIds.length > 0 ? [...clientSecurityGroupIds] : [ctx.shape.nodeSecurityGroupId];
  const who = clientSecurityGroupIds && clientSecurityGroupIds.length > 0 ? "the given client security groups" : "the cluster's nodes and pods";
  return new ec2.SecurityGroup(
    name,
    {
      vpcId: ctx.shape.vpc.id,
      description: `${ctx.name}: ${who} on ${ports.map((p) => `TCP ${p}`).join(", ")} only`,
      ingress: ports.map((port) => ({ description: `${ctx.name} clients`, protocol: "tcp", fromPort: port, toPort: port, securityGroups: sources })),
      egress: [],
      tags: ctx.tags(name),
    },
    ctx.opts,
  );
}

/** The data subnets' ids (no route to the internet), for the service's subnet group. */
export function dataSubnetIds(ctx: ManagedDataContext): pulumi.Input<string>[] {
  return [...ctx.shape.vpc.dataSubnetIds];
}

/** A customer-managed KMS key for the store (rotated yearly; 30 days to cancel a deletion), with alias `alias/<system>/<name>-<role>`. */
export function dataKmsKey(ctx: ManagedDataContext, role: string, description: string): kms.Key {
  const name = childName(ctx.name, role);
  const key = new kms.Key(name, { description, enableKeyRotation: true, deletionWindowInDays: 30, tags: ctx.tags(name) }, ctx.statefulOpts);
  new kms.Alias(childName(name, "alias"), { name: `alias/${ctx.system}/${awsIdentifier(ctx, role, 200)}`, targetKeyId: key.keyId }, ctx.opts);
  return key;
}

/** What clients' NetworkPolicies reach: the data subnets, on the service's ports. */
export function managedEndpoint(ctx: Pick<ManagedDataContext, "name" | "shape">, ports: readonly NetworkPort[]): ManagedEndpoint {
  return { networkPeer: { kind: "managed", name: ctx.name, cidrs: [...ctx.shape.vpc.dataSubnetCidrs] }, networkPorts: [...ports] };
}

/** `clientSecurityGroupIds` (security groups for pods): a list of `sg-…` ids or Outputs. */
export function checkClientSecurityGroups(v: Validator, field: string, ids: unknown): void {
  if (ids === undefined) return;
  if (!Array.isArray(ids) || ids.length === 0) {
    v.require(false, field, ids, "expected a non-empty list of security group ids such as [\"sg-0123456789abcdef0\"] (leave it out to admit the cluster's nodes)");
    return;
  }
  ids.forEach((id, i) => {
    if (pulumi.Output.isInstance(id)) return;
    v.require(typeof id === "string" && /^sg-[0-9a-f]{8,17}$/.test(id), `${field}[${i}]`, id, "expected a security group id such as \"sg-0123456789abcdef0\"");
  });
}
