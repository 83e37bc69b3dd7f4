/**
 * prometheus.yml: discovery of keel's workloads through the Kubernetes API. Pods opt in with
 * the `prometheus.io/scrape|port|path` annotations keel sets on every workload; kube-state-metrics
 * has its own job that keeps the labels of the objects it reports (`honor_labels`); kubelets and
 * their cAdvisor are scraped through the API server's node proxy (volume usage, container CPU
 * and memory), so Prometheus needs no flow but the one to the API server; Alertmanager is
 * discovered by label.
 */

export interface PrometheusConfigOptions {
  /** Namespaces to discover pods in (keel's tiers). */
  readonly namespaces: readonly string[];
  /** @default "30s" */
  readonly scrapeInterval?: string;
  /** Where Alertmanager runs (namespace, pod label), when there is one. */
  readonly alertmanager?: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
  /**
   * Where kube-state-metrics runs (namespace, pod labels), when there is one: scraped by its own
   * job with `honor_labels`, so its series name the pods they describe, not the exporter's pod.
   */
  readonly kubeStateMetrics?: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
  /** Rule files, as mounted in the container. */
  readonly ruleFiles: readonly string[];
  /** External labels identifying this Prometheus (e.g. the system and replica). */
  readonly externalLabels?: Readonly<Record<string, string>>;
}

const SA = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The meta label Kubernetes discovery gives a pod label (`app.kubernetes.io/name` -> `..._app_kubernetes_io_name`). */
function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Relabel rule matching the pods of `namespace` with all of `podLabels`, as `action` (keep or drop). */
function selectPods(action: "keep" | "drop", namespace: string, podLabels: Readonly<Record<string, string>>) {
  const entries = Object.entries(podLabels);
  return {
    source_labels: ["__meta_kubernetes_namespace", ...entries.map(([k]) => podLabelMeta(k))],
    action,
    regex: [namespace, ...entries.map(([, v]) => v)].map(escapeRegex).join(";"),
  };
}

/** What every annotation-discovered pod target goes through: opt-in, running, its path and port. */
function annotatedPodRules() {
  return [
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
  ];
}

/** The pod-annotation discovery job (kube-state-metrics left to its own job). */
function podsJob(namespaces: readonly string[], ksm: PrometheusConfigOptions["kubeStateMetrics"]) {
  return {
    job_name: "kubernetes-pods",
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [...namespaces] } }],
    relabel_configs: [
      ...annotatedPodRules(),
      ...(ksm ? [selectPods("drop", ksm.namespace, ksm.podLabels)] : []),
      { action: "labelmap", regex: "__meta_kubernetes_pod_label_(.+)" },
      { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
      { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
      { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_instance"], target_label: "service" },
    ],
  };
}

/**
 * kube-state-metrics: its series carry the namespace, pod and container of the object they
 * describe. `honor_labels` keeps those; without it Prometheus renames them `exported_*` and
 * stamps the exporter's own namespace and pod on every series. The target gets no
 * namespace/pod labels of its own, so series about cluster-wide objects (nodes) get none either.
 */
function kubeStateMetricsJob(ksm: NonNullable<PrometheusConfigOptions["kubeStateMetrics"]>) {
  return {
    job_name: "kube-state-metrics",
    honor_labels: true,
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [ksm.namespace] } }],
    relabel_configs: [selectPods("keep", ksm.namespace, ksm.podLabels), ...annotatedPodRules()],
  };
}

/** A kubelet endpoint on every node, through the API server's node proxy (RBAC: nodes/proxy). */
function kubeletProxyJob(jobName: string, path: "/metrics" | "/metrics/cadvisor") {
  return {
    job_name: jobName,
    scheme: "https",
    tls_config: { ca_file: `${SA}/ca.crt` },
    authorization: { credentials_file: `${SA}/token` },
    kubernetes_sd_configs: [{ role: "node" }],
    relabel_configs: [
      { action: "labelmap", regex: "__meta_kubernetes_node_label_(.+)" },
      { source_labels: ["__meta_kubernetes_node_name"], target_label: "node" },
      { target_label: "__address__", replacement: "kubernetes.default.svc:443" },
      { source_labels: ["__meta_kubernetes_node_name"], regex: "(.+)", target_label: "__metrics_path__", replacement: `/api/v1/nodes/$1/proxy${path}` },
    ],
  };
}

export function prometheusConfig(o: PrometheusConfigOptions): Record<string, unknown> {
  const interval = o.scrapeInterval ?? "30s";
  const config: Record<string, unknown> = {
    global: { scrape_interval: interval, evaluation_interval: interval, external_labels: { ...(o.externalLabels ?? {}) } },
    rule_files: [...o.ruleFiles],
    scrape_configs: [
      { job_name: "prometheus", static_configs: [{ targets: ["localhost:9090"] }] },
      podsJob(o.namespaces, o.kubeStateMetrics),
      ...(o.kubeStateMetrics ? [kubeStateMetricsJob(o.kubeStateMetrics)] : []),
      // Volume usage (kubelet_volume_stats_*).
      kubeletProxyJob("kubernetes-kubelet", "/metrics"),
      // Container CPU and memory (container_cpu_usage_seconds_total, container_memory_working_set_bytes).
      kubeletProxyJob("kubernetes-cadvisor", "/metrics/cadvisor"),
    ],
  };
  if (o.alertmanager) {
    const [[key, value]] = Object.entries(o.alertmanager.podLabels);
    config.alerting = {
      alertmanagers: [
        {
          kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [o.alertmanager.namespace] } }],
          relabel_configs: [
            { source_labels: [podLabelMeta(key)], action: "keep", regex: value },
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
