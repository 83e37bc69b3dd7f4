/**
 * bookworm (seed 001): the seed's numbers, per service and environment, in one place.
 *
 * The seed gives resources for four services ("Application Tier": catalog 256MB/0.1 CPU,
 * ordering 512MB/0.2, basket 128MB/0.1, gateway 512MB/0.2), which its "Development Environment"
 * repeats for catalog and ordering: they are the dev requests. Its staging manifest gives catalog
 * limits of twice the memory and five times the CPU of those figures (256Mi/100m -> 512Mi/500m):
 * every dev limit follows that ratio. Its "Production Environment" gives one block, catalog's
 * (requests 512Mi/200m, limits 1Gi/1000m, 3 replicas, maxSurge 1, maxUnavailable 0): the only
 * production figures, so every service's closest sibling in prod is catalog. "MB" is read as Mi,
 * as the seed's own staging manifest does for the same 256.
 *
 * Services the seed gives no figures for take their closest sibling's:
 * - rating: catalog's (reads and writes rows of the catalog's books; same shape of work);
 * - chat: basket's (holds per-user session state, small payloads);
 * - finance: ordering's (consumes order events from the broker and writes ledgers);
 * - notification: ordering's (a broker consumer that sends mail).
 */
import type { CustomMetricArgs, ResourcesArgs } from "../../components";
import type { EnvironmentName } from "../environments";

export const SERVICE_NAMES = ["catalog", "ordering", "basket", "rating", "chat", "finance", "notification", "gateway"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** What a service's HPA scales on in prod ("Scaling Triggers"); none: a fixed replica count. */
export interface ScalingTrigger {
  readonly cpuUtilization?: number;
  readonly memoryUtilization?: number;
  readonly customMetrics?: readonly CustomMetricArgs[];
  /** The seed's words, for the docs and the tests. */
  readonly seed: string;
}

export interface ServiceProfile {
  /** The seed's figure (the dev request): MiB and millicores. */
  readonly memoryMi: number;
  readonly cpuMillicores: number;
  /** Whose figures these are when the seed gives the service none. */
  readonly figuresFrom?: ServiceName;
  readonly scaling?: ScalingTrigger;
}

export const SERVICES: Readonly<Record<ServiceName, ServiceProfile>> = {
  catalog: { memoryMi: 256, cpuMillicores: 100, scaling: { cpuUtilization: 70, memoryUtilization: 80, seed: "CPU > 70%, Memory > 80%" } },
  ordering: {
    memoryMi: 512,
    cpuMillicores: 200,
    // Queue depth of the ordering queue, from RabbitMQ's Prometheus plugin through the external
    // metrics API: one pod per 100 messages ready.
    scaling: { customMetrics: [{ name: "rabbitmq_queue_messages_ready", type: "external", selector: { queue: "ordering" }, averageValue: "100" }], seed: "Queue depth > 100" },
  },
  basket: { memoryMi: 128, cpuMillicores: 100, scaling: { customMetrics: [{ name: "active_sessions", averageValue: "1000" }], seed: "Active sessions > 1000" } },
  rating: { memoryMi: 256, cpuMillicores: 100, figuresFrom: "catalog" },
  chat: { memoryMi: 128, cpuMillicores: 100, figuresFrom: "basket" },
  finance: { memoryMi: 512, cpuMillicores: 200, figuresFrom: "ordering" },
  notification: { memoryMi: 512, cpuMillicores: 200, figuresFrom: "ordering" },
  gateway: { memoryMi: 512, cpuMillicores: 200, scaling: { customMetrics: [{ name: "http_requests_per_minute", averageValue: "1000" }], seed: "Request rate > 1000/min" } },
};

/** The seed's production block (catalog's), every service's in prod. */
export const PROD_RESOURCES: ResourcesArgs = { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1Gi" } };

/** Dev: the seed's figure as the request; limits at the staging manifest's ratio (x2 memory, x5 CPU). */
export function devResources(p: ServiceProfile): ResourcesArgs {
  return {
    requests: { cpu: `${p.cpuMillicores}m`, memory: `${p.memoryMi}Mi` },
    limits: { cpu: `${p.cpuMillicores * 5}m`, memory: `${p.memoryMi * 2}Mi` },
  };
}

export interface BookwormProfile {
  /** Replicas of every service: 1 in dev ("replicas: 1"), 3 in prod. */
  readonly replicas: number;
  /** The HPA's ceiling where the seed gives a trigger: the seed names none; 10 is keel's usual. */
  readonly maxReplicas?: number;
  /** PostgreSQL read replicas ("Master-Replica setup" in prod; dev runs one server like the seed's local container). */
  readonly databaseReplicas: number;
  readonly databaseStorage: string;
  /** RabbitMQ nodes ("Clustered deployment" in prod; an odd count for quorum queues). */
  readonly brokerNodes: number;
  /** Redis: sentinel mode with 3 nodes in prod; one node in dev. */
  readonly cacheNodes: number;
  /** Keycloak: "HA mode" in prod (2 replicas sharing caches over JGroups). */
  readonly identityReplicas: number;
  readonly vectorStorage: string;
  /** Mailpit catches every mail in dev; prod sends through the team's relay. */
  readonly mailpit: boolean;
  /**
   * Daily backups kept (the seed: "automated daily backups to cloud storage", RPO 1 hour: WAL is
   * archived every 5 minutes at most); undefined: no backups (dev, like the seed's local
   * environment: its data is test data, and SeaweedFS would cost half a CPU and 1Gi).
   */
  readonly backupRetentionDays?: number;
  /** Loki and the node-log collector (dev reads logs with kubectl, as the seed's Aspire dashboard shows them). */
  readonly logs: boolean;
}

export const BOOKWORM_PROFILES: Readonly<Record<EnvironmentName, BookwormProfile>> = {
  dev: { replicas: 1, databaseReplicas: 0, databaseStorage: "5Gi", brokerNodes: 1, cacheNodes: 1, identityReplicas: 1, vectorStorage: "2Gi", mailpit: true, logs: false },
  prod: { replicas: 3, maxReplicas: 10, databaseReplicas: 1, databaseStorage: "50Gi", brokerNodes: 3, cacheNodes: 3, identityReplicas: 2, vectorStorage: "20Gi", mailpit: false, backupRetentionDays: 30, logs: true },
};
