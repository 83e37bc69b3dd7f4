/**
 * todo (seed 002): the Rust todo app (Axum on port 8000, JWT auth) behind a Service on 80 and the
 * ingress controller (TLS there, as the seed's load balancer does), PostgreSQL (primary, plus two
 * read replicas in prod), Prometheus and Grafana, and Loki for the seed's log aggregation.
 *
 * Where keel differs from the seed, and why:
 * - The seed's image tag is `latest`; keel refuses unpinned images, so the stack file pins a
 *   version tag (the seed's registry publishes `v1.0.0`).
 * - The seed's HEALTHCHECK (curl) is Docker's; Kubernetes probes the same `/health` endpoint.
 * - The seed's dev database is a compose container with the password "password"; here the
 *   password is generated and DATABASE_URL comes from a Secret in every environment.
 * - `JWT_SECRET` is `dev_secret` in the seed's dev environment and a vault value in prod: here it
 *   is generated per stack (a random 64-character value, kept in a Secret), so no environment
 *   ever signs tokens with a known key.
 * - The app serves `/metrics` on its one port, so Prometheus scrapes port 8000; the Ingress
 *   routes `/` to the same port, so `/metrics` is reachable through it too: the seed's app has
 *   no separate metrics port (req1's has one; see its blueprint).
 * - The seed names no backups and no object store for them; the aws platform moves prod's
 *   database to RDS with automated backups. On kubernetes, add a SeaweedStorage (or any S3
 *   target) and PostgresCluster's `backup` as req1 does.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ApiService, PostgresCluster, ResourcesArgs } from "../components";
import { StackConfig, requireString } from "./config";
import type { EnvironmentName } from "./environments";
import { blueprintObservability } from "./observability";
import { blueprintPlatform } from "./platform";

/** The seed's figures per environment (dev: the seed's single-node compose; prod: its Kubernetes manifests). */
export interface TodoProfile {
  /** The seed's Deployment: 3 replicas (dev: one, as its compose file runs). */
  readonly replicas: number;
  /** "Read Replicas: for read-heavy workloads": two in prod (Replica 1, Replica 2), none in dev. */
  readonly databaseReplicas: number;
  readonly databaseStorage: string;
  /** RUST_LOG: debug in development, info in production (the seed's environment table). */
  readonly rustLog: string;
}

/** The seed's container resources (the same in both of its manifests). */
export const TODO_RESOURCES: ResourcesArgs = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

export const TODO_PROFILES: Readonly<Record<EnvironmentName, TodoProfile>> = {
  dev: { replicas: 1, databaseReplicas: 0, databaseStorage: "2Gi", rustLog: "debug" },
  prod: { replicas: 3, databaseReplicas: 2, databaseStorage: "20Gi", rustLog: "info" },
};

/**
 * The database pool each app pod opens: sqlx's default (10). The seed says "connection pooling:
 * configurable pool size" and gives no figure.
 */
const POOL_SIZE = 10;

export interface TodoOutputs {
  readonly appUrl: pulumi.Output<string>;
  readonly publicUrl?: pulumi.Output<string>;
  readonly grafanaUrl?: pulumi.Output<string>;
  readonly namespaces: Record<string, pulumi.Input<string>>;
  readonly databaseHost: pulumi.Output<string>;
}

export async function todo(stack: StackConfig): Promise<TodoOutputs> {
  const settings = stack.config.requireObject<Record<string, unknown>>("todo");
  const image = requireString(settings, "todo", "image");
  const host = requireString(settings, "todo", "host");
  const env = stack.environment;
  const profile = TODO_PROFILES[env.name];

  // The seed gives the app no namespace of its own: keel's tiers, named for the system. What the
  // blueprint relies on in the image is stated where `keel check` lists prerequisites.
  const platform = await blueprintPlatform(stack, "todo", {
    namespaces: { app: "todo", data: "todo-data", storage: "todo-data", monitoring: "todo-monitoring" },
    userImages: [
      {
        reference: image,
        reason:
          "the Rust todo app: listens on ADDRESS:PORT (0.0.0.0:8000 here), serves GET /health and the seed's Prometheus /metrics on 8000; it runs no migrations, so the tables of its db/init.sql must exist in database todo_app (apply it once after the first pulumi up, with psql and the app's DATABASE_URL)",
      },
    ],
  });

  // Seed: "Prometheus :9090, Grafana :3000, Log Aggregation"; the app does not trace.
  const observability = blueprintObservability(stack, platform, {
    name: "todo-obs",
    section: settings,
    defaultChannel: "#todo-alerts",
    extraAlertRules: PostgresCluster.alertRules(),
    traces: false,
    // No backup job pushes metrics (see the note on backups above).
    batchJobs: false,
  });

  const db = new PostgresCluster("todo-db", {
    platform,
    database: "todo_app",
    username: "todo_app",
    replicas: profile.databaseReplicas,
    storage: { size: profile.databaseStorage },
    // Every pod's pool, at the rollout's peak (3 replicas + 25 % surge = 4 pods).
    expectedClients: [{ name: "todo-app", maxPods: Math.ceil(profile.replicas * 1.25), poolSize: POOL_SIZE }],
    protect: env.protect,
  });

  const jwtSecret = new random.RandomPassword("todo-jwt-secret", { length: 64, special: false }, { protect: env.protect, retainOnDelete: env.protect });

  const app = new ApiService("todo-app", {
    platform,
    image,
    port: 8000,
    servicePort: 80,
    component: "app",
    replicas: profile.replicas,
    resources: TODO_RESOURCES,
    probes: {
      // The seed's probes: the same endpoint, different timings (so a busy pod leaves rotation
      // before it is restarted). Its liveness delay of 30 s does a startup probe's work.
      startup: false,
      liveness: { path: "/health", initialDelaySeconds: 30, periodSeconds: 10 },
      readiness: { path: "/health", initialDelaySeconds: 5, periodSeconds: 5 },
    },
    // The seed's table names HOST; the app's code reads ADDRESS (default 127.0.0.1, which no probe
    // or Service reaches): both are set.
    env: { RUST_LOG: profile.rustLog, HOST: "0.0.0.0", ADDRESS: "0.0.0.0", PORT: "8000" },
    secretEnv: { JWT_SECRET: jwtSecret.result },
    ingress: { host, rateLimit: { requestsPerSecond: 20, connections: 50 } },
    // DATABASE_URL (and DATABASE_READ_URL in prod) from the database's Secret; both directions allowed.
    connections: [db.connection],
  });

  return {
    appUrl: app.url,
    publicUrl: app.publicUrl,
    grafanaUrl: observability.grafanaUrl,
    namespaces: { ...platform.kubernetes.namespaces },
    databaseHost: db.connection.host,
  };
}
