/**
 * RedisStore on the aws platform: an Amazon ElastiCache (Redis OSS) replication group in the
 * platform's data subnets. One primary and `nodes - 1` replicas (automatic failover and Multi-AZ
 * with two nodes or more), encrypted at rest (a customer-managed KMS key) and in transit (TLS
 * required), an auth token from a generated password, daily snapshots, slow and engine logs in
 * CloudWatch log groups keel creates with a retention, and a parameter group from the same typed
 * settings as the in-cluster redis.conf (config.ts). Clients get the same connection as in the
 * cluster (REDIS_URL, REDIS_READ_URL with replicas), with `rediss://`.
 *
 * What does not carry over (docs/data-stores.md, "RedisStore on aws (ElastiCache)"): persistence
 * "aof" becomes snapshots (ElastiCache has no AOF with Multi-AZ), sentinel mode is ElastiCache's
 * own failover (no REDIS_SENTINELS), and image, resources (beyond the default node type),
 * storage, sentinel timings and metrics configure the in-cluster pods only.
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as ec2 from "@pulumi/aws/ec2";
import * as elasticache from "@pulumi/aws/elasticache";
import type * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/naming";
import type { Platform } from "../platform/types";
import { ManagedDataContext, awsIdentifier, dataKmsKey, dataSecurityGroup, dataSubnetIds, managedDataContext, managedEndpoint } from "../aws/managed-data";
import type { ManagedEndpoint } from "../workload/data-store";
import { generatedPassword } from "../workload/data-store";
import type { RedisEvictionPolicy } from "./config";
import { ELASTICACHE_DEFAULTS, ResolvedRedis } from "./resolve";

export const ELASTICACHE_PORT = 6379;

/** The parameter group's settings, from the same typed settings as the in-cluster redis.conf (config.ts). */
export function elastiCacheParameters(s: { readonly evictionPolicy: RedisEvictionPolicy }): { name: string; value: string }[] {
  return [
    // What happens at maxmemory (ElastiCache sets maxmemory itself, from the node type).
    { name: "maxmemory-policy", value: s.evictionPolicy },
    // The headroom the in-cluster maxmemory share (75 %) keeps for fork and buffers.
    { name: "reserved-memory-percent", value: String(ELASTICACHE_DEFAULTS.reservedMemoryPercent) },
    // redis.conf's: dead clients found within a minute, idle clients never cut off.
    { name: "tcp-keepalive", value: "60" },
    { name: "timeout", value: "0" },
  ];
}

/**
 * A tag value ElastiCache accepts (letters, digits, spaces and `_ . : / = + - @`, at most 256
 * characters): the reason with anything else turned into spaces.
 */
export function elastiCacheTagValue(text: string): string {
  return text.replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, " ").replace(/\s+/g, " ").trim().slice(0, 256).trim();
}

/** A RedisStore's ElastiCache resources (`RedisStore.aws`). */
export interface RedisAwsResources {
  readonly replicationGroup: elasticache.ReplicationGroup;
  readonly parameterGroup: elasticache.ParameterGroup;
  readonly subnetGroup: elasticache.SubnetGroup;
  readonly securityGroup: ec2.SecurityGroup;
  readonly kmsKey: kms.Key;
  readonly logGroups: readonly cloudwatch.LogGroup[];
}

export interface ElastiCacheDeployment extends RedisAwsResources {
  readonly ctx: ManagedDataContext;
  /** The auth token (a secret Output). */
  readonly password: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  readonly readOnlyHost?: pulumi.Output<string>;
  readonly endpoint: ManagedEndpoint;
}

