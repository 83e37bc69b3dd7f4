/**
 * RedisStore: Redis in standalone, replication or sentinel (automatic failover) mode, with
 * persistence chosen explicitly (AOF for session stores, RDB snapshots, or none for caches),
 * a generated password, maxmemory and eviction policy, redis_exporter, PDB and NetworkPolicy.
 * On the aws platform it is an ElastiCache replication group (aws.ts) unless `managed: false`;
 * the connection is the same (REDIS_URL), with TLS (`rediss://`).
 *
 * ```ts
 * const cache = new RedisStore("req1-redis", { platform, persistence: "aof" });
 * new ApiService("api", { platform, image, connections: [cache.connection] }); // REDIS_URL
 * ```
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Connection, urlWithPassword } from "../core/connection";
import type { NetworkRule } from "../core/network";
import type { ResourcesArgs } from "../core/resources";
import type { Platform, Tier } from "../platform/types";
import { DataStoreComponent, StorageArgs } from "../workload/data-store";
import { ELASTICACHE_PORT, RedisAwsResources, deployElastiCache } from "./aws";
import type { RedisEvictionPolicy, RedisPersistence } from "./config";
import { REDIS_PORT, SENTINEL_PORT, deployRedis } from "./kubernetes";
import { REDIS_DEFAULTS, resolveRedisArgs } from "./resolve";

export type RedisMode = "standalone" | "replication" | "sentinel";

/** ElastiCache settings (the aws platform, unless `managed: false`). docs/data-stores.md, "RedisStore on aws (ElastiCache)". */
export interface RedisAwsArgs {
  /** The node type, `cache.<family>.<size>`. @default the smallest of keel's table (cache.t4g/m7g/r7g) whose memory less 25 % reserved holds `maxmemory` */
  readonly nodeType?: string;
  /** Days ElastiCache keeps its daily snapshots (0-35). @default 7 with persistence "aof"/"rdb", 0 with "none" */
  readonly snapshotRetentionDays?: number;
  /** Days the slow and engine logs are kept in CloudWatch (one of CloudWatch's periods). @default 30 */
  readonly logRetentionDays?: number;
  /** Security groups for pods admitted instead of the cluster's nodes (every pod). @default the cluster's node security group */
  readonly clientSecurityGroupIds?: readonly pulumi.Input<string>[];
}

export interface RedisStoreArgs {
  readonly platform: Platform;
  /**
   * What survives a restart, chosen explicitly: "aof" (every write logged, fsync each second: a
   * session store), "rdb" (periodic snapshots), "none" (a cache that restarts empty).
   */
  readonly persistence: RedisPersistence;
  /** @default "standalone" */
  readonly mode?: RedisMode;
  /** Redis servers: 1 standalone; a primary + replicas (>= 2) in replication; >= 3 in sentinel mode (a sentinel beside each). @default 1 / 2 / 3 */
  readonly nodes?: number;
  /** @default "redis:7.4.1-alpine" */
  readonly image?: pulumi.Input<string>;
  /** Memory for data, below the memory limit. @default 75% of the memory limit */
  readonly maxmemory?: string;
  /** What happens at maxmemory. @default "allkeys-lru" with persistence "none", else "noeviction" (writes fail rather than lose data) */
  readonly evictionPolicy?: RedisEvictionPolicy;
  /** Per node. @default requests 100m/256Mi, limits 500m/1Gi (seed 003) */
  readonly resources?: ResourcesArgs;
  /** A volume per node (required with aof/rdb). @default { size: "10Gi" } with persistence, none without */
  readonly storage?: StorageArgs | false;
  /** Sentinel mode: failover after `downAfterMilliseconds` (5000) agreed by `quorum` (a majority) sentinels. */
  readonly sentinel?: { readonly quorum?: number; readonly downAfterMilliseconds?: number; readonly failoverTimeoutMilliseconds?: number };
  /** redis_exporter sidecar. @default true */
  readonly metrics?: boolean;
  /** Who may connect (besides `connections` of ApiServices). */
  readonly allowFrom?: readonly NetworkRule[];
  /** Why one standalone node is enough in prod (becomes the replicas-minimum exemption); without it, prod's policy asks for more. */
  readonly singleNodeReason?: string;
  /**
   * Protect every stateful child (prod): the StatefulSets, the credentials Secret and the generated password. Each gets Pulumi's `protect` and `retainOnDelete`
   * (`pulumi destroy`, a deletion or a replacement fails instead of losing data or access).
   * Volumes are always retained. @default false
   */
  readonly protect?: boolean;
  /**
   * On the aws platform: an Amazon ElastiCache replication group (true), or `false` to run the
   * store in-cluster on EKS, as on kubernetes. Elsewhere only `false` (or nothing) is accepted.
   * @default true on aws
   */
  readonly managed?: boolean;
  /** ElastiCache settings; only for a managed store (aws platform without `managed: false`). */
  readonly aws?: RedisAwsArgs;
  /** @default "data" */
  readonly tier?: Tier;
}

