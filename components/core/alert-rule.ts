/** A Prometheus alerting rule, as components hand them to the ObservabilityStack (rule-file shape). */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** Prometheus duration the condition must hold, e.g. "5m". */
  readonly for: string;
  readonly labels: { readonly severity: "critical" | "warning" };
  readonly annotations: { readonly summary: string; readonly runbook: string };
}
