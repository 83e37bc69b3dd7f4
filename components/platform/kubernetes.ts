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
import { childName } from "../core/naming";
import type { DnsTarget } from "../core/network";
import type { ClusterDescription, ClusterFacts, ExternalObject, UserImage } from "./cluster-facts";
import { statefulOptions } from "../workload/data-store";
import { IssuerToCreate, createIssuer } from "./issuers";
import { MeshArgs, createMeshObjects, injectionLabels, meshedNamespaces } from "./mesh";
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

/** cert-manager labels its HTTP-01 solver pods so, and they serve the challenge on this port. */
const ACME_SOLVER = { label: "acme.cert-manager.io/http01-solver", port: 8089 };

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
      // Never adopt: creating a namespace (or anything) that already exists fails instead of
      // taking it over (a shared cluster's `data` or `monitoring` stays its owner's).
      this.provider = new k8s.Provider(childName(name, "provider"), { kubeconfig: args.kubeconfig, context: args.context, upsertExistingObjects: false }, { parent: this });
    }
    const childOpts: pulumi.CustomResourceOptions = { parent: this, provider: this.provider };
    const created: Record<string, k8s.core.v1.Namespace> = {};
    const namespaceOutputs = {} as Record<Tier, pulumi.Input<string>>;
    const meshed = new Set(r.mesh ? meshedNamespaces(r.mesh) : []);
    const acmeSolver = r.operators.certManager && r.facts.issuers.some((i) => i.solver === "http01");
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
                ...(r.mesh && meshed.has(nsName) ? injectionLabels(r.mesh) : {}),
              },
            },
          },
          { ...childOpts, ...statefulOptions(args.protect) },
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
          if (acmeSolver) {
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
        if (r.mesh && meshed.has(nsName)) {
          const prometheus = { namespace: r.namespaces.monitoring, podLabels: r.monitoringPodLabels };
          createMeshObjects({ platformName: name, nsName, namespace: created[nsName].metadata.name, mesh: r.mesh, defaultDeny: r.defaultDeny, prometheus, dns: r.dns, acmeSolver: acmeSolver ? ACME_SOLVER : undefined }, childOpts);
        }
      }
      namespaceOutputs[tier] = created[nsName].metadata.name;
    }
    this.namespaceResources = created;
    const labels = { [LABEL_PART_OF]: args.system, [LABEL_MANAGED_BY]: "keel" };
    // EKS has no StorageClass by default: the class the platform names is created, encrypted gp3 on the EBS CSI driver.
    if (r.createStorageClass && r.storageClass) {
      new k8s.storage.v1.StorageClass(
        childName(name, `storageclass-${r.storageClass}`),
        { metadata: { name: r.storageClass, labels }, provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true" }, volumeBindingMode: "WaitForFirstConsumer", allowVolumeExpansion: true, reclaimPolicy: "Retain" },
        childOpts,
      );
    }
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
}
