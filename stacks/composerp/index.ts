/**
 * composerp (seed 004): three Node.js services (inventory-ledger, forecasting, replenishment) on
 * port 3000 behind Services on 80, each with its own Ingress (cert-manager TLS), HPA 3-10 at
 * 70 % CPU in prod and spread over zones; PostgreSQL and a 3-broker KRaft Kafka (replication
 * factor 3), whose DATABASE_URL and KAFKA_BROKERS every service gets; Prometheus, Grafana, Loki
 * (30-day log retention in prod) and Tempo (tracing).
 *
 * Where keel differs from the seed, and why:
 * - The seed's NetworkPolicy admits an `api-gateway` the seed never deploys: the services admit
 *   the ingress controller (their Ingresses need it) and nothing else; keel does not invent a
 *   gateway.
 * - The seed's images are `:latest`: the stack file pins a version.
 * - "Anti-affinity rules, pods distributed across availability zones": topology spread over
 *   zones and nodes, ScheduleAnyway. A hard rule (DoNotSchedule) leaves pods Pending on nodes
 *   without a zone label and in a zone that lost its nodes.
 * - Dev runs one pod per service without an HPA (the seed gives no dev figures; a laptop cluster
 *   holds the 3-broker Kafka the seed's replication factor needs, not 9 service pods besides).
 * - The seed's managed PostgreSQL (RDS db.r5.xlarge: 4 vCPU, 32 GiB; 500 GB; 7-day backups) is the
 *   aws platform's (the aws issues); on kubernetes prod runs PostgreSQL in the cluster at that
 *   class's size with a streaming replica ("read replicas in different AZs"), and daily backups to
 *   SeaweedFS kept 7 days.
 * - The seed names ELK for logs and Jaeger/Zipkin for traces: Loki and Tempo, read in Grafana.
 * - The seed's Strimzi example has a TLS listener on 9093: off here (see the KafkaCluster below).
 * - The seed names no topics: each service creates its own (a stated image prerequisite).
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, KafkaCluster, PostgresCluster, ResourcesArgs, SeaweedStorage } from "../../components";
import { StackConfig, requireString } from "../config";
import type { EnvironmentName } from "../environments";
import { blueprintObservability } from "../observability";
import { blueprintPlatform } from "../platform";

export const COMPOSERP_SERVICES = ["inventory-ledger", "forecasting", "replenishment"] as const;
export type ComposerpService = (typeof COMPOSERP_SERVICES)[number];

/** Each service's host under the stack's domain (the seed's Ingress: inventory.composerp.com). */
export const HOSTS: Readonly<Record<ComposerpService, string>> = { "inventory-ledger": "inventory", forecasting: "forecasting", replenishment: "replenishment" };

/** The seed's container resources, every service, every environment. */
export const COMPOSERP_RESOURCES: ResourcesArgs = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } };

export interface ComposerpProfile {
  /** The seed's HPA (3-10 at 70 % CPU) in prod; a fixed count in dev. */
  readonly scaling: { readonly minReplicas: number; readonly maxReplicas: number } | { readonly replicas: number };
  readonly database: { readonly replicas: number; readonly resources: ResourcesArgs; readonly storage: string; readonly backupRetentionDays?: number };
  readonly kafka: { readonly resources?: ResourcesArgs; readonly storage: string };
}

export const COMPOSERP_PROFILES: Readonly<Record<EnvironmentName, ComposerpProfile>> = {
  dev: {
    scaling: { replicas: 1 },
    database: { replicas: 0, resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } }, storage: "5Gi" },
    kafka: { resources: { requests: { cpu: "250m", memory: "768Mi" }, limits: { cpu: "1", memory: "1Gi" } }, storage: "5Gi" },
  },
  prod: {
    scaling: { minReplicas: 3, maxReplicas: 10 },
    // db.r5.xlarge: 4 vCPU, 32 GiB; the seed's 500 GB and 7-day backups.
    database: { replicas: 1, resources: { requests: { cpu: "2", memory: "16Gi" }, limits: { cpu: "4", memory: "32Gi" } }, storage: "500Gi", backupRetentionDays: 7 },
    kafka: { storage: "100Gi" },
  },
};

/** Each pod's database pool: node-postgres' default (10). */
const POOL_SIZE = 10;

export interface ComposerpOutputs {
  readonly publicUrls: Record<string, pulumi.Output<string> | undefined>;
  readonly grafanaUrl?: pulumi.Output<string>;
  readonly namespaces: Record<string, pulumi.Input<string>>;
  readonly databaseHost: pulumi.Output<string>;
  readonly kafkaBrokers: pulumi.Output<string>;
}

