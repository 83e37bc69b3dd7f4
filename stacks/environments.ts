/** Environment profiles: what differs between dev and prod, in one place. */
import type { ApiServiceArgs } from "../components";

export type EnvironmentName = "dev" | "prod";

export interface Environment {
  readonly name: EnvironmentName;
  /** Protect stateful resources and namespaces against deletion. */
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
      grafanaReplicas: 2,
      logRetention: "720h",
      traceRetention: "168h",
    },
  },
};
