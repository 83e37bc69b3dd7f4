/**
 * An optional Istio mesh (sidecar mode) on KubernetesPlatform: the tiers given get sidecar
 * injection, STRICT mutual TLS and the NetworkPolicy rules the sidecars need; components ask
 * {@link meshIngressBackend} for what an Ingress backend needs inside the mesh.
 *
 * Why the Istio CNI plugin is required. Without it Istio injects `istio-init`, which runs as root
 * and adds NET_ADMIN and NET_RAW to write the pod's iptables rules; Pod Security "baseline" and
 * "restricted" refuse both capabilities, so every injected pod in a namespace keel creates would
 * be rejected. Istio's docs ("Install Istio with Pod Security Admission") only walk through
 * "baseline", and say the CNI node agent is what removes the need for the privileged init
 * container. With the CNI plugin the injector adds `istio-validation` instead
 * (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml,
 * `pilot.cni.enabled`): no added capabilities, drop ALL, runAsNonRoot with uid/gid 1337,
 * read-only root filesystem, allowPrivilegeEscalation false (`global.proxy.privileged`, default
 * false); `istio-proxy` is the same. Neither sets a seccomp profile unless Istio's
 * `global.proxy.seccompProfile` is set (default `{}`), so "restricted" holds because keel sets
 * `seccompProfile: RuntimeDefault` on every pod, which its containers inherit. A pod annotated
 * `sidecar.istio.io/interceptionMode: TPROXY` or `sidecar.istio.io/capNetBindService: "true"`
 * gets NET_ADMIN/NET_BIND_SERVICE and root again, and is rejected: keel sets neither.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { MeshFact } from "../../policies/lib/cluster-facts";
import type { Validator } from "../core/errors";
import { labelProblems } from "../core/kubernetes-syntax";
import { LABEL_MANAGED_BY, Labels } from "../core/labels";
import { childName, isDnsLabel } from "../core/naming";
import { ISTIO_PORTS } from "../../policies/lib/istio";
import { KubernetesTarget, MeshTarget, TIERS, Tier } from "./types";

export { ISTIO_PORTS };

export interface IstioMeshArgs {
  /**
   * Istio was installed with its CNI node agent (`istio-cni`), so pods get the unprivileged
   * `istio-validation` init container instead of `istio-init` (root, NET_ADMIN, NET_RAW). Required
   * under Pod Security "restricted" and "baseline", which refuse those capabilities.
   * @default false (refused unless podSecurityStandard is "privileged")
   */
  readonly cni?: boolean;
  /**
   * The tiers whose namespaces get sidecars. Not "monitoring": Prometheus reaches pods by address,
   * which Istio's docs say its sidecar must not intercept; it scrapes meshed pods in plaintext on 15020.
   * @default ["app"]
   */
  readonly tiers?: readonly Tier[];
  /** The namespace istiod runs in. @default "istio-system" */
  readonly namespace?: string;
  /** Labels of istiod's pods, for the sidecars' egress rule. @default { app: "istiod" }, plus `istio.io/rev: <revision>` when `revision` is set */
  readonly istiodLabels?: Labels;
  /**
   * An Istio revision (canary control plane): namespaces get `istio.io/rev: <revision>` instead of
   * `istio-injection: enabled` (which would take precedence over it). @default the default revision
   */
  readonly revision?: string;
  /**
   * The ingress controller runs with a sidecar and routes to Services (ingress-nginx:
   * `service-upstream` and `upstream-vhost`, which {@link meshIngressBackend} returns), so it
   * speaks mTLS. When false, the ports it reaches must also accept plaintext.
   * @default false
   */
  readonly ingressControllerInMesh?: boolean;
}

/** A service mesh the cluster runs. Only Istio's sidecar mode. */
/** A service mesh the cluster runs (docs/mesh.md). */
export interface MeshArgs {
  /** Istio in sidecar mode, installed with its CNI node agent (a prerequisite keel check lists). */
  readonly istio: IstioMeshArgs;
}

