/**
 * Runs a Pulumi program under the SDK's mock runtime with a recording monitor. The monitor
 * answers as the real providers would (see providers.ts) and records every registration:
 * type, name, parent, inputs (secrets still marked) and dependencies.
 *
 * Speed: the SDK captures a stack trace per resource and per promise for the CLI's source
 * positions and leak reports. Neither changes a resource, so the engine switches them off.
 */
import { installFastSerialization } from "./fast-serialize";
import { duplicateObjectProblems } from "./identity";
import { MonitorState, RecordedResource, createMonitor } from "./monitor";
import { programErrorMessage } from "./program-error";
import { activeResources, pendingBeyond, resourceCounts, untilQuiet, watchForStall } from "./watchdog";

export type { RecordedResource, RecordedOptions } from "./monitor";

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
  /**
   * Two resources writing one Kubernetes object (same cluster, group, kind, namespace, name)
   * fail the run; "ignore" is for probes that build many variants of one component side by
   * side in one run. @default "error"
   */
  readonly duplicateObjects?: "error" | "ignore";
  /** The run fails when the program has not finished (its timers, I/O, registrations) after this many seconds. @default 600 */
  readonly timeoutSeconds?: number;
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
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
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

/** Where the SDK's failed resource operations go during a run (see switchOffCliDiagnostics). */
let operationFailed: (err: unknown) => void = () => undefined;

/** The rejection handler of every registration (one function, not a closure per call). */
const registrationFailed = (err: unknown): void => operationFailed(err);

/** Errors of failed registrations: the URN, ID and outputs of such a resource reject with them too. */
const failedRegistrations = new WeakSet<object>();

/**
 * Also: the SDK leaves a failed resource operation as an unhandled rejection for the language
 * host to report. In-process (tests, `keel/offline`) that would reach the host process's
 * handlers (jest fails an unrelated test); here the run collects it as the program's failure.
 */
function switchOffCliDiagnostics(sdk: Sdk): void {
  sdk.resource.Resource.callsites = () => [];
  sdk.debuggable.debuggablePromise = <T>(p: Promise<T>, label?: unknown) => {
    // The registration itself: its failure is the run's failure, whoever else awaits it. (Only
    // this label: the hook runs for every property of every resource and must stay cheap.)
    if (typeof label === "string" && label.startsWith("resource:")) p.catch(registrationFailed);
    return p;
  };
  sdk.rpc.suppressUnhandledGrpcRejections = <T>(p: Promise<T>) => p.catch((err: unknown) => operationFailed(err));
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
    if (merged && merged.aliases) {
      // The user's own aliases stay (plan.json records them); a provider's retired type tokens go.
      const own = (merged.aliases as unknown[]).filter((a) => !isRetiredTypeAlias(a));
      merged.aliases = own.length > 0 ? own : undefined;
    }
    return merged;
  };
  for (const m of modules) m.mergeOptions = withoutAliases;
  return () => {
    for (const m of modules) m.mergeOptions = original;
  };
}

