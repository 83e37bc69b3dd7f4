/**
 * Node logs: an OpenTelemetry Collector on every node reads the container log files the kubelet
 * keeps under /var/log/pods (the platform's namespaces only) and ships them to Loki.
 *
 * Reading them takes what keel's other workloads never get, so the collector lives in a
 * namespace of its own whose Pod Security level admits it (`privileged`: baseline forbids
 * hostPath volumes too), and carries an exemption with its reason for each policy it needs:
 * - `no-host-path`: /var/log/pods (and Docker's container directory on Docker Engine nodes),
 *   mounted read-only;
 * - `run-as-non-root`: the runtime writes the files as root with mode 0640; the collector reads
 *   them as uid 0, with every capability dropped (so no DAC override: only what root owns),
 *   no privilege escalation and a read-only root filesystem.
 * Its namespace denies all traffic by default; the collector reaches DNS and Loki's HTTP port,
 * and admits Prometheus to its metrics port. Loki admits it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { LABEL_MANAGED_BY, LABEL_PART_OF, selectorLabels, standardLabels } from "../core/labels";
import { childName } from "../core/naming";
import { egressRule, ingressRule, peers } from "../core/network";
import { toK8sResources } from "../core/resources";
import { NetworkAccess } from "../workload/network-access";
import { CreatedWorkload, emptyDirWrites, scrapedBy } from "../workload/workload";
import { PORTS } from "./backend-configs";
import { NODE_LOGS, nodeLogsConfig } from "./node-logs-config";
import { PART_EMPTY_DIRS } from "./resolve";
import { IMAGES, Parts, endpoint, httpProbe } from "./parts";
import { createOwnedNamespace } from "../platform/namespaces";

/** Docker Engine (cri-dockerd) keeps the files /var/log/pods links to here. */
const DOCKER_CONTAINERS = "/var/lib/docker/containers";

export const NODE_LOGS_EXEMPTIONS = {
  "exempt.keel.dev/no-host-path": "reads the container log files the kubelet keeps under /var/log/pods (mounted read-only); nothing else of the host is mounted",
  "exempt.keel.dev/no-root-group":
    "runs with root's own group 0 as well as uid 0 (see run-as-non-root), to read the log files the container runtime writes as root:root with mode 0640; every capability is dropped, no privilege escalation, a read-only root filesystem",
  "exempt.keel.dev/run-as-non-root":
    "the container runtime writes the log files as root with mode 0640; the collector reads them as uid 0 with every capability dropped, no privilege escalation and a read-only root filesystem",
} as const;

export const NODE_LOGS_POD_SECURITY = "privileged: the node-log collector mounts /var/log/pods read-only and reads it as root, which baseline and restricted forbid";

export interface NodeLogs {
  /** The collector's pods (for diagrams and rules). */
  readonly peer: ReturnType<typeof peers.workload>;
  readonly daemonSet: k8s.apps.v1.DaemonSet;
  readonly namespace: k8s.core.v1.Namespace;
}

