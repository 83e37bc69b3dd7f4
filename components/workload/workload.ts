/**
 * A generic Kubernetes workload (Deployment, StatefulSet or DaemonSet) with its ServiceAccount,
 * Service(s), PodDisruptionBudget and deny-by-default NetworkPolicy, hardened like ApiService.
 * Components describe their containers and network intent; this builds the objects.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaults } from "../core/defaults";
import type { Labels } from "../core/labels";
import { childName } from "../core/naming";
import type { NetworkPort, NetworkRule, WorkloadPeer } from "../core/network";
import { egressRule, ingressRule } from "../core/network";
import { ResolvedResources, toK8sResources } from "../core/resources";
import { ResolvedSecurity, containerSecurityContext, podSecurityContext } from "../core/security";
import type { KubernetesTarget } from "../platform/types";
import { NetworkAccess } from "./network-access";

import Input = k8s.types.input.core.v1;

export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly args?: readonly pulumi.Input<string>[];
  readonly ports: readonly { readonly name: string; readonly containerPort: number }[];
  readonly env?: readonly Input.EnvVar[];
  readonly resources: ResolvedResources;
  readonly liveness: Input.Probe;
  readonly readiness: Input.Probe;
  readonly startup?: Input.Probe;
  readonly volumeMounts?: readonly Input.VolumeMount[];
}

export interface WorkloadSpec {
  readonly kind: "Deployment" | "StatefulSet" | "DaemonSet";
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  readonly labels: Labels;
  readonly selector: Labels;
  /** Ignored for DaemonSets. */
  readonly replicas: number;
  readonly security: ResolvedSecurity;
  readonly containers: readonly ContainerSpec[];
  readonly volumes?: readonly Input.Volume[];
  /** StatefulSet volume claim templates. */
  readonly volumeClaims?: readonly { readonly name: string; readonly size: string }[];
  readonly servicePorts: readonly { readonly name: string; readonly port: number }[];
  /** Mount the service account token (e.g. to use the Kubernetes API); needs an exemption reason. */
  readonly automountToken?: string;
  /** Object annotations, e.g. exemptions with reasons. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Prometheus scrapes this port and path. */
  readonly metrics?: { readonly port: number; readonly path: string };
  readonly allowFrom: readonly NetworkRule[];
  readonly allowTo: readonly NetworkRule[];
}

export interface CreatedWorkload {
  readonly workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet | k8s.apps.v1.DaemonSet;
  readonly service: k8s.core.v1.Service;
  readonly serviceAccount: k8s.core.v1.ServiceAccount;
  readonly networkAccess: NetworkAccess;
  readonly peer: WorkloadPeer;
  readonly ports: readonly NetworkPort[];
}

