/**
 * req1 (seed 000): a Rust/Axum API serving REST and the SPA, behind nginx ingress with
 * cert-manager TLS, scaled by an HPA in prod, observed by Prometheus, Grafana, the OpenTelemetry
 * Collector, Tempo and Loki. Its PostgreSQL (primary + replica), Redis and SeaweedFS join when
 * the data components land.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, KubernetesPlatform, ObservabilityStack, peers } from "../components";
import { StackConfig, requireString } from "./config";

export interface Req1Outputs {
  readonly apiUrl: pulumi.Output<string>;
  readonly publicUrl?: pulumi.Output<string>;
  readonly grafanaUrl?: pulumi.Output<string>;
  readonly namespaces: Record<string, pulumi.Input<string>>;
}

export function req1(stack: StackConfig): Req1Outputs {
  const settings = stack.config.requireObject<Record<string, unknown>>("req1");
  const image = requireString(settings, "req1", "image");
  const host = requireString(settings, "req1", "host");
  const oidcIssuer = requireString(settings, "req1", "oidcIssuer");
  const oidcClientSecret = stack.config.getSecret("req1OidcClientSecret");

  const platform = new KubernetesPlatform("req1", {
    system: "req1",
    protect: stack.environment.protect,
    ...stack.kubernetes,
  });

  // Seed 000: Prometheus + Grafana + OpenTelemetry Collector + Tempo + Loki, alerts to Slack/PagerDuty.
  const o = stack.environment.observability;
  const slackWebhookUrl = stack.config.getSecret("slackWebhookUrl");
  const pagerdutyRoutingKey = stack.config.getSecret("pagerdutyRoutingKey");
  const slackChannel = typeof settings.slackChannel === "string" ? settings.slackChannel : "#req1-alerts";
  const observability = new ObservabilityStack("req1-obs", {
    platform,
    prometheus: o.prometheus,
    alertmanager: {
      replicas: o.alertmanagerReplicas,
      slack: slackWebhookUrl ? { webhookUrl: slackWebhookUrl, channel: slackChannel } : undefined,
      pagerduty: pagerdutyRoutingKey ? { routingKey: pagerdutyRoutingKey } : undefined,
    },
    grafana: { replicas: o.grafanaReplicas, ingress: typeof settings.grafanaHost === "string" ? { host: settings.grafanaHost } : undefined },
    loki: { retention: o.logRetention },
    tempo: { retention: o.traceRetention },
  });

  const api = new ApiService("req1-api", {
    platform,
    image,
    port: 8080,
    component: "api",
    ...stack.environment.api,
    probes: {
      liveness: { path: "/health/live" },
      readiness: { path: "/health/ready" },
    },
    env: {
      RUST_LOG: stack.environment.name === "prod" ? "info" : "debug",
      OIDC_ISSUER: oidcIssuer,
      OIDC_CLIENT_ID: "req1",
      // Without a configured secret, the client secret comes from a Secret managed outside Pulumi.
      ...(oidcClientSecret === undefined ? { OIDC_CLIENT_SECRET: { secretKeyRef: { name: "req1-oidc", key: "client-secret" } } } : {}),
    },
    secretEnv: oidcClientSecret === undefined ? undefined : { OIDC_CLIENT_SECRET: oidcClientSecret },
    ingress: {
      host,
      rateLimit: { requestsPerSecond: 20, connections: 50 },
      maxBodySize: "10m",
    },
    telemetry: observability.telemetry,
    // The identity provider is outside the cluster: HTTPS only.
    allowTo: [{ peer: peers.internet(), ports: [{ port: 443 }] }],
  });

  return { apiUrl: api.url, publicUrl: api.publicUrl, grafanaUrl: observability.grafanaUrl, namespaces: { ...platform.kubernetes.namespaces } };
}
