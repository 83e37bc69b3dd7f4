/**
 * RedisStore: Redis in standalone, replication or sentinel (automatic failover) mode, with
 * persistence chosen explicitly (AOF for session stores, RDB snapshots, or none for caches),
 * a generated password, maxmemory and eviction policy, redis_exporter, PDB and NetworkPolicy.
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
import type { RedisEvictionPolicy, RedisPersistence } from "./config";
import { REDIS_PORT, SENTINEL_PORT, deployRedis } from "./kubernetes";
import { REDIS_DEFAULTS, resolveRedisArgs } from "./resolve";

export type RedisMode = "standalone" | "replication" | "sentinel";

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
   * On the aws platform: `false` runs the store in-cluster on EKS, as on kubernetes. The managed
   * counterpart (ElastiCache) is not supported yet, so on aws this must be `false`; elsewhere it is ignored.
   * @default the managed service on aws (not available yet: an error says so)
   */
  readonly managed?: boolean;
  /** @default "data" */
  readonly tier?: Tier;
}

export class RedisStore extends DataStoreComponent {
  /** REDIS_URL (and REDIS_READ_URL in replication mode; REDIS_SENTINELS/REDIS_SENTINEL_MASTER in sentinel mode). */
  public readonly connection: Connection;
  public readonly kubernetes: { readonly statefulSet: k8s.apps.v1.StatefulSet; readonly credentials: k8s.core.v1.Secret };

  constructor(name: string, args: RedisStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveRedisArgs(name, args);
    super("keel:components:RedisStore", name, {}, opts);
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
export type { ResolvedRedis } from "./resolve";
