/**
 * `keel synth`: evaluates a Pulumi TypeScript project for one stack under the mock runtime
 * and writes `out/<stack>/`: manifests/, plan.json, topology.mmd, capacity.md. Everything
 * written is redacted (`[secret]`) and deterministic.
 */
import * as fs from "fs";
import * as path from "path";
import { capacityMarkdown, capacityTotals } from "./capacity";
import { readConfigFile } from "./check/config";
import { environmentConfigFile, knownEnvironments, ownPack, packEnvironments } from "./check/find-pack";
import { clusterFactsOf, withFacts } from "./facts";
import { Manifest, manifestYaml, manifestsOf } from "./manifests";
import { forgetProjectModules, installTypeScriptLoader, readMocks, readProject, readStackConfigJson, readStackFile } from "./project";
import { builtInCalls, useMocks } from "./providers";
import { RecordedOptions, RecordedResource, RunResult, SynthError, runActive, runInMockRuntime } from "./runtime";
import { MARKER, MARKER_TEXT, notOurs, outputState, removeStaleOutput, swapIn } from "./output-dir";
import { topologyMermaid } from "./topology";
import { Json, redact, redactValues } from "./values";

export interface SynthOptions {
  readonly stack: string;
  /** The Pulumi project directory. @default the current directory */
  readonly dir?: string;
  /** Where `<stack>/` is written. @default `<dir>/out` */
  readonly out?: string;
  /** A JSON file of extra config over the stack file's (`--stack-config`; see readStackConfigJson). */
  readonly stackConfigFile?: string;
  /** Extra config by full key, over the stack file's (tests, CI). */
  readonly config?: Readonly<Record<string, string>>;
  readonly secretKeys?: readonly string[];
  /** Seconds the program may run (timers, I/O, registrations) before the synth fails (`--timeout`). @default 600 */
  readonly timeoutSeconds?: number;
  /** The mocks file (`--mocks`; docs/offline-mocks.md). @default `<dir>/keel.mocks.yaml` or `<dir>/keel.mocks.json`, if there is one */
  readonly mocks?: string;
}

export interface PlanResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly parent: string | null;
  readonly inputs: Json;
  readonly dependencies: readonly string[];
  /** The resource options set on it (protect, retainOnDelete, dependsOn, provider, ...); absent when none. */
  readonly options?: RecordedOptions;
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
  /** The environment whose pack config was used (`keel:environment` of the stack); undefined: the stack sets none (facts only). */
  readonly environment?: string;
  /** Whether the pack has a config file for that environment. */
  readonly environmentKnown: boolean;
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
    .map((r) => {
      const resource: PlanResource = { type: r.type, name: r.name, urn: r.urn, parent: r.parent || null, inputs: redactedInputs(r), dependencies: r.dependencies };
      return r.options && Object.keys(r.options).length > 0 ? { ...resource, options: r.options } : resource;
    });
  return { stack, project, resources, outputs: redact(run.outputs) };
}

/** Evaluates the project's program for `stack` and returns what it registered (nothing written). */
/** A stack name as Pulumi allows it (it names a file and a directory: no path separators). */
export function checkStackName(stack: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(stack) || stack.length > 100) {
    throw new SynthError(`--stack is ${JSON.stringify(stack)}; expected a stack name (letters, digits, "-", "_" and ".", at most 100)`);
  }
}

