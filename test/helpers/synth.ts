/** Test helpers on top of the offline engine: run a program under mocks, look at what it made. */
import { KubernetesObject, manifestsOf } from "../../offline/manifests";
import { RecordedOptions, RecordedResource, RunResult, runInMockRuntime } from "../../offline/runtime";
import { render } from "../../offline/synth";
import { Json, redact, unwrap } from "../../offline/values";

export interface Synthesized {
  readonly run: RunResult;
  readonly resources: readonly RecordedResource[];
  readonly objects: readonly KubernetesObject[];
  /** The Kubernetes object of `kind` named `name` (throws when missing or ambiguous). */
  object(kind: string, name: string): KubernetesObject;
  /** All objects of a kind. */
  all(kind: string): KubernetesObject[];
  /** The recorded resource with this Pulumi name and type suffix (e.g. "Deployment"). */
  resource(name: string, typeSuffix?: string): RecordedResource;
  /** Everything the engine would write (plan, manifests, topology, capacity) as one string. */
  written(): string;
  /** The resource options plan.json records for a resource (protect, retainOnDelete, dependsOn, provider, ...; `{}` when none). */
  options(name: string, typeSuffix?: string): RecordedOptions;
}

export async function synthesize(program: () => unknown, config: Record<string, string> = {}, secretKeys: string[] = []): Promise<Synthesized> {
  const run = await runInMockRuntime({ project: "test", stack: "test", config, secretKeys }, async () => {
    await program();
  });
  const objects = manifestsOf(run.resources).map((m) => m.object);
  return {
    run,
    resources: run.resources,
    objects,
    object(kind, name) {
      const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
      if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
      return found[0];
    },
    all(kind) {
      return objects.filter((o) => o.kind === kind);
    },
    resource(name, typeSuffix) {
      const found = run.resources.filter((r) => r.name === name && (!typeSuffix || r.type.endsWith(typeSuffix)));
      if (found.length !== 1) throw new Error(`expected one resource ${name}, found ${found.length}`);
      return found[0];
    },
    options(name, typeSuffix) {
      const found = run.resources.filter((r) => r.name === name && (!typeSuffix || r.type.endsWith(typeSuffix)));
      if (found.length !== 1) throw new Error(`expected one resource ${name}, found ${found.length}`);
      return found[0].options;
    },
    written() {
      const r = render("test", "test", run);
      return [JSON.stringify(r.plan), ...r.manifests.map((m) => JSON.stringify(m.object)), r.topology, r.capacity].join("\n");
    },
  };
}

/** Reads a nested field of a manifest: `at(deployment, "spec.template.spec.containers.0.image")`. */
export function at(value: unknown, path: string): Json | undefined {
  let current: unknown = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current as Json | undefined;
}

export { redact, unwrap };
