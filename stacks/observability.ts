/**
 * The observability stack every blueprint runs: Prometheus, Alertmanager and Grafana sized by
 * the environment profile, alerts to Slack and/or PagerDuty from the stack's secrets, and in
 * prod a receiver or a stated reason why there is none.
 */
import type { AlertRule, ObservabilityStack as ObservabilityStackType, Platform } from "../components";
import { ObservabilityStack } from "../components";
import type { StackConfig } from "./config";

export interface BlueprintObservabilityOptions {
  /** The component's name, e.g. "req1-obs". */
  readonly name: string;
  /** The blueprint's config section (`grafanaHost`, `slackChannel`, `noAlertReceiverReason`). */
  readonly section: Readonly<Record<string, unknown>>;
  /** The Slack channel when the section names none. */
  readonly defaultChannel: string;
  /** Alert rules the blueprint's components bring (e.g. `PostgresCluster.alertRules()`). */
  readonly extraAlertRules?: readonly AlertRule[];
  /** Loki (logs, with the node-log collector). @default true */
  readonly logs?: boolean;
  /** Tempo (traces) and the OpenTelemetry Collector. @default true */
  readonly traces?: boolean;
  /** The Pushgateway, where batch jobs (backups) push their success time. @default true */
  readonly batchJobs?: boolean;
}

export function blueprintObservability(stack: StackConfig, platform: Platform, options: BlueprintObservabilityOptions): ObservabilityStackType {
  const env = stack.environment;
  const o = env.observability;
  const settings = options.section;
  const slackWebhookUrl = stack.config.getSecret("slackWebhookUrl");
  const pagerdutyRoutingKey = stack.config.getSecret("pagerdutyRoutingKey");
  const slackChannel = typeof settings.slackChannel === "string" ? settings.slackChannel : options.defaultChannel;
  return new ObservabilityStack(options.name, {
    platform,
    prometheus: { ...o.prometheus, extraAlertRules: options.extraAlertRules },
    alertmanager: {
      replicas: o.alertmanagerReplicas,
      slack: slackWebhookUrl ? { webhookUrl: slackWebhookUrl, channel: slackChannel } : undefined,
      pagerduty: pagerdutyRoutingKey ? { routingKey: pagerdutyRoutingKey } : undefined,
      // In prod, alerts must reach someone: a receiver, or a stated reason why not.
      requireReceiver: env.name === "prod",
      noReceiverReason: typeof settings.noAlertReceiverReason === "string" ? settings.noAlertReceiverReason : undefined,
    },
    grafana: { replicas: o.grafanaReplicas, ingress: typeof settings.grafanaHost === "string" ? { host: settings.grafanaHost } : undefined },
    loki: options.logs === false ? false : { retention: o.logRetention },
    ...(options.logs === false ? { nodeLogs: false } : {}),
    tempo: options.traces === false ? false : { retention: o.traceRetention },
    ...(options.traces === false ? { collector: false } : {}),
    ...(options.batchJobs === false ? { pushgateway: false } : {}),
    // Prometheus, Loki and Tempo volumes and Grafana's admin password: protected in prod.
    protect: env.protect,
  });
}
