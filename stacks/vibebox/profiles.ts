/**
 * vibebox (seed 003): the seed's numbers in one place.
 *
 * The seed gives one set of figures (its Kubernetes production layout): they hold in prod. It
 * has no development figures; dev is sized down for a laptop (kind), and says so field by field.
 */
import type { AutoscalingArgs, ProbesArgs, ResourcesArgs } from "../../components";
import type { EnvironmentName } from "../environments";

/** The seed's "Pod Resource Allocation" (requests/limits), per pod. */
export const SEED_RESOURCES = {
  frontend: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  backend: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" } },
  postgres: { requests: { cpu: "1000m", memory: "2Gi" }, limits: { cpu: "4000m", memory: "8Gi" } },
  redis: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
  docker: { requests: { cpu: "2000m", memory: "4Gi" }, limits: { cpu: "8000m", memory: "16Gi" } },
} as const satisfies Record<string, ResourcesArgs>;

/** The seed's storage: PostgreSQL 100Gi, Redis 10Gi (ReadWriteOnce), the Docker volumes 500Gi (ReadWriteMany, EFS). */
export const SEED_STORAGE = { postgres: "100Gi", redis: "10Gi", dockerVolumes: "500Gi" } as const;

/** The seed's "Health Checks & Probes" (the backend's Fastify endpoints). */
export const BACKEND_PROBES: ProbesArgs = {
  startup: { path: "/health/startup", initialDelaySeconds: 0, periodSeconds: 3, failureThreshold: 30, timeoutSeconds: 5 },
  // With a startup probe the kubelet starts counting this delay once startup has succeeded: the
  // seed's 30 s are kept as given (30 s more before the first liveness check).
  liveness: { path: "/health/live", initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
  readiness: { path: "/health/ready", initialDelaySeconds: 10, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 },
};

/**
 * The seed's "Autoscaling Configuration": 3 to 10 pods, CPU and memory at 70 %, the active
 * WebSocket connections per pod at 1000 (a custom metric served by prometheus-adapter, a
 * prerequisite), +1 pod per 30 s, -1 pod per 5 min. The seed's "< 30 %: scale down" is not a
 * separate setting in an HPA: it removes pods when the ratio of each metric to its target says
 * fewer pods would do, at the scale-down pace.
 */
export const BACKEND_AUTOSCALING: AutoscalingArgs = {
  minReplicas: 3,
  maxReplicas: 10,
  cpuUtilization: 70,
  memoryUtilization: 70,
  customMetrics: [{ name: "websocket_connections_active", averageValue: "1000" }],
  scaleUp: { pods: 1, periodSeconds: 30 },
  scaleDown: { pods: 1, periodSeconds: 300 },
};

export interface VibeboxProfile {
  /** Frontend pods: the seed's 3 (dev: 1). */
  readonly frontendReplicas: number;
  /** Backend: the seed's HPA (3 to 10) in prod; dev runs 1 pod and no HPA (kind serves no metrics API). */
  readonly backend: { readonly replicas: number } | { readonly autoscaling: AutoscalingArgs };
  readonly resources: { readonly [K in keyof typeof SEED_RESOURCES]: ResourcesArgs };
  readonly postgresStorage: string;
  readonly redisStorage: string;
  /** Each Docker daemon's own /var/lib/docker (not in the seed: see components/docker-daemon). */
  readonly dockerDataRoot: string;
  /** The shared workspaces every daemon mounts: the seed's 500Gi ReadWriteMany (EFS) in prod; 10Gi ReadWriteOnce on dev's one-node kind (its local-path class has no ReadWriteMany). */
  readonly workspaces: { readonly size: string; readonly accessMode: "ReadWriteMany" | "ReadWriteOnce"; readonly storageClass?: string };
  /** Daily backups kept (the seed: 30 days); undefined: none (dev: test data, and SeaweedFS would cost half a CPU and 1Gi). */
  readonly backupRetentionDays?: number;
  /** Loki and the node-log collector (the seed's log aggregation); dev reads logs with kubectl. */
  readonly logs: boolean;
}

/** Prod's EFS class (the EFS CSI driver and the class, reclaimPolicy Retain, are prerequisites). */
export const EFS_STORAGE_CLASS = "efs-sc";

export const VIBEBOX_PROFILES: Readonly<Record<EnvironmentName, VibeboxProfile>> = {
  dev: {
    frontendReplicas: 1,
    backend: { replicas: 1 },
    resources: {
      frontend: SEED_RESOURCES.frontend,
      backend: SEED_RESOURCES.backend,
      // Laptop: a quarter of the seed's requests, limits a laptop has.
      postgres: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "2Gi" } },
      redis: SEED_RESOURCES.redis,
      docker: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "4000m", memory: "8Gi" } },
    },
    postgresStorage: "10Gi",
    redisStorage: "1Gi",
    dockerDataRoot: "20Gi",
    workspaces: { size: "10Gi", accessMode: "ReadWriteOnce" },
    logs: false,
  },
  prod: {
    frontendReplicas: 3,
    backend: { autoscaling: BACKEND_AUTOSCALING },
    resources: SEED_RESOURCES,
    postgresStorage: SEED_STORAGE.postgres,
    redisStorage: SEED_STORAGE.redis,
    dockerDataRoot: "100Gi",
    workspaces: { size: SEED_STORAGE.dockerVolumes, accessMode: "ReadWriteMany", storageClass: EFS_STORAGE_CLASS },
    backupRetentionDays: 30,
    logs: true,
  },
};
