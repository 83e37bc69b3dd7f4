/** Where services send OpenTelemetry data: the ObservabilityStack provides it, ApiService consumes it. */
import type * as pulumi from "@pulumi/pulumi";
import type { EnvValue, ExpandedEnvVar } from "./env";
import type { NetworkEndpoint } from "./network";

export interface TelemetryTarget {
  /** OTLP gRPC endpoint, e.g. `http://obs-otel-collector.monitoring.svc.cluster.local:4317`. */
  readonly otlpEndpoint: pulumi.Input<string>;
  /** The collector, for NetworkPolicy egress (OTLP gRPC and HTTP ports). */
  readonly collector: NetworkEndpoint;
}

/** The variables a service's OpenTelemetry SDK is configured by (see {@link telemetryEnv}). */
export interface TelemetryEnv {
  /**
   * The service's env with keel's added: plain values (the generated ConfigMap) and the
   * downward-API references `POD_NAME` (`metadata.name`) and `POD_NAMESPACE` (`metadata.namespace`).
   */
  readonly env: Readonly<Record<string, EnvValue>>;
  /**
   * `OTEL_RESOURCE_ATTRIBUTES`, written inline after every other variable: the kubelet expands
   * `$(POD_NAME)` and `$(POD_NAMESPACE)` only in an inline `value`, and only of variables declared
   * before it (a value read through configMapKeyRef keeps the `$(...)` literally).
   */
  readonly expanded: readonly ExpandedEnvVar[];
}

/** The resource attributes that name the pod a service's telemetry comes from (OpenTelemetry's Kubernetes semantic conventions). */
export const POD_RESOURCE_ATTRIBUTES = { pod: "k8s.pod.name", namespace: "k8s.namespace.name" } as const;

/**
 * The standard OpenTelemetry SDK environment for a service named `service`, added to its own
 * `userEnv`: where to send (OTLP gRPC), its `service.name`, and as resource attributes
 * (`OTEL_RESOURCE_ATTRIBUTES`, read by the .NET, Java, Go, Node and Rust SDKs) `service.namespace`
 * (the system) and the pod it runs in, `k8s.namespace.name` and `k8s.pod.name`. The collector
 * turns resource attributes into metric labels, so a per-pod metric reaches Prometheus labelled
 * with the pod it describes, which an HPA fed by prometheus-adapter needs.
 *
 * A variable set in `userEnv` wins. An `OTEL_RESOURCE_ATTRIBUTES` given there as a plain string
 * is appended to keel's (its keys win: the SDKs keep the last of a duplicate key); given as an
 * Output or a reference it replaces keel's, and the pod then carries no pod attributes.
 */
export function telemetryEnv(target: TelemetryTarget, service: string, namespace?: string, userEnv?: Readonly<Record<string, EnvValue>>): TelemetryEnv {
  const env: Record<string, EnvValue> = {
    OTEL_EXPORTER_OTLP_ENDPOINT: target.otlpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    OTEL_SERVICE_NAME: service,
    POD_NAME: { fieldPath: "metadata.name" },
    POD_NAMESPACE: { fieldPath: "metadata.namespace" },
    ...(userEnv ?? {}),
  };
  const attributes = [
    ...(namespace ? [`service.namespace=${namespace}`] : []),
    `${POD_RESOURCE_ATTRIBUTES.namespace}=$(POD_NAMESPACE)`,
    `${POD_RESOURCE_ATTRIBUTES.pod}=$(POD_NAME)`,
  ];
  const hasOwn = typeof userEnv === "object" && userEnv !== null && Object.prototype.hasOwnProperty.call(userEnv, "OTEL_RESOURCE_ATTRIBUTES");
  if (hasOwn) {
    const user = env.OTEL_RESOURCE_ATTRIBUTES;
    if (typeof user !== "string") return { env, expanded: [] };
    delete env.OTEL_RESOURCE_ATTRIBUTES;
    if (user.trim() !== "") attributes.push(user.trim());
  }
  return { env, expanded: [{ name: "OTEL_RESOURCE_ATTRIBUTES", value: attributes.join(",") }] };
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