export async function evaluate(options: SynthOptions): Promise<{ project: string; run: RunResult; environment?: string }> {
  checkStackName(options.stack);
  const dir = path.resolve(options.dir ?? ".");
  const project = readProject(dir);
  const fromFile = readStackFile(project, options.stack, { extraConfig: options.stackConfigFile !== undefined });
  const extra = options.stackConfigFile ? readStackConfigJson(path.resolve(options.stackConfigFile), project.name) : { config: {}, secretKeys: [] };
  const stackFile = { config: { ...fromFile.config, ...extra.config }, secretKeys: [...fromFile.secretKeys, ...extra.secretKeys] };
  const mocks = readMocks(dir, options.mocks, builtInCalls());
  installTypeScriptLoader(dir);
  forgetProjectModules(dir);
  if (runActive()) throw new SynthError("another synth is running in this process; runs cannot overlap");
  const restoreMocks = useMocks(mocks);
  const run = await runInMockRuntime(
    {
      project: project.name,
      stack: options.stack,
      config: { ...stackFile.config, ...(options.config ?? {}) },
      secretKeys: [...stackFile.secretKeys, ...(options.secretKeys ?? [])],
      sdkDir: dir,
      timeoutSeconds: options.timeoutSeconds,
    },
    () => {
      // As Pulumi's Node.js host: a default-exported function (ESM style) is the program's main.
      const exported = require(project.main) as { default?: unknown } | undefined;
      return exported && typeof exported.default === "function" ? exported.default : exported;
    },
  ).finally(restoreMocks);
  // The stack's environment is keel's own key (a bare `environment:` in a keel project is the same key).
  const environment = stackFile.config["keel:environment"];
  return { project: project.name, run, environment: typeof environment === "string" && environment.length > 0 ? environment : undefined };
}

/** The pack config for a stack: `<pack>/config/<environment>.json` with the run's facts (the facts alone without a known environment). */
export function stackPolicyConfig(run: RunResult, environment?: string): Record<string, unknown> {
  const file = environment !== undefined && /^[a-z0-9-]+$/.test(environment) ? environmentConfigFile(environment) : undefined;
  return withFacts(file ? readConfigFile(file) : {}, clusterFactsOf(run));
}

/** Renders the outputs of a run (pure: used by synth and by tests). */
export function render(project: string, stack: string, run: RunResult) {
  const plan = planOf(project, stack, run);
  const manifests = manifestsOf(run.resources);
  const objects = manifests.map((m) => m.object);
  return { plan, manifests, topology: topologyMermaid(stack, objects), capacity: capacityMarkdown(stack, objects) };
}

/**
 * Evaluates, renders and writes `<out>/<stack>/`. The files go to a fresh directory next to it,
 * renamed into place only when everything succeeded; a failed synth removes the previous
 * `<out>/<stack>/` (it no longer matches the program) and says so on the error.
 */
export async function synth(options: SynthOptions): Promise<SynthResult> {
  checkStackName(options.stack);
  const dir = path.resolve(options.dir ?? ".");
  const outRoot = path.resolve(options.out ?? path.join(dir, "out"));
  const outFlag = options.out !== undefined ? "--out" : "--out (default <dir>/out)";
  const outDir = path.join(outRoot, options.stack);
  checkOutRoot(outRoot, options.out ?? path.relative(process.cwd(), outRoot));
  // The output of an earlier run (keel's marker), taken note of before the program runs: only
  // that directory is replaced or, after a failure, removed; never the user's, never another run's.
  const before = outputState(outDir);
  if (before.kind === "other") throw notOurs(outDir, before.why, outFlag);
  let staging: string | undefined;
  try {
    const { project, run, environment } = await evaluate(options);
    if (environment !== undefined) {
      // A misspelt environment would judge the stack by no policies at all (facts only).
      const packDir = ownPack();
      const environments = packEnvironments(packDir);
      if (!environments.includes(environment)) throw new SynthError(`stack ${options.stack}: keel:environment is ${JSON.stringify(environment)}; expected ${knownEnvironments(packDir, environments)}`);
    }
    const rendered = render(project, options.stack, run);
    const environmentKnown = environment !== undefined && /^[a-z0-9-]+$/.test(environment) && environmentConfigFile(environment) !== undefined;
    const policyPackConfig = stackPolicyConfig(run, environment);
    makeOutRoot(outRoot, options.out ?? path.relative(process.cwd(), outRoot));
    staging = freshDirectory(path.join(outRoot, `.${options.stack}.partial-${process.pid}`));
    fs.writeFileSync(path.join(staging, MARKER), MARKER_TEXT);
    fs.mkdirSync(path.join(staging, "manifests"));
    for (const m of rendered.manifests) fs.writeFileSync(path.join(staging, "manifests", m.file), manifestYaml(m.object));
    fs.writeFileSync(path.join(staging, "plan.json"), JSON.stringify(rendered.plan, null, 2) + "\n");
    fs.writeFileSync(path.join(staging, "topology.mmd"), rendered.topology);
    fs.writeFileSync(path.join(staging, "capacity.md"), rendered.capacity);
    fs.writeFileSync(path.join(staging, "policy-pack-config.json"), JSON.stringify(policyPackConfig, null, 2) + "\n");
    swapIn(staging, outDir, outFlag);
    staging = undefined;
    return { project, stack: options.stack, outDir, run, ...rendered, policyPackConfig, environment, environmentKnown };
  } catch (err) {
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
    if (removeStaleOutput(outDir, before) && typeof err === "object" && err !== null) Object.defineProperty(err, "removedOutput", { value: outDir, enumerable: false });
    throw asSynthError(err, outRoot, options.out ?? path.relative(process.cwd(), outRoot));
  }
}

