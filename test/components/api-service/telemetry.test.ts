/**
 * ApiService with `telemetry`: the OpenTelemetry SDK environment, and the pod's identity as
 * resource attributes. The kubelet expands `$(POD_NAME)` only in an inline `value`, and only for
 * variables declared before it in the same container; a value read through configMapKeyRef
 * keeps `$(POD_NAME)` literally. So OTEL_RESOURCE_ATTRIBUTES must be inline and last.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, ObservabilityStack, telemetryEnv } from "../../../components";
import type { KubernetesObject } from "../../../offline/manifests";
import { attemptApiService } from "../../helpers/api-service";
import { integrityProblems } from "../../helpers/integrity";
import { testPlatform } from "../../helpers/platform";
import { schemaProblems } from "../../helpers/schema";
import { at, synthesize } from "../../helpers/synth";

const image = "ghcr.io/shop/basket:1.0.0";
type EnvVar = { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> };

async function basket(env?: ConstructorParameters<typeof ApiService>[1]["env"]) {
  const s = await synthesize(() => {
    const platform = testPlatform();
    const obs = new ObservabilityStack("obs", { platform, loki: false, tempo: false, nodeLogs: false });
    new ApiService("basket", { platform, image, telemetry: obs.telemetry, env });
  });
  const deployment = s.object("Deployment", "basket");
  const configMap = s.all("ConfigMap").find((c) => c.metadata.name.startsWith("basket-env-")) as KubernetesObject;
  return { s, deployment, configMap, env: at(deployment, "spec.template.spec.containers.0.env") as unknown as EnvVar[] };
}

describe("ApiService telemetry env", () => {
  it("names the pod in OTEL_RESOURCE_ATTRIBUTES: downward-API POD_NAME/POD_NAMESPACE, then the inline value that expands them", async () => {
    const { s, deployment, configMap, env } = await basket({ LOG_LEVEL: "info" });
    const cm = configMap.metadata.name;
    const fromConfigMap = (key: string) => ({ name: key, valueFrom: { configMapKeyRef: { name: cm, key } } });
    expect(env).toEqual([
      fromConfigMap("LOG_LEVEL"),
      fromConfigMap("OTEL_EXPORTER_OTLP_ENDPOINT"),
      fromConfigMap("OTEL_EXPORTER_OTLP_PROTOCOL"),
      fromConfigMap("OTEL_SERVICE_NAME"),
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "OTEL_RESOURCE_ATTRIBUTES", value: "service.namespace=shop,k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME)" },
    ]);
    expect(at(configMap, "data")).toEqual({
      LOG_LEVEL: "info",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://obs-otel-collector.monitoring.svc.cluster.local:4317",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      OTEL_SERVICE_NAME: "basket",
    });
    // Every $(VAR) of an inline value is declared before it; nothing read from the ConfigMap holds a $(VAR).
    env.forEach((v, i) => {
      for (const [, name] of (v.value ?? "").matchAll(/\$\(([^)]+)\)/g)) expect([v.name, name, env.findIndex((d) => d.name === name) < i]).toEqual([v.name, name, true]);
    });
    expect(JSON.stringify(at(configMap, "data"))).not.toContain("$(");
    expect(schemaProblems(deployment)).toBe("");
    expect(integrityProblems(s.objects)).toEqual([]);
  });

  it("appends a service's own OTEL_RESOURCE_ATTRIBUTES string to keel's, written once", async () => {
    const { env, configMap } = await basket({ OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod" });
    expect(env.filter((v) => v.name === "OTEL_RESOURCE_ATTRIBUTES")).toEqual([
      { name: "OTEL_RESOURCE_ATTRIBUTES", value: "service.namespace=shop,k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME),deployment.environment=prod" },
    ]);
    expect(env[env.length - 1].name).toBe("OTEL_RESOURCE_ATTRIBUTES");
    expect(at(configMap, "data.OTEL_RESOURCE_ATTRIBUTES")).toBeUndefined();
  });

  it("lets an OTEL_RESOURCE_ATTRIBUTES given as a reference replace keel's (no inline value then)", async () => {
    const { env } = await basket({ OTEL_RESOURCE_ATTRIBUTES: { configMapKeyRef: { name: "otel", key: "attributes" } } });
    expect(env.filter((v) => v.name === "OTEL_RESOURCE_ATTRIBUTES")).toEqual([{ name: "OTEL_RESOURCE_ATTRIBUTES", valueFrom: { configMapKeyRef: { name: "otel", key: "attributes" } } }]);
    expect(env.some((v) => v.value !== undefined)).toBe(false);
  });

  it("keeps a service's own POD_NAME (still declared before the inline value)", async () => {
    const { env } = await basket({ POD_NAME: { fieldPath: "metadata.name" }, POD_IP: { fieldPath: "status.podIP" } });
    expect(env.filter((v) => v.name === "POD_NAME")).toEqual([{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }]);
    expect(env.map((v) => v.name).slice(-4)).toEqual(["POD_IP", "POD_NAME", "POD_NAMESPACE", "OTEL_RESOURCE_ATTRIBUTES"]);
  });

  it("sets no pod variables without telemetry", async () => {
    const s = await synthesize(() => new ApiService("basket", { platform: testPlatform(), image, env: { LOG_LEVEL: "info" } }));
    const env = at(s.object("Deployment", "basket"), "spec.template.spec.containers.0.env") as unknown as EnvVar[];
    expect(env.map((v) => v.name)).toEqual(["LOG_LEVEL"]);
  });
});

describe("telemetryEnv", () => {
  const target = { otlpEndpoint: "http://c:4317", collector: { networkPeer: { kind: "pods", namespace: "monitoring", podLabels: {} }, networkPorts: [] } } as unknown as Parameters<typeof telemetryEnv>[0];

  it("leaves service.namespace out without a system", () => {
    expect(telemetryEnv(target, "basket").expanded).toEqual([{ name: "OTEL_RESOURCE_ATTRIBUTES", value: "k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME)" }]);
  });

  it("gives way to a service's OTEL_RESOURCE_ATTRIBUTES Output (it may be secret, so it is never inlined)", () => {
    const own = pulumi.output("team=cart");
    const t = telemetryEnv(target, "basket", "shop", { OTEL_RESOURCE_ATTRIBUTES: own });
    expect(t.expanded).toEqual([]);
    expect(t.env.OTEL_RESOURCE_ATTRIBUTES).toBe(own);
  });
});

describe("ApiService telemetry env: refusals", () => {
  it("refuses a secret OTEL_RESOURCE_ATTRIBUTES (the inline value would silently win over it), without showing it", async () => {
    const { lines, registered } = await attemptApiService((platform) => {
      const obs = new ObservabilityStack("obs", { platform, loki: false, tempo: false, nodeLogs: false });
      return { platform, image, telemetry: obs.telemetry, secretEnv: { OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=hidden" } };
    });
    expect(lines).toEqual([
      'ApiService "api": secretEnv.OTEL_RESOURCE_ATTRIBUTES is [secret]; expected a name telemetry does not set (keel writes OTEL_RESOURCE_ATTRIBUTES with the pod\'s name and namespace; give your own attributes in env as a plain string, which keel appends)',
    ]);
    expect(registered).toEqual([]);
  });
});
