/**
 * What KubernetesPlatform creates for a namespace it owns, in one place: the Namespace (Pod
 * Security level enforced, `restricted` warned), a default-deny NetworkPolicy, the policy that
 * admits cert-manager's HTTP-01 solver pods from the ingress controller, and the mesh's objects
 * where the namespace is meshed. Also the encrypted gp3 StorageClasses it creates on EKS.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { LABEL_MANAGED_BY, LABEL_PART_OF, Labels } from "../core/labels";
import { childName } from "../core/naming";
import type { DnsTarget } from "../core/network";
import { statefulOptions } from "../workload/data-store";
import { ResolvedMesh, createMeshObjects, injectionLabels } from "./mesh";
import type { IngressControllerTarget } from "./types";

/** cert-manager labels its HTTP-01 solver pods so, and they serve the challenge on this port. */
export const ACME_SOLVER = { label: "acme.cert-manager.io/http01-solver", port: 8089 };

/** What every namespace the platform creates shares. */
export interface NamespaceDefaults {
  readonly platformName: string;
  readonly system: string;
  /** Pod Security level enforced. */
  readonly pss: string;
  readonly defaultDeny: boolean;
  readonly protect?: boolean;
  /** cert-manager solves HTTP-01 for some issuer: its solver pods must be reachable. */
  readonly acmeSolver: boolean;
  readonly ingress: IngressControllerTarget;
  readonly mesh?: ResolvedMesh;
  readonly prometheus: { readonly namespace: string; readonly podLabels: Labels };
  readonly dns: DnsTarget;
}

/**
 * A namespace keel owns (`<owner>-ns-<name>`) and, unless `denyLabels` is false, its default-deny
 * NetworkPolicy (`<owner>-default-deny-<name>`, selecting every pod, both directions): what the
 * platform's tiers, the node-log collector's and the Docker daemons' namespaces all start from.
 */
export function createOwnedNamespace(
  owner: string,
  nsName: string,
  meta: { readonly labels: Labels; readonly annotations?: Record<string, string>; readonly denyLabels: Labels | false },
  nsOpts: pulumi.CustomResourceOptions,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
  const ns = new k8s.core.v1.Namespace(childName(owner, `ns-${nsName}`), { metadata: { name: nsName, labels: meta.labels, ...(meta.annotations ? { annotations: meta.annotations } : {}) } }, nsOpts);
  if (meta.denyLabels) {
    new k8s.networking.v1.NetworkPolicy(
      childName(owner, `default-deny-${nsName}`),
      { metadata: { name: "default-deny", namespace: ns.metadata.name, labels: meta.denyLabels }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
      opts,
    );
  }
  return ns;
}

/** Creates namespace `nsName` with the platform's defaults (meshed when `meshed`). */
export function createPlatformNamespace(nsName: string, d: NamespaceDefaults, meshed: boolean, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
  const labels = {
    [LABEL_PART_OF]: d.system,
    [LABEL_MANAGED_BY]: "keel",
    "pod-security.kubernetes.io/enforce": d.pss,
    "pod-security.kubernetes.io/warn": "restricted",
    ...(d.mesh && meshed ? injectionLabels(d.mesh) : {}),
  };
  const ns = createOwnedNamespace(d.platformName, nsName, { labels, denyLabels: d.defaultDeny ? { [LABEL_MANAGED_BY]: "keel" } : false }, { ...opts, ...statefulOptions(d.protect) }, opts);
  const namespace = ns.metadata.name;
  // cert-manager's HTTP-01 solver pods serve the challenge to the ingress controller; the
  // default deny would block them, and no certificate would ever be issued.
  if (d.defaultDeny && d.acmeSolver) {
    new k8s.networking.v1.NetworkPolicy(
      childName(d.platformName, `acme-http01-${nsName}`),
      {
        metadata: { name: "acme-http01-solver", namespace, labels: { [LABEL_MANAGED_BY]: "keel" } },
        spec: {
          podSelector: { matchLabels: { [ACME_SOLVER.label]: "true" } },
          policyTypes: ["Ingress"],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": d.ingress.namespace } }, podSelector: { matchLabels: { ...d.ingress.podLabels } } }], ports: [{ port: ACME_SOLVER.port, protocol: "TCP" }] }],
        },
      },
      opts,
    );
  }
  if (d.mesh && meshed) {
    createMeshObjects({ platformName: d.platformName, nsName, namespace, mesh: d.mesh, defaultDeny: d.defaultDeny, prometheus: d.prometheus, dns: d.dns, acmeSolver: d.acmeSolver ? ACME_SOLVER : undefined }, opts);
  }
  return ns;
}

/** An encrypted gp3 StorageClass on the EBS CSI driver (retained volumes), with IOPS when given. */
export function gp3StorageClass(platformName: string, name: string, labels: Labels, iops: number | undefined, opts: pulumi.CustomResourceOptions): k8s.storage.v1.StorageClass {
  return new k8s.storage.v1.StorageClass(
    childName(platformName, `storageclass-${name}`),
    {
      metadata: { name, labels },
      provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true", ...(iops !== undefined ? { iops: String(iops) } : {}) },
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      reclaimPolicy: "Retain",
    },
    opts,
  );
}
