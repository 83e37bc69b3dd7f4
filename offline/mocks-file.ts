/**
 * The mocks file (`keel.mocks.yaml` or `keel.mocks.json` in the project, or `--mocks <file>`):
 * answers a consumer gives for what keel cannot answer offline: provider functions (invokes),
 * reads of existing resources (`Resource.get`) and stack references. Pure: parsing,
 * validation, matching and the messages that say how to answer a call (docs/offline-mocks.md).
 */
import { closest } from "../components/core/did-you-mean";
import { Json, REDACTED, SIG_KEY, secretValue } from "./values";
import { documentValue, parseJsonStrict, parseYaml } from "./yaml-input";

export const MOCKS_FILES = ["keel.mocks.yaml", "keel.mocks.json"] as const;
const TOP_KEYS = ["calls", "resources", "stackReferences"];
const ANSWER_KEYS = ["args", "result"];
const TOKEN = /^[^:\s]+:[^:\s]*:[^:\s]+$/;
const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";
/** Secrets at least this long are also found inside longer strings (a URL with a password in it). */
const CONTAINED_SECRET_LENGTH = 8;

/** One answer for a provider function: used for a call whose args contain `args` (all calls without). */
export interface CallAnswer {
  readonly args?: Readonly<Record<string, Json>>;
  /** On the wire: a field holding a secret is a secret. */
  readonly result: Readonly<Record<string, unknown>>;
}

/** Where the mocks file is (or would be) and whether there is one. */
export interface MocksLocation {
  readonly file: string;
  readonly exists: boolean;
}

export interface Mocks extends MocksLocation {
  readonly calls: Readonly<Record<string, readonly CallAnswer[]>>;
  /** State by resource type, then id; on the wire. */
  readonly resources: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  /** Outputs by stack name; on the wire. */
  readonly stackReferences: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The clear text of every secret string in the file (nothing keel writes may show one). */
  readonly secrets: readonly string[];
}

export function emptyMocks(location: MocksLocation): Mocks {
  return { ...location, calls: {}, resources: {}, stackReferences: {}, secrets: [] };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null || value === undefined) return "empty";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value} (${JSON.stringify(value)})`;
}

/** `calls."aws:ec2/getVpc:getVpc"[0].result`: a key that is not a plain name is quoted. */
export function keyPath(parts: readonly (string | number)[]): string {
  return parts.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p) ? p : JSON.stringify(p)}`)).join("");
}

/** A secret in the file: a mapping whose only key is `secret`. */
function isSecretWrapper(value: unknown): value is { secret: unknown } {
  return isMapping(value) && Object.keys(value).length === 1 && "secret" in value;
}

/** The plain value (secret wrappers removed); their strings go to `secrets`. */
function reveal(value: unknown, secrets: Set<string> | undefined, found: { secret: boolean }): Json {
  if (isSecretWrapper(value)) {
    found.secret = true;
    const inner = reveal(value.secret, undefined, { secret: false });
    if (secrets) for (const s of stringsOf(inner)) secrets.add(s);
    return inner;
  }
  if (Array.isArray(value)) return value.map((v) => reveal(v, secrets, found));
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v, secrets, found)]));
  return value as Json;
}

function stringsOf(value: Json): string[] {
  if (typeof value === "string") return value.length > 0 ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (isMapping(value)) return Object.values(value).flatMap(stringsOf);
  return [];
}

/** Fields as the program receives them: a field with a secret anywhere in it is a secret (Pulumi tracks secrets per field). */
function wireFields(fields: Record<string, unknown>, secrets: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const found = { secret: false };
    const plain = reveal(value, secrets, found);
    out[key] = found.secret ? secretValue(plain) : plain;
  }
  return out;
}

/**
 * The mocks file's content, or its problems (one line each, naming the file and the path in
 * it). `builtIn`: the tokens keel answers itself (a mocks entry cannot replace one).
 */
