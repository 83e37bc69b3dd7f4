/**
 * What the systems on an aws platform need to know about it, in one plain object: the platform
 * stack exports it (stack output `platform`), `AwsPlatform.fromStackReference` reads it back, and
 * `AwsPlatform.fromExisting` takes it from the user for a cluster keel did not create. The
 * Kubernetes side of every system (namespaces, NetworkPolicies, the whole-stack checks' facts) is
 * built from it, so a system never restates what the platform installed.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Labels } from "../core/labels";
import { Validator } from "../core/errors";
import { dnsLabelProblem } from "../core/kubernetes-syntax";
import { ipCidrProblem } from "../core/network";
import type { ClusterDescription, InstalledSoftwareFact, IssuerFact, MetricsApisFact } from "./cluster-facts";

/** The version of {@link AwsPlatformShape}: a platform stack exports it, a system refuses a version it does not know. */
export const AWS_PLATFORM_SHAPE_VERSION = 1;

export interface AwsPlatformShape {
  readonly version: typeof AWS_PLATFORM_SHAPE_VERSION;
  /** The platform's name (its EKS cluster is named after it). */
  readonly name: string;
  readonly region: string;
  readonly clusterName: pulumi.Input<string>;
  readonly vpc: {
    readonly id: pulumi.Input<string>;
    readonly cidr: string;
    readonly privateSubnetIds: readonly pulumi.Input<string>[];
    readonly dataSubnetIds: readonly pulumi.Input<string>[];
    /** Nodes and pods (the VPC CNI gives pods addresses of these subnets) and the API server's ENIs. */
    readonly privateSubnetCidrs: readonly string[];
    /** Managed data services (RDS, ElastiCache, MSK): no route to the internet. */
    readonly dataSubnetCidrs: readonly string[];
  };
  /** IRSA: the cluster's IAM OIDC provider and its issuer (host and path). */
  readonly oidc: { readonly providerArn: pulumi.Input<string>; readonly issuer: pulumi.Input<string> };
  /** The security group EKS puts on nodes and the control plane: managed data services admit it. */
  readonly nodeSecurityGroupId: pulumi.Input<string>;
  readonly ingress: { readonly className: string; readonly namespace: string; readonly podLabels: Labels };
  /** The ClusterIssuer the platform created. */
  readonly issuer: IssuerFact;
  readonly certManagerNamespace: string;
  /** The platform's default StorageClass, and every class it created. */
  readonly storageClass: string;
  readonly storageClasses: readonly string[];
  readonly metricsApis: MetricsApisFact;
  /** What the platform installed with Helm (opaque to the pack: reported as installed by the platform). */
  readonly installed: readonly InstalledSoftwareFact[];
  /** Where a metrics adapter queries Prometheus from (its pods), when one is installed: the system's Prometheus must admit it. */
  readonly metricsAdapter?: { readonly namespace: string; readonly podLabels: Labels };
  /**
   * The External Secrets Operator the platform installed (absent: not installed, or a platform
   * stack older than this field): its namespace, the API version of the ExternalSecret and
   * SecretStore a system creates, and whether Reloader rolls annotated workloads when a Secret
   * changes. ESO has no IAM role: a system's SecretStore authenticates with
   * `auth.jwt.serviceAccountRef` (a ServiceAccount of its own, with its IRSA role).
   */
  readonly externalSecrets?: { readonly namespace: string; readonly apiVersion: "external-secrets.io/v1"; readonly reloader: boolean };
}

