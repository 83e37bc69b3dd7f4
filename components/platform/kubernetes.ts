/**
 * KubernetesPlatform: an existing cluster (from a kubeconfig, a context, or the ambient
 * configuration), with one namespace per tier. keel creates the namespaces it is given
 * (Pod Security Standard `restricted`, a default-deny NetworkPolicy in each) unless told
 * they already exist.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaults } from "../core/defaults";
import { Validator } from "../core/errors";
import { LABEL_MANAGED_BY, LABEL_PART_OF, Labels } from "../core/labels";
import { childName, componentNameProblem, isDnsLabel } from "../core/naming";
import type { DnsTarget } from "../core/network";
import { ClusterDescription, ClusterFacts, DISTRIBUTIONS, DISTRIBUTION_DEFAULTS, ExternalObject, UserImage } from "./cluster-facts";
import { IngressControllerTarget, KubernetesPlatformContext, KubernetesTarget, Operators, TIERS, Tier } from "./types";

export interface KubernetesPlatformArgs {
  /** The system deployed here (`app.kubernetes.io/part-of`); also the default app namespace. */
  readonly system: string;
  /** Kubeconfig contents or file path. @default the ambient kubeconfig ($KUBECONFIG or ~/.kube/config) */
  readonly kubeconfig?: pulumi.Input<string>;
  /** Context inside the kubeconfig. @default its current context */
  readonly context?: pulumi.Input<string>;
  /**
   * Namespace name per tier.
   * @default { app: system, data: "data", storage: "storage", monitoring: "monitoring" }
   */
  readonly namespaces?: Readonly<Partial<Record<Tier, string>>>;
  /** Create the tier namespaces; `false` when they exist already. @default true */
  readonly createNamespaces?: boolean;
  /** Pod Security Standard enforced on created namespaces. @default "restricted" */
  readonly podSecurityStandard?: "restricted" | "baseline" | "privileged";
  /** A NetworkPolicy denying all traffic in each created namespace; workloads' own policies allow what they need. @default true */
  readonly defaultDeny?: boolean;
  /** Protect the namespaces against deletion (deleting one deletes everything in it). @default false */
  readonly protect?: boolean;
  /** Installed operators. @default { certManager: true, prometheusOperator: false, strimzi: false } */
  readonly operators?: Readonly<Partial<Operators>>;
  /** The ingress controller. @default ingress-nginx in namespace "ingress-nginx", class "nginx" */
  readonly ingressController?: Readonly<Partial<IngressControllerTarget>>;
  /** Labels of the Prometheus pods, and labels its ServiceMonitor selector matches. */
  readonly monitoring?: { readonly podLabels?: Labels; readonly serviceMonitorLabels?: Labels };
  /** Cluster DNS, for workloads' egress rules. @default kube-dns in kube-system */
  readonly dns?: Readonly<Partial<DnsTarget>>;
  /** cert-manager ClusterIssuer for Ingress TLS. @default "letsencrypt-prod" */
  readonly clusterIssuer?: string;
  /** StorageClass for volumes. @default the distribution's (kind: standard, k3s: local-path); required on eks; else the cluster's default class */
  readonly storageClass?: string;
  /** What keel cannot see about the cluster (distribution, API server, CNI, storage classes, issuers); the whole-stack checks use it. */
  readonly cluster?: ClusterDescription;
  /** Objects the stack reads but does not create (a Secret synced from a vault, ...), each with a reason: listed as prerequisites. */
  readonly externalObjects?: readonly ExternalObject[];
  /** Images the user provides (built in CI, mirrored), each with a reason: listed as prerequisites. */
  readonly userImages?: readonly UserImage[];
}

/** cert-manager labels its HTTP-01 solver pods so, and they serve the challenge on this port. */
const ACME_SOLVER = { label: "acme.cert-manager.io/http01-solver", port: 8089 };

const REASON = "expected a reason of 10 characters or more (who provides it, and how)";

