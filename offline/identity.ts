/**
 * Two resources that would write the same Kubernetes object: same cluster, API group, kind,
 * namespace and name. On a cluster the second create fails (AlreadyExists), or, with
 * upserts, both resources fight over one object. Judged on the recorded inputs; an object
 * whose name or namespace is not known offline (or auto-named) is skipped.
 */
import { describeUrn } from "./monitor";
import type { RecordedResource } from "./monitor";
import { CLUSTER_SCOPED_KINDS } from "./providers";
import { UNKNOWN, unwrap } from "./values";

const OBJECT_TYPE = /^kubernetes:([^:]+):([^:]+)$/;

function known(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && !value.includes(UNKNOWN);
}

/** The cluster a provider points at: its kubeconfig, context and cluster (undefined when not known offline). */
function clusterOf(provider: RecordedResource | undefined): { key: string; namespace?: string } | undefined {
  if (!provider) return { key: "{}" };
  const inputs = unwrap(provider.inputs) as Record<string, unknown>;
  const target: Record<string, unknown> = {};
  for (const field of ["kubeconfig", "context", "cluster"]) {
    const value = inputs[field];
    if (value === undefined || value === null) continue;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (text.includes(UNKNOWN)) return undefined;
    target[field] = value;
  }
  const namespace = inputs.namespace;
  if (namespace !== undefined && !known(namespace)) return undefined;
  return { key: JSON.stringify(target), namespace: namespace as string | undefined };
}

/** `<type> "<name>"` and where it is, for messages. */
function describe(r: RecordedResource): string {
  const parent = describeUrn(r.parent);
  return `${r.type} "${r.name}" (${parent === "the stack" ? "in the stack" : `in ${parent}`})`;
}

/** One message per Kubernetes object two resources would create. */
export function duplicateObjectProblems(records: readonly RecordedResource[]): string[] {
  const byUrn = new Map(records.map((r) => [r.urn, r]));
  const owners = new Map<string, RecordedResource>();
  const problems: string[] = [];
  for (const r of records) {
    const m = r.custom ? OBJECT_TYPE.exec(r.type) : null;
    if (!m || r.type.startsWith("pulumi:providers:")) continue;
    const apiVersion = unwrap(r.inputs.apiVersion);
    const kind = unwrap(r.inputs.kind);
    // Patches change an object something else owns; helm.sh and yaml types are not objects.
    if (!known(apiVersion) || !known(kind) || m[2].endsWith("Patch") || m[2].endsWith("List") || m[1].startsWith("helm.sh/")) continue;
    const metadata = unwrap(r.inputs.metadata);
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) continue;
    const name = (metadata as Record<string, unknown>).name;
    if (!known(name)) continue;
    const providerUrn = r.provider ? r.provider.slice(0, r.provider.lastIndexOf("::")) : "";
    const cluster = clusterOf(providerUrn ? byUrn.get(providerUrn) : undefined);
    if (!cluster) continue;
    let namespace = "";
    if (!CLUSTER_SCOPED_KINDS.has(kind)) {
      // An empty namespace is the provider's (as no namespace): `check --manifests` reads it so too.
      const raw = (metadata as Record<string, unknown>).namespace;
      const given = raw === "" ? undefined : raw;
      if (given !== undefined && given !== null && !known(given)) continue;
      namespace = (given as string | undefined) ?? cluster.namespace ?? "default";
    }
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    const key = JSON.stringify([cluster.key, group, kind, namespace, name]);
    const first = owners.get(key);
    if (!first) {
      owners.set(key, r);
      continue;
    }
    const object = `${kind}${group ? `.${group}` : ""} ${namespace ? `${namespace}/` : ""}${name}`;
    problems.push(`Kubernetes object ${object} is created by two resources: ${describe(first)} and ${describe(r)}; each object needs one owner (give one of them another name or namespace)`);
  }
  return problems;
}
