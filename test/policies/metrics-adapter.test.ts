/** stack-prerequisites: the metrics APIs a stack's HPAs read (metrics-server, custom and external metrics adapters). */
import { readFacts } from "../../policies/lib/cluster-facts";
import { stackPrerequisites } from "../../policies/stack/prerequisites";
import { stackViolations } from "./harness";
import { FACTS, fixture, k8s } from "./stack-fixture";

type Props = Record<string, unknown>;

function hpa(namespace: string, name: string, metrics?: Props[], apiVersion = "autoscaling/v2"): ReturnType<typeof k8s> {
  const spec: Props = { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name }, minReplicas: 2, maxReplicas: 10, ...(metrics ? { metrics } : {}) };
  return k8s(`kubernetes:${apiVersion}:HorizontalPodAutoscaler`, { apiVersion, kind: "HorizontalPodAutoscaler", metadata: { name, namespace }, spec });
}
const cpu = { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } };
const memory = { type: "ContainerResource", containerResource: { name: "memory", container: "app", target: { type: "Utilization", averageUtilization: 80 } } };
const pods = (name: string) => ({ type: "Pods", pods: { metric: { name }, target: { type: "AverageValue", averageValue: "100" } } });
const object = (name: string) => ({ type: "Object", object: { metric: { name }, describedObject: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "main" }, target: { type: "Value", value: "2k" } } });
const external = (name: string) => ({ type: "External", external: { metric: { name, selector: { matchLabels: { queue: "orders" } } }, target: { type: "AverageValue", averageValue: "30" } } });

function lines(facts: Props = FACTS): string[] {
  const f = fixture();
  f.all.push(
    hpa("app", "catalog", [cpu]),
    hpa("app", "gateway", [memory, object("requests_per_second")]),
    hpa("app", "basket", [pods("active_sessions")]),
    hpa("app", "checkout", [pods("active_sessions"), pods("queue_lag")]),
    hpa("app", "worker", [external("sqs_messages_visible")]),
    hpa("app", "legacy", undefined, "autoscaling/v1"),
  );
  return stackViolations(stackPrerequisites, f.all, { cluster: facts }).map((v) => v.message).filter((m) => m.includes("metrics"));
}

describe("stack-prerequisites: metrics APIs of HPAs", () => {
  it("names metrics-server for cpu/memory targets and an adapter per API with the metrics and HPAs that read them", () => {
    expect(lines()).toEqual([
      "prerequisite: metrics-server (metrics.k8s.io) for the cpu/memory targets of HPA app/catalog, app/gateway, app/legacy",
      "prerequisite: a custom metrics adapter serving custom.metrics.k8s.io (e.g. prometheus-adapter) with the metrics requests_per_second (HPA app/gateway), active_sessions (HPA app/basket, app/checkout), queue_lag (HPA app/checkout)",
      "prerequisite: an external metrics adapter serving external.metrics.k8s.io (e.g. KEDA or prometheus-adapter) with the metrics sqs_messages_visible (HPA app/worker)",
    ]);
  });

  it("says the platform provides an API where the cluster facts say so", () => {
    expect(lines({ ...FACTS, metricsApis: { resource: true, custom: true, external: false } })).toEqual([
      "prerequisite: metrics-server (metrics.k8s.io) for the cpu/memory targets of HPA app/catalog, app/gateway, app/legacy (the platform provides it)",
      "prerequisite: a custom metrics adapter serving custom.metrics.k8s.io (the platform provides it) with the metrics requests_per_second (HPA app/gateway), active_sessions (HPA app/basket, app/checkout), queue_lag (HPA app/checkout)",
      "prerequisite: an external metrics adapter serving external.metrics.k8s.io (e.g. KEDA or prometheus-adapter) with the metrics sqs_messages_visible (HPA app/worker)",
    ]);
  });

  it("lists nothing for a stack without HPAs, and reads only boolean facts", () => {
    expect(stackViolations(stackPrerequisites, fixture().all, { cluster: FACTS }).map((v) => v.message).filter((m) => m.includes("metrics"))).toEqual([]);
    expect(readFacts({ metricsApis: { resource: "yes", custom: true } }).metricsApis).toEqual({ resource: undefined, custom: true, external: undefined });
    expect(readFacts({}).metricsApis).toBeUndefined();
  });
});