/** The cluster facts the platform hands the whole-stack checks. */
function clusterFacts(name: string, args: KubernetesPlatformArgs, v: Validator, r: { ingress: IngressControllerTarget; dns: DnsTarget; operators: Operators; clusterIssuer: string; monitoringNamespace: string; monitoringPodLabels: Labels }) {
  const c = args.cluster ?? {};
  const distribution = c.distribution ?? "generic";
  v.require(DISTRIBUTIONS.includes(distribution), "cluster.distribution", distribution, `expected one of ${DISTRIBUTIONS.join(", ")}`);
  const preset = DISTRIBUTION_DEFAULTS[distribution] ?? DISTRIBUTION_DEFAULTS.generic;
  const storageClass = args.storageClass ?? preset.storageClass;
  if (distribution === "eks") v.require(storageClass !== undefined, "storageClass", storageClass, "expected a StorageClass name: EKS clusters have no default class (the aws platform creates an encrypted gp3 class)");
  for (const [i, cidr] of (c.apiServer?.cidrs ?? []).entries()) v.require(/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(String(cidr)), `cluster.apiServer.cidrs[${i}]`, cidr, "expected a CIDR such as \"172.18.0.0/16\"");
  if (c.apiServer) v.require(Number.isInteger(c.apiServer.port) && c.apiServer.port > 0 && c.apiServer.port < 65536, "cluster.apiServer.port", c.apiServer.port, "expected a port number such as 6443");
  for (const [i, e] of (args.externalObjects ?? []).entries()) {
    v.require(typeof e.kind === "string" && /^[A-Z][A-Za-z]+$/.test(e.kind), `externalObjects[${i}].kind`, e.kind, "expected a Kubernetes kind such as \"Secret\"");
    v.require(typeof e.name === "string" && e.name.length > 0, `externalObjects[${i}].name`, e.name, "expected the object's name");
    v.require(typeof e.reason === "string" && e.reason.trim().length >= 10, `externalObjects[${i}].reason`, e.reason, REASON);
  }
  for (const [i, u] of (args.userImages ?? []).entries()) {
    v.require(typeof u.reference === "string" && u.reference.length > 0, `userImages[${i}].reference`, u.reference, "expected an image reference");
    v.require(typeof u.reason === "string" && u.reason.trim().length >= 10, `userImages[${i}].reason`, u.reason, REASON);
  }
  const issuers = [...(c.issuers ?? [])];
  // keel's default issuer name says what it is: Let's Encrypt, solving HTTP-01 through the ingress class.
  if (!issuers.some((i) => i.kind === "ClusterIssuer" && i.name === r.clusterIssuer) && r.clusterIssuer === defaults.ingress.clusterIssuer) issuers.push({ kind: "ClusterIssuer", name: r.clusterIssuer, solver: "http01" });
  const enforced = c.networkPolicyEnforced ?? preset.networkPolicyEnforced;
  const apiServer = c.apiServer ?? preset.apiServer;
  const classes = c.storageClasses ?? preset.storageClasses;
  const facts: ClusterFacts = {
    platform: distribution === "generic" ? `kubernetes (${name})` : distribution,
    ingressController: { className: r.ingress.className, namespace: r.ingress.namespace, podLabels: r.ingress.podLabels },
    prometheus: { namespace: r.monitoringNamespace, podLabels: r.monitoringPodLabels },
    dns: { namespace: r.dns.namespace, podLabels: r.dns.podLabels, port: r.dns.port },
    ...(apiServer ? { apiServer } : {}),
    ...(enforced !== undefined ? { networkPolicy: { enforced, ipBlocks: enforced } } : {}),
    ...(distribution !== "generic" || c.storageClasses ? { storageClasses: { names: [...new Set([...classes, ...(args.storageClass ? [args.storageClass] : [])])], default: preset.storageClass } } : {}),
    operators: r.operators,
    issuers,
    external: args.externalObjects ?? [],
    userImages: args.userImages ?? [],
  };
  return { facts, storageClass };
}

/** Checks {@link KubernetesPlatformArgs} and applies defaults: pure, no resources. */
export function resolveKubernetesPlatformArgs(name: string, args: KubernetesPlatformArgs) {
  const v = new Validator("KubernetesPlatform", name);
  const nameProblem = componentNameProblem(name);
  if (nameProblem) v.require(false, "name", name, nameProblem);
  v.require(isDnsLabel(args.system), "system", args.system, "expected a DNS-1123 label such as \"req1\"");
  const namespaces: Record<Tier, string> = {
    app: args.namespaces?.app ?? args.system,
    data: args.namespaces?.data ?? defaults.namespaces.data,
    storage: args.namespaces?.storage ?? defaults.namespaces.storage,
    monitoring: args.namespaces?.monitoring ?? defaults.namespaces.monitoring,
  };
  for (const tier of TIERS) {
    v.require(isDnsLabel(namespaces[tier]), `namespaces.${tier}`, namespaces[tier], "expected a DNS-1123 label");
    v.require(!["kube-system", "kube-public", "kube-node-lease"].includes(namespaces[tier]), `namespaces.${tier}`, namespaces[tier], "expected a namespace of your own, not a system namespace");
  }
  const standards = ["restricted", "baseline", "privileged"];
  const pss = args.podSecurityStandard ?? defaults.podSecurityStandard;
  v.require(standards.includes(pss), "podSecurityStandard", pss, `expected one of ${standards.join(", ")}`);
  const ingress: IngressControllerTarget = {
    className: args.ingressController?.className ?? defaults.ingress.className,
    namespace: args.ingressController?.namespace ?? defaults.ingressController.namespace,
    podLabels: args.ingressController?.podLabels ?? defaults.ingressController.podLabels,
  };
  v.require(isDnsLabel(ingress.namespace), "ingressController.namespace", ingress.namespace, "expected a DNS-1123 label");
  v.require(Object.keys(ingress.podLabels).length > 0, "ingressController.podLabels", ingress.podLabels, "expected at least one label (an empty selector would admit every pod)");
  const dns: DnsTarget = {
    namespace: args.dns?.namespace ?? defaults.dns.namespace,
    podLabels: args.dns?.podLabels ?? defaults.dns.podLabels,
    port: args.dns?.port ?? defaults.dns.port,
  };
  const operators: Operators = {
    certManager: args.operators?.certManager ?? true,
    prometheusOperator: args.operators?.prometheusOperator ?? false,
    strimzi: args.operators?.strimzi ?? false,
  };
  for (const [key, value] of Object.entries(operators)) {
    v.require(typeof value === "boolean", `operators.${key}`, value, "expected true or false (a plain boolean: it decides which resources exist)");
  }
  const monitoringPodLabels = args.monitoring?.podLabels ?? { "app.kubernetes.io/name": "prometheus" };
  const clusterIssuer = args.clusterIssuer ?? defaults.ingress.clusterIssuer;
  const { facts, storageClass } = clusterFacts(name, args, v, { ingress, dns, operators, clusterIssuer, monitoringNamespace: namespaces.monitoring, monitoringPodLabels });
  v.throwIfInvalid();
  return {
    facts,
    storageClass,
    namespaces,
    pss,
    ingress,
    dns,
    operators,
    createNamespaces: args.createNamespaces ?? true,
    defaultDeny: args.defaultDeny ?? true,
    clusterIssuer,
    monitoringPodLabels,
    serviceMonitorLabels: args.monitoring?.serviceMonitorLabels ?? defaults.serviceMonitorLabels,
  };
}

