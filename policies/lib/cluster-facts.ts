/**
 * Cluster facts: what the whole-stack checks cannot see in the stack itself. The platform
 * fills one typed object; `keel synth` writes it into a pack config file (the
 * `--policy-pack-config` format) as the `cluster` setting of each whole-stack policy, so
 * `keel check` and `pulumi preview --policy-pack` judge with the same facts. A fact left out
 * means "cannot decide": the checks say so as a prerequisite, they never pass silently.
 */
import type { Labels } from "./network-model";
import { Obj, arr, num, obj, str } from "./props";

export type IssuerSolver = "http01" | "dns01" | "ca" | "selfSigned" | "vault" | "other";

export interface IssuerFact {
  readonly kind: "ClusterIssuer" | "Issuer";
  readonly name: string;
  /** For an Issuer. */
  readonly namespace?: string;
  readonly solver: IssuerSolver;
  /** Created by this stack (then it is no prerequisite). */
  readonly managed?: boolean;
}

/** An object the stack uses but does not create (a Secret from a vault, an existing issuer). */
export interface ExternalObjectFact {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** Keys the stack reads from it (Secrets, ConfigMaps). */
  readonly keys?: readonly string[];
  /** Why it is outside the stack, and who provides it. */
  readonly reason: string;
}

/** An image the stack runs that keel does not vouch for: the user builds or chooses it. */
export interface UserImageFact {
  readonly reference: string;
  readonly reason: string;
}

/** An Istio mesh (sidecar mode): where istiod runs and which namespaces get sidecars. */
export interface MeshFact {
  readonly kind: "istio";
  /** istiod's namespace and pod labels (every sidecar reaches it on 15012). */
  readonly namespace: string;
  readonly istiodLabels: Labels;
  /** The namespaces with sidecar injection on (pods opt out with `sidecar.istio.io/inject: "false"`). */
  readonly namespaces: readonly string[];
  /** Istio runs its CNI node agent (no privileged istio-init container in the pods). */
  readonly cni: boolean;
  /** The ingress controller runs with a sidecar (speaks mTLS to meshed backends). */
  readonly ingressControllerInMesh: boolean;
  /** The Istio revision the namespaces are labelled for (`istio.io/rev`); absent: `istio-injection: enabled`. */
  readonly revision?: string;
}

/** Which aggregated metrics APIs the cluster serves (HPAs need them); absent keys: not known. */
export interface MetricsApisFact {
  /** metrics.k8s.io (metrics-server): cpu and memory targets. */
  readonly resource?: boolean;
  /** custom.metrics.k8s.io (prometheus-adapter, KEDA, ...): Pods and Object metrics. */
  readonly custom?: boolean;
  /** external.metrics.k8s.io (KEDA, prometheus-adapter, ...): External metrics. */
  readonly external?: boolean;
}

/**
 * A Helm release the platform installs in the cluster, and what it makes the cluster serve, in the
 * words of the prerequisites: "IngressClass nginx", "cert-manager CRDs", "ClusterIssuer <name>",
 * "metrics.k8s.io", "custom.metrics.k8s.io", "external.metrics.k8s.io", "DNS names under <domain>".
 * The pack trusts the statement: what a release installs is not in the stack it checks.
 */
export interface InstalledSoftwareFact {
  /** How it was installed: a Helm release (the default) or an EKS managed add-on. */
  readonly kind?: "helm" | "eks-addon";
  /** The Helm release's (or add-on's) name. */
  readonly name: string;
  readonly chart: string;
  /** The chart version, exactly. */
  readonly version: string;
  readonly namespace: string;
  readonly provides: readonly string[];
}

export interface ClusterFacts {
  /** What the target is, for messages: "kind", "k3s", "eks", "kubernetes". */
  readonly platform?: string;
  readonly ingressController?: { readonly className: string; readonly namespace: string; readonly podLabels: Labels };
  /** Where Prometheus runs (in the stack, or installed separately). */
  readonly prometheus?: { readonly namespace: string; readonly podLabels: Labels };
  readonly dns?: { readonly namespace: string; readonly podLabels: Labels; readonly port: number };
  /** The API server's addresses (CIDRs) and the port pods reach it on after Service translation. */
  readonly apiServer?: { readonly cidrs: readonly string[]; readonly port: number };
  /** Whether the CNI enforces NetworkPolicies, and ipBlock rules. */
  readonly networkPolicy?: { readonly enforced: boolean; readonly ipBlocks: boolean };
  /** StorageClasses the target has (or the platform creates); `default` is the cluster default's name. */
  readonly storageClasses?: { readonly names: readonly string[]; readonly default?: string };
  /** Operators installed (their CRDs exist). */
  readonly operators?: { readonly certManager: boolean; readonly prometheusOperator: boolean; readonly strimzi: boolean };
  readonly issuers?: readonly IssuerFact[];
  readonly external?: readonly ExternalObjectFact[];
  readonly userImages?: readonly UserImageFact[];
  /** The service mesh, when the cluster runs one. */
  readonly mesh?: MeshFact;
  /** The metrics APIs the cluster serves. */
  readonly metricsApis?: MetricsApisFact;
  /** Labels of namespaces outside the stack (beyond kubernetes.io/metadata.name). */
  readonly namespaceLabels?: Readonly<Record<string, Labels>>;
  /** Helm releases the platform installs (ingress controller, cert-manager, metrics APIs, external-dns). */
  readonly installed?: readonly InstalledSoftwareFact[];
}

