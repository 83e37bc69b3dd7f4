/**
 * A Kubernetes workload (Deployment, StatefulSet or DaemonSet) with its ServiceAccount,
 * Service(s), PodDisruptionBudget, ServiceMonitor (with the Prometheus operator) and
 * deny-by-default NetworkPolicy, hardened. ApiService and the ObservabilityStack parts describe
 * their containers and network intent; this builds the objects.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaults } from "../core/defaults";
import { ResolvedEnv, imageToDeploy } from "../core/env";
import type { Validator } from "../core/errors";
import { configDataProblems } from "../core/kubernetes-syntax";
import type { Labels } from "../core/labels";
import { childName } from "../core/naming";
import type { NetworkPort, NetworkRule, WorkloadPeer } from "../core/network";
import { egressRule, ingressRule } from "../core/network";
import { EmptyDirWrite, ResolvedResources, toK8sResources } from "../core/resources";
import { ResolvedSecurity, containerSecurityContext, podSecurityContext } from "../core/security";
import type { KubernetesTarget } from "../platform/types";
import type { ResolvedDisruptionBudget } from "./disruption";
import { NetworkAccess } from "./network-access";

import Input = k8s.types.input.core.v1;

export interface ContainerSpec {
  readonly name: string;
  readonly image: pulumi.Input<string>;
  readonly command?: readonly string[];
  /** Arguments; an Output of the whole list when they are computed from other resources. */
  readonly args?: readonly pulumi.Input<string>[] | pulumi.Output<string[]>;
  readonly ports: readonly { readonly name: string; readonly containerPort: number }[];
  readonly env?: readonly Input.EnvVar[];
  readonly resources: ResolvedResources;
  /** Left out only for helpers that serve nothing (no port): the pack's container-probes policy wants both otherwise. */
  readonly liveness?: Input.Probe;
  readonly readiness?: Input.Probe;
  readonly startup?: Input.Probe;
  /** Runs before SIGTERM when the pod stops. */
  readonly preStop?: Input.LifecycleHandler;
  readonly volumeMounts?: readonly Input.VolumeMount[];
  /** Runs with this security context instead of the workload's (e.g. a sidecar image with its own user). */
  readonly security?: ResolvedSecurity;
}

/** A container that runs to completion before the others start (no probes). */
export interface InitContainerSpec {
  readonly name: string;
  readonly image: pulumi.Input<string>;
  readonly command?: readonly string[];
  readonly args?: readonly pulumi.Input<string>[];
  readonly env?: readonly Input.EnvVar[];
  readonly resources: ResolvedResources;
  readonly volumeMounts?: readonly Input.VolumeMount[];
  readonly security?: ResolvedSecurity;
}

/** A PersistentVolumeClaim template of a StatefulSet. */
export interface VolumeClaimSpec {
  readonly name: string;
  readonly size: string;
  /** @default the platform's storage class */
  readonly storageClass?: string;
}

export interface ServicePortSpec {
  readonly name: string;
  readonly port: number;
  /** A container port number or name. @default `port` */
  readonly targetPort?: number | string;
}

