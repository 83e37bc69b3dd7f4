/** Validation and defaults for RedisStore: pure, every problem at once, before any resource. */
import { internetPeerProblems } from "../platform/cluster-facts";
import { checkArgShape } from "../core/arg-shape";
import type * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { checkPeerPlatforms } from "../workload/network-access";
import type { NetworkRule } from "../core/network";
import { parseMemory } from "../core/quantities";
import { ResolvedResources, checkEphemeralStorage, resolveResources } from "../core/resources";
import { DataStoreBase, ResolvedStorage, checkCount, checkImage, checkRules, resolveDataStoreBase, resolveStorage, serverWrites } from "../workload/data-store";
import { EVICTION_POLICIES, RedisEvictionPolicy, RedisPersistence } from "./config";
import type { RedisMode, RedisStoreArgs } from "./index";

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
  if (mode === "replication") checkCount(v, "nodes", nodes, 2, 9, " in replication mode (a primary and at least one replica)");
  if (mode === "sentinel") checkCount(v, "nodes", nodes, 3, 9, " in sentinel mode (a sentinel runs beside each node and a failover needs a majority of them)");
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
  if (!storage && (args.persistence === "aof" || args.persistence === "rdb")) {
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
  };
}
