/**
 * ObservabilityStack: Prometheus (alert rules, Kubernetes discovery), Alertmanager (Slack,
 * PagerDuty), Grafana (datasources and dashboards provisioned), OpenTelemetry Collector
 * (DaemonSet), Loki and Tempo with retention, a Pushgateway for batch jobs (backups),
 * kube-state-metrics, and node-log collection into Loki. Each part can be switched off.
 */
import * as pulumi from "@pulumi/pulumi";
import type { NetworkEndpoint, NetworkPeer } from "../core/network";
import type { MetricsPushTarget, TelemetryTarget } from "../core/telemetry";
import type { NetworkAccess } from "../workload/network-access";
import { PORTS } from "./backend-configs";
import type { IngressArgs } from "../workload/ingress";
import type { ResourcesArgs } from "../core/resources";
import type { Platform } from "../platform/types";
import type { AlertRule, AlertRuleOptions } from "./alert-rules";
import { deployObservability } from "./kubernetes";
import { resolveObservabilityArgs } from "./resolve";

export interface PartArgs {
  /** @default the part's own (see docs) */
  readonly resources?: ResourcesArgs;
}

export interface ObservabilityStackArgs {
  readonly platform: Platform;
  /** Prometheus; `false` for none. */
  readonly prometheus?:
    | (PartArgs & {
        /** Independent replicas scraping the same targets (an HA pair). @default 1 */
        readonly replicas?: number;
        /** How long samples are kept. @default "15d" */
        readonly retention?: string;
        /** Largest size of the TSDB before old blocks go, e.g. "45GB". @default 90% of storage */
        readonly retentionSize?: string;
        /** Volume size per replica. @default "20Gi" */
        readonly storage?: string;
        /** @default "30s" */
        readonly scrapeInterval?: string;
        /** Thresholds of the default alert rules. */
        readonly alertRules?: AlertRuleOptions;
        /** Rules other components bring, e.g. `PostgresCluster.alertRules()`; loaded with the defaults. */
        readonly extraAlertRules?: readonly AlertRule[];
      })
    | false;
  /** Alertmanager; `false` for none. Receivers' URLs and keys are secrets. */
  readonly alertmanager?:
    | (PartArgs & {
        /** Clustered replicas (gossip on 9094). @default 1 */
        readonly replicas?: number;
        readonly slack?: { readonly webhookUrl: pulumi.Input<string>; readonly channel: string };
        readonly pagerduty?: { readonly routingKey: pulumi.Input<string> };
        /**
         * Refuse to run without a receiver (Slack or PagerDuty): alerts that go nowhere are not
         * noticed. Production stacks set it. @default false
         */
        readonly requireReceiver?: boolean;
        /** With `requireReceiver`, why no receiver is set (who watches alerts instead): the stack runs, and says so. */
        readonly noReceiverReason?: string;
      })
    | false;
  /** Grafana; `false` for none. The admin password is generated. */
  readonly grafana?:
    | (PartArgs & {
        /**
         * Only 1: Grafana keeps users and sessions in a SQLite file per replica, so two replicas
         * would log users out at random (keel gives Grafana no shared database). @default 1
         */
        readonly replicas?: number;
        readonly adminUser?: string;
        /** Publish Grafana through the ingress controller (cert-manager TLS). @default not published */
        readonly ingress?: IngressArgs;
      })
    | false;
  /** OpenTelemetry Collector DaemonSet; `false` for none. */
  readonly collector?: PartArgs | false;
  /** Loki; `false` for none. */
  readonly loki?: (PartArgs & { /** Go duration, e.g. "168h". @default "168h" */ readonly retention?: string; /** @default "20Gi" */ readonly storage?: string }) | false;
  /** Tempo; `false` for none. */
  readonly tempo?: (PartArgs & { /** @default "168h" */ readonly retention?: string; /** @default "20Gi" */ readonly storage?: string }) | false;
  /** A Pushgateway, where batch jobs (keel's backups) push their success time. @default true */
  readonly pushgateway?: boolean;
  /** kube-state-metrics, for restarts and replica metrics. @default true */
  readonly kubeStateMetrics?: boolean;
  /**
   * Node logs: every container's stdout and stderr in the platform's namespaces (the files the
   * kubelet keeps under /var/log/pods), parsed (CRI or docker format, JSON bodies) and shipped
   * to Loki by an OpenTelemetry Collector DaemonSet in a namespace of its own, whose Pod
   * Security level is `privileged` (it mounts a host path read-only and reads as root); `false`
   * for none. @default on when Loki is
   */
  readonly nodeLogs?:
    | (PartArgs & {
        /** The namespace created for the collector. @default "<system>-node-logs" */
        readonly namespace?: string;
        /** The nodes run Docker Engine (cri-dockerd): /var/log/pods links into /var/lib/docker/containers, mounted read-only too. @default false */
        readonly dockerEngine?: boolean;
      })
    | false;
  /**
   * Protect every stateful child (prod): the Prometheus, Loki and Tempo StatefulSets (or the
   * operator's `Prometheus`), Grafana's generated admin password and its Secret. Each gets
   * Pulumi's `protect` and `retainOnDelete` (`pulumi destroy`, a deletion or a replacement
   * fails instead of losing data or access). Configuration (Alertmanager's receivers included)
   * is rebuilt from args and never protected. Volumes are always retained. @default false
   */
  readonly protect?: boolean;
}

