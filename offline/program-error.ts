/**
 * How a program's own error is reported: its message and the first frame of the stack that is
 * in the user's program (not Node, not a dependency, not keel's engine or components), so a
 * TypeError reads `Cannot read properties of undefined (reading 'x') (at index.ts:12:5)`.
 * keel's own errors (validation, synth) are already one clear line and get no location.
 */
import * as fs from "fs";
import * as path from "path";

const KEEL_ROOT = path.resolve(__dirname, "..");
const KEEL_INTERNAL = ["offline", "components", "bin", "dist"].map((d) => path.join(KEEL_ROOT, d) + path.sep);
const KEEL_ERRORS = new Set(["KeelValidationError", "SynthError", "StackConfigError"]);

/** keel's own errors, also when thrown by another copy of keel (the program's node_modules). */
export function isKeelError(err: unknown): boolean {
  return err instanceof Error && KEEL_ERRORS.has(err.name);
}

/** The file of a stack frame line (`    at f (/a/b.ts:1:2)` or `    at /a/b.ts:1:2`), with its position. */
function frameLocation(line: string): { file: string; position: string } | undefined {
  const m = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(line.trim());
  if (!m || !line.trim().startsWith("at ")) return undefined;
  const file = m[1].startsWith("file://") ? m[1].slice("file://".length) : m[1];
  return { file, position: `${m[2]}:${m[3]}` };
}

/** The first frame in the user's program, as `<file relative to base>:<line>:<column>`. */
export function programLocation(stack: string | undefined, base = process.cwd()): string | undefined {
  if (!stack) return undefined;
  for (const line of stack.split("\n").slice(1)) {
    const loc = frameLocation(line);
    if (!loc || !path.isAbsolute(loc.file)) continue;
    if (loc.file.split(path.sep).includes("node_modules")) continue;
    if (KEEL_INTERNAL.some((d) => loc.file.startsWith(d))) continue;
    const rel = path.relative(base, loc.file);
    return `${rel.startsWith("..") ? loc.file : rel}:${sourcePosition(loc.file, loc.position)}`;
  }
  return undefined;
}

/**
 * The position in the TypeScript source of a position in its transpiled code (bin/register-ts.js
 * transpiles without keeping maps: the file is transpiled again, with the same options, only here).
 */
export function sourcePosition(file: string, position: string): string {
  if (!/\.[cm]?tsx?$/.test(file)) return position;
  try {
    const [line, column] = position.split(":").map(Number);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require(require.resolve("typescript", { paths: [path.dirname(file), __dirname] })) as typeof import("typescript");
    const output = ts.transpileModule(fs.readFileSync(file, "utf8"), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: true },
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SourceMap } = require("module") as { SourceMap: new (payload: unknown) => { findEntry(l: number, c: number): { originalLine?: number; originalColumn?: number } } };
    const entry = new SourceMap(JSON.parse(output.sourceMapText ?? "{}")).findEntry(line - 1, column - 1);
    return entry && typeof entry.originalLine === "number" ? `${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}` : position;
  } catch {
    return position;
  }
}

/** The message of a program's failure: keel's errors as they are, any other with where it was thrown. */
export function programErrorMessage(err: unknown, base?: string): string {
  if (!(err instanceof Error)) return typeof err === "string" ? err : `the program threw a non-error value: ${describeThrown(err)}`;
  let message = err.message.replace(/^Running program '[^']*' failed with an unhandled exception:\s*/, "");
  if (isKeelError(err)) return message;
  // Node's "Cannot find module './x'\nRequire stack:\n- <files>": the first line says it all.
  if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") message = message.split("\n")[0];
  const at = programLocation(err.stack, base);
  const head = message.length > 0 ? message : err.name;
  return at ? `${head} (at ${at})` : head;
}

function describeThrown(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