const labels = (v: unknown): Labels => Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => typeof x === "string")) as Labels;
const present = (v: unknown): boolean => typeof v === "object" && v !== null;

/** Reads facts from a policy's config value (plain JSON; anything malformed counts as absent). */
export function readFacts(value: unknown): ClusterFacts {
  const v = obj(value);
  const ingress = obj(v.ingressController);
  const prometheus = obj(v.prometheus);
  const dns = obj(v.dns);
  const api = obj(v.apiServer);
  const np = obj(v.networkPolicy);
  const sc = obj(v.storageClasses);
  const ops = obj(v.operators);
  const mesh = obj(v.mesh);
  const apis = obj(v.metricsApis);
  const flag = (x: unknown) => (typeof x === "boolean" ? x : undefined);
  return {
    platform: str(v.platform),
    ingressController: str(ingress.namespace) ? { className: str(ingress.className) ?? "", namespace: str(ingress.namespace) as string, podLabels: labels(ingress.podLabels) } : undefined,
    prometheus: str(prometheus.namespace) ? { namespace: str(prometheus.namespace) as string, podLabels: labels(prometheus.podLabels) } : undefined,
    dns: str(dns.namespace) ? { namespace: str(dns.namespace) as string, podLabels: labels(dns.podLabels), port: num(dns.port) ?? 53 } : undefined,
    apiServer: arr(api.cidrs).length > 0 ? { cidrs: arr(api.cidrs).map(String), port: num(api.port) ?? 443 } : undefined,
    networkPolicy: typeof np.enforced === "boolean" ? { enforced: np.enforced, ipBlocks: np.ipBlocks !== false } : undefined,
    storageClasses: present(v.storageClasses) ? { names: arr(sc.names).map(String), default: str(sc.default) } : undefined,
    operators: present(v.operators) ? { certManager: ops.certManager === true, prometheusOperator: ops.prometheusOperator === true, strimzi: ops.strimzi === true } : undefined,
    issuers: present(v.issuers) || Array.isArray(v.issuers) ? arr(v.issuers).map((i) => issuerOf(obj(i))) : undefined,
    external: arr(v.external).map((e) => {
      const x = obj(e);
      return { kind: str(x.kind) ?? "", namespace: str(x.namespace), name: str(x.name) ?? "", keys: Array.isArray(x.keys) ? x.keys.map(String) : undefined, reason: str(x.reason) ?? "" };
    }),
    userImages: arr(v.userImages).map((e) => ({ reference: str(obj(e).reference) ?? "", reason: str(obj(e).reason) ?? "" })),
    mesh:
      mesh.kind === "istio" && str(mesh.namespace)
        ? { kind: "istio", namespace: str(mesh.namespace) as string, istiodLabels: labels(mesh.istiodLabels), namespaces: arr(mesh.namespaces).map(String), cni: mesh.cni === true, ingressControllerInMesh: mesh.ingressControllerInMesh === true, revision: str(mesh.revision) }
        : undefined,
    metricsApis: present(v.metricsApis) ? { resource: flag(apis.resource), custom: flag(apis.custom), external: flag(apis.external) } : undefined,
    namespaceLabels: Object.fromEntries(Object.entries(obj(v.namespaceLabels)).map(([k, x]) => [k, labels(x)])),
    installed: Array.isArray(v.installed) ? v.installed.map(installedOf).filter((i): i is InstalledSoftwareFact => i !== undefined) : undefined,
  };
}

/** A release with a name, chart, version and a list of strings it provides; anything else is absent. */
function installedOf(value: unknown): InstalledSoftwareFact | undefined {
  const i = obj(value);
  const [name, chart, version] = [str(i.name), str(i.chart), str(i.version)];
  if (!name || !chart || !version || !Array.isArray(i.provides) || !i.provides.every((p) => typeof p === "string")) return undefined;
  return { ...(i.kind === "eks-addon" ? { kind: "eks-addon" as const } : {}), name, chart, version, namespace: str(i.namespace) ?? "", provides: i.provides as string[] };
}

function issuerOf(i: Obj): IssuerFact {
  const solver = str(i.solver);
  const solvers: readonly string[] = ["http01", "dns01", "ca", "selfSigned", "vault", "other"];
  return {
    kind: i.kind === "Issuer" ? "Issuer" : "ClusterIssuer",
    name: str(i.name) ?? "",
    namespace: str(i.namespace),
    solver: solver && solvers.includes(solver) ? (solver as IssuerSolver) : "other",
    managed: i.managed === true,
  };
}

/** The JSON-schema of the `cluster` setting (an object; its fields are documented on ClusterFacts). */
export const CLUSTER_FACTS_SETTING = {
  cluster: {
    type: "object" as const,
    default: {},
    description: "Cluster facts the stack cannot show (ingress controller, Prometheus, DNS, API server, CNI, storage classes, operators, issuers, external objects, user images, service mesh, metrics APIs, installed Helm releases); keel synth writes them. Missing facts are reported as undecidable.",
  },
};