export async function composerp(stack: StackConfig): Promise<ComposerpOutputs> {
  const settings = stack.config.requireObject<Record<string, unknown>>("composerp");
  const imageRepository = requireString(settings, "composerp", "imageRepository");
  const version = requireString(settings, "composerp", "version");
  const domain = requireString(settings, "composerp", "domain");
  const env = stack.environment;
  const profile = COMPOSERP_PROFILES[env.name];

  const platform = await blueprintPlatform(stack, "composerp", {
    namespaces: { app: "composerp", data: "composerp-data", storage: "composerp-data", monitoring: "composerp-monitoring" },
    // What the blueprint relies on in the images, stated where `keel check` lists prerequisites.
    userImages: COMPOSERP_SERVICES.map((service) => ({
      reference: `${imageRepository}/${service}:${version}`,
      reason: `composerp's ${service} (Node.js): listens on 3000, serves GET /health, /ready and Prometheus /metrics, reads DATABASE_URL and KAFKA_BROKERS, and creates the Kafka topics it uses (the seed names none; the brokers do not auto-create topics)`,
    })),
  });

  // Seed: metrics, "log retention (30 days)" (prod's profile keeps 720h), tracing.
  const observability = blueprintObservability(stack, platform, {
    name: "composerp-obs",
    section: settings,
    defaultChannel: "#composerp-alerts",
    extraAlertRules: PostgresCluster.alertRules(),
    // On aws the database is RDS, which keeps its own automated backups: no backup Job to watch.
    batchJobs: profile.database.backupRetentionDays !== undefined && platform.kind !== "aws",
  });

  const retentionDays = profile.database.backupRetentionDays;
  const files = retentionDays === undefined || platform.kind === "aws" ? undefined : new SeaweedStorage("composerp-files", { platform, ...env.seaweed, buckets: ["composerp-backups"], protect: env.protect });
  const maxPods = ("maxReplicas" in profile.scaling ? profile.scaling.maxReplicas : profile.scaling.replicas) + 1;
  const db = new PostgresCluster("composerp-db", {
    platform,
    database: "composerp",
    username: "composerp",
    replicas: profile.database.replicas,
    resources: profile.database.resources,
    storage: { size: profile.database.storage },
    expectedClients: COMPOSERP_SERVICES.map((s) => ({ name: `composerp-${s}`, maxPods, poolSize: POOL_SIZE })),
    // The scratch volume holds the compressed base backup until it is uploaded: a tenth of the data volume.
    ...(files ? { backup: { storage: files.bucketTarget("composerp-backups"), retentionDays, metrics: observability.metricsPush, scratchSize: "50Gi" } } : retentionDays !== undefined ? { backup: { retentionDays } } : {}),
    protect: env.protect,
  });

  // Seed: 3 brokers, replication factor 3 (and 2 in sync), in every environment.
  const kafka = new KafkaCluster("composerp-kafka", {
    platform,
    brokers: 3,
    replicationFactor: 3,
    // Clients are in the cluster on 9092, behind NetworkPolicies. The TLS listener (the seed's
    // 9093) is off: Kafka 3.9 does not reload its keystore when cert-manager renews it, so a
    // broker that is not restarted would serve an expired certificate after 90 days.
    tls: false,
    ...(profile.kafka.resources ? { resources: profile.kafka.resources } : {}),
    storage: { size: profile.kafka.storage },
    protect: env.protect,
  });

  const services = Object.fromEntries(
    COMPOSERP_SERVICES.map((service) => [
      service,
      new ApiService(`composerp-${service}`, {
        platform,
        image: `${imageRepository}/${service}:${version}`,
        component: service,
        port: 3000,
        servicePort: 80,
        resources: COMPOSERP_RESOURCES,
        ...("maxReplicas" in profile.scaling ? { autoscaling: { ...profile.scaling, cpuUtilization: 70 } } : { replicas: profile.scaling.replicas }),
        probes: {
          // The seed's probes; its liveness delay of 30 s does a startup probe's work.
          startup: false,
          liveness: { path: "/health", initialDelaySeconds: 30, periodSeconds: 10 },
          readiness: { path: "/ready", initialDelaySeconds: 5, periodSeconds: 5 },
        },
        topologySpread: { zones: true, nodes: true, whenUnsatisfiable: "ScheduleAnyway" },
        ingress: { host: `${HOSTS[service]}.${domain}` },
        // DATABASE_URL (a Secret) and KAFKA_BROKERS; NetworkPolicies both ways.
        connections: [db.connection, kafka.connection],
        telemetry: observability.telemetry,
      }),
    ]),
  ) as Record<ComposerpService, ApiService>;

  return {
    publicUrls: Object.fromEntries(Object.entries(services).map(([name, svc]) => [name, svc.publicUrl])),
    grafanaUrl: observability.grafanaUrl,
    namespaces: { ...platform.kubernetes.namespaces },
    databaseHost: db.connection.host,
    kafkaBrokers: kafka.bootstrapServers,
  };
}
