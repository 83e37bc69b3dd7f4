/**
 * Runs a Pulumi program under the SDK's mock runtime with a recording monitor. The monitor
 * answers as the real providers would (see providers.ts) and records every registration:
 * type, name, parent, inputs (secrets still marked) and dependencies.
 *
 * Speed: the SDK captures a stack trace per resource and per promise for the CLI's source
 * positions and leak reports. Neither changes a resource, so the engine switches them off.
 */
import { installFastSerialization } from "./fast-serialize";
import { NewResource, UnknownCallError, call, newResource } from "./providers";
import { Json, SECRET_SIG, SIG_KEY, secretValue, unwrap } from "./values";

/** One registered resource, as the engine saw it. */
export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** The parent's URN ("" for the stack). */
  readonly parent: string;
  readonly custom: boolean;
  /** Inputs on the wire: secrets are `{ [SIG_KEY]: SECRET_SIG, value }`. */
  readonly inputs: Record<string, unknown>;
  /** The provider's answer merged over the inputs. */
  readonly state: Record<string, unknown>;
  readonly id: string;
  readonly dependencies: readonly string[];
  readonly provider: string;
  readonly additionalSecretOutputs: readonly string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
}

export interface RunOptions {
  readonly project: string;
  readonly stack: string;
  /** Config by full key (`project:key`), values as strings (objects JSON-encoded). */
  readonly config?: Readonly<Record<string, string>>;
  readonly secretKeys?: readonly string[];
  /** Directory to resolve `@pulumi/pulumi` from (the program's own copy). @default keel's */
  readonly sdkDir?: string;
  /** Use the SDK's own (slower) serialization and alias resolution; for the equivalence test. @default false */
  readonly exactSdk?: boolean;
}

export interface RunResult {
  readonly resources: readonly RecordedResource[];
  /** Stack outputs on the wire (secrets still marked). */
  readonly outputs: Record<string, unknown>;
  /** The outputs components registered (`registerOutputs`), by URN, on the wire. */
  readonly componentOutputs: ReadonlyMap<string, Record<string, unknown>>;
}

/** A program failed: its own error, a provider call with no offline answer, or logged errors. */
export class SynthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SynthError";
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the SDK's internal modules are untyped here */
interface Sdk {
  base: string;
  index: any;
  mocks: any;
  settings: any;
  stack: any;
  state: any;
  config: any;
  debuggable: any;
  resource: any;
  rpc: any;
  output: any;
  asset: any;
}

function loadSdk(sdkDir?: string): Sdk {
  let root: string;
  try {
    root = require.resolve("@pulumi/pulumi", { paths: sdkDir ? [sdkDir, __dirname] : [__dirname] });
  } catch {
    throw new SynthError(`cannot find @pulumi/pulumi for ${sdkDir ?? "keel"}; run npm install in the project`);
  }
  const base = root.slice(0, root.lastIndexOf("index.js"));
  const load = (m: string) => require(base + m);
  return {
    base,
    index: load("index.js"),
    mocks: load("runtime/mocks.js"),
    settings: load("runtime/settings.js"),
    stack: load("runtime/stack.js"),
    state: load("runtime/state.js"),
    config: load("runtime/config.js"),
    debuggable: load("runtime/debuggable.js"),
    resource: load("resource.js"),
    rpc: load("runtime/rpc.js"),
    output: load("output.js"),
    asset: load("asset/index.js"),
  };
}

function switchOffCliDiagnostics(sdk: Sdk): void {
  sdk.resource.Resource.callsites = () => [];
  sdk.debuggable.debuggablePromise = <T>(p: Promise<T>) => p;
}

/**
 * Aliases let the engine match a resource against state recorded under an older name or type
 * (the Kubernetes resources carry one per retired API version). The mock runtime has no prior
 * state, so resolving them only costs time (about a third of a large synth): skipped for the
 * options `mergeOptions` builds. Inputs, outputs and dependencies stay the same.
 */
