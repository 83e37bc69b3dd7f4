/**
 * bookworm (seed 001): an online bookstore of eight .NET services behind a YARP gateway, with
 * PostgreSQL, Redis, RabbitMQ, Qdrant, Keycloak (and Mailpit in dev), observed by Prometheus,
 * Grafana, the OpenTelemetry Collector, Tempo and Loki. Namespaces as the seed draws them:
 * bookworm-system (the ingress controller, and Istio when installed: both outside the stack),
 * bookworm-app, bookworm-data, bookworm-monitoring.
 *
 * The seed names Jaeger for traces and an ELK stack for logs; keel runs Tempo and Loki (both read
 * in Grafana beside the metrics, on one OTLP pipeline). The services are unchanged by that: they
 * export OTLP to the collector either way.
 *
 * The service mesh (seed: Istio, mTLS between services) is the platform's `mesh` setting: on in
 * the prod stack file, where Istio and its CNI plugin are prerequisites; see docs/mesh.md.
 *
 * Also not deployed as the seed draws it, and why:
 * - "Health Checks UI" (a read-only dashboard of the services' health): Grafana's dashboards and
 *   Prometheus' alerts on the same signals take its place; no second dashboard to secure.
 * - The seed's staging environment (2 replicas): keel's profiles are dev and prod; a staging
 *   stack is prod's file with its own host and context.
 * - Blue-green and canary releases: rolling updates with maxSurge 1 / maxUnavailable 0 and
 *   readiness gates; progressive delivery (Argo Rollouts, Flagger) is outside keel.
 * - The PostgreSQL replica ("horizontal read replicas") is reached as `<db>-ro`; the services'
 *   connection strings name the primary (they read their own writes). It is also the hot standby
 *   of the manual failover in docs/postgres.md.
 */
import * as pulumi from "@pulumi/pulumi";
import { PostgresCluster, peers } from "../../components";
import { StackConfig, requireString } from "../config";
import { blueprintObservability } from "../observability";
import { blueprintPlatform } from "../platform";
import { KEYCLOAK_VERSION, bookwormData } from "./data";
import { BOOKWORM_PROFILES, SERVICE_NAMES } from "./profiles";
import { DATABASE_POOL, USES, bookwormServices, maxPods } from "./services";

export interface BookwormOutputs {
  readonly publicUrl?: pulumi.Output<string>;
  readonly gatewayUrl: pulumi.Output<string>;
  readonly grafanaUrl?: pulumi.Output<string>;
  readonly namespaces: Record<string, pulumi.Input<string>>;
  readonly databaseHost: pulumi.Output<string>;
  /** Keep a copy outside the cluster: `pulumi stack output --show-secrets outputs`. */
  readonly backupPassphrase?: pulumi.Output<string>;
}

/**
 * Where prod's HPAs get their custom and external metrics: prometheus-adapter (a prerequisite,
 * the chart's labels) in bookworm-system beside the ingress controller, querying keel's
 * Prometheus with the rules of docs/observability.md ("Metrics for HPAs").
 */
export const METRICS_ADAPTER = { namespace: "bookworm-system", podLabels: { "app.kubernetes.io/name": "prometheus-adapter" } } as const;

/** Prod's mail relay: a Secret the team provides (the seed names no mail provider). */
export const MAIL_RELAY_SECRET = "bookworm-mail-relay";

export async function bookworm(stack: StackConfig): Promise<BookwormOutputs> {
  const settings = stack.config.requireObject<Record<string, unknown>>("bookworm");
  const imageRepository = requireString(settings, "bookworm", "imageRepository");
  const version = requireString(settings, "bookworm", "version");
  const host = requireString(settings, "bookworm", "host");
  const env = stack.environment;
  const profile = BOOKWORM_PROFILES[env.name];
  const identityImage = `${imageRepository}/keycloak:${KEYCLOAK_VERSION}`;

  const platform = await blueprintPlatform(stack, "bookworm", {
    namespaces: { app: "bookworm-app", data: "bookworm-data", storage: "bookworm-data", monitoring: "bookworm-monitoring" },
    // The seed runs the ingress controller in bookworm-system; keel does not create that namespace
    // (its default deny would cut the controller off): the controller's installation does.
    ingressController: { namespace: "bookworm-system" },
    userImages: [
      { reference: identityImage, reason: `Keycloak ${KEYCLOAK_VERSION} built with kc.sh build for PostgreSQL, health, metrics and the relative path /identity (docs/bookworm.md has the Dockerfile)` },
      // The services' images: bookworm's CI builds them. What the blueprint relies on is stated.
      ...SERVICE_NAMES.map((s) => ({
        reference: `${imageRepository}/${s}:${version}`,
        reason: `bookworm's ${s} service (ASP.NET Core): listens on 8080, serves GET /health/ready in every ASPNETCORE_ENVIRONMENT (the seed's health check; .NET Aspire's template maps health endpoints in Development only), exports OTLP`,
      })),
    ],
    externalObjects: profile.mailpit
      ? []
      : [{ kind: "Secret", namespace: "bookworm-app", name: MAIL_RELAY_SECRET, keys: ["connection-string"], reason: "the mail relay the notification service sends through (the seed names none): kubectl -n bookworm-app create secret generic bookworm-mail-relay --from-literal=connection-string=Endpoint=smtp://user:password@smtp.example.com:587" }],
  });

  const observability = blueprintObservability(stack, platform, { name: "bookworm-obs", section: settings, defaultChannel: "#bookworm-alerts", extraAlertRules: PostgresCluster.alertRules(), logs: profile.logs, batchJobs: profile.backupRetentionDays !== undefined && platform.kind !== "aws" });

  // The adapter serving the HPAs' custom and external metrics queries this Prometheus: the aws platform's own, or the prerequisite's.
  const adapter = platform.kind === "aws" ? platform.shape.metricsAdapter : METRICS_ADAPTER;
  if (env.name === "prod" && adapter) observability.allowPrometheusQueriesFrom(peers.namespace(adapter.namespace, { ...adapter.podLabels }));

  const databaseClients = SERVICE_NAMES.filter((s) => USES[s].database).map((s) => ({ name: `bookworm-${s}`, maxPods: maxPods(s, profile), poolSize: DATABASE_POOL }));
  const data = bookwormData({ stack, platform, profile, host, identityImage, metricsPush: observability.metricsPush, databaseClients });
  const services = bookwormServices({
    platform,
    environment: env.name,
    profile,
    imageRepository,
    version,
    host,
    data,
    telemetry: observability.telemetry,
    mailRelaySecret: profile.mailpit ? undefined : MAIL_RELAY_SECRET,
  });

  return {
    publicUrl: services.gateway.publicUrl,
    gatewayUrl: services.gateway.url,
    grafanaUrl: observability.grafanaUrl,
    namespaces: { ...platform.kubernetes.namespaces },
    databaseHost: data.db.connection.host,
    backupPassphrase: data.db.backupPassphrase,
  };
}
