/** Validation and defaults for RedisStore: pure, every problem at once, before any resource. */
import { internetPeerProblems } from "../platform/cluster-facts";
import { checkArgShape } from "../core/arg-shape";
import type * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { checkClientSecurityGroups } from "../aws/managed-data";
import { logRetentionProblem } from "../aws/log-retention";
import { checkPeerPlatforms } from "../workload/network-access";
import type { NetworkRule } from "../core/network";
import { parseMemory } from "../core/quantities";
import { ResolvedResources, checkEphemeralStorage, resolveResources } from "../core/resources";
import { DataStoreBase, ResolvedStorage, checkCount, checkImage, checkRules, resolveDataStoreBase, resolveStorage, serverWrites } from "../workload/data-store";
import { EVICTION_POLICIES, RedisEvictionPolicy, RedisPersistence } from "./config";
import type { RedisAwsArgs, RedisMode, RedisStoreArgs } from "./index";

export const REDIS_DEFAULTS = {
  image: "redis:7.4.1-alpine",
  /** The alpine image's redis user and group. */
  uid: 999,
  gid: 1000,
  exporterImage: "oliver006/redis_exporter:v1.66.0",
  /** Seed 003: 100m/500m CPU, 256Mi/1Gi memory, 10Gi storage. */
  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
  storage: "10Gi",
  /** maxmemory as a share of the memory limit: the rest is for fork (snapshots, AOF rewrite) and buffers. */
  maxmemoryShare: 0.75,
  nodes: { standalone: 1, replication: 2, sentinel: 3 } as Record<RedisMode, number>,
  sentinel: { downAfterMilliseconds: 5000, failoverTimeoutMilliseconds: 60000, masterName: "keel" },
} as const;

/**
 * ElastiCache's default node types by the memory Redis may use (maxmemory): the smallest type
 * whose memory, less the 25 % ElastiCache reserves (reserved-memory-percent, the same headroom as
 * the in-cluster maxmemory share), holds it. Memory per node in GiB (AWS' node type table).
 * Burstable t4g for small stores, general purpose m7g, memory-optimized r7g beyond.
 */
export const ELASTICACHE_NODE_TYPES: readonly { readonly nodeType: string; readonly memoryGiB: number }[] = [
  { nodeType: "cache.t4g.micro", memoryGiB: 0.5 },
  { nodeType: "cache.t4g.small", memoryGiB: 1.37 },
  { nodeType: "cache.t4g.medium", memoryGiB: 3.09 },
  { nodeType: "cache.m7g.large", memoryGiB: 6.38 },
  { nodeType: "cache.m7g.xlarge", memoryGiB: 12.93 },
  { nodeType: "cache.r7g.xlarge", memoryGiB: 26.32 },
  { nodeType: "cache.r7g.2xlarge", memoryGiB: 52.82 },
  { nodeType: "cache.r7g.4xlarge", memoryGiB: 105.81 },
  { nodeType: "cache.r7g.8xlarge", memoryGiB: 209.55 },
  { nodeType: "cache.r7g.16xlarge", memoryGiB: 419.09 },
];

export const ELASTICACHE_DEFAULTS = {
  engineVersion: "7.1",
  parameterFamily: "redis7",
  /** Share of a node's memory ElastiCache keeps for fork and buffers (reserved-memory-percent). */
  reservedMemoryPercent: 25,
  /** A primary and at most 5 replicas in a replication group without cluster mode. */
  maxNodes: 6,
  snapshotRetentionDays: 7,
  logRetentionDays: 30,
  /** UTC; the maintenance window must not overlap the snapshot window. */
  snapshotWindow: "03:00-04:00",
  maintenanceWindow: "sun:05:00-sun:06:00",
} as const;

/** The smallest node type of the table whose usable memory holds `maxmemoryBytes`, or undefined. */
export function defaultNodeType(maxmemoryBytes: number): string | undefined {
  const usable = 1 - ELASTICACHE_DEFAULTS.reservedMemoryPercent / 100;
  return ELASTICACHE_NODE_TYPES.find((t) => t.memoryGiB * 1024 ** 3 * usable >= maxmemoryBytes)?.nodeType;
}

export interface ResolvedRedisAws {
  readonly nodeType: string;
  readonly snapshotRetentionDays: number;
  readonly logRetentionDays: number;
  readonly clientSecurityGroupIds?: readonly pulumi.Input<string>[];
}

const MODES: readonly RedisMode[] = ["standalone", "replication", "sentinel"];
const PERSISTENCE: readonly RedisPersistence[] = ["aof", "rdb", "none"];