function skipAliasResolution(sdk: Sdk): () => void {
  const modules = [sdk.resource, sdk.index];
  const original = sdk.resource.mergeOptions;
  const withoutAliases = (...args: unknown[]) => {
    const merged = original(...args);
    if (merged && merged.aliases) merged.aliases = undefined;
    return merged;
  };
  for (const m of modules) m.mergeOptions = withoutAliases;
  return () => {
    for (const m of modules) m.mergeOptions = original;
  };
}

/**
 * Property values travel to the engine as protobuf Structs (copied into protobuf's internal
 * arrays and back). The mock monitor is in-process, so during a run a Struct carries the
 * object itself. Restored afterwards: `keel check` talks gRPC with real Structs.
 */
function passStructsByReference(sdk: Sdk): () => void {
  const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdk.base] }));
  const original = Struct.fromJavaScript;
  Struct.fromJavaScript = (value: Record<string, unknown>) => {
    const struct = new Struct();
    struct.toJavaScript = () => value;
    return struct;
  };
  return () => {
    Struct.fromJavaScript = original;
  };
}

function createMonitor(sdk: Sdk, records: RecordedResource[], failures: string[], outputs: { value: Record<string, unknown>; components: Map<string, Record<string, unknown>> }) {
  const Base = sdk.mocks.MockMonitor;
  const monitor = new Base({ newResource: () => ({ id: "", state: {} }), call: () => ({}) });
  monitor.registerResource = async (req: any, callback: (err: unknown, resp?: unknown) => void) => {
    try {
      const type: string = req.getType();
      const name: string = req.getName();
      const parent: string = req.getParent();
      const custom: boolean = req.getCustom();
      const urn: string = monitor.newUrn(parent, type, name);
      if (monitor.resources.has(urn)) throw new Error(`duplicate resource URN ${urn}: two resources of type ${type} are named "${name}"; resource names must be unique per type`);
      const inputs = req.getObject().toJavaScript() as Record<string, unknown>;
      const request: NewResource = { type, name, urn, custom, inputs };
      const result = newResource(request);
      const state: Record<string, unknown> = { ...inputs };
      for (const [key, value] of Object.entries(result.outputs)) state[key] = mergeOutput(inputs[key], value);
      const secretOutputs: string[] = req.getAdditionalsecretoutputsList();
      for (const key of secretOutputs) if (state[key] !== undefined) state[key] = secretValue(state[key]);
      monitor.resources.set(urn, { urn, id: result.id || null, state });
      records.push({
        urn,
        type,
        name,
        parent,
        custom,
        inputs,
        state,
        id: result.id,
        dependencies: [...req.getDependenciesList()].sort(),
        provider: req.getProvider(),
        additionalSecretOutputs: secretOutputs,
        protect: req.getProtect(),
        retainOnDelete: req.getRetainondelete?.() ?? false,
      });
      callback(null, {
        getUrn: () => urn,
        getId: () => result.id,
        getObject: () => ({ toJavaScript: () => state }),
        getPropertydependenciesMap: () => undefined,
        getResult: () => 0,
        getUnknown: () => false,
      });
    } catch (err) {
      failures.push(String((err as Error)?.message ?? err));
      callback(err);
    }
  };
  const baseInvoke = monitor.invoke.bind(monitor);
  monitor.invoke = async (req: any, callback: (err: unknown, resp?: unknown) => void) => {
    const token: string = req.getTok();
    if (token === "pulumi:pulumi:getResource") return baseInvoke(req, callback);
    try {
      const args = unwrap(sdk.rpc.deserializeProperties(req.getArgs())) as Record<string, Json>;
      const answer = call(token, args);
      callback(null, { getReturn: () => ({ toJavaScript: () => answer }), getFailuresList: () => [] });
    } catch (err) {
      failures.push(err instanceof UnknownCallError ? err.message : `provider function ${token} failed: ${(err as Error).message}`);
      callback(err);
    }
  };
  monitor.readResource = async (req: any, callback: (err: unknown) => void) => {
    const message = `reading an existing resource (${req.getType()} "${req.getName()}", id ${req.getId()}) needs the real provider; keel synth cannot answer it offline`;
    failures.push(message);
    callback(new Error(message));
  };
  const baseOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: any, callback: (err: unknown, resp?: unknown) => void) => {
    const urn: string = req.getUrn();
    if (urn.includes("::pulumi:pulumi:Stack::")) outputs.value = req.getOutputs()?.toJavaScript() ?? {};
    else outputs.components.set(urn, req.getOutputs()?.toJavaScript() ?? {});
    baseOutputs(req, callback);
  };
  return monitor;
}

