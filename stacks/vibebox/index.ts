/**
 * vibebox (seed 003): a React frontend (static files served by nginx) and a Fastify backend that
 * starts users' containers through Docker daemons on every node, with PostgreSQL and Redis,
 * observed by Prometheus, Grafana and Loki with Alertmanager paging through Slack and PagerDuty.
 * Namespaces as the seed draws them: vibebox-frontend, vibebox-backend, vibebox-database,
 * vibebox-docker (and vibebox-monitoring for the observability stack).
 *
 * Where keel differs from the seed, and why:
 * - Frontend image: the seed's `nginx:alpine` runs as root on port 80; keel runs the team's image
 *   built on nginx-unprivileged (uid 101, port 8080, read-only root filesystem, /tmp a volume),
 *   behind a Service on 80. nginx has no /metrics: it is not scraped.
 * - Docker daemons: the seed mounts one 500Gi ReadWriteMany volume (EFS) into every daemon. Two
 *   daemons cannot share a data root and overlay2 does not run on NFS, so each daemon keeps
 *   /var/lib/docker on an emptyDir of its own (components/docker-daemon/index.ts says why not
 *   an ephemeral PVC) and the 500Gi volume holds the shared workspaces at /workspaces.
 * - The daemons' API on TCP 2375 (the seed's port) is unauthenticated and root-equivalent on
 *   its node: only the backend is admitted, and docs/vibebox.md shows TLS on 2376.
 * - "Secret Manager / External KMS": keel generates the database and Redis passwords and the
 *   backup passphrase into Kubernetes Secrets; syncing them from a vault is outside keel.
 * - The seed's service mesh is "optional": not deployed (the platform's `mesh` meshes the
 *   backend's tier, as bookworm's prod does; the frontend's namespace is outside the mesh). Its
 *   CDN and load balancer are in front of the ingress controller, outside the cluster; its CI/CD
 *   (GitHub Actions, ArgoCD) is too.
 * - Backups ("daily to S3") go to SeaweedFS' S3 API in the cluster, as req1's do: losing the
 *   cluster loses them with the data. The aws platform moves them to S3 (the aws issues); until
 *   then, replicate the bucket off the cluster.
 * - Jaeger (traces): the seed's backend does not say it exports traces; no Tempo is deployed.
 * - The seed's resource table's totals do not add up from its rows: see `capacity.ts`.
 * - The seed has no development figures: dev is sized for a laptop (profiles.ts says how).
 * - Loki (prod) collects the logs of the platform's tiers; the frontend's and the daemons'
 *   namespaces are not among them (read those with kubectl).
 * - "Alert if backup > 2 hours old" is always true of a daily job between runs: BackupTooOld
 *   fires when the last success is older than the schedule's 24 h plus 2 h (26 h, the
 *   ObservabilityStack default, which the test asserts).
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, DockerDaemon, PostgresCluster, RedisStore, SeaweedStorage, peers } from "../../components";
import { StackConfig, requireString } from "../config";
import { blueprintObservability } from "../observability";
import { blueprintPlatform } from "../platform";
import { BACKEND_PROBES, VIBEBOX_PROFILES } from "./profiles";

export interface VibeboxOutputs {
  readonly publicUrl?: pulumi.Output<string>;
  readonly backendUrl: pulumi.Output<string>;
  readonly grafanaUrl?: pulumi.Output<string>;
  readonly namespaces: Record<string, pulumi.Input<string>>;
  readonly databaseHost: pulumi.Output<string>;
  readonly dockerHost: pulumi.Output<string>;
  /** Keep a copy outside the cluster: `pulumi stack output --show-secrets backupPassphrase`. */
  readonly backupPassphrase?: pulumi.Output<string>;
}

export const NAMESPACES = { frontend: "vibebox-frontend", backend: "vibebox-backend", database: "vibebox-database", docker: "vibebox-docker", monitoring: "vibebox-monitoring" } as const;

/** The seed's StorageClass: gp3 with 3000 provisioned IOPS, created where the platform can (eks); volumes retained. */
export const FAST_SSD = { name: "fast-ssd", iops: 3000 } as const;

/** Where prod's HPA gets the WebSocket metric: prometheus-adapter (a prerequisite, the chart's labels), querying keel's Prometheus. */
export const METRICS_ADAPTER = { namespace: "vibebox-system", podLabels: { "app.kubernetes.io/name": "prometheus-adapter" } } as const;

/**
 * The Docker daemons' image: docker-library's dind build of Docker Engine 29.7.2 (docker-library/docker
 * `29/dind`: entrypoint dockerd-entrypoint.sh, VOLUME /var/lib/docker, EXPOSE 2375 2376).
 */