export function createWorkload(parent: pulumi.Resource, target: KubernetesTarget, s: WorkloadSpec): CreatedWorkload {
  const opts: pulumi.CustomResourceOptions = { parent, provider: target.provider };
  const metadata = { name: s.name, namespace: s.namespace, labels: s.labels };
  const annotations: Record<string, string> = { ...(s.annotations ?? {}) };
  if (s.automountToken) annotations["exempt.keel.dev/no-automounted-token"] = s.automountToken;
  const serviceAccount = new k8s.core.v1.ServiceAccount(childName(s.name, "sa"), { metadata, automountServiceAccountToken: s.automountToken !== undefined }, opts);
  const scrape: Record<string, string> =
    s.metrics && !target.operators.prometheusOperator ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(s.metrics.port), "prometheus.io/path": s.metrics.path } : {};
  const podSpec: Input.PodSpec = {
    serviceAccountName: serviceAccount.metadata.name,
    automountServiceAccountToken: s.automountToken !== undefined,
    securityContext: podSecurityContext(s.security),
    topologySpreadConstraints:
      s.kind !== "DaemonSet" && s.replicas > 1
        ? [{ maxSkew: 1, topologyKey: defaults.topologySpread.nodeKey, whenUnsatisfiable: defaults.topologySpread.whenUnsatisfiable, labelSelector: { matchLabels: s.selector } }]
        : undefined,
    containers: s.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imagePullPolicy: "IfNotPresent",
      args: c.args ? [...c.args] : undefined,
      ports: c.ports.map((p) => ({ ...p, protocol: "TCP" })),
      env: c.env ? [...c.env] : undefined,
      resources: toK8sResources(c.resources),
      startupProbe: c.startup,
      livenessProbe: c.liveness,
      readinessProbe: c.readiness,
      securityContext: containerSecurityContext(s.security),
      volumeMounts: [{ name: "tmp", mountPath: defaults.tmpVolume.mountPath }, ...(c.volumeMounts ?? [])],
    })),
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: defaults.tmpVolume.sizeLimit } }, ...(s.volumes ?? [])],
  };
  const template = { metadata: { labels: s.labels, annotations: scrape }, spec: podSpec };
  const workloadMetadata = { ...metadata, annotations };
  let workload: CreatedWorkload["workload"];
  if (s.kind === "StatefulSet") {
    const claims = (s.volumeClaims ?? []).map((c) => ({
      metadata: { name: c.name, labels: s.labels },
      spec: { accessModes: ["ReadWriteOnce"], storageClassName: target.storageClass, resources: { requests: { storage: c.size } } },
    }));
    const headless = new k8s.core.v1.Service(
      childName(s.name, "headless"),
      { metadata: { ...metadata, name: `${s.name}-headless` }, spec: { clusterIP: "None", selector: s.selector, publishNotReadyAddresses: true, ports: s.servicePorts.map((p) => ({ ...p, targetPort: p.port, protocol: "TCP" })) } },
      opts,
    );
    workload = new k8s.apps.v1.StatefulSet(
      childName(s.name, "statefulset"),
      {
        metadata: workloadMetadata,
        spec: { replicas: s.replicas, serviceName: headless.metadata.name, podManagementPolicy: "Parallel", selector: { matchLabels: s.selector }, template, volumeClaimTemplates: claims.length ? claims : undefined },
      },
      opts,
    );
  } else if (s.kind === "Deployment") {
    workload = new k8s.apps.v1.Deployment(
      childName(s.name, "deployment"),
      { metadata: workloadMetadata, spec: { replicas: s.replicas, selector: { matchLabels: s.selector }, strategy: { type: "RollingUpdate", rollingUpdate: { ...defaults.apiService.rollingUpdate } }, template } },
      opts,
    );
  } else {
    workload = new k8s.apps.v1.DaemonSet(
      childName(s.name, "daemonset"),
      { metadata: workloadMetadata, spec: { selector: { matchLabels: s.selector }, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } }, template } },
      opts,
    );
  }
  // With the Prometheus operator, a ServiceMonitor scrapes the metrics port through the Service.
  const monitored = s.metrics !== undefined && target.operators.prometheusOperator;
  const servicePorts = [...s.servicePorts];
  if (monitored && s.metrics && !servicePorts.some((p) => p.port === s.metrics?.port)) servicePorts.push({ name: "metrics", port: s.metrics.port });
  const service = new k8s.core.v1.Service(
    childName(s.name, "service"),
    { metadata, spec: { type: "ClusterIP", selector: s.selector, ports: servicePorts.map((p) => ({ ...p, targetPort: p.port, protocol: "TCP" })) } },
    opts,
  );
  if (monitored && s.metrics) {
    const portName = servicePorts.find((p) => p.port === s.metrics?.port)?.name;
    new k8s.apiextensions.CustomResource(
      childName(s.name, "monitor"),
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { ...metadata, labels: { ...s.labels, ...target.monitoring.serviceMonitorLabels } },
        spec: { selector: { matchLabels: s.selector }, endpoints: [{ port: portName, path: s.metrics.path, interval: "30s" }] },
      },
      opts,
    );
  }
  if (s.kind !== "DaemonSet" && s.replicas > 1) {
    new k8s.policy.v1.PodDisruptionBudget(childName(s.name, "pdb"), { metadata, spec: { maxUnavailable: defaults.disruptionBudget.maxUnavailable, selector: { matchLabels: s.selector } } }, opts);
  }
  const ports: NetworkPort[] = s.containers.flatMap((c) => c.ports.map((p) => ({ port: p.containerPort })));
  const peer: WorkloadPeer = { kind: "workload", name: s.name, namespace: s.namespace, podLabels: s.selector };
  const networkAccess = new NetworkAccess(
    { name: s.name, namespace: s.namespace, podSelector: s.selector, labels: s.labels, dns: target.dns, ports, opts },
    { ingress: s.allowFrom.map((r) => ingressRule(r, ports)), egress: s.allowTo.map(egressRule) },
  );
  return { workload, service, serviceAccount, networkAccess, peer, ports };
}
