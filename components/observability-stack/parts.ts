/** What every part of the ObservabilityStack shares: images, labels, specs, RBAC, endpoints. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { selectorLabels, standardLabels } from "../core/labels";
import { childName } from "../core/naming";
import type { NetworkEndpoint, NetworkRule } from "../core/network";
import { peers } from "../core/network";
import type { ResolvedResources } from "../core/resources";
import { resolveSecurity } from "../core/security";
import { TIERS } from "../platform/types";
import { statefulOptions } from "../workload/data-store";
import type { ContainerSpec, CreatedWorkload, WorkloadSpec } from "../workload/workload";
import type { ResolvedObservability } from "./resolve";

export const IMAGES = {
  prometheus: "prom/prometheus:v2.54.1",
  alertmanager: "prom/alertmanager:v0.27.0",
  grafana: "grafana/grafana:11.2.0",
  collector: "otel/opentelemetry-collector-contrib:0.109.0",
  loki: "grafana/loki:3.1.1",
  tempo: "grafana/tempo:2.6.0",
  pushgateway: "prom/pushgateway:v1.9.0",
  kubeStateMetrics: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0",
};

export const API_READER_REASON = "discovers its targets through the Kubernetes API";

export function httpProbe(path: string, port: number, periodSeconds: number, failureThreshold = 3) {
  return { httpGet: { path, port }, periodSeconds, timeoutSeconds: 5, failureThreshold };
}

/** The stack's shared context: target, namespace, and helpers bound to the component. */
export class Parts {
  readonly opts: pulumi.CustomResourceOptions;
  /** `protect`/`retainOnDelete` for stateful objects when the stack is protected (statefulOptions), else undefined. */
  readonly stateful: ReturnType<typeof statefulOptions>;
  /** Prometheus, as other workloads admit it to their metrics ports. */
  readonly prometheusPeer: NetworkRule["peer"];
  /** The platform's namespaces (where workloads send telemetry from). */
  readonly platformNamespaces: readonly pulumi.Input<string>[];
  /** The namespaces Prometheus discovers and scrapes pods in: the platform's, and the node-log collector's. */
  readonly scrapeNamespaces: readonly pulumi.Input<string>[];
  /** Egress to the Kubernetes API server. */
  readonly apiServer: NetworkRule = { peer: peers.cidr("0.0.0.0/0"), ports: [{ port: 443 }, { port: 6443 }] };

  constructor(
    readonly parent: pulumi.ComponentResource,
    readonly r: ResolvedObservability,
  ) {
    this.opts = { parent, provider: r.target.provider };
    this.stateful = statefulOptions(r.protect);
    this.prometheusPeer = { kind: "namespace", namespace: r.namespace, podLabels: r.target.monitoring.podLabels };
    this.platformNamespaces = [...new Set(TIERS.map((t) => r.target.namespaces[t]))];
    this.scrapeNamespaces = r.nodeLogs ? [...this.platformNamespaces, r.nodeLogs.namespace] : this.platformNamespaces;
  }

  /** A workload spec for `app` (labels: name = app, instance = `<stack>-<app>`), running as `uid`. */
  spec(app: string, uid: number, extra: Omit<WorkloadSpec, "name" | "namespace" | "labels" | "selector" | "security">): WorkloadSpec {
    const info = { name: app, instance: childName(this.r.name, app), component: "monitoring", partOf: this.r.target.system };
    const security = resolveSecurity(new Validator("ObservabilityStack", this.r.name), app, { runAsUser: uid, runAsGroup: uid, fsGroup: uid });
    return { name: info.instance, namespace: this.r.namespace, labels: standardLabels(info), selector: selectorLabels(info), security, ...extra };
  }

  container(name: string, part: { resources: ResolvedResources }, c: Omit<ContainerSpec, "name" | "resources">): ContainerSpec {
    return { name, resources: part.resources, ...c };
  }