/** `--out` must be a directory (or not exist yet). */
function checkOutRoot(outRoot: string, shownOut: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(outRoot);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    throw outError(err, shownOut);
  }
  if (!stat.isDirectory()) throw new SynthError(`--out ${shownOut} is a file; expected a directory`);
}

function makeOutRoot(outRoot: string, shownOut: string): void {
  try {
    fs.mkdirSync(outRoot, { recursive: true });
  } catch (err) {
    throw outError(err, shownOut);
  }
}

const ERRNO_TEXT: Record<string, string> = {
  EEXIST: "a file is in the way",
  ENOTDIR: "a part of the path is a file, not a directory",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENAMETOOLONG: "the path is too long",
  ENOSPC: "no space left on the device",
  ELOOP: "a symbolic link loop",
  EDQUOT: "the disk quota is exceeded",
};

function outError(err: unknown, shownOut: string): SynthError {
  const code = (err as NodeJS.ErrnoException).code ?? "";
  return new SynthError(`cannot write the output under --out ${shownOut}: ${ERRNO_TEXT[code] ?? (err as Error).message} (${code || "error"})`);
}

/** A raw file-system error while writing the output, as one line saying what keel tried. */
function asSynthError(err: unknown, outRoot: string, shownOut: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof Error && typeof e.code === "string" && typeof e.syscall === "string" && typeof e.path === "string" && path.resolve(e.path).startsWith(outRoot)) {
    const wrapped = outError(err, shownOut);
    const removed = removedOutputOf(err);
    if (removed) Object.defineProperty(wrapped, "removedOutput", { value: removed, enumerable: false });
    return wrapped;
  }
  return err;
}

/** A new directory (mode as mkdir gives it, unlike mkdtemp's 0700): `<prefix>-<n>`. */
function freshDirectory(prefix: string): string {
  for (let n = 0; ; n++) {
    try {
      fs.mkdirSync(`${prefix}-${n}`);
      return `${prefix}-${n}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || n > 1000) throw err;
    }
  }
}

/** The output directory a failed synth removed (it was written by an earlier run), if any. */
export function removedOutputOf(err: unknown): string | undefined {
  return typeof err === "object" && err !== null ? ((err as { removedOutput?: string }).removedOutput ?? undefined) : undefined;
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
    `  wrote ${rel}/: manifests/ (${result.manifests.length} files), plan.json, topology.mmd, capacity.md, policy-pack-config.json (${packConfigNote(result)})`,
    "outputs:",
    ...outputs,
  ].join("\n");
}

function packConfigNote(result: SynthResult): string {
  if (result.environment === undefined) return "the cluster facts only: the stack sets no keel:environment";
  if (!result.environmentKnown) return `the cluster facts only: the pack has no config for keel:environment ${JSON.stringify(result.environment)}`;
  return `${result.environment} policies with the cluster facts`;
}