export class ObservabilityStack extends pulumi.ComponentResource {
  /** OTLP target for services, when the collector runs. */
  public readonly telemetry?: TelemetryTarget;
  public readonly prometheusUrl?: pulumi.Output<string>;
  public readonly grafanaUrl?: pulumi.Output<string>;
  /** Where batch jobs push metrics, e.g. the backup success time. */
  public readonly pushgatewayUrl?: pulumi.Output<string>;
  /** The Pushgateway as a target for batch jobs' metrics (PostgresCluster `backup.metrics`). */
  public readonly metricsPush?: MetricsPushTarget;
  /** Grafana's generated admin password (secret). */
  public readonly grafanaAdminPassword?: pulumi.Output<string>;
  private readonly prometheusAccess?: NetworkAccess;
  private readonly stackName: string;

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const resolved = resolveObservabilityArgs(name, args);
    super("keel:components:ObservabilityStack", name, {}, opts);
    const out = deployObservability(this, resolved);
    this.telemetry = out.telemetry;
    this.prometheusUrl = out.prometheusUrl;
    this.grafanaUrl = out.grafanaUrl;
    this.pushgatewayUrl = out.pushgatewayUrl;
    this.metricsPush = out.metricsPush;
    this.grafanaAdminPassword = out.grafanaAdminPassword;
    this.prometheusAccess = out.prometheusAccess;
    this.stackName = name;
    this.registerOutputs({ prometheusUrl: this.prometheusUrl, grafanaUrl: this.grafanaUrl, pushgatewayUrl: this.pushgatewayUrl });
  }

  /**
   * Lets `source` query Prometheus' HTTP API (9090): e.g. prometheus-adapter, which serves
   * Prometheus series to HPAs as custom and external metrics (docs/observability.md).
   */
  allowPrometheusQueriesFrom(source: NetworkPeer | NetworkEndpoint): void {
    if (!this.prometheusAccess) throw new Error(`ObservabilityStack "${this.stackName}": allowPrometheusQueriesFrom needs Prometheus, and prometheus is false`);
    this.prometheusAccess.admit(source, [{ port: PORTS.prometheus }]);
  }
}

export { BACKUP_SUCCESS_METRIC, defaultAlertRules, ruleGroups } from "./alert-rules";
export type { AlertRule, AlertRuleOptions, RuleGroup } from "./alert-rules";
export type { PrometheusConfigOptions } from "./prometheus-config";
export type { AlertmanagerConfigOptions } from "./alertmanager-config";
export type { CollectorTargets } from "./backend-configs";
export type { NodeLogsConfigOptions } from "./node-logs-config";
export type { DatasourceUrls } from "./grafana-config";
export { prometheusConfig, withStaticDiscovery } from "./prometheus-config";
export { alertmanagerConfig } from "./alertmanager-config";
export { collectorConfig, lokiConfig, tempoConfig } from "./backend-configs";
export { NODE_LOGS, nodeLogOperators, nodeLogsConfig } from "./node-logs-config";
export { dashboards, grafanaDatasources } from "./grafana-config";
