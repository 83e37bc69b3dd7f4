/**
 * Kubernetes manifests from the recorded resources: the objects the provider would apply,
 * with auto-names filled in and every secret replaced by `[secret]`. File names carry an
 * apply-order rank, so `kubectl apply -f manifests/` creates namespaces before workloads.
 */
import { stringify } from "yaml";
import { CLUSTER_SCOPED_KINDS, kubernetesName } from "./providers";
import { SynthError } from "./runtime";
import type { RecordedResource } from "./runtime";
import { Json, redact, redactValues, unwrap } from "./values";

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } & Record<string, Json>;
  readonly [key: string]: Json;
}

export interface Manifest {
  /** `NN-<kind>-<namespace>-<name>.yaml` */
  readonly file: string;
  readonly object: KubernetesObject;
  readonly urn: string;
}

const KIND_RANK: Record<string, number> = {
  Namespace: 0,
  CustomResourceDefinition: 1,
  StorageClass: 2,
  PriorityClass: 3,
  ServiceAccount: 10,
  Secret: 11,
  ConfigMap: 12,
  ClusterRole: 13,
  Role: 13,
  ClusterRoleBinding: 14,
  RoleBinding: 14,
  PersistentVolumeClaim: 15,
  NetworkPolicy: 20,
  Service: 30,
  Deployment: 40,
  StatefulSet: 40,
  DaemonSet: 40,
  Job: 41,
  CronJob: 41,
  HorizontalPodAutoscaler: 50,
  PodDisruptionBudget: 51,
  Ingress: 60,
};
const CUSTOM_RESOURCE_RANK = 70;

export function isKubernetesObject(r: RecordedResource): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && typeof unwrap(r.inputs.kind) === "string" && typeof unwrap(r.inputs.apiVersion) === "string";
}

/** The object as applied: inputs (secrets redacted) with the provider's name and namespace. */
export function toKubernetesObject(r: RecordedResource): KubernetesObject {
  const redacted = redact(r.inputs) as Record<string, Json>;
  const kind = unwrap(r.inputs.kind) as string;
  const stateMetadata = unwrap(r.state.metadata) as Record<string, Json> | null;
  const metadata = { ...((typeof redacted.metadata === "object" && redacted.metadata !== null ? redacted.metadata : {}) as Record<string, Json>) };
  metadata.name = kubernetesName(r.name, r.urn, stateMetadata ?? undefined);
  if (!CLUSTER_SCOPED_KINDS.has(kind)) metadata.namespace = typeof stateMetadata?.namespace === "string" && stateMetadata.namespace !== "" ? stateMetadata.namespace : "default";
  const { apiVersion, kind: _kind, metadata: _metadata, ...rest } = redacted;
  const object: Record<string, Json> = { apiVersion, kind, metadata: orderMetadata(metadata) };
  for (const [key, value] of Object.entries(rest)) object[key] = value;
  if (kind === "Secret") {
    // The provider marks a Secret's data secret as a whole; keep its keys, redact every value.
    for (const key of ["data", "stringData"]) if (r.inputs[key] !== undefined) object[key] = redactValues(unwrap(r.inputs[key])) as Json;
  }
  return object as KubernetesObject;
}

function orderMetadata(metadata: Record<string, Json>): Record<string, Json> {
  const { name, namespace, ...rest } = metadata;
  return namespace === undefined ? { name, ...rest } : { name, namespace, ...rest };
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RBAC objects are named by path segment (`system:aggregate-to-view`), not DNS subdomain. */
const PATH_SEGMENT_NAMED = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

/** Why an object's kind, name or namespace is not valid on a cluster (they make its file name), or undefined. */
export function invalidIdentity(kind: string, name: string, namespace: string | undefined): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9]{0,62}$/.test(kind)) return `kind ${JSON.stringify(kind)} is not a Kubernetes kind (letters and digits, starting with a letter)`;
  if (PATH_SEGMENT_NAMED.has(kind)) {
    if (name.length === 0 || name.length > 253 || name === "." || name === ".." || /[/%\u0000-\u001f]/.test(name)) {
      return `metadata.name ${JSON.stringify(name)} is not a valid ${kind} name (no "/", "%" or control characters, not "." or "..", at most 253 characters)`;
    }
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return `metadata.name ${JSON.stringify(name)} is not a valid Kubernetes object name (a DNS subdomain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters)`;
  }
  if (namespace !== undefined && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    return `metadata.namespace ${JSON.stringify(namespace)} is not a valid namespace (a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)`;
  }
  return undefined;
}

export function manifestsOf(resources: readonly RecordedResource[]): Manifest[] {
  const problems: string[] = [];
  const manifests = resources.filter(isKubernetesObject).map((r) => {
    const object = toKubernetesObject(r);
    const invalid = invalidIdentity(object.kind, object.metadata.name, object.metadata.namespace);
    if (invalid) problems.push(`${r.type} "${r.name}": ${invalid}`);
    const rank = KIND_RANK[object.kind] ?? CUSTOM_RESOURCE_RANK;
    const scope = object.metadata.namespace ?? "cluster";
    const file = `${String(rank).padStart(2, "0")}-${object.kind.toLowerCase()}-${scope}-${object.metadata.name}.yaml`;
    return { file, object, urn: r.urn };
  });
  if (problems.length > 0) throw new SynthError(problems.join("\n"));
  manifests.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.urn < b.urn ? -1 : 1));
  const seen = new Map<string, number>();
  return manifests.map((m) => {
    const count = seen.get(m.file) ?? 0;
    seen.set(m.file, count + 1);
    return count === 0 ? m : { ...m, file: m.file.replace(/\.yaml$/, `-${count + 1}.yaml`) };
  });
}

export function manifestYaml(object: KubernetesObject): string {
  return stringify(object, { lineWidth: 0, sortMapEntries: false });
}
