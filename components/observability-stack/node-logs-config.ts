/**
 * The node-log collector's configuration (OpenTelemetry Collector, filelog receiver): every
 * container's stdout and stderr as the kubelet keeps it under /var/log/pods, for the system's
 * namespaces, shipped to Loki over OTLP.
 *
 * - `container` parses the runtime's format (CRI of containerd and CRI-O:
 *   `<time> <stream> <P|F> <log>`, joining partial `P` lines; docker's json-file:
 *   `{"log":...,"stream":...,"time":...}`) and sets `k8s.namespace.name`, `k8s.pod.name`,
 *   `k8s.pod.uid`, `k8s.container.name` and `k8s.container.restart_count` from the file path
 *   (`/var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log`). Loki indexes the
 *   namespace, pod and container resource attributes as labels by default.
 * - A body that is a JSON object (structured logs) keeps its text and gets its fields as
 *   attributes (Loki: structured metadata); a `level` field sets the record's severity.
 */

export const NODE_LOGS = {
  /** Where the kubelet links every container's log file (mounted read-only). */
  podLogs: "/var/log/pods",
  /** Read positions, so a restarted container resumes where it stopped (an emptyDir). */
  storage: "/var/lib/otelcol/file_storage",
  /** The sizeLimit of that emptyDir: one small record per file read. */
  positionsSize: "64Mi",
  healthPort: 13133,
  metricsPort: 8888,
  /** A partial line (CRI `P`, docker without newline) is joined up to this size, then flushed. */
  maxLogBytes: 1048576,
} as const;

export interface NodeLogsConfigOptions {
  /** The namespaces whose pods' logs are collected. */
  readonly namespaces: readonly string[];
  /** Base URL of Loki's OTLP endpoint, e.g. `http://loki.monitoring.svc.cluster.local:3100/otlp`. */
  readonly loki: string;
  /** @default NODE_LOGS.podLogs */
  readonly podLogs?: string;
  /** @default NODE_LOGS.storage */
  readonly storage?: string;
}

/**
 * The filelog receiver's operators: runtime format, docker's trailing newline, JSON bodies,
 * their level. A body that fails to parse goes on as it is (`on_error: send`; the collector
 * 0.109's `send_quiet` sends such a record twice).
 */
export function nodeLogOperators(): Record<string, unknown>[] {
  return [
    { type: "container", id: "runtime-format", max_log_size: NODE_LOGS.maxLogBytes },
    // docker's json-file keeps the line's newline in "log"; CRI lines never contain one.
    { type: "add", id: "docker-newline", if: 'body matches "\\n$"', field: "body", value: 'EXPR(trimSuffix(body, "\\n"))' },
    { type: "json_parser", id: "json-body", if: 'body matches "^\\\\s*\\\\{"', parse_from: "body", parse_to: "attributes", on_error: "send" },
    { type: "severity_parser", id: "json-level", if: "attributes.level != nil", parse_from: "attributes.level", on_error: "send" },
  ];
}

export function nodeLogsConfig(o: NodeLogsConfigOptions): Record<string, unknown> {
  const podLogs = o.podLogs ?? NODE_LOGS.podLogs;
  return {
    receivers: {
      filelog: {
        // <namespace>_<pod>_<uid>: a namespace name has no "_", so the prefix matches one namespace exactly.
        include: [...new Set(o.namespaces)].map((ns) => `${podLogs}/${ns}_*/*/*.log`),
        // Files present at the first start are read from their end (no flood of old lines);
        // files created later (new pods, restarted containers) from their beginning.
        start_at: "end",
        include_file_path: true,
        include_file_name: false,
        // A partial CRI line (P) may end in a space that belongs to the joined line.
        preserve_trailing_whitespaces: true,
        storage: "file_storage",
        retry_on_failure: { enabled: true },
        operators: nodeLogOperators(),
      },
    },
    processors: { memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 }, batch: {} },
    exporters: { "otlphttp/loki": { endpoint: o.loki } },
    extensions: { health_check: { endpoint: `0.0.0.0:${NODE_LOGS.healthPort}` }, file_storage: { directory: o.storage ?? NODE_LOGS.storage } },
    service: {
      extensions: ["health_check", "file_storage"],
      telemetry: { metrics: { address: `0.0.0.0:${NODE_LOGS.metricsPort}` } },
      pipelines: { logs: { receivers: ["filelog"], processors: ["memory_limiter", "batch"], exporters: ["otlphttp/loki"] } },
    },
  };
}