export function parseMocks(location: MocksLocation, text: string, builtIn: readonly string[]): Mocks | { readonly problems: readonly string[] } {
  const { file } = location;
  let doc: unknown;
  if (file.endsWith(".json")) {
    try {
      doc = parseJsonStrict(text);
    } catch (err) {
      return { problems: [`${file} is not valid JSON: ${(err as Error).message}`] };
    }
  } else {
    const parsed = parseYaml(text);
    if ("problem" in parsed) return { problems: [`${file} is not valid YAML: ${parsed.problem}`] };
    const converted = documentValue(parsed.doc);
    if ("problem" in converted) return { problems: [`${file}: ${converted.problem}`] };
    doc = converted.value;
  }
  if (doc === null || doc === undefined) return emptyMocks(location);
  if (!isMapping(doc)) return { problems: [`${file} is ${kindOf(doc)}; expected a mapping with calls, resources or stackReferences`] };
  const problems: string[] = [];
  const at = (parts: readonly (string | number)[], text: string) => problems.push(`${file}: ${keyPath(parts)} ${text}`);
  for (const key of Object.keys(doc).filter((k) => !TOP_KEYS.includes(k))) {
    const near = closest(key, TOP_KEYS);
    problems.push(`${file}: ${JSON.stringify(key)} is not a mocks file key${near ? ` (did you mean "${near}"?)` : ""}; expected one of ${TOP_KEYS.join(", ")}`);
  }
  const secrets = new Set<string>();
  const section = (key: string, expected: string): Record<string, unknown> => {
    const value = doc[key];
    if (value === undefined || value === null) return {};
    if (isMapping(value)) return value;
    at([key], `is ${kindOf(value)}; expected ${expected}`);
    return {};
  };

  const calls: Record<string, CallAnswer[]> = {};
  for (const [token, entries] of Object.entries(section("calls", "a mapping of provider function tokens (<package>:<module>:<function>) to lists of answers"))) {
    if (!TOKEN.test(token)) {
      at(["calls"], `key ${JSON.stringify(token)} is not a provider function token; expected <package>:<module>:<function>, e.g. "aws:ec2/getVpc:getVpc"`);
      continue;
    }
    if (builtIn.includes(token)) {
      at(["calls", token], "is a function keel answers itself; remove the entry (a mocks file adds answers, it does not replace keel's)");
      continue;
    }
    if (!Array.isArray(entries)) {
      at(["calls", token], `is ${kindOf(entries)}; expected a list of answers, each a mapping with result (and optionally args)`);
      continue;
    }
    const answers: CallAnswer[] = [];
    for (const [i, entry] of entries.entries()) {
      const where = ["calls", token, i];
      if (!isMapping(entry)) {
        at(where, `is ${kindOf(entry)}; expected a mapping with result (and optionally args)`);
        continue;
      }
      for (const key of Object.keys(entry).filter((k) => !ANSWER_KEYS.includes(k))) {
        const near = closest(key, ANSWER_KEYS);
        at(where, `has ${JSON.stringify(key)}${near ? ` (did you mean "${near}"?)` : ""}; expected args and result`);
      }
      if (entry.args !== undefined && !isMapping(entry.args)) at([...where, "args"], `is ${kindOf(entry.args)}; expected a mapping of the arguments to match (a part of the call's arguments)`);
      if (!("result" in entry)) at(where, "has no result; expected result: a mapping of the function's result fields");
      else if (!isMapping(entry.result)) at([...where, "result"], `is ${kindOf(entry.result)}; expected a mapping of the function's result fields`);
      else answers.push(isMapping(entry.args) ? { args: reveal(entry.args, undefined, { secret: false }) as Record<string, Json>, result: wireFields(entry.result, secrets) } : { result: wireFields(entry.result, secrets) });
    }
    calls[token] = answers;
  }

  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [type, byId] of Object.entries(section("resources", "a mapping of resource types (<package>:<module>:<Type>) to mappings of ids to state"))) {
    if (type === STACK_REFERENCE_TYPE) {
      at(["resources", type], "is a stack reference; give its outputs under stackReferences (by stack name)");
      continue;
    }
    if (!TOKEN.test(type)) {
      at(["resources"], `key ${JSON.stringify(type)} is not a resource type; expected <package>:<module>:<Type>, e.g. "aws:ec2/vpc:Vpc"`);
      continue;
    }
    if (!isMapping(byId)) {
      at(["resources", type], `is ${kindOf(byId)}; expected a mapping of ids to the resource's state`);
      continue;
    }
    resources[type] = {};
    for (const [id, state] of Object.entries(byId)) {
      if (isMapping(state)) resources[type][id] = wireFields(state, secrets);
      else at(["resources", type, id], `is ${kindOf(state)}; expected a mapping of the resource's output fields`);
    }
  }

  const stackReferences: Record<string, Record<string, unknown>> = {};
  for (const [stack, outputs] of Object.entries(section("stackReferences", "a mapping of stack names (<org>/<project>/<stack>) to their outputs"))) {
    if (isMapping(outputs)) stackReferences[stack] = wireFields(outputs, secrets);
    else at(["stackReferences", stack], `is ${kindOf(outputs)}; expected a mapping of output names to values`);
  }
  if (problems.length > 0) return { problems };
  return { ...location, calls, resources, stackReferences, secrets: [...secrets].sort() };
}

/** Whether `pattern` is contained in `actual`: every key of a mapping matches (others may be there), lists match element by element. */
export function contains(pattern: Json, actual: Json | undefined): boolean {
  if (Array.isArray(pattern)) return Array.isArray(actual) && actual.length === pattern.length && pattern.every((p, i) => contains(p, actual[i]));
  if (isMapping(pattern)) return isMapping(actual) && Object.entries(pattern).every(([k, p]) => contains(p, (actual as Record<string, Json>)[k]));
  return pattern === actual;
}

/** The first answer whose args the call's args contain. */
export function answerFor(mocks: Mocks | undefined, token: string, args: Record<string, Json>): CallAnswer | undefined {
  return mocks?.calls[token]?.find((a) => a.args === undefined || contains(a.args as Json, args));
}