export interface WorkloadSpec {
  readonly kind: "Deployment" | "StatefulSet" | "DaemonSet";
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  readonly labels: Labels;
  readonly selector: Labels;
  /** Undefined when an autoscaler owns the count (then give `minReplicas`). Ignored for DaemonSets. */
  readonly replicas?: number;
  /** The fewest pods that run, for disruption budgets and spread. @default replicas, else 1 */
  readonly minReplicas?: number;
  readonly security: ResolvedSecurity;
  readonly containers: readonly ContainerSpec[];
  readonly volumes?: readonly Input.Volume[];
  /** StatefulSet volume claim templates. */
  readonly volumeClaims?: readonly VolumeClaimSpec[];
  /** Keep the claims when the StatefulSet is deleted or scaled down (data survives). @default "Retain" */
  readonly claimRetention?: "Retain" | "Delete";
  /** StatefulSet pod management. @default "Parallel" */
  readonly podManagementPolicy?: "Parallel" | "OrderedReady";
  /** Containers run before the main ones (e.g. a replica's base backup). */
  readonly initContainers?: readonly InitContainerSpec[];
  /** Pod affinity rules, e.g. anti-affinity between the members of a cluster. */
  readonly affinity?: Input.Affinity;
  /** Pulumi options for the workload object, e.g. `protect` / `retainOnDelete` for stateful data. */
  readonly workloadOptions?: Pick<pulumi.CustomResourceOptions, "protect" | "retainOnDelete">;
  readonly servicePorts: readonly ServicePortSpec[];
  /** Name of the ClusterIP Service (e.g. `db-rw`). @default the workload's name */
  readonly serviceName?: string;
  /** Mount the service account token (e.g. to use the Kubernetes API); the reason becomes an exemption. */
  readonly automountToken?: string;
  readonly serviceAccountAnnotations?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Object annotations, e.g. exemptions with reasons. */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly podAnnotations?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Prometheus scrapes this port and path. */
  readonly metrics?: { readonly port: number; readonly path: string };
  /** Deployment rollout pace. @default maxSurge "25%", maxUnavailable 0 */
  readonly rollingUpdate?: { readonly maxSurge: number | string; readonly maxUnavailable: number | string };
  readonly revisionHistoryLimit?: number;
  /** @default spread across nodes when 2 or more replicas */
  readonly topologySpread?: Input.TopologySpreadConstraint[];
  readonly terminationGracePeriodSeconds?: number;
  /** `false` for none. @default maxUnavailable 1 when 2 or more replicas */
  readonly disruptionBudget?: ResolvedDisruptionBudget | false;
  readonly allowFrom: readonly NetworkRule[];
  readonly allowTo: readonly NetworkRule[];
}

export interface CreatedWorkload {
  readonly workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet | k8s.apps.v1.DaemonSet;
  readonly service: k8s.core.v1.Service;
  readonly serviceAccount: k8s.core.v1.ServiceAccount;
  readonly networkAccess: NetworkAccess;
  readonly disruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
  readonly peer: WorkloadPeer;
  readonly ports: readonly NetworkPort[];
}

/**
 * Checks the ConfigMaps and Secrets {@link createConfigObjects} will write from `env` against the
 * API server's 1 MiB per object (plain env, plain files, secret files: one object each).
 */
export function checkConfigObjectSizes(v: Validator, env: ResolvedEnv): void {
  const files = (pick: (f: ResolvedEnv["files"][number]) => boolean) => Object.fromEntries(env.files.filter(pick).map((f) => [f.key, f.content]));
  for (const [field, data] of [["env", env.plain], ["files", files((f) => !f.secret && !f.routed)], ["files (secret)", files((f) => f.secret)]] as const) {
    for (const [f, value, allowed] of configDataProblems(field, data, false)) v.require(false, f, value, allowed);
  }
}

/** The rule admitting the platform's Prometheus to a metrics port. */
export function scrapedBy(target: KubernetesTarget, port: number): NetworkRule {
  return { peer: { kind: "namespace", namespace: target.monitoring.namespace, podLabels: target.monitoring.podLabels }, ports: [{ port }] };
}

const nonEmpty = <T>(record: Record<string, T>) => (Object.keys(record).length > 0 ? record : undefined);

function argList(args: ContainerSpec["args"]): pulumi.Input<pulumi.Input<string>[]> | undefined {
  if (args === undefined) return undefined;
  return Array.isArray(args) ? [...(args as pulumi.Input<string>[])] : (args as pulumi.Output<string[]>);
}

/** The writable /tmp every container gets when its root filesystem is read-only. */
function tmpMounts(security: ResolvedSecurity): Input.VolumeMount[] {
  return security.readOnlyRootFilesystem ? [{ name: "tmp", mountPath: defaults.tmpVolume.mountPath }] : [];
}

