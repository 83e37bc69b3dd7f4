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
  try {
    return parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new SynthError(`cannot read ${file}: ${(err as Error).message}`);
  }
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

/** Reads `Pulumi.<stack>.yaml`. Secure values cannot be decrypted offline: they become `[secret]`, marked secret. */
export function readStackFile(project: ProjectInfo, stack: string): StackFile {
  const file = path.join(project.dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new SynthError(`no stack file Pulumi.${stack}.yaml in ${project.dir}`);
  const doc = (readYaml(file) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(doc.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    if (typeof value === "object" && value !== null && "secure" in value) {
      config[key] = "[secret]";
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
      if (containsSecure(value)) secretKeys.push(key);
    }
  }
  return { config, secretKeys };
}

function containsSecure(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (!Array.isArray(value) && "secure" in value) return true;
  return Object.values(value).some(containsSecure);
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
