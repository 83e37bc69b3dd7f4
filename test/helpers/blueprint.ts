/** Synthesizing blueprint stacks in one jest file, and reading what their pods get. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { KubernetesObject } from "../../offline/manifests";
import { synth } from "../../offline/synth";
import { ROOT } from "./cli";
import { at } from "./synth";

export type Synthesized = Awaited<ReturnType<typeof synth>>;

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string }; readonly configMapKeyRef?: { readonly name: string; readonly key: string } };
}

export interface BlueprintStack {
  readonly result: Synthesized;
  readonly objects: readonly KubernetesObject[];
  /** The one object of this kind and name (throws when missing or ambiguous). */
  find(kind: string, name: string): KubernetesObject;
  /** A container's env entries (the first container unless named). */
  env(workload: KubernetesObject, container?: string): readonly EnvVar[];
  /** A plain variable's value: inline, or the ConfigMap key it reads; undefined for a secret or a missing one. */
  plainEnv(workload: KubernetesObject, name: string, container?: string): string | undefined;
}

/** Synthesizes each stack of the project afresh (jest keeps its own module registry, so the program is re-required). */
export async function synthStacks(names: readonly string[]): Promise<Record<string, BlueprintStack>> {
  const out: Record<string, BlueprintStack> = {};
  for (const stack of names) {
    jest.resetModules();
    const result = await synth({ stack, dir: ROOT, out: fs.mkdtempSync(path.join(os.tmpdir(), `keel-${stack}-`)) });
    const objects = result.manifests.map((m) => m.object);
    const find = (kind: string, name: string) => {
      const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
      if (found.length !== 1) throw new Error(`expected one ${kind} ${name} in ${stack}, found ${found.length}`);
      return found[0];
    };
    const containerOf = (w: KubernetesObject, name?: string) => {
      const containers = (at(w, "spec.template.spec.containers") ?? []) as unknown as { name: string; env?: EnvVar[] }[];
      return name === undefined ? containers[0] : containers.find((c) => c.name === name);
    };
    const env = (w: KubernetesObject, container?: string) => containerOf(w, container)?.env ?? [];
    out[stack] = {
      result,
      objects,
      find,
      env,
      plainEnv(w, name, container) {
        const e = env(w, container).find((x) => x.name === name);
        if (e?.value !== undefined) return e.value;
        const ref = e?.valueFrom?.configMapKeyRef;
        return ref ? (find("ConfigMap", ref.name).data as Record<string, string> | undefined)?.[ref.key] : undefined;
      },
    };
  }
  return out;
}