export interface ResolvedMesh extends MeshTarget {
  readonly namespace: string;
  readonly istiodLabels: Labels;
  readonly revision?: string;
  readonly cni: boolean;
}

/** Checks `args.mesh` and applies its defaults (undefined: no mesh). */
export function resolveMesh(v: Validator, mesh: MeshArgs | undefined, c: { pss: string; namespaces: Readonly<Record<Tier, string>>; createNamespaces: boolean }): ResolvedMesh | undefined {
  if (mesh === undefined) return undefined;
  const i = mesh.istio;
  const cni = i.cni ?? false;
  v.require(
    cni || c.pss === "privileged",
    "mesh.istio.cni",
    cni,
    `expected true: Pod Security "${c.pss}" forbids the NET_ADMIN and NET_RAW capabilities of Istio's istio-init container, so sidecar injection without the Istio CNI plugin is rejected by the namespaces keel creates; install Istio with its CNI node agent (istio-cni) and set mesh.istio.cni: true`,
  );
  v.require(c.createNamespaces, "createNamespaces", c.createNamespaces, "expected true with mesh: keel turns sidecar injection on by labelling the namespaces it creates");
  const tiers = i.tiers ?? ["app"];
  v.require(tiers.length > 0, "mesh.istio.tiers", tiers, "expected at least one tier (leave mesh out for none)");
  tiers.forEach((t, n) => {
    if (tiers.indexOf(t) !== n) v.require(false, `mesh.istio.tiers[${n}]`, t, `expected a tier not already listed (mesh.istio.tiers[${tiers.indexOf(t)}])`);
  });
  const meshed = new Set(tiers.map((t) => c.namespaces[t]));
  if (meshed.has(c.namespaces.monitoring)) {
    v.require(false, "mesh.istio.tiers", tiers, `expected tiers whose namespace is not the monitoring tier's ("${c.namespaces.monitoring}"): Prometheus reaches pods by address, which Istio's docs say its sidecar must not intercept; it scrapes meshed pods in plaintext on ${ISTIO_PORTS.agent}`);
  }
  const namespace = i.namespace ?? "istio-system";
  v.require(isDnsLabel(namespace), "mesh.istio.namespace", namespace, "expected a DNS-1123 label");
  v.require(!TIERS.some((t) => c.namespaces[t] === namespace), "mesh.istio.namespace", namespace, "expected istiod's own namespace, not one keel creates (keel would deny all traffic in it)");
  if (i.revision !== undefined) v.require(isDnsLabel(i.revision), "mesh.istio.revision", i.revision, "expected an Istio revision name such as \"1-24\" (a DNS-1123 label)");
  const istiodLabels = i.istiodLabels ?? { app: "istiod", ...(i.revision !== undefined ? { "istio.io/rev": i.revision } : {}) };
  v.require(Object.keys(istiodLabels).length > 0, "mesh.istio.istiodLabels", istiodLabels, "expected at least one label (an empty selector would admit every pod of the namespace)");
  for (const [f, value, allowed] of labelProblems("mesh.istio.istiodLabels", istiodLabels)) v.require(false, f, value, allowed);
  const meshedTiers = TIERS.filter((t) => meshed.has(c.namespaces[t]));
  return {
    kind: "istio",
    tiers: meshedTiers,
    namespaces: Object.fromEntries(meshedTiers.map((t) => [t, c.namespaces[t]])),
    ingressControllerInMesh: i.ingressControllerInMesh ?? false,
    namespace,
    istiodLabels,
    ...(i.revision !== undefined ? { revision: i.revision } : {}),
    cni,
  };
}

/** The namespaces a resolved mesh covers, each once. */
export function meshedNamespaces(m: MeshTarget): string[] {
  return [...new Set(Object.values(m.namespaces).filter((n): n is string => typeof n === "string"))];
}