/** A hardened init (or Job) container; `writes`: the emptyDir volumes charged to it ({@link emptyDirWrites}). */
export function initContainer(c: InitContainerSpec, podSecurity: ResolvedSecurity, writes: readonly EmptyDirWrite[]): Input.Container {
  const security = c.security ?? podSecurity;
  return {
    name: c.name,
    image: imageToDeploy(c.image),
    imagePullPolicy: "IfNotPresent",
    command: c.command ? [...c.command] : undefined,
    args: c.args ? [...c.args] : undefined,
    env: c.env && c.env.length > 0 ? [...c.env] : undefined,
    resources: toK8sResources(c.resources, writes),
    securityContext: containerSecurityContext(security),
    volumeMounts: containerMounts(c, podSecurity),
  };
}

/** A container's volume mounts: the /tmp one first when its root filesystem is read-only. */
export function containerMounts(c: { readonly security?: ResolvedSecurity; readonly volumeMounts?: readonly Input.VolumeMount[] }, podSecurity: ResolvedSecurity): Input.VolumeMount[] {
  return [...tmpMounts(c.security ?? podSecurity), ...(c.volumeMounts ?? [])];
}

/**
 * The disk-backed emptyDir volumes each container of a pod is charged for, in ephemeral storage.
 * The kubelet evicts a pod whose ephemeral storage (container logs and writable layers, plus its
 * disk-backed emptyDir volumes; memory-backed ones count as memory) passes the pod's limit: the
 * sum of its app containers' limits, or an init container's when larger. So each volume is
 * charged once per pod: to the first app container that mounts it writable (what an init
 * container leaves in a volume stays there while the app containers run), else to the first
 * init container that does. `containers` come in any order, each marked init or not.
 */
export function emptyDirWrites(containers: readonly { readonly init: boolean; readonly mounts: readonly Input.VolumeMount[] }[], volumes: readonly Input.Volume[]): EmptyDirWrite[][] {
  const sizes = new Map<string, string>();
  for (const vol of volumes) {
    const dir = vol.emptyDir as Input.EmptyDirVolumeSource | undefined;
    if (!dir || dir.medium === "Memory") continue;
    const name = vol.name as string;
    // Every emptyDir keel mounts has a sizeLimit: without one a volume could fill the node's disk.
    if (typeof dir.sizeLimit !== "string") throw new Error(`keel: emptyDir ${JSON.stringify(name)} has no sizeLimit`);
    sizes.set(name, dir.sizeLimit);
  }
  const writes: EmptyDirWrite[][] = containers.map(() => []);
  const order = [...containers.keys()].sort((a, b) => Number(containers[a].init) - Number(containers[b].init));
  for (const i of order) {
    for (const m of containers[i].mounts) {
      const name = m.name as string;
      const sizeLimit = sizes.get(name);
      if (sizeLimit === undefined || m.readOnly === true) continue;
      writes[i].push({ volume: name, sizeLimit });
      sizes.delete(name);
    }
  }
  return writes;
}

/** The pod's init containers and containers (Job containers alike), hardened, with their resources. */
export function podContainers(
  podSecurity: ResolvedSecurity,
  initContainers: readonly InitContainerSpec[],
  containers: readonly InitContainerSpec[],
  volumes: readonly Input.Volume[],
): { initContainers?: Input.Container[]; containers: Input.Container[] } {
  const all = [...initContainers.map((c) => ({ c, init: true })), ...containers.map((c) => ({ c, init: false }))];
  const writes = emptyDirWrites(all.map(({ c, init }) => ({ init, mounts: containerMounts(c, podSecurity) })), volumes);
  const built = all.map(({ c }, i) => initContainer(c, podSecurity, writes[i]));
  return { initContainers: initContainers.length > 0 ? built.slice(0, initContainers.length) : undefined, containers: built.slice(initContainers.length) };
}

/** Volumes every pod gets: the /tmp emptyDir when the root filesystem is read-only. */
export function baseVolumes(security: ResolvedSecurity): Input.Volume[] {
  return security.readOnlyRootFilesystem ? [{ name: "tmp", emptyDir: { sizeLimit: defaults.tmpVolume.sizeLimit } }] : [];
}

