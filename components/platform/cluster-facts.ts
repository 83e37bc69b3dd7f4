/**
 * Cluster facts: what keel's whole-stack checks cannot see in a stack (where the ingress
 * controller, Prometheus and cluster DNS run, the API server's addresses, whether the CNI
 * enforces NetworkPolicies, storage classes, operators, issuers, objects and images the user
 * provides). The platform fills one object; `keel synth` writes it into the policy pack config,
 * so `keel check` and `pulumi preview --policy-pack` judge with the same facts.
 */
import type { ExternalObjectFact, InstalledSoftwareFact, IssuerFact, IssuerSolver, MeshFact, MetricsApisFact, UserImageFact } from "../../policies/lib/cluster-facts";
import { isIPv4, isIPv6 } from "net";
import type { Labels } from "../core/labels";
import { ipCidrProblem } from "../core/network";

/** Known Kubernetes distributions, for their defaults. `generic`: nothing is assumed. */
export type Distribution = "kind" | "k3s" | "eks" | "generic";
export const DISTRIBUTIONS: readonly Distribution[] = ["kind", "k3s", "eks", "generic"];

// The facts' shapes are the policy pack's (it reads them from its config); the platform fills them.

export type { InstalledSoftwareFact, IssuerFact, IssuerSolver, MeshFact, MetricsApisFact };
/** Something the stack uses but does not create (kind, namespace, name, keys, reason): listed as a prerequisite, never silently trusted. */
export type ExternalObject = ExternalObjectFact;
/** An image keel does not vouch for (reference, reason): the user builds or chooses it. */
export type UserImage = UserImageFact;

export interface ClusterFacts {
  readonly platform: string;
  readonly ingressController: { readonly className: string; readonly namespace: string; readonly podLabels: Labels };
  readonly prometheus: { readonly namespace: string; readonly podLabels: Labels };
  readonly dns: { readonly namespace: string; readonly podLabels: Labels; readonly port: number };
  readonly apiServer?: { readonly cidrs: readonly string[]; readonly port: number };
  readonly networkPolicy?: { readonly enforced: boolean; readonly ipBlocks: boolean };
  readonly storageClasses?: { readonly names: readonly string[]; readonly default?: string };
  readonly operators: { readonly certManager: boolean; readonly prometheusOperator: boolean; readonly strimzi: boolean };
  readonly issuers: readonly IssuerFact[];
  readonly external: readonly ExternalObject[];
  readonly userImages: readonly UserImage[];
  /** The service mesh (KubernetesPlatformArgs.mesh). */
  readonly mesh?: MeshFact;
  /** The metrics APIs the cluster serves, as far as known (cluster.metricsApis over the distribution's). */
  readonly metricsApis?: MetricsApisFact;
  /** Helm releases the platform installs (cluster.installed). */
  readonly installed?: readonly InstalledSoftwareFact[];
}

/** What a cluster's owner states about it (all optional: a distribution's defaults fill what they can). */
export interface ClusterDescription {
  /**
   * The distribution, for its defaults: kind (≥ 0.24: `standard` storage, kindnetd enforces
   * NetworkPolicies, API server on the node network 172.18.0.0/16 port 6443), k3s (`local-path`,
   * kube-router enforces policies, API server port 6443), eks (no StorageClass by default, the VPC
   * CNI enforces policies only when its network-policy agent is on, API server port 443).
   * @default "generic" (nothing assumed: the checks report what they cannot decide)
   */
  readonly distribution?: Distribution;
  /** The API server's address ranges and the port pods reach it on (after Service translation). */
  readonly apiServer?: { readonly cidrs: readonly string[]; readonly port: number };
  /** Whether the CNI enforces NetworkPolicies. @default the distribution's */
  readonly networkPolicyEnforced?: boolean;
  /** StorageClasses the cluster has. @default the distribution's */
  readonly storageClasses?: readonly string[];
  /** Issuers installed outside the stack, with their solver type. */
  readonly issuers?: readonly IssuerFact[];
  /**
   * The ranges pod addresses come from (server configs that admit clients by address use them,
   * e.g. pg_hba.conf, Alertmanager's cluster). @default the distribution's (kind 10.244.0.0/16,
   * k3s 10.42.0.0/16), else every private range: RFC 1918, 100.64.0.0/10 (EKS custom networking,
   * CGNAT) and fc00::/7 (IPv6 unique local)
   */
  readonly podCidrs?: readonly string[];
  /**
   * The aggregated metrics APIs the cluster serves, for HPAs: `resource` (metrics.k8s.io, from
   * metrics-server: cpu and memory targets), `custom` (custom.metrics.k8s.io: Pods and Object
   * metrics, from prometheus-adapter, KEDA, ...), `external` (external.metrics.k8s.io: External
   * metrics). Every API an HPA needs is listed as a prerequisite, with "(the platform provides
   * it)" where this says the cluster serves it.
   * @default the distribution's (k3s ships metrics-server: { resource: true }); else nothing known
   */
  readonly metricsApis?: MetricsApisFact;
  /**
   * Helm releases installed in the cluster (name, chart, exact version, namespace) and what each
   * makes it serve, in the prerequisites' words: "IngressClass nginx", "cert-manager CRDs",
   * "ClusterIssuer <name>", "metrics.k8s.io", "custom.metrics.k8s.io", "external.metrics.k8s.io",
   * "DNS names under <domain>". Each prerequisite a release provides is listed as installed by
   * the platform; what the release installs is not checked.
   * @default none (every prerequisite stays one)
   */
  readonly installed?: readonly InstalledSoftwareFact[];
}

