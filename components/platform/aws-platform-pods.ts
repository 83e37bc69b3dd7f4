/**
 * What the aws platform's own pods request, for sizing the node group beside the systems'
 * workloads: the Helm releases keel installs (their values set these requests; a test holds the
 * two equal), EKS's add-ons (AWS's defaults), and a pod per node of each DaemonSet.
 */
import type { WorkloadCapacity } from "../aws/node-sizing";
import { parseCpu, parseMemory } from "../core/quantities";

const cpuMillis = (q: string): number => {
  const c = parseCpu(q);
  return c.ok ? c.value : 0;
};
const memoryBytes = (q: string): number => {
  const m = parseMemory(q);
  return m.ok ? m.value : 0;
};

interface Pods {
  readonly count: number;
  readonly cpuMillis: number;
  readonly memoryMi: number;
}

/** Requests per pod of what keel installs with Helm (components/aws/cluster-software-values.ts). */
export const RELEASE_POD_REQUESTS = {
  "ingress-nginx": { cpuMillis: 100, memoryMi: 128 },
  "cert-manager": { cpuMillis: 50, memoryMi: 128 },
  "cert-manager-webhook": { cpuMillis: 20, memoryMi: 64 },
  "cert-manager-cainjector": { cpuMillis: 20, memoryMi: 128 },
  "metrics-server": { cpuMillis: 100, memoryMi: 200 },
  "prometheus-adapter": { cpuMillis: 50, memoryMi: 128 },
  "external-dns": { cpuMillis: 20, memoryMi: 64 },
  "external-secrets": { cpuMillis: 50, memoryMi: 128 },
  "external-secrets-webhook": { cpuMillis: 20, memoryMi: 64 },
  "external-secrets-cert-controller": { cpuMillis: 20, memoryMi: 128 },
  reloader: { cpuMillis: 20, memoryMi: 128 },
} as const;

/** EKS add-ons' pods as AWS ships them: Deployments (total) and DaemonSets (per node). */
const ADDON_DEPLOYMENTS: readonly Pods[] = [
  { count: 2, cpuMillis: 100, memoryMi: 70 }, // coredns
  { count: 2, cpuMillis: 60, memoryMi: 240 }, // ebs-csi-controller (6 containers, 10m/40Mi each)
];
const ADDON_DAEMONSETS: readonly Pods[] = [
  { count: 1, cpuMillis: 25, memoryMi: 0 }, // aws-node (vpc-cni, with its network-policy agent)
  { count: 1, cpuMillis: 100, memoryMi: 0 }, // kube-proxy
  { count: 1, cpuMillis: 30, memoryMi: 120 }, // ebs-csi-node (3 containers)
];
const EFS_PODS = { deployment: { count: 2, cpuMillis: 30, memoryMi: 120 }, daemonset: { count: 1, cpuMillis: 30, memoryMi: 120 } };

export interface PlatformPodsOptions {
  /** The systems' DaemonSets on each node (AwsPlatform `nodes.perNode`). */
  readonly systemsPerNode?: WorkloadCapacity;
  readonly ingressReplicas: number;
  readonly metricsAdapter: boolean;
  readonly externalDns: boolean;
  /** The External Secrets Operator: controller, webhook (both HA with the ingress), cert-controller. */
  readonly externalSecrets: boolean;
  /** Stakater Reloader (HA with the ingress). */
  readonly reloader: boolean;
  readonly efs: boolean;
}

/** The platform's pods on `nodes` nodes, as one capacity (DaemonSets counted once per node). */
export function platformPods(o: PlatformPodsOptions, nodes: number): WorkloadCapacity {
  const ha = o.ingressReplicas > 1 ? 2 : 1;
  const r = RELEASE_POD_REQUESTS;
  const pods: Pods[] = [
    { count: o.ingressReplicas, ...r["ingress-nginx"] },
    { count: ha, ...r["cert-manager"] },
    { count: ha, ...r["cert-manager-webhook"] },
    { count: ha, ...r["cert-manager-cainjector"] },
    { count: ha, ...r["metrics-server"] },
    ...(o.metricsAdapter ? [{ count: ha, ...r["prometheus-adapter"] }] : []),
    ...(o.externalDns ? [{ count: 1, ...r["external-dns"] }] : []),
    ...(o.externalSecrets ? [{ count: ha, ...r["external-secrets"] }, { count: ha, ...r["external-secrets-webhook"] }, { count: 1, ...r["external-secrets-cert-controller"] }] : []),
    ...(o.reloader ? [{ count: ha, ...r.reloader }] : []),
    ...ADDON_DEPLOYMENTS,
    ...(o.efs ? [EFS_PODS.deployment] : []),
    ...[...ADDON_DAEMONSETS, ...(o.efs ? [EFS_PODS.daemonset] : [])].map((d) => ({ ...d, count: d.count * nodes })),
  ];
  const sum = (f: (p: Pods) => number) => pods.reduce((total, p) => total + p.count * f(p), 0);
  const own = o.systemsPerNode;
  // The systems' DaemonSets, as quantities: added per node, whole millicores and MiB rounded up.
  const ownCpu = own ? Math.ceil(cpuMillis(own.cpu)) * nodes : 0;
  const ownMemory = own ? Math.ceil(memoryBytes(own.memory) / 2 ** 20) * nodes : 0;
  return { cpu: `${sum((p) => p.cpuMillis) + ownCpu}m`, memory: `${sum((p) => p.memoryMi) + ownMemory}Mi`, pods: sum(() => 1) + (own ? own.pods * nodes : 0) };
}
