import { ApiService } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { at, synthesize } from "../../helpers/synth";

describe("ApiService scaling and seeds", () => {
  it("expresses seed 003's backend exactly", async () => {
    const s = await synthesize(() => {
      new ApiService("backend", {
        platform: testPlatform(),
        image: "ghcr.io/vibebox/backend:2.3.0",
        port: 3000,
        resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" } },
        autoscaling: {
          minReplicas: 3,
          maxReplicas: 10,
          cpuUtilization: 70,
          memoryUtilization: 70,
          customMetrics: [{ name: "active_ws_connections", averageValue: "1000" }],
          scaleUp: { pods: 1, periodSeconds: 30 },
          scaleDown: { pods: 1, periodSeconds: 300 },
        },
        probes: {
          startup: { path: "/health/startup", initialDelaySeconds: 0, periodSeconds: 3, failureThreshold: 30, timeoutSeconds: 5 },
          liveness: { path: "/health/live", initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
          readiness: { path: "/health/ready", initialDelaySeconds: 10, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 },
        },
      });
    });
    const deployment = s.object("Deployment", "backend");
    expect(at(deployment, "spec.replicas")).toBeUndefined();
    // Ephemeral storage: keel's 64Mi/256Mi for logs, plus the 64Mi /tmp emptyDir the container writes.
    expect(at(deployment, "spec.template.spec.containers.0.resources")).toEqual({
      requests: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "128Mi" },
      limits: { cpu: "2000m", memory: "2Gi", "ephemeral-storage": "320Mi" },
    });
    expect(at(deployment, "spec.template.spec.containers.0.livenessProbe")).toEqual({
      httpGet: { path: "/health/live", port: 3000, scheme: "HTTP" },
      initialDelaySeconds: 30,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
      successThreshold: 1,
    });
    expect(at(s.object("HorizontalPodAutoscaler", "backend"), "spec")).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "backend" },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
        { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 70 } } },
        { type: "Pods", pods: { metric: { name: "active_ws_connections" }, target: { type: "AverageValue", averageValue: "1000" } } },
      ],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 1, periodSeconds: 30 }] },
        scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Pods", value: 1, periodSeconds: 300 }] },
      },
    });
    expect(at(s.object("PodDisruptionBudget", "backend"), "spec.maxUnavailable")).toBe(1);
  });

  it("expresses seed 001's production catalog rollout (3 replicas, surge 1, unavailable 0)", async () => {
    const s = await synthesize(() => {
      new ApiService("catalog-service", {
        platform: testPlatform(),
        image: "bookworm/catalog:v1.0.0",
        replicas: 3,
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
        resources: { requests: { memory: "512Mi", cpu: "200m" }, limits: { memory: "1Gi", cpu: "1000m" } },
      });
    });
    const spec = at(s.object("Deployment", "catalog-service"), "spec") as Record<string, unknown>;
    expect(spec.replicas).toBe(3);
    expect(spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  it("uses a default CPU target of 70% and percent policies", async () => {
    const s = await synthesize(() => {
      new ApiService("api", { platform: testPlatform(), image: "a/b:1", autoscaling: { minReplicas: 2, maxReplicas: 8, scaleUp: { percent: 100, periodSeconds: 15 } } });
    });
    const spec = at(s.object("HorizontalPodAutoscaler", "api"), "spec") as Record<string, unknown>;
    expect(spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }]);
    expect(at(spec, "behavior.scaleUp.policies")).toEqual([{ type: "Percent", value: 100, periodSeconds: 15 }]);
  });
});