export function deployNodeLogs(p: Parts, loki: CreatedWorkload | undefined): NodeLogs | undefined {
  const part = p.r.nodeLogs;
  if (!part || !loki) return undefined;
  const { target } = p.r;
  const app = "node-logs";
  const info = { name: app, instance: childName(p.r.name, app), component: "monitoring", partOf: target.system };
  const labels = standardLabels(info);
  const selector = selectorLabels(info);
  const owned = { [LABEL_PART_OF]: target.system, [LABEL_MANAGED_BY]: "keel" };

  const ns = createOwnedNamespace(
    p.r.name,
    part.namespace,
    { labels: { ...owned, "pod-security.kubernetes.io/enforce": "privileged" }, annotations: { "keel.dev/pod-security": NODE_LOGS_POD_SECURITY }, denyLabels: owned },
    p.opts,
    p.opts,
  );
  const namespace = ns.metadata.name;

  const config = pulumi
    .all([loki.service.metadata.name, p.r.namespace, pulumi.all(p.platformNamespaces.map((n) => pulumi.output(n)))])
    .apply(([l, monitoring, names]) => stringify(nodeLogsConfig({ namespaces: names, loki: `http://${l}.${monitoring}.svc.cluster.local:${PORTS.loki}/otlp` })));
  const cm = new k8s.core.v1.ConfigMap(childName(p.r.name, `${app}-config`), { metadata: { namespace, labels: owned }, data: { "collector.yaml": config } }, p.opts);
  const sa = new k8s.core.v1.ServiceAccount(childName(info.instance, "sa"), { metadata: { name: info.instance, namespace, labels }, automountServiceAccountToken: false }, p.opts);

  const metricsPort = NODE_LOGS.metricsPort;
  const scraped = p.r.prometheus !== undefined;
  const annotate = scraped && !target.operators.prometheusOperator;
  const hostPaths = [{ name: "pod-logs", path: NODE_LOGS.podLogs }, ...(part.dockerEngine ? [{ name: "docker-containers", path: DOCKER_CONTAINERS }] : [])];
  const root = { runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, seccompProfile: { type: "RuntimeDefault" } };
  const volumeMounts = [
    { name: "config", mountPath: "/etc/otelcol", readOnly: true },
    { name: "positions", mountPath: NODE_LOGS.storage },
    ...hostPaths.map((h) => ({ name: h.name, mountPath: h.path, readOnly: true })),
  ];
  const volumes = [
    { name: "config", configMap: { name: cm.metadata.name } },
    // Survives container restarts (the collector resumes where it stopped), not the pod.
    { name: "positions", emptyDir: { sizeLimit: PART_EMPTY_DIRS.nodeLogs.positions.sizeLimit } },
    ...hostPaths.map((h) => ({ name: h.name, hostPath: { path: h.path, type: "Directory" } })),
  ];
  const [writes] = emptyDirWrites([{ init: false, mounts: volumeMounts }], volumes);
  const daemonSet = new k8s.apps.v1.DaemonSet(
    childName(info.instance, "daemonset"),
    {
      metadata: { name: info.instance, namespace, labels, annotations: { ...NODE_LOGS_EXEMPTIONS } },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: {
            labels,
            annotations: annotate ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(metricsPort), "prometheus.io/path": "/metrics" } : undefined,
          },
          spec: {
            serviceAccountName: sa.metadata.name,
            automountServiceAccountToken: false,
            securityContext: root,
            // Nodes set aside for some workloads (NoSchedule taints) run pods whose logs count too.
            tolerations: [{ operator: "Exists", effect: "NoSchedule" }],
            containers: [
              {
                name: "otel-collector",
                image: IMAGES.collector,
                imagePullPolicy: "IfNotPresent",
                args: ["--config=/etc/otelcol/collector.yaml"],
                ports: [{ name: "metrics", containerPort: metricsPort, protocol: "TCP" }],
                resources: toK8sResources(part.resources, writes),
                livenessProbe: httpProbe("/", NODE_LOGS.healthPort, 10),
                readinessProbe: httpProbe("/", NODE_LOGS.healthPort, 5),
                securityContext: { ...root, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                volumeMounts,
              },
            ],
            volumes,
          },
        },
      },
    },
    p.opts,
  );

  const ports = [{ port: metricsPort }];
  const peer = peers.workload(info.instance, namespace, selector);
  new NetworkAccess(
    { name: info.instance, namespace, podSelector: selector, labels, dns: target.dns, ports, opts: p.opts },
    {
      ingress: scraped ? [ingressRule(scrapedBy(target, metricsPort), ports)] : [],
      egress: [egressRule({ peer: endpoint(loki), ports: [{ port: PORTS.loki }] })],
    },
  );
  loki.networkAccess.admit(peer, [{ port: PORTS.loki }]);

  if (scraped && target.operators.prometheusOperator) {
    // The operator's Prometheus finds targets through ServiceMonitors, which select Services.
    const service = new k8s.core.v1.Service(
      childName(info.instance, "service"),
      { metadata: { name: info.instance, namespace, labels }, spec: { type: "ClusterIP", selector, ports: [{ name: "metrics", port: metricsPort, targetPort: metricsPort, protocol: "TCP" }] } },
      p.opts,
    );
    new k8s.apiextensions.CustomResource(
      childName(info.instance, "monitor"),
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: info.instance, namespace, labels: { ...labels, ...target.monitoring.serviceMonitorLabels } },
        spec: { selector: { matchLabels: selector }, endpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }] },
      },
      { ...p.opts, dependsOn: [service] },
    );
  }
  return { peer, daemonSet, namespace: ns };
}