export const DOCKER_IMAGE = "docker:29.7.2-dind";

/** Fastify's port; the seed's Ingress reaches the backend on 3000, so its Service listens there too. */
const BACKEND_PORT = 3000;
/** The database pool each backend pod opens (node-postgres' default `max`). */
const POOL_SIZE = 10;

export async function vibebox(stack: StackConfig): Promise<VibeboxOutputs> {
  const settings = stack.config.requireObject<Record<string, unknown>>("vibebox");
  const frontendImage = requireString(settings, "vibebox", "frontendImage");
  const backendImage = requireString(settings, "vibebox", "backendImage");
  const host = requireString(settings, "vibebox", "host");
  const env = stack.environment;
  const profile = VIBEBOX_PROFILES[env.name];
  const protect = env.protect;
  // EKS: an existing one (keel:kubernetes) or the aws platform's, which has fast-ssd and `efs` (Pulumi.platform-prod.yaml).
  const eks = stack.platform === "aws" || stack.kubernetes.cluster?.distribution === "eks";

  const platform = await blueprintPlatform(stack, "vibebox", {
    namespaces: { app: NAMESPACES.backend, data: NAMESPACES.database, storage: NAMESPACES.database, monitoring: NAMESPACES.monitoring },
    ...(eks ? { gp3StorageClasses: [FAST_SSD] } : {}),
    userImages: [
      { reference: frontendImage, reason: "vibebox's React build on nginxinc/nginx-unprivileged (uid 101): serves the static files on 8080 (GET / answers 200), writes only /tmp; built by vibebox's CI" },
      { reference: DOCKER_IMAGE, reason: "Docker Engine 29.7.2 with the dind entrypoint (docker-library/docker 29/dind, Docker Hub): runs dockerd as root, listens on 2375 when DOCKER_TLS_CERTDIR is empty, keeps its state in /var/lib/docker" },
      {
        reference: backendImage,
        reason: "vibebox's Fastify API (node:20-alpine): listens on 0.0.0.0:3000, serves its API and WebSockets under /api (the Ingress does not rewrite the path), /health/startup, /health/live, /health/ready and Prometheus /metrics (with websocket_connections_active), reads DATABASE_URL, REDIS_URL and DOCKER_HOST; built by vibebox's CI",
      },
    ],
  });
  const fastSsd = eks ? FAST_SSD.name : undefined;

  const observability = blueprintObservability(stack, platform, {
    name: "vibebox-obs",
    section: settings,
    defaultChannel: "#vibebox-alerts",
    extraAlertRules: PostgresCluster.alertRules(),
    logs: profile.logs,
    // The seed's Jaeger: see the header.
    traces: false,
    // On aws the database is RDS, which keeps its own automated backups: no backup Job to watch.
    batchJobs: profile.backupRetentionDays !== undefined && platform.kind !== "aws",
  });
  // The adapter serving the backend's custom metric queries this Prometheus: the aws platform's own, or the prerequisite's.
  const adapter = platform.kind === "aws" ? platform.shape.metricsAdapter : METRICS_ADAPTER;
  if ("autoscaling" in profile.backend && adapter) observability.allowPrometheusQueriesFrom(peers.namespace(adapter.namespace, { ...adapter.podLabels }));

  // ---- Data layer (vibebox-database) -------------------------------------------------------
  const retentionDays = profile.backupRetentionDays;
  const files = retentionDays === undefined || platform.kind === "aws" ? undefined : new SeaweedStorage("vibebox-files", { platform, ...env.seaweed, buckets: ["vibebox-backups"], protect });
  const backendMaxPods = "autoscaling" in profile.backend ? profile.backend.autoscaling.maxReplicas + 1 : profile.backend.replicas + 1;
  const db = new PostgresCluster("vibebox-db", {
    platform,
    database: "vibebox",
    username: "vibebox",
    // The seed's one primary ("HA with replication recommended": set replicas for a hot standby).
    replicas: 0,
    resources: profile.resources.postgres,
    storage: { size: profile.postgresStorage, ...(fastSsd ? { storageClass: fastSsd } : {}) },
    expectedClients: [{ name: "vibebox-backend", maxPods: backendMaxPods, poolSize: POOL_SIZE }],
    // Daily at 03:00 UTC (pg_dump, gzip, AES-256), kept 30 days, into SeaweedFS' S3 API; WAL too.
    ...(files ? { backup: { storage: files.bucketTarget("vibebox-backups"), prefix: "vibebox-db", schedule: "0 3 * * *", retentionDays, metrics: observability.metricsPush } } : retentionDays !== undefined ? { backup: { schedule: "0 3 * * *", retentionDays } } : {}),
    protect,
  });
  const cache = new RedisStore("vibebox-cache", {
    platform,
    // Sessions survive a restart (the seed keeps Redis on a 10Gi volume).
    persistence: "aof",
    evictionPolicy: "volatile-lru",
    resources: profile.resources.redis,
    storage: { size: profile.redisStorage, ...(fastSsd ? { storageClass: fastSsd } : {}) },
    singleNodeReason: "the seed runs one Redis (cache and sessions; \"Redis Sentinel for HA recommended\": set mode sentinel with 3 nodes for failover)",
    protect,
  });

  // ---- Docker daemons (vibebox-docker) -----------------------------------------------------
  const docker = new DockerDaemon("vibebox-docker", {
    platform,
    namespace: NAMESPACES.docker,
    image: DOCKER_IMAGE,
    resources: profile.resources.docker,
    dataRootSize: profile.dockerDataRoot,
    // The aws platform's EFS class is `efs`.
    workspaces: platform.kind === "aws" && profile.workspaces.storageClass ? { ...profile.workspaces, storageClass: "efs" } : profile.workspaces,
    // Image registries on 443, and package mirrors on 80 (apt and apk in users' builds); never
    // the cluster's private ranges.
    allowTo: [{ peer: peers.internet(), ports: [{ port: 443 }, { port: 80 }] }],
    protect,
  });

  // ---- Backend (vibebox-backend) -------------------------------------------------------------
  const backend = new ApiService("vibebox-backend", {
    platform,
    image: backendImage,
    component: "backend",
    port: BACKEND_PORT,
    servicePort: BACKEND_PORT,
    resources: profile.resources.backend,
    ...("autoscaling" in profile.backend ? { autoscaling: profile.backend.autoscaling } : { replicas: profile.backend.replicas }),
    // The seed's rolling update: one new pod, ready, then one old pod goes (30 s to shut down).
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    terminationGracePeriodSeconds: 30,
    probes: BACKEND_PROBES,
    env: { NODE_ENV: env.name === "prod" ? "production" : "development", HOST: "0.0.0.0", PORT: String(BACKEND_PORT), DOCKER_HOST: docker.dockerHost },
    // DATABASE_URL and REDIS_URL from the stores' Secrets; both directions allowed.
    connections: [db.connection, cache.connection],
    // The daemons' API on 2375 only.
    allowTo: [{ peer: docker }],
    ingress: {
      host,
      // The API and its WebSockets under /api (not rewritten: the backend serves that prefix).
      paths: ["/api"],
      // Requests only: a per-address connection cap would count every WebSocket of the users
      // behind one address (a CDN, an office NAT), far below the HPA's 1000 per pod.
      rateLimit: { requestsPerSecond: 50 },
      // ingress-nginx closes a proxied connection idle for 60 s by default: a quiet WebSocket
      // would drop every minute. An hour; clients reconnect after it.
      annotations: { "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600", "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600" },
    },
  });

  // ---- Frontend (vibebox-frontend) -----------------------------------------------------------
  // The seed's "Frontend Namespace": one of its own, with the platform's defaults.
  const frontendPlatform = platform.appNamespace(NAMESPACES.frontend);
  const frontend = new ApiService("vibebox-frontend", {
    platform: frontendPlatform,
    image: frontendImage,
    component: "frontend",
    port: 8080,
    servicePort: 80,
    replicas: profile.frontendReplicas,
    resources: profile.resources.frontend,
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    probes: { startup: false, liveness: { path: "/", periodSeconds: 10 }, readiness: { path: "/", periodSeconds: 5 } },
    metrics: false,
    // nginx-unprivileged's own user.
    security: { runAsUser: 101, runAsGroup: 101, fsGroup: 101 },
    ingress: { host, rateLimit: { requestsPerSecond: 50, connections: 100 } },
  });
  // The seed's backend policy: from the ingress controller and the frontend.
  backend.allowFrom(frontend);

  return {
    publicUrl: frontend.publicUrl,
    backendUrl: backend.url,
    grafanaUrl: observability.grafanaUrl,
    namespaces: { ...platform.kubernetes.namespaces, frontend: frontendPlatform.kubernetes.namespaces.app, docker: NAMESPACES.docker },
    databaseHost: db.connection.host,
    dockerHost: docker.dockerHost,
    backupPassphrase: db.backupPassphrase,
  };
}