/** The label that turns sidecar injection on for a namespace. */
export function injectionLabels(m: ResolvedMesh): Labels {
  return m.revision !== undefined ? { "istio.io/rev": m.revision } : { "istio-injection": "enabled" };
}

/** The mesh as the whole-stack checks see it. */
export function meshFact(m: ResolvedMesh): MeshFact {
  return { kind: "istio", namespace: m.namespace, istiodLabels: m.istiodLabels, namespaces: meshedNamespaces(m), cni: m.cni, ingressControllerInMesh: m.ingressControllerInMesh, ...(m.revision !== undefined ? { revision: m.revision } : {}) };
}

const byName = (ns: string, labels: Labels) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } }, podSelector: { matchLabels: { ...labels } } });

function peerAuthentication(resourceName: string, metadata: { name: string; namespace: pulumi.Input<string> }, spec: Record<string, unknown>, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(resourceName, { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { ...metadata, labels: { [LABEL_MANAGED_BY]: "keel" } }, spec }, opts);
}

/** A PeerAuthentication that keeps the namespace's mode but admits plaintext on `ports` of the selected pods (portLevelMtls needs a selector). */
function plaintextOn(podLabels: Labels, ports: readonly number[]): Record<string, unknown> {
  return { selector: { matchLabels: { ...podLabels } }, mtls: { mode: "UNSET" }, portLevelMtls: Object.fromEntries([...new Set(ports)].sort((a, b) => a - b).map((p) => [String(p), { mode: "PERMISSIVE" }])) };
}

export interface MeshNamespace {
  readonly platformName: string;
  readonly nsName: string;
  /** The Namespace resource's name (an Output: created after it). */
  readonly namespace: pulumi.Input<string>;
  readonly mesh: ResolvedMesh;
  readonly prometheus: { readonly namespace: string; readonly podLabels: Labels };
  /**
   * The namespace denies by default: the sidecars' holes are opened. Without the default deny
   * nothing is closed, and a policy selecting every pod would isolate them all instead.
   */
  readonly defaultDeny: boolean;
  /** Cluster DNS: a sidecar finds istiod by name (istiod.<namespace>.svc). */
  readonly dns: { readonly namespace: string; readonly podLabels: Labels; readonly port: number };
  /** The platform admits cert-manager's HTTP-01 solver pods here. */
  readonly acmeSolver?: { readonly label: string; readonly port: number };
}

/**
 * What a meshed namespace gets: PeerAuthentication `default` (STRICT: only mTLS from other
 * sidecars), and NetworkPolicy `istio-sidecar` letting every pod's sidecar reach istiod on 15012
 * (xDS and certificates; without it no pod becomes ready) and cluster DNS (the sidecar resolves
 * istiod's name first; keel's own workloads allow DNS already, but pods keel does not create,
 * such as cert-manager's HTTP-01 solvers, get a sidecar here too) and Prometheus reach 15020 (the merged
 * metrics). The kubelet's probes of 15021 and of the rewritten `/app-health` paths on 15020 come
 * from the node, and NetworkPolicies always allow traffic from the node a pod runs on: nothing to
 * allow. istiod's webhook (15017) is called by the API server, outside the stack: a prerequisite.
 * cert-manager's HTTP-01 solver pods get sidecars here too, and the ingress controller reaches
 * them without the Service (plaintext even from a sidecar): their port accepts plaintext.
 */
