/**
 * bookworm's data tier (seed 001, namespace bookworm-data): PostgreSQL (primary + replica in
 * prod), Redis, RabbitMQ (clustered in prod), Qdrant, Keycloak on its own PostgreSQL (HA in
 * prod), Mailpit in dev only, and SeaweedFS holding the databases' backups.
 *
 * Where keel differs from the seed, and why:
 * - Redis: the seed asks for "Cluster mode". keel's RedisStore offers sentinel (a primary, replicas
 *   and automatic failover), which is what the seed needs it for (cache and baskets that survive
 *   a node's loss): Redis Cluster shards keys across nodes, refuses multi-key commands across
 *   slots and needs cluster-aware clients; bookworm's working set (baskets, cached pages) fits in
 *   one node's memory, so sharding buys nothing and "memory-based scaling" is a larger limit.
 *   StackExchange.Redis (the .NET client) speaks sentinel (`serviceName=`).
 * - Qdrant: one node in every environment ("Single/Multi-node"): its collections are derived
 *   from the catalog and rebuilt from it, and distributed mode (sharding over the p2p port) is a
 *   Qdrant cluster keel does not configure yet.
 * - "Blob Storage: Azure Blob/S3, geo-redundant": SeaweedFS in the cluster holds the backups; the
 *   aws platform moves it to S3.
 * - The seed's RTO/RPO (4 h / 1 h): daily encrypted dumps at 03:00 UTC plus WAL archived at least
 *   every 5 minutes (PostgresCluster's backup), restored with docs/postgres.md's procedure.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { SystemPlatform } from "../platform";
import { Connection, EnvValue, MetricsPushTarget, PostgresCluster, credentialEnv, RabbitMqCluster, RedisStore, SeaweedStorage, StatefulService } from "../../components";
import type { StackConfig } from "../config";
import type { BookwormProfile } from "./profiles";

/**
 * Pinned images of the data tier's services that keel has no component for. Qdrant's
 * `-unprivileged` build runs as uid 1000 (the plain one as root); Mailpit is a static binary that
 * writes only its temporary database under /tmp.
 */
export const BOOKWORM_IMAGES = {
  qdrant: "qdrant/qdrant:v1.16.3-unprivileged",
  mailpit: "axllent/mailpit:v1.28.0",
} as const;

/**
 * Keycloak runs from an optimized image the team builds (docs/bookworm.md has its Dockerfile):
 * the stock image's `start` first re-builds Quarkus into /opt/keycloak/lib/quarkus, which a
 * read-only root filesystem refuses; `kc.sh build` with the build-time options (PostgreSQL,
 * health, metrics, the relative path /identity) done once in the image lets `start --optimized`
 * write only its data directory. Keycloak 26 refuses to start when a runtime value of a
 * build-time option differs from the built one: KC_HTTP_RELATIVE_PATH below must match the image.
 */
export const KEYCLOAK_VERSION = "26.1.4";

export interface BookwormData {
  readonly db: PostgresCluster;
  readonly cache: RedisStore;
  readonly broker: RabbitMqCluster;
  readonly vectors: StatefulService;
  /** Qdrant's API key (secret): clients send it as `api-key`. */
  readonly vectorsApiKey: pulumi.Output<string>;
  readonly identity: StatefulService;
  /** Mailpit (dev only). */
  readonly mail?: StatefulService;
}

export interface DataTierOptions {
  readonly stack: StackConfig;
  readonly platform: SystemPlatform;
  readonly profile: BookwormProfile;
  /** The public host: Keycloak is served under https://<host>/identity through the gateway. */
  readonly host: string;
  /** Keycloak's optimized image (a prerequisite the team builds). */
  readonly identityImage: string;
  readonly metricsPush?: MetricsPushTarget;
  /** Most pods that open a database pool at once, per service (for max_connections). */
  readonly databaseClients: readonly { readonly name: string; readonly maxPods: number; readonly poolSize: number }[];
}

/** A connection's username or password, which every store bookworm uses has: a secret Output, or a Secrets Manager reference (RDS). */
export function credential(connection: Connection, field: "username" | "password"): EnvValue {
  const value = credentialEnv(connection, field);
  if (value === undefined) throw new Error(`bookworm: the ${connection.kind} connection has no ${field}, which the services' connection strings need`);
  return value;
}

/** `value` in `env` when it is a reference (Secrets Manager), in `secretEnv` when it is a secret Output. */
export function splitSecret(name: string, value: EnvValue): { env: Record<string, EnvValue>; secretEnv: Record<string, pulumi.Input<string>> } {
  return typeof value === "object" && value !== null && !pulumi.Output.isInstance(value) && "secretsManager" in value ? { env: { [name]: value }, secretEnv: {} } : { env: {}, secretEnv: { [name]: value as pulumi.Input<string> } };
}

