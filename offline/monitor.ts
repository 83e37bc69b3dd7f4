/**
 * The recording resource monitor: the SDK's MockMonitor with registerResource, invoke,
 * readResource and registerResourceOutputs answered as the real engine and providers would
 * (see providers.ts; what keel cannot answer, the mocks file does), every registration recorded
 * with its inputs and options.
 */
import { protectSecrets } from "./mocks-file";
import { NewResource, UnknownCallError, UnknownReadError, call, mockSecrets, newResource, readExisting } from "./providers";
import { Json, SECRET_SIG, SIG_KEY, redact, secretValue, unwrap } from "./values";

/** The resource options a registration carried; only those set. */
export interface RecordedOptions {
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  readonly deleteBeforeReplace?: boolean;
  /** URNs it depends on beyond its inputs (`dependsOn`, expanded to components' children). */
  readonly dependsOn?: readonly string[];
  readonly ignoreChanges?: readonly string[];
  readonly replaceOnChanges?: readonly string[];
  /** URN of the explicit provider. */
  readonly provider?: string;
  readonly deletedWith?: string;
  /** Aliases: URNs, or `{ name, type, parent, noParent, stack, project }` specs. */
  readonly aliases?: readonly (string | Record<string, string | boolean>)[];
}

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
  /** The options set on the resource (what plan.json records). */
  readonly options: RecordedOptions;
}

