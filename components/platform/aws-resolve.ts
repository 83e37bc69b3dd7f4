/** AwsPlatform's validation and defaults: pure, no resources. Every problem is reported at once, before anything is created. */
import { checkArgShape } from "../core/arg-shape";
import { defaults } from "../core/defaults";
import { Validator } from "../core/errors";
import { parseCpu, parseMemory } from "../core/quantities";
import { dnsLabelProblem, dnsSubdomainProblem } from "../core/kubernetes-syntax";
import { componentNameProblem } from "../core/naming";
import { cidrContains, parseCidr } from "../core/network";
import { CHART_VERSIONS, ChartName } from "../aws/cluster-software";
import { CONTROL_PLANE_LOG_TYPES, ControlPlaneLogType } from "../aws/eks";
import { logRetentionProblem } from "../aws/log-retention";
import { NodeGroupSize, WorkloadCapacity, instanceTypeProblem, sizeNodeGroup } from "../aws/node-sizing";
import { KeelValidationError } from "../core/errors";
import { platformPods } from "./aws-platform-pods";
import { vpcCidrProblem } from "../aws/subnets";
import type { AwsPlatformArgs } from "./aws";

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const HOSTED_ZONE = /^Z[A-Z0-9]{1,31}$/;
const ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ADDON_VERSION = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;
const CHART_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Ranges the public endpoint can never be reached from (EKS refuses reserved addresses): private, documentation, loopback, link-local, shared, multicast. */
const NOT_PUBLIC = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3"];

/** A CIDR the public endpoint admits: a public IPv4 network (no host bits), never the whole internet. */
function publicCidrProblem(cidr: unknown): string | undefined {
  const allowed = "expected a public IPv4 network of yours (an office, a VPN's egress, CI runners), such as \"198.32.0.0/24\" with no host bits set; not private, documentation or other reserved ranges, nor the whole internet (leave publicAccessCidrs empty for a private endpoint)";
  const p = parseCidr(cidr);
  if (!p || p.family !== 4 || p.prefix === 0 || p.address % (1n << BigInt(32 - p.prefix)) !== 0n) return allowed;
  // Aligned blocks either nest or do not meet.
  const overlaps = (r: string) => r === cidr || cidrContains(r, cidr as string) || cidrContains(cidr as string, r);
  return NOT_PUBLIC.some(overlaps) ? allowed : undefined;
}

