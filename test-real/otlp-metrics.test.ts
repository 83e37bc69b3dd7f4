/**
 * Per-pod metrics over OTLP, for HPAs, with real programs. A real OpenTelemetry Collector runs
 * keel's generated OTLP configuration (the collector's ConfigMap as synthesized), built from the
 * collector's Go modules at the image's release with exactly the components that configuration
 * uses (test-real/otelcol). Two pods of a service send metrics over OTLP/HTTP (JSON). Their
 * resource attributes come from the Deployment keel synthesizes: its env list is resolved as the
 * kubelet resolves it (fieldRefs, ConfigMap keys, `$(VAR)` expanded only in inline values of
 * variables declared before), and read by the OpenTelemetry JS SDK (env detector; the metrics
 * are recorded and serialized by the SDK as well). The collector's prometheus exporter must label
 * each series with the pod and namespace it describes. Then a real Prometheus scrapes the
 * collector with the generated `kubernetes-pods` job, and the prometheus-adapter rules of
 * docs/observability.md, filled in as the adapter fills them, return one value per pod.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { JsonMetricsSerializer } from "@opentelemetry/otlp-transformer";
import { Resource, envDetectorSync } from "@opentelemetry/resources";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { parse, stringify } from "yaml";
import { ApiService, ObservabilityStack, prometheusConfig } from "../components";
import type { KubernetesObject } from "../offline/manifests";
import { testPlatform } from "../test/helpers/platform";
import { at, synthesize } from "../test/helpers/synth";
import { freePort, httpStatus, httpText } from "./otel-collector";
import { daemon, waitFor } from "./processes";
import { goBuild } from "./tools";

jest.setTimeout(900_000);

type EnvVar = { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string }; configMapKeyRef?: { name: string; key: string }; secretKeyRef?: unknown } };
type Obj = Record<string, unknown>;

/** The container's environment as the kubelet builds it for `pod`: in order, `$(VAR)` expanded only in inline values, from variables declared before. */
function kubeletEnv(vars: readonly EnvVar[], configMaps: readonly KubernetesObject[], pod: { name: string; namespace: string }): Record<string, string> {
  const env: Record<string, string> = {};
  const expand = (value: string) => value.replace(/\$\$|\$\(([^)]*)\)/g, (m, name: string | undefined) => (m === "$$" ? "$" : name !== undefined && name in env ? env[name] : m));
  const fields: Record<string, string> = { "metadata.name": pod.name, "metadata.namespace": pod.namespace };
  for (const v of vars) {
    if (v.value !== undefined) env[v.name] = expand(v.value);
    else if (v.valueFrom?.fieldRef) env[v.name] = fields[v.valueFrom.fieldRef.fieldPath];
    else if (v.valueFrom?.configMapKeyRef) {
      const ref = v.valueFrom.configMapKeyRef;
      env[v.name] = (configMaps.find((c) => c.metadata.name === ref.name)?.data as Record<string, string>)[ref.key];
    }
  }
  return env;
}

