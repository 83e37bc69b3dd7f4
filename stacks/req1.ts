/**
 * req1 (seed 000): a Rust/Axum API serving REST and the SPA, behind nginx ingress with
 * cert-manager TLS, scaled by an HPA in prod, observed by Prometheus, Grafana, the OpenTelemetry
 * Collector, Tempo and Loki; PostgreSQL (primary + streaming replica in prod, encrypted backups
 * with WAL archiving to SeaweedFS), Redis for sessions and cache, SeaweedFS for files. On the aws
 * platform (prod) the same components are RDS, ElastiCache and S3: the API's connections and
 * environment variables are the same.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, PostgresCluster, RedisStore, SeaweedStorage, peers } from "../components";
import { StackConfig, requireString } from "./config";
import { blueprintObservability } from "./observability";
import { blueprintPlatform } from "./platform";

export interface Req1Outputs {
  readonly apiUrl: pulumi.Output<string>;
  readonly publicUrl?: pulumi.Output<string>;
  readonly grafanaUrl?: pulumi.Output<string>;
  readonly namespaces: Record<string, pulumi.Input<string>>;
  readonly databaseHost: pulumi.Output<string>;
  readonly filesUrl: pulumi.Output<string>;
  /** Keep a copy outside the cluster: `pulumi stack output --show-secrets outputs`. */
  readonly backupPassphrase?: pulumi.Output<string>;
}

export async function req1(stack: StackConfig): Promise<Req1Outputs> {
  const settings = stack.config.requireObject<Record<string, unknown>>("req1");
  const image = requireString(settings, "req1", "image");
  const host = requireString(settings, "req1", "host");
  const oidcIssuer = requireString(settings, "req1", "oidcIssuer");
  const oidcClientSecret = stack.config.getSecret("req1OidcClientSecret");
  const env = stack.environment;

  // Without req1OidcClientSecret in the stack config, the API reads the client secret from a
  // Secret someone else creates: a prerequisite, listed by keel check.
  const platform = await blueprintPlatform(stack, "req1", {
    externalObjects:
      oidcClientSecret === undefined
        ? [{ kind: "Secret", namespace: "req1", name: "req1-oidc", keys: ["client-secret"], reason: "the OIDC client secret issued by the identity provider: kubectl -n req1 create secret generic req1-oidc --from-literal=client-secret=..., or set req1OidcClientSecret in the stack config" }]
        : [],
  });

  // Seed 000: Prometheus + Grafana + OpenTelemetry Collector + Tempo + Loki, alerts to Slack/PagerDuty.
  // PostgreSQL's own rules (WAL spool, replication slots) load with the defaults.
  // On aws the database is RDS, which keeps its own automated backups: no backup Job, no bucket
  // for it, no Pushgateway waiting for the Job's metrics.
  const rdsBackups = platform.kind === "aws";
  const observability = blueprintObservability(stack, platform, { name: "req1-obs", section: settings, defaultChannel: "#req1-alerts", extraAlertRules: PostgresCluster.alertRules(), batchJobs: !rdsBackups });

  // Seed 000: SeaweedFS in the storage namespace (files, and the database's backups).
  const files = new SeaweedStorage("req1-files", { platform, ...env.seaweed, buckets: rdsBackups ? ["req1-files"] : ["req1-files", "req1-backups"], protect: env.protect });
  // PostgreSQL: primary (+ streaming replica in prod), daily encrypted dump at 03:00 UTC, WAL archiving.
  const db = new PostgresCluster("req1-db", {
    platform,
    database: "req1",
    username: "req1",
    replicas: env.postgres.replicas,
    resources: env.postgres.resources,
    storage: env.postgres.storage,
    maxConnections: env.postgres.maxConnections,
    // max_connections holds the API's pools (derived when the environment gives none, checked when it
    // does): each pod keeps sqlx's default pool of 10 per URL (DATABASE_URL to the primary,
    // DATABASE_READ_URL to the replicas), and at most the HPA's maxReplicas plus the rollout's 25 %
    // surge (ApiService's default maxSurge, rounded up) run at once: prod 10 + 3 = 13 pods x 10.
    expectedClients: [{ name: "req1-api", maxPods: Math.ceil((env.api.autoscaling?.maxReplicas ?? env.api.replicas ?? 1) * 1.25), poolSize: 10 }],
    backup: rdsBackups ? { retentionDays: env.postgres.backupRetentionDays } : { storage: files.bucketTarget("req1-backups"), retentionDays: env.postgres.backupRetentionDays, metrics: observability.metricsPush },
    protect: env.protect,
  });
  // Redis: sessions, cache and rate limiting; AOF so sessions survive a restart.
  const redis = new RedisStore("req1-redis", {
    platform,
    persistence: "aof",
    // Sessions, cache and rate-limit counters all carry a TTL: at maxmemory the least recently
    // used of them go, instead of every write failing (noeviction, the AOF default).
    evictionPolicy: "volatile-lru",
    ...env.redis,
    singleNodeReason: "seed 000 runs one Redis: sessions persist in its AOF on a retained volume; a restart costs seconds",
    protect: env.protect,
  });

  const api = new ApiService("req1-api", {
    platform,
    image,
    port: 8080,
    component: "api",
    ...stack.environment.api,
    probes: {
      liveness: { path: "/health/live" },
      readiness: { path: "/health/ready" },
    },
    // /metrics on its own port, which the Ingress does not route: the public sees the API only.
    metrics: { port: 9100 },
    env: {
      RUST_LOG: stack.environment.name === "prod" ? "info" : "debug",
      METRICS_ADDR: "0.0.0.0:9100",
      OIDC_ISSUER: oidcIssuer,
      OIDC_CLIENT_ID: "req1",
      // Without a configured secret, the client secret comes from a Secret managed outside Pulumi.
      ...(oidcClientSecret === undefined ? { OIDC_CLIENT_SECRET: { secretKeyRef: { name: "req1-oidc", key: "client-secret" } } } : {}),
    },
    secretEnv: oidcClientSecret === undefined ? undefined : { OIDC_CLIENT_SECRET: oidcClientSecret },
    ingress: {
      host,
      rateLimit: { requestsPerSecond: 20, connections: 50 },
      maxBodySize: "10m",
    },
    telemetry: observability.telemetry,
    // DATABASE_URL (+ DATABASE_READ_URL), REDIS_URL, SEAWEEDFS_URL and S3 keys; NetworkPolicies both ways.
    // The API's S3 identity reaches req1-files only: not the backups, not bucket creation or deletion.
    connections: [db.connection, redis.connection, files.clientConnection({ name: "req1-api", buckets: ["req1-files"], actions: ["Read", "Write", "List", "Tagging"] })],
    // The identity provider is outside the cluster: HTTPS only.
    allowTo: [{ peer: peers.internet(), ports: [{ port: 443 }] }],
  });

  return {
    apiUrl: api.url,
    publicUrl: api.publicUrl,
    grafanaUrl: observability.grafanaUrl,
    namespaces: { ...platform.kubernetes.namespaces },
    databaseHost: db.connection.host,
    filesUrl: files.s3Url,
    backupPassphrase: db.backupPassphrase,
  };
}
