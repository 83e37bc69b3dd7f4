/** Environment profiles: what differs between dev and prod, in one place. */
import type { ApiServiceArgs, AwsPlatformArgs, PostgresClusterArgs, RedisStoreArgs, SeaweedStorageArgs } from "../components";

export type EnvironmentName = "dev" | "prod";

export interface Environment {
  readonly name: EnvironmentName;
  /**
   * Protect every stateful resource against deletion and replacement (`protect` +
   * `retainOnDelete`): each blueprint passes it as `protect` to every component that holds
   * state (platform namespaces and CA, data stores, observability stack).
   */
  readonly protect: boolean;
  /** Sizing of a stateless API service. */
  readonly api: Pick<ApiServiceArgs, "replicas" | "autoscaling" | "resources">;
  /** Sizing of the observability stack (receivers come from the blueprint's config). */
  readonly observability: {
    readonly prometheus: { readonly replicas: number; readonly retention: string; readonly storage: string };
    readonly alertmanagerReplicas: number;
    readonly grafanaReplicas: number;
    readonly logRetention: string;
    readonly traceRetention: string;
  };
  /** PostgreSQL: read replicas, sizes, backup retention (seed 000: primary + replica in prod). */
  readonly postgres: Pick<PostgresClusterArgs, "replicas" | "resources" | "storage" | "maxConnections"> & { readonly backupRetentionDays: number };
  /** Redis (seed 000: one node, persistent for session durability). */
  readonly redis: Pick<RedisStoreArgs, "resources" | "storage">;
  /** SeaweedFS (seed 000: 3+ masters and volume servers with replication and erasure coding in prod). */
  readonly seaweed: Pick<SeaweedStorageArgs, "masters" | "volumeServers" | "replication" | "erasureCoding" | "storage" | "s3">;
  /** The aws platform (a platform stack): NAT gateways, node group floor and spare room, log retention. */
  readonly aws: {
    readonly network: Required<Pick<NonNullable<AwsPlatformArgs["network"]>, "natGateways" | "flowLogRetentionDays">>;
    readonly nodes: Required<Pick<AwsPlatformArgs["nodes"], "instanceType" | "minNodes" | "headroom">>;
    readonly logRetentionDays: number;
    readonly ingressReplicas: number;
  };
}

export const environments: Readonly<Record<EnvironmentName, Environment>> = {
  dev: {
    name: "dev",
    protect: false,
    api: {
      replicas: 1,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    },
    observability: {
      prometheus: { replicas: 1, retention: "3d", storage: "10Gi" },
      alertmanagerReplicas: 1,
      grafanaReplicas: 1,
      logRetention: "72h",
      traceRetention: "24h",
    },
    postgres: {
      replicas: 0,
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
      storage: { size: "5Gi" },
      // max_connections: derived from the API's pools (stacks/req1.ts): 2 pods x 10 + 6 reserved, at least 100.
      backupRetentionDays: 7,
    },
    redis: { resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "250m", memory: "256Mi" } }, storage: { size: "1Gi" } },
    seaweed: { masters: 1, volumeServers: 1, replication: "000", storage: { volume: { size: "10Gi" } } },
    // One NAT gateway (an AZ's outage cuts dev's egress: acceptable), two smaller nodes, a month of logs.
    aws: { network: { natGateways: "single", flowLogRetentionDays: 30 }, nodes: { instanceType: "m6i.large", minNodes: 2, headroom: 0.2 }, logRetentionDays: 30, ingressReplicas: 1 },
  },
  prod: {
    name: "prod",
    protect: true,
    api: {
      autoscaling: { minReplicas: 2, maxReplicas: 10, cpuUtilization: 70, memoryUtilization: 80 },
      resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    },
    observability: {
      prometheus: { replicas: 2, retention: "15d", storage: "50Gi" },
      alertmanagerReplicas: 2,
      // One Grafana: its users and sessions live in a SQLite file per replica (ObservabilityStack
      // refuses more than one); the Deployment carries the replicas-minimum exemption saying so.
      grafanaReplicas: 1,
      logRetention: "720h",
      traceRetention: "168h",
    },
    postgres: {
      replicas: 1,
      resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
      storage: { size: "50Gi" },
      // max_connections: derived from the API's pools (stacks/req1.ts): 13 pods x 10 + 7 reserved = 137.
      // Past ~300, put PgBouncer in front rather than raise it (docs/postgres.md, "Connections").
      backupRetentionDays: 30,
    },
    redis: { resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "1Gi" } }, storage: { size: "10Gi" } },
    seaweed: { masters: 3, volumeServers: 4, replication: "001", erasureCoding: true, storage: { volume: { size: "100Gi" } }, s3: { replicas: 2 } },
    // A NAT gateway per AZ, a node per AZ at least, 30 % spare; a year of flow logs, 90 days of control-plane logs.
    aws: { network: { natGateways: "one-per-az", flowLogRetentionDays: 365 }, nodes: { instanceType: "m6i.xlarge", minNodes: 3, headroom: 0.3 }, logRetentionDays: 90, ingressReplicas: 2 },
  },
};