export interface MonitorState {
  readonly records: RecordedResource[];
  readonly failures: string[];
  outputs: Record<string, unknown>;
  readonly components: Map<string, Record<string, unknown>>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the SDK's request objects are untyped here */

/** `<type> "<name>"` of a URN, or "the stack". */
export function describeUrn(urn: string): string {
  if (!urn || urn.includes("::pulumi:pulumi:Stack::")) return "the stack";
  const parts = urn.split("::");
  const name = parts.slice(3).join("::");
  const chain = parts[2] ?? "";
  return `${chain.slice(chain.lastIndexOf("$") + 1)} "${name}"`;
}

export function duplicateUrnMessage(urn: string, type: string, name: string, firstParent: string, secondParent: string): string {
  const a = describeUrn(firstParent);
  const b = describeUrn(secondParent);
  const where = a === b ? `both under ${a}` : `one under ${a}, the other under ${b}`;
  return `duplicate resource URN ${urn}: two resources of type ${type} are named "${name}"; resource names must be unique per type (${where})`;
}

function aliasOf(alias: any): string | Record<string, string | boolean> {
  const urn: string = alias.getUrn?.() ?? "";
  if (urn) return urn;
  const spec = alias.getSpec?.();
  if (!spec) return {};
  const out: Record<string, string | boolean> = {};
  const fields: [string, string][] = [["name", spec.getName()], ["type", spec.getType()], ["parent", spec.getParenturn()], ["stack", spec.getStack()], ["project", spec.getProject()]];
  for (const [key, value] of fields) if (value) out[key] = value;
  if (spec.getNoparent()) out.noParent = true;
  return out;
}

/** The options of a RegisterResourceRequest, only those set (fixed key order: plan.json is byte-stable). */
export function optionsOf(req: any, dependencies: readonly string[]): RecordedOptions {
  const options: Record<string, unknown> = {};
  if (req.hasProtect?.()) options.protect = req.getProtect();
  if (req.hasRetainondelete?.()) options.retainOnDelete = req.getRetainondelete();
  if (req.getDeletebeforereplacedefined()) options.deleteBeforeReplace = req.getDeletebeforereplace();
  const propertyDeps = new Set<string>();
  const map = req.getPropertydependenciesMap();
  if (map && typeof map.forEach === "function") map.forEach((deps: any) => deps.getUrnsList().forEach((u: string) => propertyDeps.add(u)));
  const explicit = dependencies.filter((u) => !propertyDeps.has(u));
  if (explicit.length > 0) options.dependsOn = explicit;
  const ignore: string[] = req.getIgnorechangesList();
  if (ignore.length > 0) options.ignoreChanges = [...ignore];
  const replace: string[] = req.getReplaceonchangesList();
  if (replace.length > 0) options.replaceOnChanges = [...replace];
  const provider: string = req.getProvider();
  if (provider) options.provider = provider.slice(0, provider.lastIndexOf("::"));
  const deletedWith: string = req.getDeletedwith();
  if (deletedWith) options.deletedWith = deletedWith;
  const aliases = [...(req.getAliasesList?.() ?? [])].map(aliasOf);
  const aliasUrns: string[] = req.getAliasurnsList?.() ?? [];
  const allAliases = [...aliases, ...aliasUrns];
  if (allAliases.length > 0) options.aliases = allAliases;
  return options as RecordedOptions;
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

function responseOf(urn: string, id: string, state: Record<string, unknown>) {
  return {
    getUrn: () => urn,
    getId: () => id,
    getObject: () => ({ toJavaScript: () => state }),
    getPropertydependenciesMap: () => undefined,
    getResult: () => 0,
    getUnknown: () => false,
  };
}

/** The args of an invoke with their secrets, by the plain args the SDK sends (it unwraps secrets before the call). */
const secretArgs = new WeakMap<object, unknown>();
const REMEMBERS = Symbol("keel: remembers secret invoke args");

/** Notes the secrets of invoke args, so that a message shows them as `[secret]` (the same values pass on unchanged). */
function rememberSecretArgs(rpc: any): void {
  if (rpc.unwrapSecretValues[REMEMBERS]) return;
  const original = rpc.unwrapSecretValues;
  const remembering = (value: unknown) => {
    const result = original(value);
    if (result[1] && typeof result[0] === "object" && result[0] !== null) secretArgs.set(result[0], value);
    return result;
  };
  remembering[REMEMBERS] = true;
  rpc.unwrapSecretValues = remembering;
}

/** The failure a monitor call answers with: the SDK shows `details`. */
function failure(message: string): Error {
  return Object.assign(new Error(message), { details: message });
}

export function createMonitor(sdk: { mocks: any; rpc: any }, recorded: MonitorState) {
  rememberSecretArgs(sdk.rpc);
  const { records, failures } = recorded;
  const Base = sdk.mocks.MockMonitor;
  const monitor = new Base({ newResource: () => ({ id: "", state: {} }), call: () => ({}) });
  // URNs as the engine makes them: the type is the parent's whole type chain (not only its last
  // type) joined by "$", and the stack's own type is not part of it.
  const baseNewUrn = monitor.newUrn.bind(monitor);
  monitor.newUrn = (parent: string, type: string, name: string): string => {
    const urn: string = baseNewUrn("", type, name);
    if (!parent) return urn;
    // urn:pulumi:<stack>::<project>::<type>::<name>: the type is the third "::" field.
    const afterProject = parent.indexOf("::", parent.indexOf("::") + 2) + 2;
    const parentType = afterProject > 1 ? parent.slice(afterProject, parent.indexOf("::", afterProject)) : "";
    if (parentType === "" || parentType === "pulumi:pulumi:Stack") return urn;
    const prefix = urn.slice(0, urn.length - `${type}::${name}`.length);
    return `${prefix}${parentType}$${type}::${name}`;
  };
  const parents = new Map<string, string>();
  const duplicates = new Set<string>();
  monitor.registerResource = async (req: any, callback: (err: unknown, resp?: unknown) => void) => {
    try {
      const type: string = req.getType();
      const name: string = req.getName();
      const parent: string = req.getParent();
      const custom: boolean = req.getCustom();
      const urn: string = monitor.newUrn(parent, type, name);
      // A duplicate fails the run, but is answered like any registration: the program runs on
      // (nothing waits forever on its outputs) and every problem is reported. The children of a
      // duplicate are duplicates themselves: reported once, as their parent.
      const duplicate = parents.has(urn);
      if (duplicate && !duplicates.has(parent)) failures.push(duplicateUrnMessage(urn, type, name, parents.get(urn) as string, parent));
      if (duplicate) duplicates.add(urn);
      else parents.set(urn, parent);
      const inputs = protectSecrets(req.getObject().toJavaScript(), mockSecrets()) as Record<string, unknown>;
      const request: NewResource = { type, name, urn, custom, inputs };
      const result = newResource(request);
      const state: Record<string, unknown> = { ...inputs };
      for (const [key, value] of Object.entries(result.outputs)) state[key] = mergeOutput(inputs[key], value);
      const secretOutputs: string[] = req.getAdditionalsecretoutputsList();
      for (const key of secretOutputs) if (state[key] !== undefined) state[key] = secretValue(state[key]);
      if (duplicate) {
        callback(null, responseOf(urn, result.id, state));
        return;
      }
      monitor.resources.set(urn, { urn, id: result.id || null, state });
      const dependencies = [...req.getDependenciesList()].sort();
      const options = optionsOf(req, dependencies);
      records.push({
        urn,
        type,
        name,
        parent,
        custom,
        inputs,
        state,
        id: result.id,
        dependencies,
        provider: req.getProvider(),
        additionalSecretOutputs: secretOutputs,
        protect: options.protect === true,
        retainOnDelete: options.retainOnDelete === true,
        options,
      });
      callback(null, responseOf(urn, result.id, state));
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
      const struct = req.getArgs();
      const args = unwrap(sdk.rpc.deserializeProperties(struct)) as Record<string, Json>;
      const withSecrets = secretArgs.get(struct?.toJavaScript?.() ?? {});
      const answer = call(token, args, (withSecrets !== undefined ? redact(withSecrets) : args) as Record<string, Json>);
      callback(null, { getReturn: () => ({ toJavaScript: () => answer }), getFailuresList: () => [] });
    } catch (err) {
      // What nothing answers fails the run and gets no answer at all: the run ends with this
      // message, and no rejection of the program's outlives the run.
      if (err instanceof UnknownCallError) return void failures.push(err.message);
      const message = `provider function ${token} failed: ${(err as Error).message}`;
      failures.push(message);
      callback(failure(message));
    }
  };
  monitor.readResource = async (req: any, callback: (err: unknown, resp?: unknown) => void) => {
    const type: string = req.getType();
    const name: string = req.getName();
    const id: string = req.getId();
    try {
      const state = readExisting(type, name, id);
      const urn: string = monitor.newUrn(req.getParent(), type, name);
      monitor.resources.set(urn, { urn, id, state });
      callback(null, { getUrn: () => urn, getProperties: () => ({ toJavaScript: () => state }) });
    } catch (err) {
      if (err instanceof UnknownReadError) return void failures.push(err.message);
      const message = `reading an existing resource ${type} "${name}" (id ${id}) failed: ${(err as Error).message}`;
      failures.push(message);
      callback(failure(message));
    }
  };
  const baseOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: any, callback: (err: unknown, resp?: unknown) => void) => {
    const urn: string = req.getUrn();
    if (urn.includes("::pulumi:pulumi:Stack::")) recorded.outputs = protectSecrets(req.getOutputs()?.toJavaScript() ?? {}, mockSecrets()) as Record<string, unknown>;
    else recorded.components.set(urn, req.getOutputs()?.toJavaScript() ?? {});
    baseOutputs(req, callback);
  };
  return monitor;
}