function podSpec(s: WorkloadSpec, serviceAccount: k8s.core.v1.ServiceAccount, minReplicas: number): Input.PodSpec {
  const spread =
    s.topologySpread ??
    (s.kind !== "DaemonSet" && minReplicas > 1
      ? [defaults.topologySpread.nodeKey, defaults.topologySpread.zoneKey].map((topologyKey) => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: defaults.topologySpread.whenUnsatisfiable, labelSelector: { matchLabels: s.selector } }))
      : undefined);
  const tmp = [s.security, ...s.containers.map((c) => c.security), ...(s.initContainers ?? []).map((c) => c.security)].some((x) => x?.readOnlyRootFilesystem);
  const volumes = [...(tmp ? baseVolumes({ ...s.security, readOnlyRootFilesystem: true }) : []), ...(s.volumes ?? [])];
  const inits = s.initContainers ?? [];
  const writes = emptyDirWrites([...inits.map((c) => ({ init: true, mounts: containerMounts(c, s.security) })), ...s.containers.map((c) => ({ init: false, mounts: containerMounts(c, s.security) }))], volumes);
  return {
    serviceAccountName: serviceAccount.metadata.name,
    automountServiceAccountToken: s.automountToken !== undefined,
    securityContext: podSecurityContext(s.security),
    terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
    topologySpreadConstraints: spread,
    affinity: s.affinity,
    initContainers: inits.length > 0 ? inits.map((c, i) => initContainer(c, s.security, writes[i])) : undefined,
    containers: s.containers.map((c, i) => ({
      name: c.name,
      image: imageToDeploy(c.image),
      imagePullPolicy: "IfNotPresent",
      command: c.command ? [...c.command] : undefined,
      args: argList(c.args),
      ports: c.ports.map((p) => ({ ...p, protocol: "TCP" })),
      env: c.env && c.env.length > 0 ? [...c.env] : undefined,
      resources: toK8sResources(c.resources, writes[inits.length + i]),
      startupProbe: c.startup,
      livenessProbe: c.liveness,
      readinessProbe: c.readiness,
      lifecycle: c.preStop ? { preStop: c.preStop } : undefined,
      securityContext: containerSecurityContext(c.security ?? s.security),
      volumeMounts: containerMounts(c, s.security),
    })),
    volumes,
  };
}

