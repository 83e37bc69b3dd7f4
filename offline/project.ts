/**
 * A Pulumi project on disk: `Pulumi.yaml` (name, main) and `Pulumi.<stack>.yaml` (config),
 * read the way the Pulumi CLI reads them, and its TypeScript program loaded with a
 * transpile-only loader.
 */
import * as fs from "fs";
import * as path from "path";
import { closest } from "../components/core/did-you-mean";
import { UNDECRYPTED_SECRET } from "../components/core/errors";
import { MOCKS_FILES, Mocks, MocksLocation, emptyMocks, parseMocks } from "./mocks-file";
import { documentValue, parseJsonStrict, parseYaml } from "./yaml-input";
import { SynthError } from "./runtime";

export interface ProjectInfo {
  readonly dir: string;
  readonly name: string;
  /** Absolute path of the program's entry file. */
  readonly main: string;
  /** Where the stack files are (Pulumi.yaml `stackConfigDir`). @default dir */
  readonly stackConfigDir?: string;
  /** Project-level config defaults (Pulumi.yaml `config:`). */
  readonly defaults?: StackFile;
}

export interface StackFile {
  /** Config by full key (`project:key`), values as the CLI passes them (objects JSON-encoded). */
  readonly config: Record<string, string>;
  readonly secretKeys: string[];
}

/** Pulumi.yaml and stack files are small; anything larger is not one. */
const MAX_PROJECT_FILE = 16 * 1024 * 1024;

