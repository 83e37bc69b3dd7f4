/** Where services send OpenTelemetry data: the ObservabilityStack provides it, ApiService consumes it. */
import type * as pulumi from "@pulumi/pulumi";
import type { NetworkEndpoint } from "./network";

export interface TelemetryTarget {
  /** OTLP gRPC endpoint, e.g. `http://obs-otel-collector.monitoring.svc.cluster.local:4317`. */
  readonly otlpEndpoint: pulumi.Input<string>;
  /** The collector, for NetworkPolicy egress (OTLP gRPC and HTTP ports). */
  readonly collector: NetworkEndpoint;
}

/** The standard OpenTelemetry SDK environment for a service named `service`. */
export function telemetryEnv(target: TelemetryTarget, service: string, namespace?: string): Record<string, pulumi.Input<string>> {
  const env: Record<string, pulumi.Input<string>> = {
    OTEL_EXPORTER_OTLP_ENDPOINT: target.otlpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    OTEL_SERVICE_NAME: service,
  };
  if (namespace) env.OTEL_RESOURCE_ATTRIBUTES = `service.namespace=${namespace}`;
  return env;
}

/** Pushed to the Pushgateway by keel's backup jobs when a backup succeeds (seconds since the epoch). */
export const BACKUP_SUCCESS_METRIC = "keel_backup_last_success_timestamp_seconds";
/** Size in bytes of the last successful backup. */
export const BACKUP_SIZE_METRIC = "keel_backup_last_size_bytes";

/** Where batch jobs push metrics (an ObservabilityStack's `metricsPush`): the Pushgateway. */
export interface MetricsPushTarget {
  /** e.g. `http://obs-pushgateway.monitoring.svc.cluster.local:9091` */
  readonly url: pulumi.Input<string>;
  /** The Pushgateway, for NetworkPolicy egress. */
  readonly endpoint: NetworkEndpoint;
}