/** Merges provider outputs into an input value (e.g. auto-named metadata), keeping secret marks. */
function mergeOutput(input: unknown, output: Json): unknown {
  if (input === undefined) return output;
  const secret = typeof input === "object" && input !== null && (input as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
  const plainInput = secret ? (input as { value: unknown }).value : input;
  if (typeof plainInput === "object" && plainInput !== null && !Array.isArray(plainInput) && typeof output === "object" && output !== null && !Array.isArray(output)) {
    const merged = { ...(plainInput as Record<string, unknown>), ...output };
    return secret ? secretValue(merged) : merged;
  }
  return output;
}

let active = false;

/**
 * Runs `program` (which registers resources) under the mock runtime and returns what it
 * registered. Runs never overlap: the SDK's runtime state is global.
 */
export async function runInMockRuntime(options: RunOptions, program: () => unknown): Promise<RunResult> {
  if (active) throw new SynthError("another synth is running in this process; runs cannot overlap");
  active = true;
  const sdk = loadSdk(options.sdkDir);
  switchOffCliDiagnostics(sdk);
  const restoreStructs = passStructsByReference(sdk);
  const restoreSerialization = options.exactSdk ? () => undefined : installFastSerialization(sdk);
  const restoreAliases = options.exactSdk ? () => undefined : skipAliasResolution(sdk);
  const records: RecordedResource[] = [];
  const failures: string[] = [];
  const outputs = { value: {} as Record<string, unknown>, components: new Map<string, Record<string, unknown>>() };
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    const monitor = createMonitor(sdk, records, failures, outputs);
    sdk.settings.setMockOptions(monitor, options.project, options.stack, false, "organization");
    const store = sdk.state.getStore();
    Object.assign(store, {
      supportsSecrets: true,
      supportsResourceReferences: true,
      supportsOutputValues: false,
      supportsDeletedWith: true,
      supportsAliasSpecs: true,
      supportsReplaceWith: true,
      supportsTransforms: true,
      supportsInvokeTransforms: true,
      supportsParameterization: true,
      supportsResourceHooks: true,
      supportsErrorHooks: true,
      supportsInvokeDependsOn: false,
    });
    sdk.config.setAllConfig({ ...(options.config ?? {}) }, [...(options.secretKeys ?? [])]);
    let thrown: unknown;
    try {
      await sdk.stack.runInPulumiStack(async () => {
        let exported = await program();
        if (typeof exported === "function") exported = await (exported as () => unknown)();
        return exported;
      });
      await sdk.settings.waitForRPCs();
    } catch (err) {
      thrown = err;
    }
    await new Promise((resolve) => setImmediate(resolve));
    const problems = [...failures];
    if (thrown !== undefined) problems.unshift(errorMessage(thrown));
    for (const r of rejections) problems.push(errorMessage(r));
    if (store.logErrorCount > 0 && problems.length === 0) problems.push(`the program logged ${store.logErrorCount} error(s) (see above)`);
    // The same failure often arrives twice (from the monitor, and wrapped in the SDK's rejection).
    const unique = [...new Set(problems.map((p) => p.trim()).filter((p) => p.length > 0))];
    const distinct = unique.filter((p) => !unique.some((q) => q !== p && p.includes(q)));
    if (distinct.length > 0) throw new SynthError(distinct.join("\n"));
    if (problems.length > 0) throw new SynthError("the program failed without a message");
    return { resources: records, outputs: outputs.value, componentOutputs: outputs.components };
  } finally {
    process.off("unhandledRejection", onRejection);
    restoreStructs();
    restoreSerialization();
    restoreAliases();
    active = false;
  }
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.replace(/^Running program '[^']*' failed with an unhandled exception:\s*/, "");
  return String(err);
}
