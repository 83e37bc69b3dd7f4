/** What `keel check` checks: a synthesized stack, or plain Kubernetes YAML (Helm output, say). */
import type { RecordedResource } from "../runtime";
import { readManifestObjects } from "./manifest-files";
import { Json, SECRET_SIG, SIG_KEY, unwrap } from "../values";
import type { CheckResource } from "./analyze";

/** The Pulumi type token of a Kubernetes object: `apps/v1` Deployment -> `kubernetes:apps/v1:Deployment`. */
export function kubernetesTypeToken(apiVersion: string, kind: string): string {
  return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/** The objects of `--manifests` (see manifest-files.ts for what is refused), as analyzer resources. */
export function resourcesFromManifests(target: string): CheckResource[] {
  return readManifestObjects(target).map(({ object: o }) => {
    const metadata = o.metadata as Record<string, Json>;
    const type = kubernetesTypeToken(o.apiVersion as string, o.kind as string);
    const ns = typeof metadata.namespace === "string" && metadata.namespace ? metadata.namespace : "default";
    const name = `${ns}/${metadata.name as string}`;
    return { type, urn: `urn:pulumi:manifests::keel-check::${type}::${name}`, name: metadata.name as string, inputs: o, outputs: o, dependencies: [] };
  });
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