export function deployElastiCache(parent: pulumi.ComponentResource, r: ResolvedRedis, platform: Platform): ElastiCacheDeployment {
  const aws = r.aws;
  if (!aws) throw new Error(`RedisStore "${r.name}": deployElastiCache needs resolved aws settings (resolveRedisArgs sets them for a managed store)`);
  const ctx = managedDataContext(parent, r, platform, r.protect);
  const groupId = awsIdentifier(ctx, "", 40);
  // ElastiCache's auth token: 16-128 printable characters; a generated password of letters and digits (a secret Output).
  const password = generatedPassword(parent, r, "auth-token");
  const kmsKey = dataKmsKey(ctx, "key", `${r.name}: ElastiCache at-rest encryption (system ${r.system})`);
  const securityGroup = dataSecurityGroup(ctx, "sg", [ELASTICACHE_PORT], aws.clientSecurityGroupIds);
  const subnetGroupName = childName(r.name, "subnets");
  const subnetGroup = new elasticache.SubnetGroup(
    subnetGroupName,
    { name: awsIdentifier(ctx, "subnets", 255), description: `${r.name}: the platform's data subnets`, subnetIds: dataSubnetIds(ctx), tags: ctx.tags(subnetGroupName) },
    ctx.opts,
  );
  const parameterGroupName = childName(r.name, "params");
  // Named after its family: a new family is a new group, created while the replication group still uses the old one.
  const parameterGroup = new elasticache.ParameterGroup(
    parameterGroupName,
    { name: awsIdentifier(ctx, ELASTICACHE_DEFAULTS.parameterFamily, 255), family: ELASTICACHE_DEFAULTS.parameterFamily, description: `${r.name}: keel's settings (eviction policy ${r.evictionPolicy})`, parameters: elastiCacheParameters(r), tags: ctx.tags(parameterGroupName) },
    ctx.opts,
  );
  // Created first with keel's retention, so ElastiCache writes into groups that expire.
  const logGroups = (["slow-log", "engine-log"] as const).map((logType) => {
    const name = childName(r.name, logType);
    return new cloudwatch.LogGroup(name, { name: `/aws/elasticache/${r.system}/${groupId}/${logType}`, retentionInDays: aws.logRetentionDays, tags: ctx.tags(name) }, ctx.opts);
  });
  const replicated = r.nodes >= 2;
  const replicationGroup = new elasticache.ReplicationGroup(
    r.name,
    {
      replicationGroupId: groupId,
      description: `${r.name} (system ${r.system}): RedisStore, ${r.mode} with ${r.nodes} node(s)`,
      engine: "redis",
      engineVersion: ELASTICACHE_DEFAULTS.engineVersion,
      autoMinorVersionUpgrade: true,
      nodeType: aws.nodeType,
      port: ELASTICACHE_PORT,
      numCacheClusters: r.nodes,
      automaticFailoverEnabled: replicated,
      multiAzEnabled: replicated,
      parameterGroupName: parameterGroup.name,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [securityGroup.id],
      atRestEncryptionEnabled: true,
      kmsKeyId: kmsKey.arn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      authToken: password,
      snapshotRetentionLimit: aws.snapshotRetentionDays,
      snapshotWindow: ELASTICACHE_DEFAULTS.snapshotWindow,
      maintenanceWindow: ELASTICACHE_DEFAULTS.maintenanceWindow,
      finalSnapshotIdentifier: r.protect ? `${groupId}-final` : undefined,
      logDeliveryConfigurations: logGroups.map((g, i) => ({ destination: g.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: i === 0 ? "slow-log" : "engine-log" })),
      // Changes wait for the maintenance window, as a resize or a version change would otherwise cut clients off now.
      applyImmediately: false,
      // One node has no failover: its singleNodeReason is the pack's exemption (a tag), as it is the StatefulSet's in the cluster.
      tags: { ...ctx.tags(r.name), ...(!replicated && r.singleNodeReason ? { "exempt.keel.dev/elasticache-failover": elastiCacheTagValue(r.singleNodeReason) } : {}) },
    },
    { ...ctx.statefulOpts, dependsOn: logGroups },
  );
  return {
    ctx,
    replicationGroup,
    parameterGroup,
    subnetGroup,
    securityGroup,
    kmsKey,
    logGroups,
    password,
    host: replicationGroup.primaryEndpointAddress,
    readOnlyHost: replicated ? replicationGroup.readerEndpointAddress : undefined,
    endpoint: managedEndpoint(ctx, [{ port: ELASTICACHE_PORT }]),
  };
}
