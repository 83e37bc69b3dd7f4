/** Configuration files of the log, trace and telemetry backends: Loki, Tempo, OpenTelemetry Collector. */

export const PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  alertmanagerCluster: 9094,
  grafana: 3000,
  loki: 3100,
  tempo: 3200,
  otlpGrpc: 4317,
  otlpHttp: 4318,
  collectorMetrics: 8889,
  collectorHealth: 13133,
  pushgateway: 9091,
  kubeStateMetrics: 8080,
} as const;

/** Loki, monolithic, on its volume; the compactor deletes logs older than the retention. */
export function lokiConfig(retention: string): Record<string, unknown> {
  return {
    auth_enabled: false,
    server: { http_listen_port: PORTS.loki, grpc_listen_port: 9095 },
    common: {
      path_prefix: "/loki",
      replication_factor: 1,
      ring: { kvstore: { store: "inmemory" } },
      storage: { filesystem: { chunks_directory: "/loki/chunks", rules_directory: "/loki/rules" } },
    },
    schema_config: { configs: [{ from: "2024-01-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } }] },
    compactor: { working_directory: "/loki/compactor", compaction_interval: "10m", retention_enabled: true, retention_delete_delay: "2h", delete_request_store: "filesystem" },
    limits_config: { retention_period: retention, allow_structured_metadata: true },
    analytics: { reporting_enabled: false },
  };
}

/** Tempo, monolithic, on its volume; the compactor drops blocks older than the retention. */
export function tempoConfig(retention: string): Record<string, unknown> {
  return {
    server: { http_listen_port: PORTS.tempo },
    distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${PORTS.otlpGrpc}` }, http: { endpoint: `0.0.0.0:${PORTS.otlpHttp}` } } } } },
    storage: { trace: { backend: "local", wal: { path: "/var/tempo/wal" }, local: { path: "/var/tempo/blocks" } } },
    compactor: { compaction: { block_retention: retention } },
    usage_report: { reporting_enabled: false },
  };
}

export interface CollectorTargets {
  /** host:port of Tempo's OTLP gRPC receiver. */
  readonly traces?: string;
  /** Base URL of Loki's OTLP endpoint. */
  readonly logs?: string;
}

/**
 * The resource attributes the collector keeps on metrics; the `prometheus` exporter turns each
 * into a label (`k8s.pod.name` -> `k8s_pod_name`). `service.name` and `service.namespace` also
 * make the exporter's `job` (`<namespace>/<name>`), `service.instance.id` its `instance`. Only
 * these: SDKs add process, host, OS and SDK attributes (`process.pid`, `process.command_args`,
 * `host.name`, `telemetry.sdk.version`, ...) that would each become a label of every series;
 * traces and logs keep them all.
 */
export const METRIC_RESOURCE_ATTRIBUTES = ["service.name", "service.namespace", "service.version", "service.instance.id", "k8s.namespace.name", "k8s.pod.name"] as const;

/**
 * The OpenTelemetry Collector: OTLP in; traces to Tempo, logs to Loki, metrics exposed for
 * Prometheus. A metric's resource attributes become its labels (`resource_to_telemetry_conversion`),
 * so the series a service's pod sends carry `k8s_namespace_name` and `k8s_pod_name` (set by
 * `telemetryEnv`): Prometheus labels the scraped series with the collector's own namespace and
 * pod, and prometheus-adapter maps these two instead (docs/observability.md, "Metrics for HPAs").
 */
export function collectorConfig(t: CollectorTargets): Record<string, unknown> {
  const exporters: Record<string, unknown> = { prometheus: { endpoint: `0.0.0.0:${PORTS.collectorMetrics}`, resource_to_telemetry_conversion: { enabled: true } } };
  const pipelines: Record<string, unknown> = {};
  const processors = ["memory_limiter", "batch"];
  const receivers = ["otlp"];
  pipelines.metrics = { receivers, processors: ["memory_limiter", "transform/metric-resource", "batch"], exporters: ["prometheus"] };
  if (t.traces) {
    exporters["otlp/tempo"] = { endpoint: t.traces, tls: { insecure: true } };
    pipelines.traces = { receivers, processors, exporters: ["otlp/tempo"] };
  }
  if (t.logs) {
    exporters["otlphttp/loki"] = { endpoint: t.logs };
    pipelines.logs = { receivers, processors, exporters: ["otlphttp/loki"] };
  }
  const keep = METRIC_RESOURCE_ATTRIBUTES.map((k) => JSON.stringify(k)).join(", ");
  return {
    receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${PORTS.otlpGrpc}` }, http: { endpoint: `0.0.0.0:${PORTS.otlpHttp}` } } } },
    processors: {
      memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 },
      batch: {},
      // Metrics only: the resource attributes that become labels (METRIC_RESOURCE_ATTRIBUTES).
      "transform/metric-resource": { error_mode: "ignore", metric_statements: [{ context: "resource", statements: [`keep_keys(attributes, [${keep}])`] }] },
    },
    exporters,
    extensions: { health_check: { endpoint: `0.0.0.0:${PORTS.collectorHealth}` } },
    service: { extensions: ["health_check"], pipelines },
  };
}
