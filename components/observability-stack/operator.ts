/**
 * Prometheus through the Prometheus operator (when the platform says it is installed): a
 * `Prometheus` custom resource selecting keel's ServiceMonitors by the platform's labels, and
 * the alert rules as a `PrometheusRule`. The operator runs the StatefulSet.
 */
import * as k8s from "@pulumi/kubernetes";
import { childName } from "../core/naming";
import { peers } from "../core/network";
import { podSecurityContext, resolveSecurity } from "../core/security";
import { Validator } from "../core/errors";
import { toK8sResources } from "../core/resources";
import { NetworkAccess } from "../workload/network-access";
import type { CreatedWorkload } from "../workload/workload";
import { alertRulesOf, ruleGroups } from "./alert-rules";
import { PORTS } from "./backend-configs";
import { NODE_PROXY_EXEMPTION, Parts } from "./parts";

/** Creates the operator's resources; returns the NetworkAccess of its Prometheus pods (to admit Grafana). */
export function operatorPrometheus(p: Parts, am: CreatedWorkload | undefined): NetworkAccess | undefined {
  const part = p.r.prometheus;
  if (!part) return undefined;
  const { target, namespace } = p.r;
  const name = childName(p.r.name, "prometheus");
  const labels = { ...target.monitoring.serviceMonitorLabels, "app.kubernetes.io/part-of": target.system, "app.kubernetes.io/managed-by": "keel" };
  const sa = new k8s.core.v1.ServiceAccount(childName(name, "sa"), { metadata: { name, namespace, labels } }, p.opts);
  const security = resolveSecurity(new Validator("ObservabilityStack", p.r.name), "prometheus", { runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 });
  new k8s.apiextensions.CustomResource(
    childName(name, "rules"),
    { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name, namespace, labels }, spec: ruleGroups(alertRulesOf(part)) },
    p.opts,
  );
  new k8s.apiextensions.CustomResource(
    childName(name, "server"),
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Prometheus",
      metadata: { name, namespace, labels },
      spec: {
        replicas: part.replicas,
        retention: part.retention,
        retentionSize: part.retentionSize,
        scrapeInterval: part.scrapeInterval,
        serviceAccountName: sa.metadata.name,
        serviceMonitorSelector: { matchLabels: target.monitoring.serviceMonitorLabels },
        serviceMonitorNamespaceSelector: {},
        ruleSelector: { matchLabels: target.monitoring.serviceMonitorLabels },
        podMetadata: { labels: { ...target.monitoring.podLabels } },
        securityContext: podSecurityContext(security),
        // The prometheus container's; its data is on the claim below, so it writes no emptyDir.
        resources: toK8sResources(part.resources, []),
        storage: { volumeClaimTemplate: { spec: { storageClassName: target.storageClass, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: part.storage } } } } },
        alerting: am ? { alertmanagers: [{ namespace, name: am.service.metadata.name, port: "http" }] } : undefined,
      },
    },
    // The operator's StatefulSet and its volumes follow this object.
    { ...p.opts, ...p.stateful },
  );
  // The operator's pods: the platform's Prometheus labels plus the instance the operator adds.
  const podSelector = { ...target.monitoring.podLabels, "operator.prometheus.io/name": name };
  const access = new NetworkAccess(
    { name, namespace, podSelector, labels, dns: target.dns, ports: [{ port: PORTS.prometheus }], opts: p.opts },
    { ingress: [], egress: [...p.scrapeNamespaces.map((n) => ({ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } } }] })), { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }, { port: 6443, protocol: "TCP" }] }] },
  );
  if (am) am.networkAccess.admit(peers.workload(name, namespace, podSelector), [{ port: PORTS.alertmanager }]);
  p.clusterReaderFor(name, sa.metadata.name, [
    { apiGroups: [""], resources: ["pods", "services", "endpoints", "nodes", "nodes/metrics", "nodes/proxy"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
    { nonResourceURLs: ["/metrics"], verbs: ["get"] },
  ], NODE_PROXY_EXEMPTION);
  return access;
}
