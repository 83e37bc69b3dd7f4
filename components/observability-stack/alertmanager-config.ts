/**
 * alertmanager.yml: critical alerts page (PagerDuty), everything notifies Slack. The webhook
 * URL and routing key are secrets: the whole file goes into a Kubernetes Secret.
 */

export interface AlertmanagerConfigOptions {
  readonly slack?: { readonly webhookUrl: string; readonly channel: string };
  readonly pagerduty?: { readonly routingKey: string };
  /** @default ["alertname", "namespace"] */
  readonly groupBy?: readonly string[];
}

export function alertmanagerConfig(o: AlertmanagerConfigOptions): Record<string, unknown> {
  const receivers: Record<string, unknown>[] = [{ name: "null" }];
  const routes: Record<string, unknown>[] = [];
  if (o.pagerduty) {
    receivers.push({ name: "pagerduty", pagerduty_configs: [{ routing_key: o.pagerduty.routingKey, send_resolved: true }] });
    routes.push({ receiver: "pagerduty", matchers: ['severity="critical"'], continue: true });
  }
  if (o.slack) {
    receivers.push({
      name: "slack",
      slack_configs: [
        {
          api_url: o.slack.webhookUrl,
          channel: o.slack.channel,
          send_resolved: true,
          title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
          text: "{{ range .Alerts }}{{ .Annotations.summary }}\nRunbook: {{ .Annotations.runbook }}\n{{ end }}",
        },
      ],
    });
    routes.push({ receiver: "slack", matchers: ['severity=~"critical|warning"'] });
  }
  return {
    route: {
      receiver: "null",
      group_by: [...(o.groupBy ?? ["alertname", "namespace"])],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes,
    },
    inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname", "namespace"] }],
    receivers,
  };
}

/**
 * A Slack channel as Slack names them: `#name` (lowercase letters, digits, '-', '_', '.', at
 * most 80), `@user`, or a channel ID (C/G/D and uppercase letters and digits).
 */
export function isSlackChannel(value: unknown): boolean {
  return typeof value === "string" && (/^[#@]?[a-z0-9][a-z0-9._-]{0,79}$/.test(value) || /^[CGD][A-Z0-9]{8,}$/.test(value));
}