export class RedisStore extends DataStoreComponent {
  /** REDIS_URL (and REDIS_READ_URL in replication mode; REDIS_SENTINELS/REDIS_SENTINEL_MASTER in sentinel mode). */
  public readonly connection: Connection;
  /** The in-cluster objects (kubernetes, or aws with `managed: false`). */
  public readonly kubernetes?: { readonly statefulSet: k8s.apps.v1.StatefulSet; readonly credentials: k8s.core.v1.Secret };
  /** The ElastiCache resources (aws, managed). */
  public readonly aws?: RedisAwsResources;

  constructor(name: string, args: RedisStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveRedisArgs(name, args);
    super("keel:components:RedisStore", name, {}, opts);
    if (r.managed) {
      const e = deployElastiCache(this, r, args.platform);
      this.aws = { replicationGroup: e.replicationGroup, parameterGroup: e.parameterGroup, subnetGroup: e.subnetGroup, securityGroup: e.securityGroup, kmsKey: e.kmsKey, logGroups: e.logGroups };
      const url = urlWithPassword("rediss", undefined, e.password, e.host, ELASTICACHE_PORT, "/0");
      const env: Record<string, pulumi.Input<string>> = { REDIS_URL: url };
      const secretEnv = ["REDIS_URL"];
      if (e.readOnlyHost) {
        env.REDIS_READ_URL = urlWithPassword("rediss", undefined, e.password, e.readOnlyHost, ELASTICACHE_PORT, "/0");
        secretEnv.push("REDIS_READ_URL");
      }
      this.connection = { kind: "redis", host: e.host, port: ELASTICACHE_PORT, readOnlyHost: e.readOnlyHost, password: e.password, tls: true, url, env, secretEnv, endpoint: e.endpoint };
      this.attachManaged(e.endpoint, r.allowFrom);
      this.registerOutputs({ host: e.host, url });
      return;
    }
    const d = deployRedis(this, r);
    this.attachClients(d.clients);
    this.kubernetes = { statefulSet: d.nodes.workload as k8s.apps.v1.StatefulSet, credentials: d.credentials };
    const url =
      r.mode === "sentinel" && d.sentinels
        ? pulumi.secret(pulumi.all([d.password, d.sentinels]).apply(([p, s]) => `redis+sentinel://:${encodeURIComponent(p)}@${s}/${REDIS_DEFAULTS.sentinel.masterName}`))
        : urlWithPassword("redis", undefined, d.password, d.host, REDIS_PORT, "/0");
    const env: Record<string, pulumi.Input<string>> = { REDIS_URL: url };
    const secretEnv = ["REDIS_URL"];
    if (d.readOnlyHost) {
      env.REDIS_READ_URL = urlWithPassword("redis", undefined, d.password, d.readOnlyHost, REDIS_PORT, "/0");
      secretEnv.push("REDIS_READ_URL");
    }
    if (r.mode === "sentinel" && d.sentinels) {
      env.REDIS_SENTINELS = d.sentinels;
      env.REDIS_SENTINEL_MASTER = REDIS_DEFAULTS.sentinel.masterName;
      env.REDIS_PASSWORD = d.password;
      secretEnv.push("REDIS_PASSWORD");
    }
    this.connection = {
      kind: "redis",
      host: d.host,
      port: r.mode === "sentinel" ? SENTINEL_PORT : REDIS_PORT,
      readOnlyHost: d.readOnlyHost,
      password: d.password,
      passwordSecret: { name: d.credentials.metadata.name, namespace: r.namespace, key: "password" },
      url,
      env,
      secretEnv,
      endpoint: d.clients,
    };
    this.registerOutputs({ host: d.host, url });
  }

}

export { redisConf, redisNodeScript, redisSentinelScript, EVICTION_POLICIES } from "./config";
export type { RedisEvictionPolicy, RedisPersistence, RedisSettings } from "./config";
export { resolveRedisArgs } from "./resolve";
export type { ResolvedRedis, ResolvedRedisAws } from "./resolve";
export type { RedisAwsResources } from "./aws";
