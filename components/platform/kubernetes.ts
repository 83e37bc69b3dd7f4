/**
 * KubernetesPlatform: an existing cluster (from a kubeconfig, a context, or the ambient
 * configuration), with one namespace per tier. keel creates the namespaces it is given
 * (Pod Security Standard `restricted`, a default-deny NetworkPolicy in each) unless told
 * they already exist. With `mesh`, the tiers it names also get Istio's sidecars, STRICT mTLS and
 * the NetworkPolicy rules the sidecars need (mesh.ts, docs/mesh.md).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LABEL_MANAGED_BY, LABEL_PART_OF, Labels } from "../core/labels";
import { describeValue, KeelValidationError } from "../core/errors";
import { childName, isDnsLabel } from "../core/naming";
import type { DnsTarget } from "../core/network";
import { ClusterDescription, ClusterFacts, ExternalObject, UserImage, systemNamespaceProblem } from "./cluster-facts";
import { IssuerToCreate, createIssuer } from "./issuers";
import { MeshArgs, meshedNamespaces } from "./mesh";
import { NamespaceDefaults, createPlatformNamespace, gp3StorageClass } from "./namespaces";
import { resolveKubernetesPlatformArgs } from "./resolve";
import { IngressControllerTarget, KubernetesPlatformContext, KubernetesTarget, Operators, TIERS, Tier } from "./types";

export { resolveKubernetesPlatformArgs } from "./resolve";

export interface KubernetesPlatformArgs {
  /** The system deployed here (`app.kubernetes.io/part-of`); also the default app namespace. */
  readonly system: string;
  /** Kubeconfig contents or file path. @default the ambient kubeconfig ($KUBECONFIG or ~/.kube/config) */
  readonly kubeconfig?: pulumi.Input<string>;
  /** Context inside the kubeconfig. @default its current context */
  readonly context?: pulumi.Input<string>;
  /** A provider already bound to the cluster (e.g. the aws platform's EKS provider), instead of `kubeconfig`/`context`. @default one from `kubeconfig`/`context`, else the ambient kubeconfig */
  readonly provider?: k8s.Provider;
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
  /**
   * Protect what holds state (prod): the namespaces (deleting one deletes everything in it) and
   * a created CA's certificate (`createIssuer: { type: "self-signed-ca" }`: its Secret is the CA
   * key). Each gets Pulumi's `protect` and `retainOnDelete`. @default false
   */
  readonly protect?: boolean;
  /** Installed operators. @default { certManager: true, prometheusOperator: false, strimzi: false } */
  readonly operators?: Readonly<Partial<Operators>>;
  /** The ingress controller. @default ingress-nginx in namespace "ingress-nginx", class "nginx" */
  readonly ingressController?: Readonly<Partial<IngressControllerTarget>>;
  /** Labels of the Prometheus pods, and labels its ServiceMonitor selector matches. */
  readonly monitoring?: { readonly podLabels?: Labels; readonly serviceMonitorLabels?: Labels };
  /** Cluster DNS, for workloads' egress rules. @default kube-dns in kube-system */
  readonly dns?: Readonly<Partial<DnsTarget>>;
  /** cert-manager ClusterIssuer for Ingress TLS, installed outside the stack (describe its solver in `cluster.issuers`). @default "letsencrypt-prod" (assumed: Let's Encrypt, HTTP-01) */
  readonly clusterIssuer?: string;
  /** Create the ClusterIssuer instead: a self-signed CA (clusters the internet cannot reach) or Let's Encrypt over HTTP-01. Replaces `clusterIssuer`. */
  readonly createIssuer?: IssuerToCreate;
  /** cert-manager's cluster resource namespace (where a created CA's Secret lives). @default "cert-manager" */
  readonly certManagerNamespace?: string;
  /** StorageClass for volumes. @default the distribution's (kind: standard, k3s: local-path); required on eks; else the cluster's default class */
  readonly storageClass?: string;
  /**
   * More StorageClasses to create on eks beside `storageClass`: encrypted gp3 on the EBS CSI
   * driver, `Retain`, `WaitForFirstConsumer`, expandable, with `iops` provisioned (gp3's baseline
   * is 3000, its most 16000). Components may then name them. @default none
   */
  readonly gp3StorageClasses?: readonly { readonly name: string; readonly iops?: number }[];
  /** What keel cannot see about the cluster (distribution, API server, CNI, storage classes, issuers); the whole-stack checks use it. */
  readonly cluster?: ClusterDescription;
  /** Objects the stack reads but does not create (a Secret synced from a vault, ...), each with a reason: listed as prerequisites. */
  readonly externalObjects?: readonly ExternalObject[];
  /** Images the user provides (built in CI, mirrored), each with a reason: listed as prerequisites. */
  readonly userImages?: readonly UserImage[];
  /**
   * The service mesh installed in the cluster (Istio, sidecar mode, with its CNI plugin): the tiers
   * it names get sidecar injection, STRICT mutual TLS and NetworkPolicy `istio-sidecar` (istiod on
   * 15012, Prometheus on 15020). See docs/mesh.md. @default no mesh
   */
  readonly mesh?: MeshArgs;
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
  private readonly namespaceDefaults: NamespaceDefaults;
  private readonly createNamespaces: boolean;
  /** Every namespace created, the tiers' and `appNamespace`'s. */
  private readonly ownNamespaces: Record<string, k8s.core.v1.Namespace>;
  private readonly appContexts = new Map<string, KubernetesPlatformContext>();

  constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveKubernetesPlatformArgs(name, args);
    super("keel:components:KubernetesPlatform", name, {}, opts);
    this.name = name;
    if (args.provider !== undefined) {
      this.provider = args.provider;
    } else if (args.kubeconfig !== undefined || args.context !== undefined) {
      // Never adopt: creating a namespace (or anything) that already exists fails instead of
      // taking it over (a shared cluster's `data` or `monitoring` stays its owner's).
      this.provider = new k8s.Provider(childName(name, "provider"), { kubeconfig: args.kubeconfig, context: args.context, upsertExistingObjects: false }, { parent: this });
    }
    const childOpts: pulumi.CustomResourceOptions = { parent: this, provider: this.provider };
    const created: Record<string, k8s.core.v1.Namespace> = {};
    const namespaceOutputs = {} as Record<Tier, pulumi.Input<string>>;
    const meshed = new Set(r.mesh ? meshedNamespaces(r.mesh) : []);
    this.namespaceDefaults = {
      platformName: name,
      system: args.system,
      pss: r.pss,
      defaultDeny: r.defaultDeny,
      protect: args.protect,
      acmeSolver: r.operators.certManager && r.facts.issuers.some((i) => i.solver === "http01"),
      ingress: r.ingress,
      mesh: r.mesh,
      prometheus: { namespace: r.namespaces.monitoring, podLabels: r.monitoringPodLabels },
      dns: r.dns,
    };
    this.createNamespaces = r.createNamespaces;
    for (const tier of TIERS) {
      const nsName = r.namespaces[tier];
      if (!r.createNamespaces) {
        namespaceOutputs[tier] = nsName;
        continue;
      }
      created[nsName] ??= createPlatformNamespace(nsName, this.namespaceDefaults, meshed.has(nsName), childOpts);
      namespaceOutputs[tier] = created[nsName].metadata.name;
    }
    this.namespaceResources = created;
    this.ownNamespaces = { ...created };
    const labels = { [LABEL_PART_OF]: args.system, [LABEL_MANAGED_BY]: "keel" };
    // EKS has no StorageClass by default: the class the platform names is created, encrypted gp3 on the EBS CSI driver.
    if (r.createStorageClass && r.storageClass) gp3StorageClass(name, r.storageClass, labels, undefined, childOpts);
    for (const extra of r.gp3StorageClasses) gp3StorageClass(name, extra.name, labels, extra.iops, childOpts);
    const issuer = args.createIssuer
      ? createIssuer({ platformName: name, system: args.system, ingressClassName: r.ingress.className, certManagerNamespace: r.certManagerNamespace, labels, protect: args.protect }, args.createIssuer, childOpts)
      : undefined;
    this.kubernetes = {
      provider: this.provider,
      namespaces: namespaceOutputs,
      operators: r.operators,
      ingress: r.ingress,
      monitoring: { namespace: namespaceOutputs.monitoring, podLabels: r.monitoringPodLabels, serviceMonitorLabels: r.serviceMonitorLabels },
      dns: r.dns,
      clusterIssuer: r.clusterIssuer,
      issuer,
      storageClass: r.storageClass,
      ...(r.storageClasses ? { storageClasses: r.storageClasses } : {}),
      podCidrs: r.podCidrs,
      system: args.system,
      ...(r.mesh ? { mesh: { kind: r.mesh.kind, tiers: r.mesh.tiers, namespaces: r.mesh.namespaces, ingressControllerInMesh: r.mesh.ingressControllerInMesh } } : {}),
    };
    this.facts = r.facts;
    this.registerOutputs({ namespaces: namespaceOutputs, clusterFacts: r.facts });
  }

  /**
   * A platform whose app tier is `namespace`: a namespace of its own, created like the tiers'
   * (Pod Security level, default deny, cert-manager's HTTP-01 solver admitted), for systems that
   * give each service a namespace (seed 003: frontend and backend apart). Everything else (data
   * tiers, DNS, ingress controller, Prometheus, issuer) is this platform's, so rules between its
   * namespaces resolve. Calling it twice with one name returns the same platform. The namespace is
   * outside a mesh's tiers, and needs `createNamespaces`.
   */
  appNamespace(namespace: string): KubernetesPlatformContext {
    const known = this.appContexts.get(namespace);
    if (known) return known;
    const problem = appNamespaceProblem(namespace, this.createNamespaces, Object.keys(this.ownNamespaces));
    if (problem) throw new KeelValidationError("KubernetesPlatform", this.name, [`appNamespace is ${describeValue(namespace)}; ${problem}`]);
    const ns = createPlatformNamespace(namespace, this.namespaceDefaults, false, { parent: this, provider: this.provider });
    this.ownNamespaces[namespace] = ns;
    const context: KubernetesPlatformContext = { kind: "kubernetes", name: this.name, kubernetes: { ...this.kubernetes, namespaces: { ...this.kubernetes.namespaces, app: ns.metadata.name } } };
    this.appContexts.set(namespace, context);
    return context;
  }
}

/** Why `namespace` cannot be an extra app namespace of the platform, or undefined. */
export function appNamespaceProblem(namespace: unknown, createNamespaces: boolean, existing: readonly string[]): string | undefined {
  if (!createNamespaces) return "expected createNamespaces: true (keel creates the namespace with its defaults)";
  if (typeof namespace !== "string" || !isDnsLabel(namespace)) return "expected a DNS-1123 label such as \"shop-frontend\"";
  const system = systemNamespaceProblem(namespace);
  if (system) return system;
  if (existing.includes(namespace)) return "expected a namespace the platform does not already create (a tier's namespace, or an earlier appNamespace)";
  return undefined;
}