/** The resource an OpenTelemetry SDK builds from that environment (the JS SDK's defaults and env detector), plus what process and host detectors add. */
function sdkResource(env: Record<string, string>, pod: string): Resource {
  const saved = { attributes: process.env.OTEL_RESOURCE_ATTRIBUTES, service: process.env.OTEL_SERVICE_NAME };
  process.env.OTEL_RESOURCE_ATTRIBUTES = env.OTEL_RESOURCE_ATTRIBUTES;
  process.env.OTEL_SERVICE_NAME = env.OTEL_SERVICE_NAME;
  try {
    return Resource.default()
      .merge(new Resource({ "process.pid": 4242, "process.command_args": ["dotnet", "Basket.dll"], "host.name": pod, "service.version": "1.0.0" }))
      .merge(envDetectorSync.detect());
  } finally {
    for (const [key, value] of [["OTEL_RESOURCE_ATTRIBUTES", saved.attributes], ["OTEL_SERVICE_NAME", saved.service]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

class Collect extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** A pod of the service: an SDK meter provider with the pod's resource, recording what ASP.NET Core and the service would. */
function servicePod(resource: Resource, sessions: number) {
  const reader = new Collect();
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter("Microsoft.AspNetCore.Hosting");
  meter.createObservableGauge("active_sessions", { unit: "{session}", description: "Open basket sessions" }).addCallback((r) => r.observe(sessions));
  const duration = meter.createHistogram("http.server.request.duration", { unit: "s", description: "Duration of HTTP server requests." });
  return {
    serve: (requests: number) => {
      for (let i = 0; i < requests; i++) duration.record(0.012, { "http.request.method": "GET", "http.route": "/basket", "http.response.status_code": 200, "url.scheme": "http" });
    },
    /** The OTLP/HTTP JSON body of the SDK's current (cumulative) metrics. */
    body: async () => {
      const { resourceMetrics, errors } = await reader.collect();
      expect(errors).toEqual([]);
      return Buffer.from(JsonMetricsSerializer.serializeRequest(resourceMetrics) as Uint8Array);
    },
  };
}

function post(url: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { "Content-Type": "application/json", "Content-Length": body.length } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Prometheus text exposition: the samples of `name`, with their labels. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

/** The prometheus-adapter rules of docs/observability.md ("Metrics for HPAs"). */
interface AdapterRule {
  seriesQuery: string;
  resources: { overrides: Record<string, { resource: string }> };
  name: { matches: string; as?: string };
  metricsQuery: string;
}
function documentedRules(): AdapterRule[] {
  const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "observability.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Metrics for HPAs"));
  const block = /```yaml\n(rules:[\s\S]*?)```/.exec(section);
  if (!block) throw new Error("docs/observability.md has no prometheus-adapter rules block under \"Metrics for HPAs\"");
  return (parse(block[1]) as { rules: AdapterRule[] }).rules;
}

/** A rule's metricsQuery for pods `pods` of `namespace`, filled in as prometheus-adapter does (pkg/naming/metrics_query.go). */
function adapterQuery(rule: AdapterRule, series: string, namespace: string, pods: readonly string[]): string {
  const label = (resource: string) => Object.entries(rule.resources.overrides).find(([, r]) => r.resource === resource)?.[0] as string;
  const podMatcher = pods.length > 1 ? `${label("pod")}=~"${pods.join("|")}"` : `${label("pod")}="${pods[0]}"`;
  return rule.metricsQuery.replace(/<<\.Series>>/g, series).replace(/<<\.LabelMatchers>>/g, `${label("namespace")}="${namespace}",${podMatcher}`).replace(/<<\.GroupBy>>/g, label("pod"));
}

async function getJson(url: string): Promise<{ status: string; data: unknown }> {
  const text = await httpText(url);
  return text ? (JSON.parse(text) as { status: string; data: unknown }) : { status: "unreachable", data: [] };
}

describe("OTLP metrics of a service's pods, through keel's collector configuration", () => {
  const podNames = ["basket-7d9f8b6c5-x2k4q", "basket-7d9f8b6c5-m8n2p"];
  const sessions = [1200, 800];
  const requestsPerTick = [2, 1];
  let namespace: string;
  let envs: Record<string, string>[];
  let exposition: string;
  const results: Record<string, Record<string, number>> = {};
  const served: number[] = [];
  let exportedSeries: Record<string, string>[] = [];

  beforeAll(async () => {
    const binary = goBuild("otelcol", "otelcol-keel");
    // The stack as deployed: the collector's ConfigMap and DaemonSet, the service's Deployment and ConfigMap.
    const s = await synthesize(() => {
      const platform = testPlatform();
      const obs = new ObservabilityStack("obs", { platform });
      new ApiService("basket", { platform, image: "ghcr.io/shop/basket:1.0.0", telemetry: obs.telemetry });
    });
    const deployment = s.object("Deployment", "basket");
    namespace = deployment.metadata.namespace as string;
    const vars = at(deployment, "spec.template.spec.containers.0.env") as unknown as EnvVar[];
    envs = podNames.map((name) => kubeletEnv(vars, s.all("ConfigMap"), { name, namespace }));
    const collectorConfigMap = s.all("ConfigMap").find((c) => c.metadata.name.startsWith("obs-otel-collector-config")) as KubernetesObject;
    const collectorPod = s.object("DaemonSet", "obs-otel-collector");

    // Only what a loopback run needs differs: local ports, and the trace/log backends (nothing is sent there).
    const config = parse((collectorConfigMap.data as Record<string, string>)["collector.yaml"]) as Obj & {
      receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
      exporters: Record<string, { endpoint: string }>;
      extensions: { health_check: { endpoint: string } };
      service: Obj;
    };
    const [grpc, otlpHttp, exporterPort, health, telemetry, deadTraces, deadLogs, prometheusPort] = await Promise.all(Array.from({ length: 8 }, () => freePort()));
    expect(config.exporters.prometheus.endpoint).toBe("0.0.0.0:8889");
    config.receivers.otlp.protocols.grpc.endpoint = `127.0.0.1:${grpc}`;
    config.receivers.otlp.protocols.http.endpoint = `127.0.0.1:${otlpHttp}`;
    config.exporters.prometheus.endpoint = `127.0.0.1:${exporterPort}`;
    config.exporters["otlp/tempo"].endpoint = `127.0.0.1:${deadTraces}`;
    config.exporters["otlphttp/loki"].endpoint = `http://127.0.0.1:${deadLogs}/otlp`;
    config.extensions.health_check.endpoint = `127.0.0.1:${health}`;
    config.service.telemetry = { metrics: { address: `127.0.0.1:${telemetry}` } };
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "keel-otlp-metrics-"));
    fs.writeFileSync(path.join(work, "collector.yaml"), stringify(config));
    const collector = daemon(binary, [`--config=${path.join(work, "collector.yaml")}`]);

    // Prometheus with the generated pod job; discovery finds the collector's pod (its labels and annotations as synthesized).
    const podTemplate = at(collectorPod, "spec.template.metadata") as { labels: Record<string, string>; annotations: Record<string, string> };
    const meta: Record<string, string> = { __meta_kubernetes_namespace: collectorPod.metadata.namespace as string, __meta_kubernetes_pod_name: "obs-otel-collector-7xk2p", __meta_kubernetes_pod_phase: "Running" };
    for (const [k, v] of Object.entries(podTemplate.labels)) meta[`__meta_kubernetes_pod_label_${k.replace(/[^a-zA-Z0-9_]/g, "_")}`] = v;
    for (const [k, v] of Object.entries(podTemplate.annotations ?? {})) meta[`__meta_kubernetes_pod_annotation_${k.replace(/[^a-zA-Z0-9_]/g, "_")}`] = v;
    expect(meta.__meta_kubernetes_pod_annotation_prometheus_io_port).toBe("8889");
    meta.__meta_kubernetes_pod_annotation_prometheus_io_port = String(exporterPort);
    const generated = prometheusConfig({ namespaces: [namespace, collectorPod.metadata.namespace as string], scrapeInterval: "1s", ruleFiles: [] });
    const podsJob = (generated.scrape_configs as Obj[]).find((j) => j.job_name === "kubernetes-pods") as Obj;
    const { kubernetes_sd_configs: _sd, ...job } = podsJob;
    fs.writeFileSync(path.join(work, "prometheus.yml"), stringify({ global: generated.global, scrape_configs: [{ ...job, static_configs: [{ targets: [`127.0.0.1:${exporterPort}`], labels: meta }] }] }));
    const prometheus = daemon("prometheus", [`--config.file=${path.join(work, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(work, "data")}`, `--web.listen-address=127.0.0.1:${prometheusPort}`]);
    const api = `http://127.0.0.1:${prometheusPort}/api/v1`;

    try {
      await waitFor("the collector's health check", async () => (await httpStatus(`http://127.0.0.1:${health}/`)) === 200, 60_000).catch((err: Error) => {
        throw new Error(`${err.message}; collector log:\n${collector.log()}`);
      });
      const pods = envs.map((env, i) => servicePod(sdkResource(env, podNames[i]), sessions[i]));
      // Each pod serves requests at its own steady rate and exports every second, as a PeriodicExportingMetricReader would.
      const started = Date.now();
      const ticks: number[] = [];
      const tick = async () => {
        ticks.push(Date.now());
        for (const [i, pod] of pods.entries()) {
          pod.serve(requestsPerTick[i]);
          const r = await post(`http://127.0.0.1:${otlpHttp}/v1/metrics`, await pod.body());
          expect([r.status, r.text]).toEqual([200, expect.any(String)]);
        }
      };
      await tick();
      await waitFor("both pods' series at the exporter", async () => samples(await httpText(`http://127.0.0.1:${exporterPort}/metrics`), "active_sessions").length === 2, 30_000);
      exposition = await httpText(`http://127.0.0.1:${exporterPort}/metrics`);
      while (Date.now() - started < 25_000) {
        await new Promise((r) => setTimeout(r, 1000));
        await tick();
      }
      await new Promise((r) => setTimeout(r, 2500)); // the last export reaches the exporter, and is scraped
      // The rate the pods actually served at, over the last 20 s (the machine may be slower than one tick a second).
      const recent = ticks.filter((t) => t >= ticks[ticks.length - 1] - 20_000);
      const seconds = (recent[recent.length - 1] - recent[0]) / 1000;
      served.push(...requestsPerTick.map((n) => ((n * (recent.length - 1)) / seconds) * 60));

      const query = async (q: string) => ((await getJson(`${api}/query?query=${encodeURIComponent(q)}`)).data as { result?: { metric: Record<string, string>; value: [number, string] }[] }).result ?? [];
      await waitFor("Prometheus to store the collector's series", async () => (await query("active_sessions")).length === 2, 30_000);
      exportedSeries = (await query("active_sessions")).map((r) => r.metric);
      // What the adapter does: discover the series (seriesQuery), name them, and query them for the service's pods.
      for (const rule of documentedRules()) {
        const found = ((await getJson(`${api}/series?match[]=${encodeURIComponent(rule.seriesQuery)}`)).data as Record<string, string>[]) ?? [];
        const names = [...new Set(found.map((x) => x.__name__))].filter((n) => new RegExp(rule.name.matches).test(n));
        expect([rule.seriesQuery, names.length]).toEqual([rule.seriesQuery, 1]);
        const apiName = names[0].replace(new RegExp(rule.name.matches), rule.name.as ?? "$&");
        // The test runs for seconds: a rate over the documented [2m] would be divided by 2 minutes, so take a window the samples fill.
        const q = adapterQuery(rule, names[0], namespace, podNames).replace("[2m]", "[20s]");
        results[apiName] = Object.fromEntries((await query(q)).map((r) => [r.metric.k8s_pod_name, Number(r.value[1])]));
      }
    } finally {
      await prometheus.stop("SIGTERM");
      await collector.stop("SIGTERM");
    }
  });

  it("gives each pod OTEL_RESOURCE_ATTRIBUTES naming its pod and namespace once the kubelet has expanded it", () => {
    expect(envs.map((e) => e.OTEL_RESOURCE_ATTRIBUTES)).toEqual(podNames.map((pod) => `service.namespace=shop,k8s.namespace.name=${namespace},k8s.pod.name=${pod}`));
    const attributes = sdkResource(envs[0], podNames[0]).attributes;
    expect(attributes).toMatchObject({ "service.name": "basket", "service.namespace": "shop", "k8s.namespace.name": namespace, "k8s.pod.name": podNames[0] });
  });

  it("labels each series at the collector's prometheus exporter with the pod and namespace it describes", () => {
    const sessionSeries = samples(exposition, "active_sessions");
    expect(sessionSeries.map((x) => [x.labels.k8s_pod_name, x.labels.k8s_namespace_name, x.value]).sort()).toEqual([
      [podNames[0], namespace, 1200],
      [podNames[1], namespace, 800],
    ].sort());
    for (const x of sessionSeries) {
      // job from service.namespace/service.name; no instance (the JS SDK sends no service.instance.id); only the kept attributes as labels.
      expect(x.labels).toEqual({ job: "shop/basket", service_name: "basket", service_namespace: "shop", service_version: "1.0.0", k8s_namespace_name: namespace, k8s_pod_name: x.labels.k8s_pod_name });
    }
    // ASP.NET Core's http.server.request.duration (histogram, unit s) is exposed as http_server_request_duration_seconds_*.
    const counts = samples(exposition, "http_server_request_duration_seconds_count");
    expect(counts.map((x) => x.labels.k8s_pod_name).sort()).toEqual([...podNames].sort());
    expect(counts[0].labels).toMatchObject({ http_request_method: "GET", http_route: "/basket", http_response_status_code: "200" });
    expect(exposition).not.toMatch(/process_pid|process_command_args|host_name|telemetry_sdk/);
  });

  it("keeps the service's pod next to the collector's own namespace/pod in Prometheus (kubernetes-pods job)", () => {
    expect(exportedSeries).toHaveLength(2);
    for (const x of exportedSeries) {
      expect(x).toMatchObject({ job: "kubernetes-pods", namespace: "monitoring", pod: "obs-otel-collector-7xk2p", exported_job: "shop/basket", k8s_namespace_name: namespace });
    }
    expect(exportedSeries.map((x) => x.k8s_pod_name).sort()).toEqual([...podNames].sort());
  });

  it("answers the documented prometheus-adapter rules per pod: active_sessions and http_requests_per_minute", () => {
    expect(Object.keys(results).sort()).toEqual(["active_sessions", "http_requests_per_minute"]);
    expect(results.active_sessions).toEqual({ [podNames[0]]: 1200, [podNames[1]]: 800 });
    // About 120 and 60 a minute (2 and 1 requests per tick of about a second): what each pod served, give or take the scrape and export timing.
    const perMinute = results.http_requests_per_minute;
    expect(Object.keys(perMinute).sort()).toEqual([...podNames].sort());
    podNames.forEach((pod, i) => {
      expect([pod, perMinute[pod] > served[i] * 0.7 && perMinute[pod] < served[i] * 1.3]).toEqual([pod, true]);
    });
    expect(perMinute[podNames[0]] / perMinute[podNames[1]]).toBeCloseTo(2, 0);
  });
});