export interface ResolvedRedis extends DataStoreBase {
  readonly image: pulumi.Input<string>;
  readonly mode: RedisMode;
  readonly nodes: number;
  readonly persistence: RedisPersistence;
  readonly maxmemoryBytes: number;
  readonly evictionPolicy: RedisEvictionPolicy;
  readonly resources: ResolvedResources;
  readonly storage?: ResolvedStorage;
  readonly quorum: number;
  readonly downAfterMilliseconds: number;
  readonly failoverTimeoutMilliseconds: number;
  readonly metrics: boolean;
  readonly allowFrom: readonly NetworkRule[];
  readonly protect: boolean;
  readonly singleNodeReason?: string;
  /** ElastiCache settings, when the store is managed (aws platform). */
  readonly aws?: ResolvedRedisAws;
}

export function resolveRedisArgs(name: string, args: RedisStoreArgs): ResolvedRedis {
  const v = new Validator("RedisStore", name);
  checkArgShape(v, "RedisStoreArgs", args, () => resolveRedisArgs(name, args)); // unknown keys and wrong shapes, before anything reads them
  v.throwIfInvalid();
  const base = resolveDataStoreBase(v, name, args, "data");
  const image = args.image ?? REDIS_DEFAULTS.image;
  checkImage(v, "image", image);
  const mode = args.mode ?? "standalone";
  v.require(MODES.includes(mode), "mode", mode, `expected one of ${MODES.join(", ")}`);
  v.require(PERSISTENCE.includes(args.persistence), "persistence", args.persistence, "expected \"aof\" (a session store: at most 1 s lost), \"rdb\" (snapshots: minutes lost) or \"none\" (a cache: restarts empty); keel has no default so the choice is explicit");
  const nodes = args.nodes ?? REDIS_DEFAULTS.nodes[mode] ?? 1;
  if (mode === "standalone") v.require(nodes === 1, "nodes", nodes, "expected 1 in standalone mode (use mode \"replication\" or \"sentinel\" for more)");
  const maxNodes = base.managed ? ELASTICACHE_DEFAULTS.maxNodes : 9;
  const onElastiCache = base.managed ? "; ElastiCache: a primary and at most 5 replicas" : "";
  if (mode === "replication") checkCount(v, "nodes", nodes, 2, maxNodes, ` in replication mode (a primary and at least one replica${onElastiCache})`);
  if (mode === "sentinel") checkCount(v, "nodes", nodes, 3, maxNodes, ` in sentinel mode (a sentinel runs beside each node and a failover needs a majority of them${onElastiCache})`);
  const resources = resolveResources(v, "resources", args.resources, REDIS_DEFAULTS.resources);
  let maxmemoryBytes = Math.floor(resources.limitMemoryBytes * REDIS_DEFAULTS.maxmemoryShare);
  if (args.maxmemory !== undefined) {
    const parsed = parseMemory(args.maxmemory);
    if (!parsed.ok) v.require(false, "maxmemory", args.maxmemory, parsed.reason);
    else {
      maxmemoryBytes = parsed.value;
      v.require(parsed.value < resources.limitMemoryBytes, "maxmemory", args.maxmemory, `expected less than the memory limit ${JSON.stringify(resources.limits.memory)} (Redis needs headroom to fork for snapshots)`);
    }
  }
  const evictionPolicy = args.evictionPolicy ?? (args.persistence === "none" ? "allkeys-lru" : "noeviction");
  v.require(EVICTION_POLICIES.includes(evictionPolicy), "evictionPolicy", evictionPolicy, `expected one of ${EVICTION_POLICIES.join(", ")}`);
  const storage = args.persistence === "none" && args.storage === undefined ? undefined : resolveStorage(v, "storage", args.storage, REDIS_DEFAULTS.storage, base.target.storageClasses);
  checkEphemeralStorage(v, resources, serverWrites(storage));
  if (!base.managed && !storage && (args.persistence === "aof" || args.persistence === "rdb")) {
    v.require(false, "storage", args.storage, `expected a volume when persistence is "${args.persistence}" (files on an emptyDir are lost with the pod); use persistence "none" for a cache`);
  }
  const quorum = args.sentinel?.quorum ?? Math.floor(nodes / 2) + 1;
  const downAfterMilliseconds = args.sentinel?.downAfterMilliseconds ?? REDIS_DEFAULTS.sentinel.downAfterMilliseconds;
  const failoverTimeoutMilliseconds = args.sentinel?.failoverTimeoutMilliseconds ?? REDIS_DEFAULTS.sentinel.failoverTimeoutMilliseconds;
  if (mode === "sentinel") {
    checkCount(v, "sentinel.quorum", quorum, Math.floor(nodes / 2) + 1, nodes, ` (a majority of the ${nodes} sentinels, so a partition cannot elect two primaries)`);
    checkCount(v, "sentinel.downAfterMilliseconds", downAfterMilliseconds, 1000, 600000);
    checkCount(v, "sentinel.failoverTimeoutMilliseconds", failoverTimeoutMilliseconds, 10000, 3600000);
  } else if (args.sentinel !== undefined) {
    v.require(false, "sentinel", args.sentinel, "expected no sentinel settings unless mode is \"sentinel\"");
  }
  checkRules(v, "allowFrom", args.allowFrom);
  for (const [field, value, allowed] of internetPeerProblems("allowFrom", args.allowFrom)) v.require(false, field, value, allowed);
  checkPeerPlatforms(v, { name: args.platform.name, kubernetes: base.target }, { allowFrom: args.allowFrom });
  if (args.singleNodeReason !== undefined) {
    v.require(mode === "standalone", "singleNodeReason", args.singleNodeReason, "expected none outside standalone mode");
    v.require(args.singleNodeReason.trim().length >= 10, "singleNodeReason", args.singleNodeReason, "expected why one node is enough (10 characters at least); it becomes the policy exemption");
  }
  const aws = base.managed ? resolveRedisAws(v, args.aws, args.persistence, maxmemoryBytes, args.maxmemory) : undefined;
  if (!base.managed && args.aws !== undefined) {
    v.require(false, "aws", args.aws, `expected no aws settings: the store runs in the cluster (${args.platform.kind === "aws" ? "managed: false" : `the ${args.platform.kind} platform`}); they configure ElastiCache, which a RedisStore is on the aws platform unless managed: false`);
  }
  v.throwIfInvalid();
  return {
    ...base,
    image,
    mode,
    nodes,
    persistence: args.persistence,
    maxmemoryBytes,
    evictionPolicy,
    resources,
    storage,
    quorum,
    downAfterMilliseconds,
    failoverTimeoutMilliseconds,
    metrics: args.metrics ?? true,
    allowFrom: args.allowFrom ?? [],
    protect: args.protect ?? false,
    singleNodeReason: args.singleNodeReason,
    aws,
  };
}