/** Reads a config-like file: a regular file, at most `limit` bytes, UTF-8 (a BOM is dropped). */
export function readTextFile(file: string, label: string, limit = MAX_PROJECT_FILE): string {
  let fd: number | undefined;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw new SynthError(`${label} is a directory; expected a file`);
    if (!stat.isFile()) throw new SynthError(`${label} is not a regular file (a ${stat.isFIFO() ? "named pipe" : stat.isSocket() ? "socket" : "device"}); expected a file`);
    if (stat.size > limit) throw new SynthError(`${label} is ${stat.size} bytes; expected at most ${limit}`);
    fd = fs.openSync(file, "r");
    const buf = Buffer.alloc(limit + 1);
    let length = 0;
    for (let n; length <= limit && (n = fs.readSync(fd, buf, length, limit + 1 - length, null)) > 0; ) length += n;
    if (length > limit) throw new SynthError(`${label} is larger than ${limit} bytes`);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(0, length));
    } catch {
      throw new SynthError(`${label} is not UTF-8 text (binary data?)`);
    }
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (err) {
    if (err instanceof SynthError) throw err;
    throw new SynthError(`cannot read ${label}: ${fileErrorText(err)}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A file-system error in words (with its code). */
export function fileErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? "";
  const words: Record<string, string> = {
    ENOENT: "no such file",
    ELOOP: "a symbolic link loop",
    EACCES: "permission denied",
    EPERM: "permission denied",
    EISDIR: "it is a directory",
    ENOTDIR: "a part of the path is a file, not a directory",
    ENAMETOOLONG: "the path is too long",
  };
  return words[code] ? `${words[code]} (${code})` : code || (err as Error).message;
}

function readYaml(file: string): unknown {
  const text = readTextFile(file, file);
  const parsed = parseYaml(text);
  if ("problem" in parsed) throw new SynthError(`${file} is not valid YAML: ${parsed.problem}`);
  const converted = documentValue(parsed.doc);
  if ("problem" in converted) throw new SynthError(`${file}: ${converted.problem}`);
  return converted.value;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? "a list" : value === null ? "empty" : `a ${typeof value} (${JSON.stringify(value)})`;
}

/** A secure value as the Pulumi CLI writes it: a mapping whose only key is `secure`. */
function isSecure(value: unknown): boolean {
  return isMapping(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

/** The value with every secure value (at any depth) replaced by `[secret]`; `found` tells whether there was one. */
function withSecretsRedacted(value: unknown, found: { secret: boolean }): unknown {
  if (isSecure(value)) {
    found.secret = true;
    return UNDECRYPTED_SECRET;
  }
  if (Array.isArray(value)) return value.map((v) => withSecretsRedacted(v, found));
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecretsRedacted(v, found)]));
  return value;
}

/** The keys of Pulumi.yaml (Pulumi's project schema). */
const PROJECT_KEYS = ["name", "runtime", "description", "main", "config", "stackConfigDir", "backend", "options", "template", "plugins", "author", "license", "website"];
/** The keys of a stack file. */
const STACK_KEYS = ["config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"];

function unknownKeys(file: string, doc: Record<string, unknown>, known: readonly string[], what: string): string[] {
  return Object.keys(doc)
    .filter((k) => !known.includes(k))
    .map((k) => {
      const near = closest(k, known);
      return `${file}: ${JSON.stringify(k)} is not a ${what} key${near ? ` (did you mean "${near}"?)` : ""}; expected one of ${known.join(", ")}`;
    });
}

/** The program a `main` names, as the Pulumi CLI finds it: the file itself, else its directory's package.json `main`, else index.ts or index.js there. */
function programFile(entry: string): string | undefined {
  const isFile = (f: string) => fs.existsSync(f) && fs.statSync(f).isFile();
  if (isFile(entry)) return entry;
  const candidates: string[] = [];
  const pkgFile = path.join(entry, "package.json");
  if (isFile(pkgFile)) {
    let pkgMain: unknown;
    try {
      pkgMain = (JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { main?: unknown }).main;
    } catch {
      pkgMain = undefined;
    }
    if (typeof pkgMain === "string" && pkgMain.trim().length > 0) {
      const target = path.resolve(entry, pkgMain);
      candidates.push(target, `${target}.ts`, `${target}.js`, path.join(target, "index.ts"), path.join(target, "index.js"));
    }
  }
  candidates.push(path.join(entry, "index.ts"), path.join(entry, "index.js"));
  return candidates.find(isFile);
}

export function readProject(dir: string): ProjectInfo {
  const file = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(file)) throw new SynthError(`no Pulumi.yaml in ${dir}; pass --dir <the Pulumi project directory>`);
  const doc = readYaml(file);
  if (!isMapping(doc)) throw new SynthError(`${file} is ${kindOf(doc)}; expected a mapping with name, runtime and main`);
  const problems = unknownKeys(file, doc, PROJECT_KEYS, "Pulumi.yaml");
  if (typeof doc.name !== "string") problems.push(`${file}: name is ${doc.name === undefined ? "missing" : kindOf(doc.name)}; expected the project name`);
  else if (!/^[A-Za-z0-9_.-]{1,100}$/.test(doc.name)) problems.push(`${file}: name is ${JSON.stringify(doc.name)}; expected a project name (letters, digits, "-", "_" and ".", 1 to 100)`);
  if (doc.main !== undefined && (typeof doc.main !== "string" || doc.main.trim().length === 0)) problems.push(`${file}: main is ${kindOf(doc.main)}; expected the path of the program (a file or directory)`);
  if (doc.stackConfigDir !== undefined && (typeof doc.stackConfigDir !== "string" || doc.stackConfigDir.trim().length === 0)) problems.push(`${file}: stackConfigDir is ${kindOf(doc.stackConfigDir)}; expected a directory`);
  if (doc.config !== undefined && doc.config !== null && !isMapping(doc.config)) problems.push(`${file}: config is ${kindOf(doc.config)}; expected a mapping of keys to values`);
  if (problems.length > 0) throw new SynthError(problems.join("\n"));
  const name = doc.name as string;
  const runtime = isMapping(doc.runtime) ? doc.runtime.name : doc.runtime;
  if (runtime !== "nodejs") throw new SynthError(`${file}: runtime is ${JSON.stringify(runtime)}; keel synth runs nodejs (TypeScript) programs`);
  const mainEntry = typeof doc.main === "string" ? doc.main : ".";
  const main = programFile(path.resolve(dir, mainEntry));
  if (!main) throw new SynthError(`${file}: cannot find the program (main ${JSON.stringify(mainEntry)}); expected a file, or a directory with a package.json "main" or an index.ts or index.js`);
  const stackConfigDir = typeof doc.stackConfigDir === "string" ? path.resolve(dir, doc.stackConfigDir) : undefined;
  const defaults = isMapping(doc.config) ? projectConfig(file, doc.config, name) : { config: {}, secretKeys: [] };
  return { dir, name, main, stackConfigDir, defaults };
}

/**
 * Project-level config (Pulumi.yaml `config:`), as Pulumi reads it: a value, `{ value: v }`, or a
 * declaration `{ type, description, secret, default: v, items }` (only a default gives a value).
 * The stack file's values win.
 */
function projectConfig(file: string, raw: Record<string, unknown>, projectName: string): StackFile {
  const DECLARATION = ["type", "description", "secret", "default", "items", "value"];
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(raw)) {
    if (isMapping(entry) && Object.keys(entry).length > 0 && Object.keys(entry).every((k) => DECLARATION.includes(k))) {
      if ("value" in entry && "default" in entry) problems.push(`${file}: config ${key} has both value and default; give one`);
      else if ("value" in entry) values[key] = entry.value;
      else if ("default" in entry) values[key] = entry.default;
      continue;
    }
    values[key] = entry;
  }
  if (problems.length > 0) throw new SynthError(problems.join("\n"));
  return configOf(`${file}: config`, values, projectName, (value) => value);
}

/**
 * Reads `Pulumi.<stack>.yaml` as the Pulumi CLI does: a key without a namespace belongs to the
 * project (`environment` is `<project>:environment`). Secure values cannot be decrypted
 * offline: they become `[secret]`, at any depth (`pulumi config set --secret --path`), and
 * their key is marked secret.
 */
export function readStackFile(project: ProjectInfo, stack: string, options: { readonly extraConfig?: boolean } = {}): StackFile {
  const stackDir = project.stackConfigDir ?? project.dir;
  const file = path.join(stackDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new SynthError(`no stack file Pulumi.${stack}.yaml in ${stackDir}${project.stackConfigDir ? " (stackConfigDir of Pulumi.yaml)" : ""}`);
  const doc = readYaml(file) ?? {};
  if (!isMapping(doc)) throw new SynthError(`${file} is ${kindOf(doc)}; expected a mapping with a config: section`);
  const unknown = unknownKeys(file, doc, STACK_KEYS, "stack file");
  if (unknown.length > 0) throw new SynthError(unknown.join("\n"));
  if (doc.environment === null) throw new SynthError(`${file}: environment is empty; remove it, or list the Pulumi ESC environments to import`);
  // An ESC import: its values must come from elsewhere (--stack-config), or the program would run without them.
  if (doc.environment !== undefined && !options.extraConfig) {
    throw new SynthError(
      `${file}: environment: ${JSON.stringify(doc.environment)} imports Pulumi ESC environments, which keel cannot open offline; give the values they provide in a JSON file with --stack-config <file.json> ({ "<namespace>:<name>": value }, a secret as { "secret": value }; pulumi env open <name> --format json shows them), or put them in the stack's config: section`,
    );
  }
  const rawConfig = doc.config ?? {};
  if (!isMapping(rawConfig)) throw new SynthError(`${file}: config is ${kindOf(rawConfig)}; expected a mapping of keys (<namespace>:<name>) to values`);
  const own = configOf(file, rawConfig, project.name, (value, found) => withSecretsRedacted(value, found));
  const defaults = project.defaults ?? { config: {}, secretKeys: [] };
  return { config: { ...defaults.config, ...own.config }, secretKeys: [...new Set([...defaults.secretKeys, ...own.secretKeys])] };
}

