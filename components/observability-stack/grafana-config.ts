/** Grafana provisioning: datasources with fixed uids, and keel's dashboards that reference them. */

export interface DatasourceUrls {
  readonly prometheus?: string;
  readonly loki?: string;
  readonly tempo?: string;
}

export function grafanaDatasources(urls: DatasourceUrls): Record<string, unknown> {
  const datasources: Record<string, unknown>[] = [];
  if (urls.prometheus) datasources.push({ name: "Prometheus", type: "prometheus", uid: "prometheus", access: "proxy", url: urls.prometheus, isDefault: true, editable: false });
  if (urls.loki) datasources.push({ name: "Loki", type: "loki", uid: "loki", access: "proxy", url: urls.loki, editable: false });
  if (urls.tempo) {
    datasources.push({
      name: "Tempo",
      type: "tempo",
      uid: "tempo",
      access: "proxy",
      url: urls.tempo,
      editable: false,
      jsonData: urls.loki ? { tracesToLogsV2: { datasourceUid: "loki" }, serviceMap: { datasourceUid: "prometheus" } } : {},
    });
  }
  return { apiVersion: 1, datasources };
}

export function dashboardProvider(path: string): Record<string, unknown> {
  return { apiVersion: 1, providers: [{ name: "keel", folder: "keel", type: "file", disableDeletion: true, options: { path } }] };
}

interface Panel {
  readonly title: string;
  readonly expr: string;
  readonly unit: string;
  readonly legend: string;
}

const PROMETHEUS = { type: "prometheus", uid: "prometheus" };

function dashboard(uid: string, title: string, panels: readonly Panel[]): Record<string, unknown> {
  return {
    uid,
    title,
    tags: ["keel"],
    schemaVersion: 39,
    version: 1,
    editable: false,
    time: { from: "now-6h", to: "now" },
    refresh: "30s",
    templating: {
      list: [{ name: "namespace", type: "query", datasource: PROMETHEUS, query: "label_values(up, namespace)", refresh: 2, includeAll: true, multi: true, current: {} }],
    },
    panels: panels.map((p, i) => ({
      id: i + 1,
      type: "timeseries",
      title: p.title,
      datasource: PROMETHEUS,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: [{ refId: "A", datasource: PROMETHEUS, expr: p.expr, legendFormat: p.legend }],
    })),
  };
}

const ns = 'namespace=~"$namespace"';

/** keel's dashboards, by file name: service RED, PostgreSQL, Redis, Kafka, Kubernetes workloads. */
export function dashboards(): Record<string, Record<string, unknown>> {
  return {
    "service-red.json": dashboard("keel-service-red", "Services: rate, errors, duration", [
      { title: "Requests per second", expr: `sum by (service) (rate(http_requests_total{${ns}}[5m]))`, unit: "reqps", legend: "{{service}}" },
      { title: "Error ratio (5xx)", expr: `sum by (service) (rate(http_requests_total{${ns},status=~"5.."}[5m])) / sum by (service) (rate(http_requests_total{${ns}}[5m]))`, unit: "percentunit", legend: "{{service}}" },
      { title: "Latency p50", expr: `histogram_quantile(0.5, sum by (service, le) (rate(http_request_duration_seconds_bucket{${ns}}[5m])))`, unit: "s", legend: "{{service}}" },
      { title: "Latency p99", expr: `histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{${ns}}[5m])))`, unit: "s", legend: "{{service}}" },
    ]),
    "postgresql.json": dashboard("keel-postgresql", "PostgreSQL", [
      { title: "Up", expr: `pg_up{${ns}}`, unit: "none", legend: "{{instance}}" },
      { title: "Connections", expr: `sum by (instance) (pg_stat_database_numbackends{${ns}})`, unit: "none", legend: "{{instance}}" },
      { title: "Transactions per second", expr: `sum by (instance) (rate(pg_stat_database_xact_commit{${ns}}[5m]) + rate(pg_stat_database_xact_rollback{${ns}}[5m]))`, unit: "ops", legend: "{{instance}}" },
      { title: "Replication lag", expr: `pg_replication_lag_seconds{${ns}}`, unit: "s", legend: "{{instance}}" },
    ]),
    "redis.json": dashboard("keel-redis", "Redis", [
      { title: "Up", expr: `redis_up{${ns}}`, unit: "none", legend: "{{instance}}" },
      { title: "Memory used", expr: `redis_memory_used_bytes{${ns}}`, unit: "bytes", legend: "{{instance}}" },
      { title: "Connected clients", expr: `redis_connected_clients{${ns}}`, unit: "none", legend: "{{instance}}" },
      { title: "Commands per second", expr: `rate(redis_commands_processed_total{${ns}}[5m])`, unit: "ops", legend: "{{instance}}" },
    ]),
    "kafka.json": dashboard("keel-kafka", "Kafka", [
      { title: "Under-replicated partitions", expr: `sum by (topic) (kafka_topic_partition_under_replicated_partition{${ns}})`, unit: "none", legend: "{{topic}}" },
      { title: "Messages in per second", expr: `sum by (topic) (rate(kafka_topic_partition_current_offset{${ns}}[5m]))`, unit: "ops", legend: "{{topic}}" },
      { title: "Consumer group lag", expr: `sum by (consumergroup, topic) (kafka_consumergroup_lag{${ns}})`, unit: "none", legend: "{{consumergroup}} {{topic}}" },
      { title: "Brokers", expr: `kafka_brokers{${ns}}`, unit: "none", legend: "brokers" },
    ]),
    "kubernetes-workloads.json": dashboard("keel-kubernetes-workloads", "Kubernetes workloads", [
      { title: "CPU by pod", expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${ns},container!=""}[5m]))`, unit: "short", legend: "{{pod}}" },
      { title: "Memory by pod", expr: `sum by (pod) (container_memory_working_set_bytes{${ns},container!=""})`, unit: "bytes", legend: "{{pod}}" },
      { title: "Container restarts (15m)", expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total{${ns}}[15m]))`, unit: "none", legend: "{{pod}}" },
      { title: "Available replicas", expr: `kube_deployment_status_replicas_available{${ns}}`, unit: "none", legend: "{{deployment}}" },
    ]),
  };
}