/** A wire value with every string that shows a secret of the mocks file marked secret. */
export function protectSecrets(value: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return value;
  const shows = (s: string) => secrets.some((secret) => s === secret || (secret.length >= CONTAINED_SECRET_LENGTH && s.includes(secret)));
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return shows(v) ? secretValue(v) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (!isMapping(v) || SIG_KEY in v) return v;
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, walk(e)]));
  };
  return walk(value);
}

const SHOWN_ARGS = 200;

/** Args as a message shows them: JSON, at most 200 characters. */
function shownArgs(args: Json): string {
  const text = JSON.stringify(args);
  return text.length > SHOWN_ARGS ? `${text.slice(0, SHOWN_ARGS - 3)}...` : text;
}

/** The args for a snippet: without secrets; when long, only the short top-level fields (a part matches too). */
function snippetArgs(shown: Record<string, Json>): Record<string, Json> {
  const plain = Object.fromEntries(Object.entries(shown).filter(([, v]) => !JSON.stringify(v).includes(JSON.stringify(REDACTED))));
  if (JSON.stringify(plain).length <= SHOWN_ARGS) return plain;
  return Object.fromEntries(Object.entries(plain).filter(([, v]) => (typeof v !== "object" || v === null) && JSON.stringify(v).length <= 80));
}

function where(location: MocksLocation | undefined): string {
  if (!location) return `${MOCKS_FILES[0]} in the project directory (or --mocks <file>)`;
  if (location.exists) return location.file;
  return `${location.file} (there is none: create it, or pass --mocks <file>)`;
}

/** A provider function neither keel nor the mocks file answers; `shown`: its args with secrets as `[secret]`. */
export function unansweredCallMessage(token: string, shown: Record<string, Json>, mocks: Mocks | undefined, builtIn: readonly string[]): string {
  const answers = mocks?.calls[token] ?? [];
  const called = Object.keys(shown).length > 0 ? ` (called with ${shownArgs(shown)})` : "";
  const head =
    answers.length > 0
      ? `provider function ${token} has no offline answer for these args${called}: none of the ${answers.length} entries for it in ${where(mocks)} matches (${answers.map((a, i) => `[${i}] args ${a.args ? shownArgs(a.args as Json) : "(any)"}`).join("; ")}); add an entry (entries match in order, args as a part of the call's args):`
      : `provider function ${token} has no offline answer${called}; keel answers ${builtIn.length > 0 ? builtIn.join(", ") : "none"} itself. Give its result in ${where(mocks)}:`;
  const args = snippetArgs(shown);
  return [
    head,
    "  calls:",
    `    ${JSON.stringify(token)}:`,
    ...(Object.keys(args).length > 0 ? [`      - args: ${JSON.stringify(args)}`, "        result: {}   # the fields the program reads"] : ["      - result: {}   # the fields the program reads"]),
  ].join("\n");
}

/** A `Resource.get` the mocks file does not answer. */
export function unansweredReadMessage(type: string, name: string, id: string, mocks: Mocks | undefined): string {
  const known = Object.keys(mocks?.resources[type] ?? {});
  const has = known.length > 0 ? ` (it has ${type} ids ${known.join(", ")})` : "";
  return [
    `reading an existing resource ${type} "${name}" (id ${id}) needs the real provider; give its state in ${where(mocks)}${has}:`,
    "  resources:",
    `    ${JSON.stringify(type)}:`,
    `      ${JSON.stringify(id)}: {}   # the fields the program reads`,
  ].join("\n");
}

/**
 * The outputs of a stack-refs file (stack-refs.ts): a JSON object of output name → value, a
 * `{ "secret": value }` a secret (as in the mocks file); or what is wrong with it, naming the file.
 */
export function parseStackOutputs(file: string, text: string): { readonly outputs: Record<string, unknown>; readonly secrets: readonly string[] } | { readonly problem: string } {
  let doc: unknown;
  try {
    doc = parseJsonStrict(text);
  } catch (err) {
    return { problem: `${file} is not valid JSON: ${(err as Error).message}` };
  }
  if (!isMapping(doc)) return { problem: `${file} is ${kindOf(doc)}; expected a JSON object of the stack's outputs (output name: value, {"secret": value} for a secret)` };
  const secrets = new Set<string>();
  return { outputs: wireFields(doc, secrets), secrets: [...secrets].sort() };
}

/** A `pulumi.StackReference` the mocks file does not answer; `file`: the stack-refs file keel looked for (none without a mocks file in use, as in-process). */
export function unansweredStackReferenceMessage(stack: string, mocks: Mocks | undefined, file?: string): string {
  const known = Object.keys(mocks?.stackReferences ?? {});
  const has = known.length > 0 ? ` (it has ${known.join(", ")})` : "";
  const inFile = file ? `${file} (there is none: a JSON object of output name: value, {"secret": value} for a secret), or in ` : "";
  return [
    `stack reference ${stack} needs the referenced stack's outputs; give the outputs the program reads in ${inFile}${where(mocks)}${has}:`,
    "  stackReferences:",
    `    ${JSON.stringify(stack)}: {}   # output name: value`,
  ].join("\n");
}