/** Keycloak's path under the public host (KC_HTTP_RELATIVE_PATH), proxied by the gateway. */
export const IDENTITY_PATH = "/identity";
/** Keycloak's database pool per replica (Quarkus' default is 100; two replicas hold 40 at most). */
const IDENTITY_POOL = 20;

export function bookwormData(o: DataTierOptions): BookwormData {
  const { platform, profile } = o;
  const env = o.stack.environment;
  const protect = env.protect;

  const retentionDays = profile.backupRetentionDays;
  // On aws the databases are RDS, which keeps its own automated backups: no bucket for them.
  const files = retentionDays === undefined || platform.kind === "aws" ? undefined : new SeaweedStorage("bookworm-files", { platform, ...env.seaweed, buckets: ["bookworm-backups"], protect });
  const backup = (prefix: string) => (files ? { backup: { storage: files.bucketTarget("bookworm-backups"), prefix, retentionDays, metrics: o.metricsPush } } : retentionDays !== undefined ? { backup: { retentionDays } } : {});

  const db = new PostgresCluster("bookworm-db", {
    platform,
    database: "bookworm",
    username: "bookworm",
    replicas: profile.databaseReplicas,
    resources: env.postgres.resources,
    storage: { size: profile.databaseStorage },
    expectedClients: o.databaseClients,
    ...backup("bookworm-db"),
    protect,
  });

  const cache = new RedisStore("bookworm-cache", {
    platform,
    persistence: "aof",
    evictionPolicy: "volatile-lru",
    ...env.redis,
    ...(profile.cacheNodes > 1
      ? { mode: "sentinel" as const, nodes: profile.cacheNodes }
      : { singleNodeReason: "dev runs one Redis, as the seed's local environment does; prod runs three with sentinels" }),
    protect,
  });

  const broker = new RabbitMqCluster("bookworm-mq", {
    platform,
    replicas: profile.brokerNodes,
    vhost: "bookworm",
    username: "bookworm",
    // Per-queue series (rabbitmq_queue_messages_ready{queue}): ordering's HPA scales on its queue.
    perObjectMetrics: true,
    ...(profile.brokerNodes === 1 ? { singleNodeReason: "dev runs one RabbitMQ node, as the seed's local environment does; prod runs a cluster of three" } : {}),
    protect,
  });

  const vectorsApiKey = pulumi.secret(new random.RandomPassword("bookworm-vectors-api-key", { length: 40, special: false }, { protect, retainOnDelete: protect }).result);
  const vectors = new StatefulService("bookworm-vectors", {
    platform,
    image: BOOKWORM_IMAGES.qdrant,
    component: "vectors",
    ports: [{ name: "grpc", port: 6334 }, { name: "http", port: 6333 }],
    volumes: [{ name: "storage", mountPath: "/qdrant/storage", size: profile.vectorStorage }],
    env: {
      QDRANT__TELEMETRY_DISABLED: "true",
      // Snapshots beside the collections, on the volume; the marker Qdrant's entrypoint checks
      // after an out-of-memory restart in keel's /tmp (kept across container restarts).
      QDRANT__STORAGE__SNAPSHOTS_PATH: "/qdrant/storage/snapshots",
      QDRANT_INIT_FILE_PATH: "/tmp/.qdrant-initialized",
    },
    secretEnv: { QDRANT__SERVICE__API_KEY: vectorsApiKey },
    probes: {
      startup: { path: "/readyz", port: 6333, periodSeconds: 5, failureThreshold: 60 },
      liveness: { path: "/livez", port: 6333, periodSeconds: 15 },
      readiness: { path: "/readyz", port: 6333, periodSeconds: 5 },
    },
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: env.name === "prod" ? "2Gi" : "512Mi" } },
    // /metrics needs the API key, which Prometheus would then hold: not scraped.
    singleReplicaReason: "Qdrant's collections are rebuilt from the catalog; its distributed mode is not configured by keel yet (see stacks/bookworm/data.ts)",
    clientEnv: { QDRANT_URL: "http://{host}:{port}" },
    protect,
  });

  // Keycloak's own database: identities and credentials stay apart from the application's data.
  const identityDb = new PostgresCluster("bookworm-identity-db", {
    platform,
    database: "keycloak",
    username: "keycloak",
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    storage: { size: "5Gi" },
    expectedClients: [{ name: "bookworm-identity", maxPods: profile.identityReplicas, poolSize: IDENTITY_POOL }],
    ...backup("bookworm-identity-db"),
    protect,
  });
  const adminPassword = pulumi.secret(new random.RandomPassword("bookworm-identity-admin-password", { length: 32, special: false }, { protect, retainOnDelete: protect }).result);
  const headless = "bookworm-identity-headless";
  const dbPassword = splitSecret("KC_DB_PASSWORD", credential(identityDb.connection, "password"));
  const ha = profile.identityReplicas > 1;
  const identity = new StatefulService("bookworm-identity", {
    platform,
    image: o.identityImage,
    component: "identity",
    replicas: profile.identityReplicas,
    // JGroups: 7800 between replicas, 57800 for failure detection (7800 + its 50000 offset).
    ports: [{ name: "http", port: 8080 }, { name: "management", port: 9000 }, ...(ha ? [{ name: "jgroups", port: 7800 }, { name: "jgroups-fd", port: 57800 }] : [])],
    args: ["start", "--optimized"],
    volumes: [{ name: "data", mountPath: "/opt/keycloak/data", size: "1Gi" }],
    security: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
    env: {
      KC_HOSTNAME: `https://${o.host}${IDENTITY_PATH}`,
      KC_HTTP_RELATIVE_PATH: IDENTITY_PATH,
      // Services inside the cluster fetch keys and tokens on the internal URL.
      KC_HOSTNAME_BACKCHANNEL_DYNAMIC: "true",
      KC_HTTP_ENABLED: "true",
      KC_PROXY_HEADERS: "xforwarded",
      KC_DB_URL_HOST: identityDb.connection.host,
      KC_DB_URL_DATABASE: "keycloak",
      KC_DB_USERNAME: "keycloak",
      // RDS accepts TLS only (rds.force_ssl).
      ...(identityDb.connection.tls ? { KC_DB_URL_PROPERTIES: "?sslmode=require" } : {}),
      ...dbPassword.env,
      KC_DB_POOL_MAX_SIZE: String(IDENTITY_POOL),
      // Set explicitly (the default stack changed within 26.x): DNS_PING on the headless Service.
      KC_CACHE: ha ? "ispn" : "local",
      ...(ha ? { KC_CACHE_STACK: "kubernetes", JAVA_OPTS_APPEND: pulumi.interpolate`-Djgroups.dns.query=${headless}.${platform.kubernetes.namespaces.data}.svc.cluster.local` } : {}),
      KC_BOOTSTRAP_ADMIN_USERNAME: "admin",
    },
    secretEnv: { ...dbPassword.secretEnv, KC_BOOTSTRAP_ADMIN_PASSWORD: adminPassword },
    connections: [{ connection: identityDb.connection, rename: { DATABASE_URL: false } }],
    probes: {
      // The Keycloak operator's budget: up to 10 minutes to start (schema migrations included).
      startup: { path: `${IDENTITY_PATH}/health/started`, port: 9000, periodSeconds: 5, failureThreshold: 120 },
      liveness: { path: `${IDENTITY_PATH}/health/live`, port: 9000, periodSeconds: 10, failureThreshold: 3 },
      readiness: { path: `${IDENTITY_PATH}/health/ready`, port: 9000, periodSeconds: 10 },
    },
    metrics: { port: 9000, path: `${IDENTITY_PATH}/metrics` },
    // Keycloak's sizing guide: 1250 MB per pod with its caches (heap 70 % of the limit); dev holds few sessions.
    resources: ha
      ? { requests: { cpu: "500m", memory: "1250Mi" }, limits: { cpu: "2", memory: "1360Mi" } }
      : { requests: { cpu: "250m", memory: "768Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    ...(ha ? {} : { singleReplicaReason: "dev runs one Keycloak; prod runs two sharing caches over JGroups" }),
    clientEnv: { KEYCLOAK_URL: `http://{host}:{port}${IDENTITY_PATH}` },
    protect,
  });

  const mail = profile.mailpit
    ? new StatefulService("bookworm-mail", {
        platform,
        image: BOOKWORM_IMAGES.mailpit,
        component: "mail",
        ports: [{ name: "smtp", port: 1025 }, { name: "http", port: 8025 }],
        env: { MP_MAX_MESSAGES: "500", MP_SMTP_AUTH_ACCEPT_ANY: "true", MP_SMTP_AUTH_ALLOW_INSECURE: "true" },
        probes: { liveness: { path: "/livez", port: 8025, periodSeconds: 15 }, readiness: { path: "/readyz", port: 8025, periodSeconds: 5 } },
        resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
        singleReplicaReason: "Mailpit catches dev's mail for people to read; nothing depends on it",
        clientEnv: { SMTP_URL: "smtp://{host}:{port}" },
      })
    : undefined;

  return { db, cache, broker, vectors, vectorsApiKey, identity, mail };
}