/** Checks {@link AwsPlatformArgs} and applies defaults. */
export function resolveAwsPlatformArgs(name: string, args: AwsPlatformArgs) {
  const v = new Validator("AwsPlatform", name);
  checkArgShape(v, "AwsPlatformArgs", args, () => resolveAwsPlatformArgs(name, args));
  v.throwIfInvalid();
  const d = defaults.aws;
  // The EKS cluster, its IAM roles and log groups are named after the platform: a short DNS label.
  const nameProblem = componentNameProblem(name) ?? (name.length > 32 ? "expected at most 32 characters (EKS cluster and IAM role names are derived from it)" : undefined);
  if (nameProblem) v.require(false, "name", name, nameProblem);
  v.require(typeof args.region === "string" && REGION.test(args.region), "region", args.region, "expected an AWS region such as \"eu-west-1\"");

  for (const [key, value] of Object.entries(args.tags ?? {})) {
    v.require(TAG_KEY.test(key) && !key.toLowerCase().startsWith("aws:"), `tags[${JSON.stringify(key)}]`, key, "expected a tag key of 1 to 128 letters, digits, spaces and _.:/=+-@, not starting with aws:");
    v.require(typeof value === "string" && value.length <= 256, `tags[${JSON.stringify(key)}]`, value, "expected a string of at most 256 characters");
  }

  const n = args.network ?? {};
  const cidr = n.cidr ?? d.vpcCidr;
  const cidrProblem = vpcCidrProblem(cidr);
  if (cidrProblem) v.require(false, "network.cidr", cidr, cidrProblem);
  const natGateways = n.natGateways ?? d.natGateways;
  v.require(natGateways === "single" || natGateways === "one-per-az", "network.natGateways", natGateways, "expected \"single\" (one NAT gateway: cheaper, one AZ's outage cuts egress) or \"one-per-az\"");
  const flowLogRetentionDays = n.flowLogRetentionDays ?? d.flowLogRetentionDays;
  const flowRetention = logRetentionProblem(flowLogRetentionDays);
  if (flowRetention) v.require(false, "network.flowLogRetentionDays", flowLogRetentionDays, flowRetention);

  const c = args.cluster ?? {};
  const version = c.version ?? d.kubernetesVersion;
  v.require(typeof version === "string" && /^1\.\d{2}$/.test(version), "cluster.version", version, "expected a Kubernetes minor version such as \"1.34\" (one EKS supports: aws eks describe-cluster-versions; keel does not check which)");
  const publicAccessCidrs = c.publicAccessCidrs ?? [];
  publicAccessCidrs.forEach((p, i) => {
    const problem = publicCidrProblem(p);
    if (problem) v.require(false, `cluster.publicAccessCidrs[${i}]`, p, problem);
  });
  const logTypes = c.logTypes ?? CONTROL_PLANE_LOG_TYPES;
  logTypes.forEach((t, i) => v.require((CONTROL_PLANE_LOG_TYPES as readonly string[]).includes(t), `cluster.logTypes[${i}]`, t, `expected one of ${CONTROL_PLANE_LOG_TYPES.join(", ")}`));
  if (!["api", "audit", "authenticator"].every((t) => (logTypes as readonly string[]).includes(t))) v.require(false, "cluster.logTypes", logTypes, "expected at least api, audit and authenticator (who did what to the cluster: the pack's eks-control-plane-logging requires them)");
  const logRetentionDays = c.logRetentionDays ?? d.logRetentionDays;
  const logRetention = logRetentionProblem(logRetentionDays);
  if (logRetention) v.require(false, "cluster.logRetentionDays", logRetentionDays, logRetention);
  (c.adminRoleArns ?? []).forEach((a, i) => {
    v.require(typeof a === "string" && ARN.test(a), `cluster.adminRoleArns[${i}]`, a, "expected an IAM role ARN such as \"arn:aws:iam::123456789012:role/platform-admins\"");
    if ((c.adminRoleArns ?? []).indexOf(a) !== i) v.require(false, `cluster.adminRoleArns[${i}]`, a, "expected each role once (EKS has one access entry per principal)");
  });
  const addonVersions = c.addonVersions ?? {};
  for (const [addon, version] of Object.entries(addonVersions)) {
    v.require(["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "aws-efs-csi-driver"].includes(addon), `cluster.addonVersions.${addon}`, addon, "expected one of vpc-cni, coredns, kube-proxy, aws-ebs-csi-driver, aws-efs-csi-driver");
    v.require(typeof version === "string" && ADDON_VERSION.test(version), `cluster.addonVersions.${addon}`, version, "expected an exact add-on version such as \"v1.20.4-eksbuild.1\" (aws eks describe-addon-versions lists them)");
  }
  const auth = args.kubeconfigAuth;
  if (auth?.profile !== undefined) v.require(typeof auth.profile === "string" && /^[\w.+@-]+$/.test(auth.profile), "kubeconfigAuth.profile", auth.profile, "expected an AWS CLI profile name");
  if (auth?.roleArn !== undefined) v.require(typeof auth.roleArn === "string" && ARN.test(auth.roleArn), "kubeconfigAuth.roleArn", auth.roleArn, "expected an IAM role ARN such as \"arn:aws:iam::123456789012:role/deployer\"");

  const nodes = args.nodes;
  const instanceType = nodes?.instanceType ?? d.instanceType;
  const typeProblem = instanceTypeProblem(instanceType);
  if (typeProblem) v.require(false, "nodes.instanceType", instanceType, typeProblem);
  const capacityType = nodes?.capacityType ?? "ON_DEMAND";
  v.require(capacityType === "ON_DEMAND" || capacityType === "SPOT", "nodes.capacityType", capacityType, "expected \"ON_DEMAND\" or \"SPOT\"");
  const diskSizeGiB = nodes?.diskSizeGiB ?? d.diskSizeGiB;
  v.require(Number.isInteger(diskSizeGiB) && diskSizeGiB >= 20 && diskSizeGiB <= 16384, "nodes.diskSizeGiB", diskSizeGiB, "expected a whole number of GiB from 20 to 16384 (images and emptyDir volumes live there)");
  const headroom = nodes?.headroom ?? d.headroom;
  v.require(typeof headroom === "number" && headroom >= 0 && headroom < 0.9, "nodes.headroom", headroom, "expected a fraction from 0 to 0.9 of the nodes' allocatable kept free (0.3: 30 %, room for rollouts' surge and a node's loss)");
  const minNodes = nodes?.minNodes ?? d.minNodes;
  const minOk = v.require(Number.isInteger(minNodes) && minNodes >= 1, "nodes.minNodes", minNodes, "expected a whole number of nodes, at least 1 (3 spreads over the platform's three zones)");
  if (nodes?.maxNodes !== undefined) v.require(Number.isInteger(nodes.maxNodes) && nodes.maxNodes >= (minOk ? minNodes : 1), "nodes.maxNodes", nodes.maxNodes, `expected a whole number of nodes, at least nodes.minNodes (${minOk ? minNodes : 1})`);
  const w = nodes?.workloads;
  if (v.require(typeof w === "object" && w !== null, "nodes.workloads", w, "expected what the systems on the platform request in total, { cpu, memory, pods } (each system's `keel synth` prints it in capacity.md)")) {
    checkCapacity(v, "nodes.workloads", w, "the number of pods the systems run at their highest replica counts");
  }
  const perNode = nodes?.perNode;
  if (perNode !== undefined && v.require(typeof perNode === "object" && perNode !== null, "nodes.perNode", perNode, "expected what the systems' DaemonSets request on each node, { cpu, memory, pods }")) {
    checkCapacity(v, "nodes.perNode", perNode, "the number of DaemonSet pods the systems run on each node");
  }

  const s = args.storage ?? {};
  const storageClass = s.storageClass ?? d.storageClass;
  if (dnsSubdomainProblem(storageClass)) v.require(false, "storage.storageClass", storageClass, "expected a StorageClass name (lowercase letters, digits, '-' and '.')");
  const gp3StorageClasses = s.gp3StorageClasses ?? [];
  gp3StorageClasses.forEach((g, i) => {
    if (dnsSubdomainProblem(g.name) || g.name === storageClass || g.name === "efs") v.require(false, `storage.gp3StorageClasses[${i}].name`, g.name, `expected a StorageClass name other than ${JSON.stringify(storageClass)} and "efs"`);
    if (g.iops !== undefined) v.require(Number.isInteger(g.iops) && g.iops >= 3000 && g.iops <= 16000, `storage.gp3StorageClasses[${i}].iops`, g.iops, "expected an integer from 3000 to 16000 (gp3's baseline and most)");
  });
  const efs = s.efs ?? false;
  v.require(typeof efs === "boolean", "storage.efs", efs, "expected true or false (a plain boolean: it decides whether the file system exists)");

  const ingress = {
    className: args.ingress?.className ?? defaults.ingress.className,
    namespace: args.ingress?.namespace ?? defaults.ingressController.namespace,
    replicas: args.ingress?.replicas ?? d.ingressReplicas,
  };
  if (dnsSubdomainProblem(ingress.className)) v.require(false, "ingress.className", ingress.className, "expected an IngressClass name");
  if (dnsLabelProblem(ingress.namespace)) v.require(false, "ingress.namespace", ingress.namespace, "expected a DNS-1123 label");
  v.require(Number.isInteger(ingress.replicas) && ingress.replicas >= 1, "ingress.replicas", ingress.replicas, "expected a whole number of controller pods, at least 1 (2 or more keep serving through a node's loss)");

  const cert = args.certificates;
  v.require(typeof cert?.email === "string" && EMAIL.test(cert.email), "certificates.email", cert?.email, "expected an e-mail address for Let's Encrypt's expiry notices, such as \"ops@example.com\"");

  if (args.metricsAdapter) {
    const url = args.metricsAdapter.prometheusUrl;
    v.require(typeof url === "string" && /^http:\/\/[a-z0-9.-]+\.svc(\.cluster\.local)?:\d+$/.test(url), "metricsAdapter.prometheusUrl", url, "expected a system's Prometheus inside the cluster, such as \"http://req1-obs-prometheus.req1-monitoring.svc:9090\"");
  }
  if (args.externalDns) {
    const x = args.externalDns;
    v.require(Array.isArray(x.domainFilters) && x.domainFilters.length > 0, "externalDns.domainFilters", x.domainFilters, "expected the domains external-dns may write, such as [\"example.com\"]");
    (x.domainFilters ?? []).forEach((f, i) => v.require(typeof f === "string" && dnsSubdomainProblem(f) === undefined && f.includes("."), `externalDns.domainFilters[${i}]`, f, "expected a domain such as \"example.com\""));
    v.require(Array.isArray(x.zoneIds) && x.zoneIds.length > 0, "externalDns.zoneIds", x.zoneIds, "expected the Route 53 hosted zone ids external-dns may change, such as [\"Z0123456789ABCDEFGHIJ\"]");
    (x.zoneIds ?? []).forEach((z, i) => v.require(typeof z === "string" && HOSTED_ZONE.test(z), `externalDns.zoneIds[${i}]`, z, "expected a Route 53 hosted zone id such as \"Z0123456789ABCDEFGHIJ\""));
  }
  const externalSecrets = args.externalSecrets ?? true;
  v.require(typeof externalSecrets === "boolean", "externalSecrets", externalSecrets, "expected true or false (a plain boolean: it decides whether the External Secrets Operator is installed)");
  const reloader = args.reloader ?? externalSecrets === true;
  if (v.require(typeof reloader === "boolean", "reloader", reloader, "expected true or false (a plain boolean: it decides whether Reloader is installed)") && reloader && externalSecrets === false) {
    v.require(false, "reloader", reloader, "expected false or unset when externalSecrets is false (Reloader rolls pods when the External Secrets Operator refreshes a Secret)");
  }
  for (const [chart, version] of Object.entries(args.charts ?? {})) {
    v.require(chart in CHART_VERSIONS, `charts.${chart}`, chart, `expected one of ${Object.keys(CHART_VERSIONS).join(", ")}`);
    v.require(typeof version === "string" && CHART_VERSION.test(version), `charts.${chart}`, version, "expected an exact chart version such as \"1.2.3\" (pinned: never a range)");
  }
  v.throwIfInvalid();
  const size = nodeGroupSize(v, { instanceType, workloads: nodes.workloads, headroom, minNodes, maxNodes: nodes.maxNodes }, { systemsPerNode: perNode, ingressReplicas: ingress.replicas, metricsAdapter: args.metricsAdapter !== undefined, externalDns: args.externalDns !== undefined, externalSecrets, reloader, efs });
  v.throwIfInvalid();
  return {
    region: args.region,
    tags: { "keel.dev/platform": name, "app.kubernetes.io/managed-by": "keel", ...args.tags },
    network: { cidr, natGateways, flowLogRetentionDays, endpoints: n.endpoints ?? true },
    cluster: { version, publicAccessCidrs, logTypes: logTypes as readonly ControlPlaneLogType[], logRetentionDays, adminRoleArns: c.adminRoleArns ?? [], addonVersions },
    nodes: { instanceType, capacityType, diskSizeGiB, size: size as NodeGroupSize },
    storage: { storageClass, gp3StorageClasses, efs },
    ingress,
    certificates: { email: cert.email, staging: cert.staging ?? false },
    metricsAdapter: args.metricsAdapter,
    externalDns: args.externalDns,
    externalSecrets,
    reloader,
    charts: { ...CHART_VERSIONS, ...args.charts } as Record<ChartName, string>,
    protect: args.protect ?? false,
  };
}

/** A `{ cpu, memory, pods }` capacity, each part positive. */
function checkCapacity(v: Validator, field: string, w: WorkloadCapacity, pods: string): void {
  const cpu = parseCpu(w.cpu);
  v.require(cpu.ok && cpu.value > 0, `${field}.cpu`, w.cpu, "expected a CPU quantity such as \"6\" or \"5500m\"");
  const memory = typeof w.memory === "string" ? parseMemory(w.memory) : undefined;
  v.require(memory !== undefined && memory.ok && memory.value > 0, `${field}.memory`, w.memory, "expected a memory quantity such as \"24Gi\"");
  v.require(Number.isInteger(w.pods) && w.pods > 0, `${field}.pods`, w.pods, `expected ${pods}`);
}

/**
 * The node group's size: the systems' workloads plus the platform's own pods (a DaemonSet pod per
 * node, so sized until the node count settles) in `1 - headroom` of the nodes. A problem is
 * reported against the AwsPlatform's `nodes` field.
 */
function nodeGroupSize(v: Validator, n: { instanceType: string; workloads: AwsPlatformArgs["nodes"]["workloads"]; headroom: number; minNodes: number; maxNodes?: number }, pods: Parameters<typeof platformPods>[0]): NodeGroupSize | undefined {
  try {
    let size = sizeNodeGroup({ ...n, systemPods: platformPods(pods, n.minNodes), zones: 3 });
    for (let i = 0; i < 5; i++) {
      const next = sizeNodeGroup({ ...n, systemPods: platformPods(pods, size.desiredSize), zones: 3 });
      if (next.desiredSize === size.desiredSize) return next;
      size = next;
    }
    return size;
  } catch (e) {
    if (!(e instanceof KeelValidationError)) throw e;
    for (const p of e.problems) v.fail(`nodes.${p}`);
    return undefined;
  }
}

export type ResolvedAwsPlatformArgs = ReturnType<typeof resolveAwsPlatformArgs>;
