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

/** Creates namespace `nsName` with the platform's defaults (meshed when `meshed`). */
export function createPlatformNamespace(nsName: string, d: NamespaceDefaults, meshed: boolean, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
  const ns = new k8s.core.v1.Namespace(
    childName(d.platformName, `ns-${nsName}`),
    {
      metadata: {
        name: nsName,
        labels: {
          [LABEL_PART_OF]: d.system,
          [LABEL_MANAGED_BY]: "keel",
          "pod-security.kubernetes.io/enforce": d.pss,
          "pod-security.kubernetes.io/warn": "restricted",
          ...(d.mesh && meshed ? injectionLabels(d.mesh) : {}),
        },
      },
    },
    { ...opts, ...statefulOptions(d.protect) },
  );
  const namespace = ns.metadata.name;
  if (d.defaultDeny) {
    new k8s.networking.v1.NetworkPolicy(
      childName(d.platformName, `default-deny-${nsName}`),
      { metadata: { name: "default-deny", namespace, labels: { [LABEL_MANAGED_BY]: "keel" } }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
      opts,
    );
    // cert-manager's HTTP-01 solver pods serve the challenge to the ingress controller; the
    // default deny would block them, and no certificate would ever be issued.
    if (d.acmeSolver) {
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