  /** A ConfigMap (auto-named, so a change rolls the pods) and its name. */
  config(app: string, data: Record<string, pulumi.Input<string>>): pulumi.Output<string> {
    const labels = { "app.kubernetes.io/part-of": this.r.target.system, "app.kubernetes.io/managed-by": "keel" };
    return new k8s.core.v1.ConfigMap(childName(this.r.name, `${app}-config`), { metadata: { namespace: this.r.namespace, labels }, data }, this.opts).metadata.name;
  }

  /**
   * A Secret (auto-named) and its name. `credentials`: it holds generated credentials that never
   * change (protected with the stack); otherwise it is configuration, replaced on every change.
   */
  secret(app: string, stringData: Record<string, pulumi.Input<string>>, credentials = false): pulumi.Output<string> {
    const labels = { "app.kubernetes.io/part-of": this.r.target.system, "app.kubernetes.io/managed-by": "keel" };
    return new k8s.core.v1.Secret(childName(this.r.name, `${app}-secret`), { metadata: { namespace: this.r.namespace, labels }, type: "Opaque", stringData }, credentials ? { ...this.opts, ...this.stateful } : this.opts).metadata.name;
  }

  /** `http://<service>.<namespace>.svc.cluster.local:<port>` */
  url(w: CreatedWorkload, port: number): pulumi.Output<string> {
    return pulumi.interpolate`http://${w.service.metadata.name}.${this.r.namespace}.svc.cluster.local:${port}`;
  }

  /** A ClusterRole with `rules`, bound to the workload's ServiceAccount. */
  clusterReader(app: string, w: CreatedWorkload, rules: k8s.types.input.rbac.v1.PolicyRule[], exemptions: Record<string, string> = {}): void {
    this.clusterReaderFor(app, w.serviceAccount.metadata.name, rules, exemptions);
  }

  /**
   * A ClusterRole with `rules`, bound to the ServiceAccount `account` of the stack's namespace;
   * `exemptions` (policy -> reason) go on the role, where the RBAC policies judge it.
   */
  clusterReaderFor(app: string, account: pulumi.Input<string>, rules: k8s.types.input.rbac.v1.PolicyRule[], exemptions: Record<string, string> = {}): void {
    const metadata = { labels: { "app.kubernetes.io/part-of": this.r.target.system, "app.kubernetes.io/managed-by": "keel" } };
    const annotations = Object.fromEntries(Object.entries(exemptions).map(([policy, reason]) => [`exempt.keel.dev/${policy}`, reason]));
    const role = new k8s.rbac.v1.ClusterRole(childName(this.r.name, `${app}-reader`), { metadata: Object.keys(annotations).length ? { ...metadata, annotations } : metadata, rules }, this.opts);
    new k8s.rbac.v1.ClusterRoleBinding(
      childName(this.r.name, `${app}-reader`),
      {
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: account, namespace: this.r.namespace }],
      },
      this.opts,
    );
  }
}

/** A created workload as a network endpoint keel manages (both sides of a rule get a policy). */
export function endpoint(w: CreatedWorkload): NetworkEndpoint & { readonly networkAccess: CreatedWorkload["networkAccess"] } {
  return { networkPeer: w.peer, networkPorts: w.ports, networkAccess: w.networkAccess };
}

/**
 * Prometheus reads the kubelets through the API server's node proxy (prometheus-config.ts
 * kubeletProxyJob): the one grant the RBAC policies refuse, exempted with its reason.
 */
export const NODE_PROXY_EXEMPTION = {
  "rbac-no-node-proxy":
    "Prometheus reads each kubelet's /metrics (volume usage) and /metrics/cadvisor (container CPU and memory) with GET through the API server's node proxy, because keel's NetworkPolicies do not open the kubelets' port 10250 to pods; the grant also reaches the kubelet's exec endpoint, so only Prometheus' own ServiceAccount holds it (docs/observability.md)",
};

/** The exemption a single-replica part carries in production. */
export function singleReplica(replicas: number, reason: string): Record<string, string> {
  return replicas < 2 ? { "exempt.keel.dev/replicas-minimum": reason } : {};
}
