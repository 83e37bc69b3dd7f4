/** What `keel check` checks: a synthesized stack, or plain Kubernetes YAML (Helm output, say). */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import type { RecordedResource } from "../runtime";
import { SynthError } from "../runtime";
import { Json, SECRET_SIG, SIG_KEY, unwrap } from "../values";
import type { CheckResource } from "./analyze";

/** The Pulumi type token of a Kubernetes object: `apps/v1` Deployment -> `kubernetes:apps/v1:Deployment`. */
export function kubernetesTypeToken(apiVersion: string, kind: string): string {
  return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

function manifestFiles(target: string): string[] {
  if (!fs.existsSync(target)) throw new SynthError(`no such file or directory: ${target}`);
  if (fs.statSync(target).isFile()) return [target];
  return fs
    .readdirSync(target, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? manifestFiles(path.join(target, e.name)) : /\.(ya?ml|json)$/.test(e.name) ? [path.join(target, e.name)] : []));
}

export function resourcesFromManifests(target: string): CheckResource[] {
  const resources: CheckResource[] = [];
  const seen = new Set<string>();
  for (const file of manifestFiles(target)) {
    const docs = parseAllDocuments(fs.readFileSync(file, "utf8"));
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.errors.length > 0) throw new SynthError(`${file}: ${doc.errors[0].message}`);
      const value = doc.toJS() as Record<string, Json> | null;
      if (value === null || typeof value !== "object") continue;
      const objects = value.kind === "List" && Array.isArray(value.items) ? (value.items as Record<string, Json>[]) : [value];
      for (const o of objects) {
        const metadata = (o.metadata ?? {}) as Record<string, Json>;
        if (typeof o.apiVersion !== "string" || typeof o.kind !== "string" || typeof metadata.name !== "string") {
          throw new SynthError(`${file}: an object without apiVersion, kind and metadata.name`);
        }
        const type = kubernetesTypeToken(o.apiVersion, o.kind);
        const ns = typeof metadata.namespace === "string" ? metadata.namespace : "default";
        let name = `${ns}/${metadata.name}`;
        for (let i = 2; seen.has(`${type}::${name}`); i++) name = `${ns}/${metadata.name}#${i}`;
        seen.add(`${type}::${name}`);
        resources.push({ type, urn: `urn:pulumi:manifests::keel-check::${type}::${name}`, name: metadata.name, inputs: o, outputs: o, dependencies: [] });
      }
    }
  }
  return resources;
}

/** The recorded resources of a synth, as the CLI hands them to analyzers (custom resources, secrets in plain text). */
export function resourcesFromRun(recorded: readonly RecordedResource[]): CheckResource[] {
  const byUrn = new Map(recorded.map((r) => [r.urn, r]));
  return recorded
    .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
    .map((r) => {
      const providerRecord = r.provider ? byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::"))) : undefined;
      return {
        type: r.type,
        urn: r.urn,
        name: r.name,
        inputs: unwrap(r.inputs) as Record<string, Json>,
        outputs: unwrap(r.state) as Record<string, Json>,
        parent: r.parent || undefined,
        dependencies: r.dependencies,
        protect: r.protect,
        additionalSecretOutputs: r.additionalSecretOutputs,
        provider: providerRecord ? { type: providerRecord.type, urn: providerRecord.urn, name: providerRecord.name, props: unwrap(providerRecord.inputs) as Record<string, Json> } : undefined,
      };
    });
}

/** Every plain-text secret in the recorded values, so no report repeats one. */
export function secretValues(recorded: readonly RecordedResource[]): string[] {
  const found = new Set<string>();
  const collect = (value: unknown, inSecret: boolean): void => {
    if (typeof value === "string") {
      if (inSecret && value.length >= 4) found.add(value);
    } else if (Array.isArray(value)) {
      for (const v of value) collect(v, inSecret);
    } else if (typeof value === "object" && value !== null) {
      const record = value as Record<string, unknown>;
      if (record[SIG_KEY] === SECRET_SIG) collect(record.value, true);
      else for (const v of Object.values(record)) collect(v, inSecret);
    }
  };
  for (const r of recorded) {
    collect(r.inputs, false);
    collect(r.state, false);
  }
  return [...found].sort((a, b) => b.length - a.length);
}