export function createMeshObjects(c: MeshNamespace, opts: pulumi.CustomResourceOptions): void {
  const metadata = (name: string) => ({ name, namespace: c.namespace });
  peerAuthentication(childName(c.platformName, `mtls-${c.nsName}`), metadata("default"), { mtls: { mode: "STRICT" } }, opts);
  if (c.defaultDeny) {
    new k8s.networking.v1.NetworkPolicy(
      childName(c.platformName, `istio-sidecar-${c.nsName}`),
      {
        metadata: { ...metadata("istio-sidecar"), labels: { [LABEL_MANAGED_BY]: "keel" } },
        spec: {
          podSelector: {},
          policyTypes: ["Ingress", "Egress"],
          ingress: [{ from: [byName(c.prometheus.namespace, c.prometheus.podLabels)], ports: [{ port: ISTIO_PORTS.agent, protocol: "TCP" }] }],
          egress: [
            { to: [byName(c.mesh.namespace, c.mesh.istiodLabels)], ports: [{ port: ISTIO_PORTS.xds, protocol: "TCP" }] },
            { to: [byName(c.dns.namespace, c.dns.podLabels)], ports: [{ port: c.dns.port, protocol: "UDP" }, { port: c.dns.port, protocol: "TCP" }] },
          ],
        },
      },
      opts,
    );
  }
  if (c.acmeSolver) {
    peerAuthentication(childName(c.platformName, `mtls-acme-${c.nsName}`), metadata("acme-http01-solver"), plaintextOn({ [c.acmeSolver.label]: "true" }, [c.acmeSolver.port]), opts);
  }
}

/** An Ingress backend, as the component that creates the Ingress knows it. */
export interface MeshIngressBackend {
  /** The component's name: the PeerAuthentication is `<name>-ingress`. */
  readonly name: string;
  /** The tier the backend runs in. */
  readonly tier: Tier;
  /** Its namespace (the Namespace's Output, so the object is created after it). */
  readonly namespace: pulumi.Input<string>;
  /** The labels selecting its pods (its Service's selector). */
  readonly podLabels: Labels;
  /** The container ports the controller reaches (the targets of the Service ports the Ingress names). */
  readonly ports: readonly number[];
  /** The Service the Ingress routes to. */
  readonly serviceName: string;
}

export interface MeshIngress {
  /** Annotations for the Ingress: with the controller in the mesh, ingress-nginx routes through the Service and its sidecar. */
  readonly annotations: Readonly<Record<string, string>>;
  /** With the controller outside the mesh: the PeerAuthentication admitting its plaintext on the backend ports. */
  readonly peerAuthentication?: k8s.apiextensions.CustomResource;
}

/**
 * What an Ingress backend in a meshed tier needs (nothing elsewhere). The namespace is STRICT, so:
 * - the controller outside the mesh sends plaintext, which STRICT refuses: a PeerAuthentication
 *   selecting the backend's pods keeps their mode but accepts plaintext on the ports the controller
 *   reaches (PERMISSIVE: sidecars still use mTLS there). Istio allows `portLevelMtls` only with a
 *   workload selector, and its ports are the pods' ports, not the Service's: the platform, which
 *   does not know the Ingresses, cannot write it; the component that creates the Ingress calls this.
 * - the controller in the mesh reaches pods by address, which its sidecar passes through in
 *   plaintext: ingress-nginx must proxy to the Service (`service-upstream`) with the Service's host
 *   (`upstream-vhost`), so the sidecar routes it, with mTLS. The app then sees that Host; the
 *   public one is in X-Forwarded-Host.
 */
export function meshIngressBackend(target: KubernetesTarget, b: MeshIngressBackend, opts: pulumi.CustomResourceOptions): MeshIngress {
  const mesh = target.mesh;
  const ns = mesh?.namespaces[b.tier];
  const ports = b.ports.filter((p) => Number.isInteger(p) && p >= 1 && p <= 65535);
  if (!mesh || ns === undefined || ports.length === 0) return { annotations: {} };
  if (mesh.ingressControllerInMesh) {
    return { annotations: { "nginx.ingress.kubernetes.io/service-upstream": "true", "nginx.ingress.kubernetes.io/upstream-vhost": `${b.serviceName}.${ns}.svc` } };
  }
  const peer = peerAuthentication(childName(b.name, "ingress-plaintext"), { name: `${b.name}-ingress`, namespace: b.namespace }, plaintextOn(b.podLabels, ports), opts);
  return { annotations: {}, peerAuthentication: peer };
}