/** `{ type: "kubernetes:apps/v1beta1:Deployment" }`: what @pulumi/kubernetes adds to every resource. */
function isRetiredTypeAlias(alias: unknown): boolean {
  if (typeof alias !== "object" || alias === null) return false;
  const keys = Object.keys(alias);
  return keys.length === 1 && keys[0] === "type" && typeof (alias as { type: unknown }).type === "string" && (alias as { type: string }).type.startsWith("kubernetes:");
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

let active = false;

/** Whether a run is in progress (it collects the process's uncaught errors itself). */
export function runActive(): boolean {
  return active;
}

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
  const state: MonitorState = { records: [], failures: [], outputs: {}, components: new Map() };
  const { records, failures } = state;
  const rejections: unknown[] = [];
  // A failed registration also rejects the resource's URN, ID and outputs with its error: nobody
  // awaiting those is not a second failure.
  const onRejection = (reason: unknown) => {
    if (typeof reason === "object" && reason !== null && failedRegistrations.has(reason)) return;
    rejections.push(reason);
  };
  const onFailedRegistration = (reason: unknown) => {
    if (typeof reason === "object" && reason !== null) failedRegistrations.add(reason);
    rejections.push(reason);
  };
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onRejection);
  operationFailed = onFailedRegistration;
  // A program that exits the process would end keel with its exit code (0: a silent pass).
  const exit = process.exit;
  const proc = process as unknown as { reallyExit: unknown };
  const reallyExit = proc.reallyExit;
  const refuseExit = (what: string) => (code?: number | string | null) => {
    throw new SynthError(`the program called ${what}(${code ?? ""}); a Pulumi program ends by returning (or throwing)`);
  };
  process.exit = refuseExit("process.exit") as typeof process.exit;
  proc.reallyExit = refuseExit("process.reallyExit");
  // What the program prints goes to stderr: keel's stdout is its report (--format json).
  const stdoutWrite = process.stdout.write;
  // Both streams exist before the baseline is taken: a handle the first write would open is not the program's pending work.
  const stderr = process.stderr;
  process.stdout.write = ((...args: unknown[]) => (stderr.write as (...a: unknown[]) => boolean).apply(stderr, args)) as typeof process.stdout.write;
  const baseline = resourceCounts(activeResources());
  const watchdog = watchForStall(() => failures.length > 0 || rejections.length > 0, 3, baseline);
  const timeoutSeconds = options.timeoutSeconds ?? 600;
  let timeoutTimer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => (timeoutTimer = setTimeout(() => resolve("timeout"), timeoutSeconds * 1000).unref()));
  try {
    const monitor = createMonitor(sdk, state);
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
    const work = (async () => {
      await sdk.stack.runInPulumiStack(async () => {
        let exported = await program();
        if (typeof exported === "function") exported = await (exported as () => unknown)();
        return exported;
      });
      await sdk.settings.waitForRPCs();
      return "done" as const;
    })();
    // A program that awaits something nobody resolves (e.g. the Output of a resource whose
    // registration failed) never ends: the watchdog notices, and the run fails with what it has.
    let outcome = await Promise.race([work.catch((err: unknown) => ((thrown = err), "thrown" as const)), watchdog.stalled.then(() => "stalled" as const), timedOut]);
    watchdog.stop();
    // As Pulumi's Node.js host: the program is done only when the event loop has no more work
    // (timers, I/O) and every registration it started is answered; resources registered after
    // an await or in a timer count, and so do errors thrown there.
    if (outcome === "done") {
      let gaveUp = false;
      const settle = async (): Promise<"done"> => {
        for (;;) {
          const count = records.length;
          await untilQuiet(baseline, 3, () => gaveUp);
          await sdk.settings.waitForRPCs();
          if (records.length === count && pendingBeyond(baseline).length === 0) return "done";
        }
      };
      outcome = await Promise.race([settle(), timedOut]);
      // The polling stops with the run: nothing of it is left to keep a later run (or the process) busy.
      gaveUp = true;
    }
    if (outcome === "timeout") {
      // An Immediate runs at the next turn and holds nothing up (keel's own polling queues them):
      // what keeps a program from finishing is a timer, an interval or I/O.
      const pending = pendingBeyond(baseline).filter((type) => type !== "Immediate");
      throw new SynthError(
        `the program did not finish within ${timeoutSeconds} s (--timeout): ${pending.length > 0 ? `still pending: ${pending.join(", ")} (a timer, interval or request the program started)` : "it was still working"}; ${records.length} resources registered`,
      );
    }
    await new Promise((resolve) => setImmediate(resolve));
    const problems = [...failures];
    if (thrown !== undefined) problems.unshift(programErrorMessage(thrown));
    for (const r of rejections) problems.push(programErrorMessage(r));
    if (store.logErrorCount > 0 && problems.length === 0) problems.push(`the program logged ${store.logErrorCount} error(s) (see above)`);
    if (outcome === "stalled" && problems.length === 0) problems.push(neverFinished(records));
    // The same failure often arrives twice (from the monitor, and wrapped in the SDK's rejection).
    const unique = [...new Set(problems.map((p) => p.trim()).filter((p) => p.length > 0))];
    const distinct = unique.filter((p) => !unique.some((q) => q !== p && p.includes(q)));
    // The first error the program threw travels along as the cause (its stack: KEEL_DEBUG=1).
    if (distinct.length > 0) throw new SynthError(distinct.join("\n"), { cause: thrown ?? rejections[0] });
    if (problems.length > 0) throw new SynthError("the program failed without a message");
    const duplicates = options.duplicateObjects === "ignore" ? [] : duplicateObjectProblems(records);
    if (duplicates.length > 0) throw new SynthError(duplicates.join("\n"));
    return { resources: records, outputs: state.outputs, componentOutputs: state.components };
  } finally {
    watchdog.stop();
    clearTimeout(timeoutTimer);
    process.stdout.write = stdoutWrite;
    proc.reallyExit = reallyExit;
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onRejection);
    process.exit = exit;
    operationFailed = () => undefined;
    restoreStructs();
    restoreSerialization();
    restoreAliases();
    active = false;
  }
}

function neverFinished(records: readonly RecordedResource[]): string {
  const last = records.length > 0 ? `; the last resource registered was ${records[records.length - 1].type} "${records[records.length - 1].name}"` : "";
  return `the program never finished: it waits for a promise that is never resolved (${records.length} resources registered${last})`;
}
