/**
 * prometheus.yml: discovery of keel's workloads through the Kubernetes API. Pods opt in with
 * the `prometheus.io/scrape|port|path` annotations keel sets on every workload; kubelets are
 * scraped through the API server proxy (volume usage); Alertmanager is discovered by label.
 */

export interface PrometheusConfigOptions {
  /** Namespaces to discover pods in (keel's tiers). */
  readonly namespaces: readonly string[];
  /** @default "30s" */
  readonly scrapeInterval?: string;
  /** Where Alertmanager runs (namespace, pod label), when there is one. */
  readonly alertmanager?: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
  /** Rule files, as mounted in the container. */
  readonly ruleFiles: readonly string[];
  /** External labels identifying this Prometheus (e.g. the system and replica). */
  readonly externalLabels?: Readonly<Record<string, string>>;
}

const SA = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The pod-annotation discovery job. */
function podsJob(namespaces: readonly string[]) {
  return {
    job_name: "kubernetes-pods",
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [...namespaces] } }],
    relabel_configs: [
      { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], action: "keep", regex: "true" },
      { source_labels: ["__meta_kubernetes_pod_phase"], action: "drop", regex: "Pending|Succeeded|Failed" },
      { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"], action: "replace", target_label: "__metrics_path__", regex: "(.+)" },
      {
        source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
        action: "replace",
        regex: "([^:]+)(?::\\d+)?;(\\d+)",
        replacement: "$1:$2",
        target_label: "__address__",
      },
      { action: "labelmap", regex: "__meta_kubernetes_pod_label_(.+)" },
      { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
      { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
      { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_instance"], target_label: "service" },
    ],
  };
}

/** Kubelet metrics (volume usage) through the API server's node proxy. */
function kubeletJob() {
  return {
    job_name: "kubernetes-kubelet",
    scheme: "https",
    tls_config: { ca_file: `${SA}/ca.crt` },
    authorization: { credentials_file: `${SA}/token` },
    kubernetes_sd_configs: [{ role: "node" }],
    relabel_configs: [
      { action: "labelmap", regex: "__meta_kubernetes_node_label_(.+)" },
      { target_label: "__address__", replacement: "kubernetes.default.svc:443" },
      { source_labels: ["__meta_kubernetes_node_name"], regex: "(.+)", target_label: "__metrics_path__", replacement: "/api/v1/nodes/$1/proxy/metrics" },
    ],
  };
}

export function prometheusConfig(o: PrometheusConfigOptions): Record<string, unknown> {
  const interval = o.scrapeInterval ?? "30s";
  const config: Record<string, unknown> = {
    global: { scrape_interval: interval, evaluation_interval: interval, external_labels: { ...(o.externalLabels ?? {}) } },
    rule_files: [...o.ruleFiles],
    scrape_configs: [{ job_name: "prometheus", static_configs: [{ targets: ["localhost:9090"] }] }, podsJob(o.namespaces), kubeletJob()],
  };
  if (o.alertmanager) {
    const [[key, value]] = Object.entries(o.alertmanager.podLabels);
    config.alerting = {
      alertmanagers: [
        {
          kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [o.alertmanager.namespace] } }],
          relabel_configs: [
            { source_labels: [`__meta_kubernetes_pod_label_${key.replace(/[^a-zA-Z0-9_]/g, "_")}`], action: "keep", regex: value },
            { source_labels: ["__meta_kubernetes_pod_container_port_number"], action: "keep", regex: "9093" },
          ],
        },
      ],
    };
  }
  return config;
}

/**
 * The same config with every `kubernetes_sd_configs` block replaced by a static target, for
 * checkers built without Kubernetes discovery (Debian's promtool).
 */
export function withStaticDiscovery(config: Record<string, unknown>): Record<string, unknown> {
  const swap = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(swap);
    if (typeof value !== "object" || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "kubernetes_sd_configs") out.static_configs = [{ targets: ["localhost:9090"] }];
      else out[k] = swap(v);
    }
    return out;
  };
  return swap(config) as Record<string, unknown>;
}
