/**
 * Validates manifests against the Kubernetes OpenAPI schema (kubernetes-models, generated
 * from the upstream OpenAPI spec) and the CRD schemas of custom resources keel emits.
 */
import type { KubernetesObject } from "../../offline/manifests";

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

const CRD_PACKAGES: Record<string, string> = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

function modelClass(apiVersion: string, kind: string): ModelClass {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const pkg = CRD_PACKAGES[group];
  const modulePath = pkg ? `${pkg}/${group}/${version}/${kind}` : group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath) as Record<string, ModelClass>;
  const cls = mod[kind];
  if (!cls) throw new Error(`no schema model for ${apiVersion} ${kind}`);
  return cls;
}

/** Schema problems of one object ("" when valid). */
export function schemaProblems(object: KubernetesObject): string {
  try {
    new (modelClass(object.apiVersion, object.kind))(object).validate();
    return "";
  } catch (err) {
    return `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}: ${(err as Error).message}`;
  }
}
