/**
 * Validates manifests against the Kubernetes OpenAPI schema (kubernetes-models, generated
 * from the upstream OpenAPI spec) and the CRD schemas of custom resources keel emits.
 */
import { spawnSync } from "child_process";
import type { KubernetesObject } from "../../offline/manifests";

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

const CRD_PACKAGES: Record<string, string> = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "cert-manager.io": "@kubernetes-models/cert-manager",
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

/** Packages published as ES modules only: validated by a Node child process that can import them. */
const ESM_ONLY: Record<string, string> = { "kafka.strimzi.io": "@kubernetes-models/strimzi-kafka-operator", "external-secrets.io": "@kubernetes-models/external-secrets" };

function esmProblems(object: KubernetesObject, pkg: string): string {
  const [group, version] = object.apiVersion.split("/");
  const script = `
    const object = JSON.parse(require("fs").readFileSync(0, "utf8"));
    import("${pkg}/${group}").then((m) => {
      const cls = m["${version}"]?.["${object.kind}"] ?? m["${object.kind}"];
      if (!cls) throw new Error("no schema model for ${object.apiVersion} ${object.kind}");
      new cls(object).validate();
    }).catch((e) => { process.stdout.write(String(e.message)); process.exitCode = 1; });`;
  const r = spawnSync(process.execPath, ["-e", script], { input: JSON.stringify(object), encoding: "utf8", cwd: process.cwd() });
  return r.status === 0 ? "" : `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}: ${r.stdout}${r.stderr}`;
}

/** Schema problems of one object ("" when valid). */
export function schemaProblems(object: KubernetesObject): string {
  const esm = ESM_ONLY[object.apiVersion.split("/")[0]];
  if (esm) return esmProblems(object, esm);
  try {
    new (modelClass(object.apiVersion, object.kind))(object).validate();
    return "";
  } catch (err) {
    return `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}: ${(err as Error).message}`;
  }
}