/**
 * Config entries by full key: a bare key is `<project>:key`; two spellings of one key, a key
 * with two namespaces or a key without a value are errors (one line each). `valueOf` turns a
 * value into what the program reads and says whether it is secret.
 */
function configOf(file: string, raw: Record<string, unknown>, projectName: string, valueOf: (value: unknown, found: { secret: boolean }) => unknown): StackFile {
  const config: Record<string, string> = {};
  const spelledAs = new Map<string, string>();
  const secretKeys: string[] = [];
  const problems: string[] = [];
  for (const [rawKey, value] of Object.entries(raw)) {
    const key = rawKey.includes(":") ? rawKey : `${projectName}:${rawKey}`;
    if (!/^[^:\s]+:[^:\s]+$/.test(key)) {
      problems.push(`${file}: config key ${JSON.stringify(rawKey)} is not of the form <namespace>:<name> (or <name>, for ${projectName}:<name>)`);
      continue;
    }
    const earlier = spelledAs.get(key);
    if (earlier !== undefined) {
      problems.push(`${file}: config keys ${JSON.stringify(earlier)} and ${JSON.stringify(rawKey)} are the same key ${key} (a key without a namespace belongs to the project ${projectName}); give it once`);
      continue;
    }
    spelledAs.set(key, rawKey);
    if (value === null || value === undefined) {
      problems.push(`${file}: config ${rawKey} has no value`);
      continue;
    }
    const found = { secret: false };
    const plain = valueOf(value, found);
    config[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
    if (found.secret) secretKeys.push(key);
  }
  if (problems.length > 0) throw new SynthError(problems.join("\n"));
  return { config, secretKeys };
}

/**
 * Extra stack config from a JSON file (`--stack-config`), e.g. values a Pulumi ESC environment
 * would give: `{ "<namespace>:<name>" | "<name>": value }`. A value `{ "secret": v }` is the
 * secret `v` (marked secret: nothing keel writes shows it).
 */
export function readStackConfigJson(file: string, projectName: string): StackFile {
  const text = readTextFile(file, `--stack-config ${file}`);
  let doc: unknown;
  try {
    doc = parseJsonStrict(text);
  } catch (err) {
    throw new SynthError(`--stack-config ${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (!isMapping(doc)) throw new SynthError(`--stack-config ${file} is ${kindOf(doc)}; expected a JSON object of config keys (<namespace>:<name>) to values`);
  const isSecretWrapper = (v: unknown): v is { secret: unknown } => isMapping(v) && Object.keys(v).length === 1 && "secret" in v;
  const reveal = (value: unknown, found: { secret: boolean }): unknown => {
    if (isSecretWrapper(value)) {
      found.secret = true;
      return reveal(value.secret, { secret: false });
    }
    if (Array.isArray(value)) return value.map((v) => reveal(v, found));
    if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v, found)]));
    return value;
  };
  return configOf(`--stack-config ${file}`, doc, projectName, reveal);
}

/**
 * The mocks file (docs/offline-mocks.md): `--mocks <file>`, else keel.mocks.yaml or
 * keel.mocks.json in the project directory; without one, no answers. `builtIn`: the provider
 * functions keel answers itself.
 */
export function readMocks(dir: string, explicit: string | undefined, builtIn: readonly string[]): Mocks {
  let location: MocksLocation;
  if (explicit !== undefined) {
    location = { file: path.resolve(explicit), exists: true };
  } else {
    const found = MOCKS_FILES.map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
    if (found.length > 1) throw new SynthError(`${dir} has both ${MOCKS_FILES.join(" and ")}; keep one`);
    location = { file: found[0] ?? path.join(dir, MOCKS_FILES[0]), exists: found.length === 1 };
  }
  if (!location.exists) return emptyMocks(location);
  const parsed = parseMocks(location, readTextFile(location.file, explicit !== undefined ? `--mocks ${location.file}` : location.file), builtIn);
  if ("problems" in parsed) throw new SynthError(parsed.problems.join("\n"));
  return parsed;
}

/** Lets `require` load `.ts` files by transpiling them (no type-check), with the project's TypeScript. */
export function installTypeScriptLoader(dir: string): void {
  const candidates = [path.resolve(__dirname, "..", "bin", "register-ts.js"), path.resolve(__dirname, "..", "..", "bin", "register-ts.js")];
  const loader = candidates.find((c) => fs.existsSync(c));
  if (!loader) throw new SynthError("keel is installed without bin/register-ts.js; reinstall the package");
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(loader) as { register(dir: string): void }).register(dir);
  } catch (err) {
    throw new SynthError((err as Error).message);
  }
}

/** Forgets the project's own modules (not its node_modules) so a second run executes them again. */
export function forgetProjectModules(dir: string): void {
  const root = path.resolve(dir) + path.sep;
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(root) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key];
  }
}
