/**
 * A Pulumi project on disk: `Pulumi.yaml` (name, main) and `Pulumi.<stack>.yaml` (config),
 * read the way the Pulumi CLI reads them, and its TypeScript program loaded with a
 * transpile-only loader.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { SynthError } from "./runtime";

export interface ProjectInfo {
  readonly dir: string;
  readonly name: string;
  /** Absolute path of the program's entry file. */
  readonly main: string;
}

export interface StackFile {
  /** Config by full key (`project:key`), values as the CLI passes them (objects JSON-encoded). */
  readonly config: Record<string, string>;
  readonly secretKeys: string[];
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new SynthError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parse(text, { uniqueKeys: true, maxAliasCount: 1000 });
  } catch (err) {
    throw new SynthError(`${file} is not valid YAML: ${(err as Error).message.split("\n")[0].replace(/:$/, "")}`);
  }
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
    return "[secret]";
  }
  if (Array.isArray(value)) return value.map((v) => withSecretsRedacted(v, found));
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecretsRedacted(v, found)]));
  return value;
}

export function readProject(dir: string): ProjectInfo {
  const file = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(file)) throw new SynthError(`no Pulumi.yaml in ${dir}; pass --dir <the Pulumi project directory>`);
  const doc = readYaml(file) as { name?: unknown; main?: unknown; runtime?: unknown } | null;
  if (!doc || typeof doc.name !== "string") throw new SynthError(`${file}: expected a "name"`);
  const runtime = typeof doc.runtime === "object" && doc.runtime !== null ? (doc.runtime as { name?: string }).name : doc.runtime;
  if (runtime !== "nodejs") throw new SynthError(`${file}: runtime is ${JSON.stringify(runtime)}; keel synth runs nodejs (TypeScript) programs`);
  const mainEntry = typeof doc.main === "string" ? doc.main : ".";
  const candidates = [path.resolve(dir, mainEntry), path.resolve(dir, mainEntry, "index.ts"), path.resolve(dir, mainEntry, "index.js")];
  const main = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (!main) throw new SynthError(`${file}: cannot find the program (main ${JSON.stringify(mainEntry)}); expected index.ts`);
  return { dir, name: doc.name, main };
}

/**
 * Reads `Pulumi.<stack>.yaml` as the Pulumi CLI does: a key without a namespace belongs to the
 * project (`environment` is `<project>:environment`). Secure values cannot be decrypted
 * offline: they become `[secret]`, at any depth (`pulumi config set --secret --path`), and
 * their key is marked secret.
 */
export function readStackFile(project: ProjectInfo, stack: string, options: { readonly extraConfig?: boolean } = {}): StackFile {
  const file = path.join(project.dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new SynthError(`no stack file Pulumi.${stack}.yaml in ${project.dir}`);
  const doc = readYaml(file) ?? {};
  if (!isMapping(doc)) throw new SynthError(`${file} is ${kindOf(doc)}; expected a mapping with a config: section`);
  // An ESC import: its values must come from elsewhere (--stack-config), or the program would run without them.
  if (doc.environment !== undefined && !options.extraConfig) {
    throw new SynthError(
      `${file}: environment: ${JSON.stringify(doc.environment)} imports Pulumi ESC environments, which keel cannot open offline; give the values they provide in a JSON file with --stack-config <file.json> ({ "<namespace>:<name>": value }, a secret as { "secret": value }; pulumi env open <name> --format json shows them), or put them in the stack's config: section`,
    );
  }
  const rawConfig = doc.config ?? {};
  if (!isMapping(rawConfig)) throw new SynthError(`${file}: config is ${kindOf(rawConfig)}; expected a mapping of keys (<namespace>:<name>) to values`);
  return configOf(file, rawConfig, project.name, (value, found) => withSecretsRedacted(value, found));
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
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SynthError(`--stack-config ${file}: ${code ? `cannot read it (${code})` : `not valid JSON: ${(err as Error).message}`}`);
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
