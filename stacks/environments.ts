/** Environment profiles: what differs between dev and prod, in one place. */
import type { ApiServiceArgs } from "../components";

export type EnvironmentName = "dev" | "prod";

export interface Environment {
  readonly name: EnvironmentName;
  /** Protect stateful resources and namespaces against deletion. */
  readonly protect: boolean;
  /** Sizing of a stateless API service. */
  readonly api: Pick<ApiServiceArgs, "replicas" | "autoscaling" | "resources">;
}

export const environments: Readonly<Record<EnvironmentName, Environment>> = {
  dev: {
    name: "dev",
    protect: false,
    api: {
      replicas: 1,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    },
  },
  prod: {
    name: "prod",
    protect: true,
    api: {
      autoscaling: { minReplicas: 2, maxReplicas: 10, cpuUtilization: 70, memoryUtilization: 80 },
      resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    },
  },
};
