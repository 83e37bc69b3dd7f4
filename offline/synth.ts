/**
 * `keel synth`: evaluates a Pulumi TypeScript project for one stack under the mock runtime
 * and writes `out/<stack>/`: manifests/, plan.json, topology.mmd, capacity.md. Everything
 * written is redacted (`[secret]`) and deterministic.
 */
import * as fs from "fs";
import * as path from "path";
import { capacityMarkdown, capacityTotals } from "./capacity";
import { readConfigFile } from "./check/config";
import { environmentConfigFile } from "./check/find-pack";
import { clusterFactsOf, withFacts } from "./facts";
import { Manifest, manifestYaml, manifestsOf } from "./manifests";
import { forgetProjectModules, installTypeScriptLoader, readProject, readStackFile } from "./project";
import { RecordedResource, RunResult, runInMockRuntime } from "./runtime";
import { topologyMermaid } from "./topology";
import { Json, redact, redactValues } from "./values";

export interface SynthOptions {
  readonly stack: string;
  /** The Pulumi project directory. @default the current directory */
  readonly dir?: string;
  /** Where `<stack>/` is written. @default `<dir>/out` */
  readonly out?: string;
  /** Extra config by full key, over the stack file's (tests, CI). */
  readonly config?: Readonly<Record<string, string>>;
  readonly secretKeys?: readonly string[];
}

export interface PlanResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly parent: string | null;
  readonly inputs: Json;
  readonly dependencies: readonly string[];
}

export interface Plan {
  readonly stack: string;
  readonly project: string;
  readonly resources: readonly PlanResource[];
  readonly outputs: Json;
}

export interface SynthResult {
  readonly project: string;
  readonly stack: string;
  readonly outDir: string;
  readonly run: RunResult;
  readonly plan: Plan;
  readonly manifests: readonly Manifest[];
  readonly topology: string;
  readonly capacity: string;
  /** The pack config the stack is judged with: its environment's file plus the cluster facts and image manifest. */
  readonly policyPackConfig: Record<string, unknown>;
  /** The environment whose pack config was used (`keel:environment` of the stack, else prod). */
  readonly environment: string;
}

/** Inputs as they may be written: secrets, a Secret's data and additional secret outputs redacted. */
export function redactedInputs(r: RecordedResource): Json {
  const inputs = redact(r.inputs) as Record<string, Json>;
  for (const key of r.additionalSecretOutputs) if (inputs[key] !== undefined) inputs[key] = redactValues(inputs[key]) as Json;
  return inputs;
}

export function planOf(project: string, stack: string, run: RunResult): Plan {
  const resources = [...run.resources]
    .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0))
    .map((r) => ({ type: r.type, name: r.name, urn: r.urn, parent: r.parent || null, inputs: redactedInputs(r), dependencies: r.dependencies }));
  return { stack, project, resources, outputs: redact(run.outputs) };
}

/** Evaluates the project's program for `stack` and returns what it registered (nothing written). */
export async function evaluate(options: SynthOptions): Promise<{ project: string; run: RunResult; environment?: string }> {
  const dir = path.resolve(options.dir ?? ".");
  const project = readProject(dir);
  const stackFile = readStackFile(project, options.stack);
  installTypeScriptLoader(dir);
  forgetProjectModules(dir);
  const run = await runInMockRuntime(
    {
      project: project.name,
      stack: options.stack,
      config: { ...stackFile.config, ...(options.config ?? {}) },
      secretKeys: [...stackFile.secretKeys, ...(options.secretKeys ?? [])],
      sdkDir: dir,
    },
    () => {
      // As Pulumi's Node.js host: a default-exported function (ESM style) is the program's main.
      const exported = require(project.main) as { default?: unknown } | undefined;
      return exported && typeof exported.default === "function" ? exported.default : exported;
    },
  );
  const environment = stackFile.config[`${project.name}:environment`];
  return { project: project.name, run, environment: typeof environment === "string" && /^[a-z0-9-]+$/.test(environment) ? environment : undefined };
}

/** The pack config for a stack: `<pack>/config/<environment>.json` (prod when the stack names none) with the run's facts. */
export function stackPolicyConfig(dir: string, run: RunResult, environment = "prod"): Record<string, unknown> {
  const file = environmentConfigFile(dir, environment);
  return withFacts(file ? readConfigFile(file) : {}, clusterFactsOf(run));
}

/** Renders the outputs of a run (pure: used by synth and by tests). */
export function render(project: string, stack: string, run: RunResult) {
  const plan = planOf(project, stack, run);
  const manifests = manifestsOf(run.resources);
  const objects = manifests.map((m) => m.object);
  return { plan, manifests, topology: topologyMermaid(stack, objects), capacity: capacityMarkdown(stack, objects) };
}

export async function synth(options: SynthOptions): Promise<SynthResult> {
  const dir = path.resolve(options.dir ?? ".");
  const { project, run, environment = "prod" } = await evaluate(options);
  const rendered = render(project, options.stack, run);
  const policyPackConfig = stackPolicyConfig(dir, run, environment);
  const outDir = path.join(path.resolve(options.out ?? path.join(dir, "out")), options.stack);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, "manifests"), { recursive: true });
  for (const m of rendered.manifests) fs.writeFileSync(path.join(outDir, "manifests", m.file), manifestYaml(m.object));
  fs.writeFileSync(path.join(outDir, "plan.json"), JSON.stringify(rendered.plan, null, 2) + "\n");
  fs.writeFileSync(path.join(outDir, "topology.mmd"), rendered.topology);
  fs.writeFileSync(path.join(outDir, "capacity.md"), rendered.capacity);
  fs.writeFileSync(path.join(outDir, "policy-pack-config.json"), JSON.stringify(policyPackConfig, null, 2) + "\n");
  return { project, stack: options.stack, outDir, run, ...rendered, policyPackConfig, environment };
}

/** The short summary `keel synth` prints. */
export function summary(result: SynthResult, cwd = process.cwd()): string {
  const objects = result.manifests.map((m) => m.object);
  const namespaces = new Set(objects.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : [])));
  const kinds = new Map<string, number>();
  for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  const totals = capacityTotals(objects);
  const rel = path.relative(cwd, result.outDir) || ".";
  const outputs = Object.entries((result.plan.outputs ?? {}) as Record<string, Json>).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  return [
    `keel synth: project ${result.project}, stack ${result.stack}: ${result.plan.resources.length} resources, ${objects.length} Kubernetes objects in ${namespaces.size} namespaces`,
    `  ${[...kinds.entries()].sort().map(([k, n]) => `${n} ${k}`).join(", ")}`,
    `  requests: ${totals.cpuRequests} CPU, ${totals.memoryRequests} memory; storage: ${totals.storage}`,
    `  wrote ${rel}/: manifests/ (${result.manifests.length} files), plan.json, topology.mmd, capacity.md, policy-pack-config.json (${result.environment} policies with the cluster facts)`,
    "outputs:",
    ...outputs,
  ].join("\n");
}