/** Where pod addresses may come from when the platform is not told: every private range. */
export const PRIVATE_POD_CIDRS: readonly string[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"];

export interface DistributionDefaults {
  readonly podCidrs?: readonly string[];
  readonly storageClass?: string;
  readonly storageClasses: readonly string[];
  readonly networkPolicyEnforced?: boolean;
  readonly apiServer?: { readonly cidrs: readonly string[]; readonly port: number };
  readonly metricsApis?: MetricsApisFact;
}

export const DISTRIBUTION_DEFAULTS: Readonly<Record<Distribution, DistributionDefaults>> = {
  kind: { podCidrs: ["10.244.0.0/16"], storageClass: "standard", storageClasses: ["standard"], networkPolicyEnforced: true, apiServer: { cidrs: ["172.18.0.0/16"], port: 6443 } },
  // k3s packages metrics-server (unless started with --disable metrics-server).
  k3s: { podCidrs: ["10.42.0.0/16"], storageClass: "local-path", storageClasses: ["local-path"], networkPolicyEnforced: true, metricsApis: { resource: true } },
  eks: { storageClasses: [], networkPolicyEnforced: false },
  generic: { storageClasses: [] },
};

/** Namespaces Kubernetes itself owns: keel never creates them, labels them or puts a default deny in them. */
export function systemNamespaceProblem(namespace: unknown): string | undefined {
  if (typeof namespace === "string" && (namespace === "default" || namespace.startsWith("kube-"))) {
    return "expected a namespace of your own: \"default\" and every \"kube-*\" namespace belong to Kubernetes (keel would set their Pod Security labels and deny all traffic in them, cutting off what runs there, e.g. CoreDNS)";
  }
  return undefined;
}

/**
 * A StorageClass a component (or the platform) names, checked against the classes the platform
 * says the cluster has: a claim naming a class that does not exist stays Pending forever.
 */
export function storageClassListProblem(storageClass: unknown, known: readonly string[] | undefined): string | undefined {
  if (known === undefined || typeof storageClass !== "string" || known.includes(storageClass)) return undefined;
  return `expected one of the cluster's StorageClasses (cluster.storageClasses: ${known.map((k) => JSON.stringify(k)).join(", ") || "none"}): a claim naming a class that does not exist stays Pending`;
}

const PRIVATE_V4: readonly [number, number][] = [
  [10 << 24, 8], [(172 << 24) | (16 << 16), 12], [(192 << 24) | (168 << 16), 16], [(100 << 24) | (64 << 16), 10], [127 << 24, 8], [(169 << 24) | (254 << 16), 16],
];

/** True when every address of the CIDR is private (RFC 1918, 100.64.0.0/10, loopback, link-local; IPv6 fc00::/7, fe80::/10, ::1). */
export function isPrivateCidr(cidr: string): boolean {
  const [address, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  if (isIPv4(address)) {
    const n = address.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    return PRIVATE_V4.some(([base, bits]) => prefix >= bits && Math.floor(n / 2 ** (32 - bits)) === Math.floor((base >>> 0) / 2 ** (32 - bits)));
  }
  if (isIPv6(address)) {
    const lower = address.toLowerCase();
    if (lower === "::1" && prefix === 128) return true;
    const first = parseInt(lower.startsWith("::") ? "0" : lower.split(":")[0], 16);
    return (prefix >= 7 && (first & 0xfe00) === 0xfc00) || (prefix >= 10 && (first & 0xffc0) === 0xfe80);
  }
  return false;
}

/**
 * A data store's `allowFrom` rules: none may admit public addresses (peers.internet(), 0.0.0.0/0
 * or any range outside the private ones). A database, broker or cache is reached by the services
 * in the cluster (or over a private network), never straight from the internet.
 */
export function internetPeerProblems(field: string, rules: unknown): [string, unknown, string][] {
  if (!Array.isArray(rules)) return [];
  const out: [string, unknown, string][] = [];
  rules.forEach((rule: unknown, i) => {
    const peer = (rule as { peer?: { kind?: unknown; cidr?: unknown } } | null)?.peer;
    if (peer && peer.kind === "cidr" && typeof peer.cidr === "string" && ipCidrProblem(peer.cidr) === undefined && !isPrivateCidr(peer.cidr)) {
      out.push([`${field}[${i}].peer.cidr`, peer.cidr, "expected a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7): a data store is never opened to public addresses; put a service in front of it"]);
    }
  });
  return out;
}