export function createWorkload(parent: pulumi.Resource, target: KubernetesTarget, s: WorkloadSpec): CreatedWorkload {
  const opts: pulumi.CustomResourceOptions = { parent, provider: target.provider };
  const metadata = { name: s.name, namespace: s.namespace, labels: s.labels };
  const minReplicas = s.minReplicas ?? s.replicas ?? 1;
  const annotations: Record<string, string> = { ...(s.annotations ?? {}) };
  if (s.automountToken) annotations["exempt.keel.dev/no-automounted-token"] = s.automountToken;
  const serviceAccount = new k8s.core.v1.ServiceAccount(
    childName(s.name, "sa"),
    { metadata: { ...metadata, annotations: nonEmpty({ ...(s.serviceAccountAnnotations ?? {}) }) }, automountServiceAccountToken: s.automountToken !== undefined },
    opts,
  );
  const scrape: Record<string, string> =
    s.metrics && !target.operators.prometheusOperator ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(s.metrics.port), "prometheus.io/path": s.metrics.path } : {};
  const template = { metadata: { labels: s.labels, annotations: { ...scrape, ...(s.podAnnotations ?? {}) } }, spec: podSpec(s, serviceAccount, minReplicas) };
  const workloadMetadata = { ...metadata, annotations: nonEmpty(annotations) };
  const servicePorts = [...s.servicePorts];
  const containerPort = (p: ServicePortSpec): number | undefined => {
    const t = p.targetPort ?? p.port;
    return typeof t === "number" ? t : s.containers.flatMap((c) => c.ports).find((cp) => cp.name === t)?.containerPort;
  };
  const monitored = s.metrics !== undefined && target.operators.prometheusOperator;
  if (monitored && s.metrics && !servicePorts.some((p) => containerPort(p) === s.metrics?.port)) servicePorts.push({ name: "metrics", port: s.metrics.port });
  const k8sPorts = servicePorts.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort ?? p.port, protocol: "TCP" }));

  let workload: CreatedWorkload["workload"];
  if (s.kind === "StatefulSet") {
    const claims = (s.volumeClaims ?? []).map((c) => ({
      metadata: { name: c.name, labels: s.labels },
      spec: { accessModes: ["ReadWriteOnce"], storageClassName: c.storageClass ?? target.storageClass, resources: { requests: { storage: c.size } } },
    }));
    const headless = new k8s.core.v1.Service(
      childName(s.name, "headless"),
      { metadata: { ...metadata, name: `${s.name}-headless` }, spec: { clusterIP: "None", selector: s.selector, publishNotReadyAddresses: true, ports: k8sPorts } },
      opts,
    );
    workload = new k8s.apps.v1.StatefulSet(
      childName(s.name, "statefulset"),
      {
        metadata: workloadMetadata,
        spec: {
          replicas: s.replicas,
          serviceName: headless.metadata.name,
          podManagementPolicy: s.podManagementPolicy ?? "Parallel",
          selector: { matchLabels: s.selector },
          template,
          volumeClaimTemplates: claims.length ? claims : undefined,
          persistentVolumeClaimRetentionPolicy: claims.length ? { whenDeleted: s.claimRetention ?? "Retain", whenScaled: s.claimRetention ?? "Retain" } : undefined,
        },
      },
      { ...opts, ...s.workloadOptions },
    );
  } else if (s.kind === "Deployment") {
    workload = new k8s.apps.v1.Deployment(
      childName(s.name, "deployment"),
      {
        metadata: workloadMetadata,
        spec: {
          replicas: s.replicas,
          revisionHistoryLimit: s.revisionHistoryLimit ?? defaults.apiService.revisionHistoryLimit,
          selector: { matchLabels: s.selector },
          strategy: { type: "RollingUpdate", rollingUpdate: { ...(s.rollingUpdate ?? defaults.apiService.rollingUpdate) } },
          template,
        },
      },
      opts,
    );
  } else {
    workload = new k8s.apps.v1.DaemonSet(
      childName(s.name, "daemonset"),
      { metadata: workloadMetadata, spec: { selector: { matchLabels: s.selector }, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } }, template } },
      opts,
    );
  }
  const service = new k8s.core.v1.Service(
    childName(s.name, "service"),
    { metadata: { ...metadata, name: s.serviceName ?? s.name }, spec: { type: "ClusterIP", selector: s.selector, ports: k8sPorts } },
    opts,
  );
  if (monitored && s.metrics) {
    const portName = servicePorts.find((p) => containerPort(p) === s.metrics?.port)?.name;
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
  let disruptionBudget: k8s.policy.v1.PodDisruptionBudget | undefined;
  const budget = s.disruptionBudget === undefined ? (minReplicas > 1 ? { maxUnavailable: defaults.disruptionBudget.maxUnavailable } : undefined) : s.disruptionBudget || undefined;
  if (s.kind !== "DaemonSet" && budget) {
    disruptionBudget = new k8s.policy.v1.PodDisruptionBudget(childName(s.name, "pdb"), { metadata, spec: { ...budget, selector: { matchLabels: s.selector } } }, opts);
  }
  const ports: NetworkPort[] = s.containers.flatMap((c) => c.ports.map((p) => ({ port: p.containerPort })));
  const peer: WorkloadPeer = { kind: "workload", name: s.name, namespace: s.namespace, podLabels: s.selector };
  const networkAccess = new NetworkAccess(
    { name: s.name, namespace: s.namespace, podSelector: s.selector, labels: s.labels, dns: target.dns, ports, opts },
    { ingress: s.allowFrom.map((r) => ingressRule(r, ports)), egress: s.allowTo.map(egressRule) },
  );
  return { workload, service, serviceAccount, networkAccess, disruptionBudget, peer, ports };
}