/** ElastiCache's settings: node type (given or derived from maxmemory), snapshots, log retention, client security groups. */
function resolveRedisAws(v: Validator, a: RedisAwsArgs | undefined, persistence: RedisPersistence, maxmemoryBytes: number, maxmemory: string | undefined): ResolvedRedisAws {
  let nodeType = a?.nodeType;
  if (nodeType !== undefined) {
    v.require(typeof nodeType === "string" && /^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(nodeType), "aws.nodeType", nodeType, "expected an ElastiCache node type such as \"cache.r7g.large\" (cache.<family>.<size>)");
    // A type of the table that cannot hold an explicit maxmemory contradicts it.
    const known = ELASTICACHE_NODE_TYPES.find((t) => t.nodeType === nodeType);
    const usable = known ? Math.floor(known.memoryGiB * 1024 ** 3 * (1 - ELASTICACHE_DEFAULTS.reservedMemoryPercent / 100)) : undefined;
    if (usable !== undefined && maxmemory !== undefined && maxmemoryBytes > usable) {
      v.require(false, "maxmemory", maxmemory, `expected at most what aws.nodeType ${JSON.stringify(nodeType)} holds (${known!.memoryGiB} GiB less ${ELASTICACHE_DEFAULTS.reservedMemoryPercent} % reserved), or a larger aws.nodeType`);
    }
  } else {
    nodeType = defaultNodeType(maxmemoryBytes);
    if (nodeType === undefined) {
      const largest = ELASTICACHE_NODE_TYPES[ELASTICACHE_NODE_TYPES.length - 1];
      v.require(false, "maxmemory", `${Math.round(maxmemoryBytes / 1024 ** 3)}Gi`, `expected at most what keel's largest default node type holds (${largest.nodeType}: ${largest.memoryGiB} GiB less ${ELASTICACHE_DEFAULTS.reservedMemoryPercent} % reserved), or set aws.nodeType`);
      nodeType = largest.nodeType;
    }
  }
  const snapshotRetentionDays = a?.snapshotRetentionDays ?? (persistence === "none" ? 0 : ELASTICACHE_DEFAULTS.snapshotRetentionDays);
  if (checkCount(v, "aws.snapshotRetentionDays", snapshotRetentionDays, 0, 35, " (ElastiCache keeps daily snapshots up to 35 days)") && persistence !== "none") {
    v.require(snapshotRetentionDays >= 1, "aws.snapshotRetentionDays", snapshotRetentionDays, `expected at least 1 with persistence "${persistence}": on ElastiCache snapshots are what survives losing every node (0 keeps none)`);
  }
  const logRetentionDays = a?.logRetentionDays ?? ELASTICACHE_DEFAULTS.logRetentionDays;
  const retention = logRetentionProblem(logRetentionDays);
  if (retention) v.require(false, "aws.logRetentionDays", logRetentionDays, retention);
  checkClientSecurityGroups(v, "aws.clientSecurityGroupIds", a?.clientSecurityGroupIds);
  return { nodeType, snapshotRetentionDays, logRetentionDays, clientSecurityGroupIds: a?.clientSecurityGroupIds };
}
