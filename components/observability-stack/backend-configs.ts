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

/** The OpenTelemetry Collector: OTLP in; traces to Tempo, logs to Loki, metrics exposed for Prometheus. */
export function collectorConfig(t: CollectorTargets): Record<string, unknown> {
  const exporters: Record<string, unknown> = { prometheus: { endpoint: `0.0.0.0:${PORTS.collectorMetrics}` } };
  const pipelines: Record<string, unknown> = {};
  const processors = ["memory_limiter", "batch"];
  const receivers = ["otlp"];
  pipelines.metrics = { receivers, processors, exporters: ["prometheus"] };
  if (t.traces) {
    exporters["otlp/tempo"] = { endpoint: t.traces, tls: { insecure: true } };
    pipelines.traces = { receivers, processors, exporters: ["otlp/tempo"] };
  }
  if (t.logs) {
    exporters["otlphttp/loki"] = { endpoint: t.logs };
    pipelines.logs = { receivers, processors, exporters: ["otlphttp/loki"] };
  }
  return {
    receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${PORTS.otlpGrpc}` }, http: { endpoint: `0.0.0.0:${PORTS.otlpHttp}` } } } },
    processors: { memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 }, batch: {} },
    exporters,
    extensions: { health_check: { endpoint: `0.0.0.0:${PORTS.collectorHealth}` } },
    service: { extensions: ["health_check"], pipelines },
  };
}
