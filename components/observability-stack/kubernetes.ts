/** ObservabilityStack on a Kubernetes-backed platform: one workload per part, wired by NetworkPolicies. */
import type * as pulumi from "@pulumi/pulumi";
import { PORTS } from "./backend-configs";
import { deployBackends } from "./backends";
import { deployFrontends } from "./frontends";
import type { MetricsPushTarget, TelemetryTarget } from "../core/telemetry";
import { Parts, endpoint } from "./parts";
import type { ResolvedObservability } from "./resolve";
import type { NetworkAccess } from "../workload/network-access";

export interface ObservabilityOutputs {
  readonly telemetry?: TelemetryTarget;
  readonly prometheusUrl?: pulumi.Output<string>;
  readonly grafanaUrl?: pulumi.Output<string>;
  readonly pushgatewayUrl?: pulumi.Output<string>;
  readonly metricsPush?: MetricsPushTarget;
  readonly grafanaAdminPassword?: pulumi.Output<string>;
  readonly prometheusAccess?: NetworkAccess;
}

export function deployObservability(parent: pulumi.ComponentResource, r: ResolvedObservability): ObservabilityOutputs {
  const parts = new Parts(parent, r);
  const backends = deployBackends(parts);
  const front = deployFrontends(parts, backends);
  return {
    telemetry: backends.collector ? { otlpEndpoint: parts.url(backends.collector, PORTS.otlpGrpc), collector: endpoint(backends.collector) } : undefined,
    prometheusUrl: front.prometheus ? parts.url(front.prometheus, PORTS.prometheus) : undefined,
    grafanaUrl: front.grafana ? parts.url(front.grafana, PORTS.grafana) : undefined,
    pushgatewayUrl: backends.pushgateway ? parts.url(backends.pushgateway, PORTS.pushgateway) : undefined,
    metricsPush: backends.pushgateway ? { url: parts.url(backends.pushgateway, PORTS.pushgateway), endpoint: endpoint(backends.pushgateway) } : undefined,
    grafanaAdminPassword: front.grafanaAdminPassword,
    prometheusAccess: front.prometheusAccess,
  };
}