/** The cluster description a system's KubernetesPlatform gets on this platform (EKS, VPC CNI with network policies on). */
export function shapeClusterDescription(shape: AwsPlatformShape): ClusterDescription {
  return {
    distribution: "eks",
    networkPolicyEnforced: true,
    // Pods reach the API server through the kubernetes Service, translated to the control plane's
    // ENIs in the private subnets, on 443.
    apiServer: { cidrs: [...shape.vpc.privateSubnetCidrs], port: 443 },
    podCidrs: [...shape.vpc.privateSubnetCidrs],
    storageClasses: [...shape.storageClasses],
    issuers: [{ ...shape.issuer, managed: false }],
    metricsApis: shape.metricsApis,
    installed: shape.installed,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** An id or name: a non-empty string, or an Output of one (AwsPlatform.fromExisting may pass resources' outputs). */
const isId = (v: unknown): boolean => (typeof v === "string" && v !== "") || pulumi.Output.isInstance(v);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/**
 * Reads a shape exported by a platform stack (plain JSON): every field the systems use, or one
 * error per missing or malformed field (`stack` names where it came from).
 */
export function readAwsPlatformShape(component: string, name: string, where: string, value: unknown): AwsPlatformShape {
  const v = new Validator(component, name);
  if (!isObject(value)) {
    v.fail(`${where} is ${value === undefined ? "missing" : "not an object"}; expected an AwsPlatform's shape (a platform stack exports it: export const platform = awsPlatform.shape)`);
    v.throwIfInvalid();
  }
  const s = value as Record<string, unknown>;
  v.require(s.version === AWS_PLATFORM_SHAPE_VERSION, `${where}: version`, s.version, `expected ${AWS_PLATFORM_SHAPE_VERSION} (upgrade keel in the older of the two stacks)`);
  for (const key of ["name", "region", "certManagerNamespace", "storageClass"]) v.require(typeof s[key] === "string" && s[key] !== "", `${where}: ${key}`, s[key], "expected a non-empty string");
  v.require(isId(s.clusterName), `${where}: clusterName`, s.clusterName, "expected the EKS cluster's name");
  const vpc = isObject(s.vpc) ? s.vpc : {};
  v.require(isId(vpc.id), `${where}: vpc.id`, vpc.id, "expected the VPC id");
  v.require(typeof vpc.cidr === "string" && ipCidrProblem(vpc.cidr) === undefined, `${where}: vpc.cidr`, vpc.cidr, "expected the VPC's CIDR");
  for (const key of ["privateSubnetIds", "dataSubnetIds"]) v.require(Array.isArray(vpc[key]) && (vpc[key] as unknown[]).length > 0 && (vpc[key] as unknown[]).every(isId), `${where}: vpc.${key}`, vpc[key], "expected a list of subnet ids");
  for (const key of ["privateSubnetCidrs", "dataSubnetCidrs"]) v.require(strings(vpc[key]) && (vpc[key] as string[]).length > 0 && (vpc[key] as string[]).every((c) => ipCidrProblem(c) === undefined), `${where}: vpc.${key}`, vpc[key], "expected a list of CIDRs");
  const oidc = isObject(s.oidc) ? s.oidc : {};
  v.require(isId(oidc.providerArn) && isId(oidc.issuer), `${where}: oidc`, s.oidc, "expected { providerArn, issuer }");
  v.require(isId(s.nodeSecurityGroupId), `${where}: nodeSecurityGroupId`, s.nodeSecurityGroupId, "expected a security group id");
  const ingress = isObject(s.ingress) ? s.ingress : {};
  v.require(typeof ingress.className === "string" && typeof ingress.namespace === "string" && isObject(ingress.podLabels), `${where}: ingress`, s.ingress, "expected { className, namespace, podLabels }");
  v.require(isObject(s.issuer) && typeof s.issuer.name === "string", `${where}: issuer`, s.issuer, "expected the ClusterIssuer fact { kind, name, solver }");
  v.require(strings(s.storageClasses) && s.storageClasses.includes(s.storageClass as string), `${where}: storageClasses`, s.storageClasses, `expected a list of StorageClass names that includes storageClass (${JSON.stringify(s.storageClass)})`);
  const apis = isObject(s.metricsApis) ? s.metricsApis : {};
  v.require(["resource", "custom", "external"].every((k) => typeof apis[k] === "boolean"), `${where}: metricsApis`, s.metricsApis, "expected { resource, custom, external }, each true or false");
  v.require(Array.isArray(s.installed), `${where}: installed`, s.installed, "expected the list of installed Helm releases");
  if (s.externalSecrets !== undefined) {
    const e = s.externalSecrets;
    if (v.require(isObject(e), `${where}: externalSecrets`, e, "expected { namespace, apiVersion: \"external-secrets.io/v1\", reloader } (or no externalSecrets: the platform did not install the External Secrets Operator)")) {
      const x = e as Record<string, unknown>;
      v.require(typeof x.namespace === "string" && dnsLabelProblem(x.namespace) === undefined, `${where}: externalSecrets.namespace`, x.namespace, "expected the External Secrets Operator's namespace (a DNS-1123 label)");
      v.require(x.apiVersion === "external-secrets.io/v1", `${where}: externalSecrets.apiVersion`, x.apiVersion, "expected \"external-secrets.io/v1\" (upgrade keel in the older of the two stacks)");
      v.require(typeof x.reloader === "boolean", `${where}: externalSecrets.reloader`, x.reloader, "expected true or false (whether Reloader is installed)");
    }
  }
  v.throwIfInvalid();
  return s as unknown as AwsPlatformShape;
}