export class KubernetesPlatform extends pulumi.ComponentResource implements KubernetesPlatformContext {
  public readonly kind = "kubernetes" as const;
  public readonly name: string;
  public readonly kubernetes: KubernetesTarget;
  /** The provider bound to the cluster, when a kubeconfig or context was given. */
  public readonly provider?: k8s.Provider;
  /** What the whole-stack checks need to know about the cluster (written into the pack config by keel synth). */
  public readonly facts: ClusterFacts;
  /** The Namespace resources keel created, by namespace name. */
  public readonly namespaceResources: Readonly<Record<string, k8s.core.v1.Namespace>>;

  constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveKubernetesPlatformArgs(name, args);
    super("keel:components:KubernetesPlatform", name, {}, opts);
    this.name = name;
    if (args.kubeconfig !== undefined || args.context !== undefined) {
      this.provider = new k8s.Provider(childName(name, "provider"), { kubeconfig: args.kubeconfig, context: args.context }, { parent: this });
    }
    const childOpts: pulumi.CustomResourceOptions = { parent: this, provider: this.provider };
    const created: Record<string, k8s.core.v1.Namespace> = {};
    const namespaceOutputs = {} as Record<Tier, pulumi.Input<string>>;
    for (const tier of TIERS) {
      const nsName = r.namespaces[tier];
      if (!r.createNamespaces) {
        namespaceOutputs[tier] = nsName;
        continue;
      }
      if (!created[nsName]) {
        created[nsName] = new k8s.core.v1.Namespace(
          childName(name, `ns-${nsName}`),
          {
            metadata: {
              name: nsName,
              labels: {
                [LABEL_PART_OF]: args.system,
                [LABEL_MANAGED_BY]: "keel",
                "pod-security.kubernetes.io/enforce": r.pss,
                "pod-security.kubernetes.io/warn": "restricted",
              },
            },
          },
          { ...childOpts, protect: args.protect },
        );
        if (r.defaultDeny) {
          new k8s.networking.v1.NetworkPolicy(
            childName(name, `default-deny-${nsName}`),
            {
              metadata: { name: "default-deny", namespace: created[nsName].metadata.name, labels: { [LABEL_MANAGED_BY]: "keel" } },
              spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
            },
            childOpts,
          );
          // cert-manager's HTTP-01 solver pods serve the challenge to the ingress controller; the
          // default deny would block them, and no certificate would ever be issued.
          if (r.operators.certManager && r.facts.issuers.some((i) => i.solver === "http01")) {
            new k8s.networking.v1.NetworkPolicy(
              childName(name, `acme-http01-${nsName}`),
              {
                metadata: { name: "acme-http01-solver", namespace: created[nsName].metadata.name, labels: { [LABEL_MANAGED_BY]: "keel" } },
                spec: {
                  podSelector: { matchLabels: { [ACME_SOLVER.label]: "true" } },
                  policyTypes: ["Ingress"],
                  ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": r.ingress.namespace } }, podSelector: { matchLabels: { ...r.ingress.podLabels } } }], ports: [{ port: ACME_SOLVER.port, protocol: "TCP" }] }],
                },
              },
              childOpts,
            );
          }
        }
      }
      namespaceOutputs[tier] = created[nsName].metadata.name;
    }
    this.namespaceResources = created;
    this.kubernetes = {
      provider: this.provider,
      namespaces: namespaceOutputs,
      operators: r.operators,
      ingress: r.ingress,
      monitoring: { namespace: namespaceOutputs.monitoring, podLabels: r.monitoringPodLabels, serviceMonitorLabels: r.serviceMonitorLabels },
      dns: r.dns,
      clusterIssuer: r.clusterIssuer,
      storageClass: r.storageClass,
      system: args.system,
    };
    this.facts = r.facts;
    this.registerOutputs({ namespaces: namespaceOutputs, clusterFacts: r.facts });
  }
}
