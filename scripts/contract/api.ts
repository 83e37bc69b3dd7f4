/**
 * The API reports: declarations built into a temporary directory (never dist/), then API
 * Extractor on each entry point, reports written to a temporary folder and returned as text
 * (the caller compares them with contract/*.api.md).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ExtractorMessage } from "@microsoft/api-extractor";

/** An entry point of package.json `exports`, its API Extractor config and its committed report. */
export interface ApiEntry {
  /** How users import it. */
  readonly specifier: string;
  /** The entry's declaration file, relative to the declaration output directory. */
  readonly dts: string;
  /** The config file, relative to the repository. */
  readonly config: string;
  /** The committed report, relative to the repository. */
  readonly report: string;
}

export const API_ENTRIES: readonly ApiEntry[] = [
  { specifier: "keel", dts: "components/index.d.ts", config: "contract/api-extractor.keel.json", report: "contract/keel.api.md" },
  { specifier: "keel/offline", dts: "offline/index.d.ts", config: "contract/api-extractor.offline.json", report: "contract/keel-offline.api.md" },
];

export interface ApiReports {
  /** Report text by repository-relative path (contract/keel.api.md, ...). */
  readonly files: Map<string, string>;
  /** API Extractor's warnings and errors, one line each (also in the reports where they concern the API). */
  readonly messages: readonly string[];
  /** tsc's type errors, if any (the declarations were emitted anyway). */
  readonly typeErrors?: string;
}

/**
 * `tsc -p tsconfig.build.json --emitDeclarationOnly` into `outDir`. Type errors (tsc's exit 2:
 * errors, output emitted) are returned, not thrown: `npm run typecheck` reports them, and the
 * declarations are still what the package would ship; `update` refuses to write from them.
 */
export function buildDeclarations(root: string, outDir: string): Promise<string | undefined> {
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  const args = [tsc, "-p", path.join(root, "tsconfig.build.json"), "--outDir", outDir, "--emitDeclarationOnly", "--declaration", "--declarationMap", "false", "--incremental", "false"];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
    child.on("error", (err) => reject(new Error(`cannot run tsc: ${err.message}`)));
    child.on("close", (status) => {
      output = output.trim();
      const emitted = API_ENTRIES.every((e) => fs.existsSync(path.join(outDir, e.dts)));
      if (status === 0) resolve(undefined);
      else if (status === 2 && emitted) resolve(output);
      else reject(new Error(`tsc -p tsconfig.build.json --emitDeclarationOnly failed (exit ${status}):\n${output}`));
    });
  });
}

/** Builds the declarations and the API report of every entry point. */
export async function apiReports(root: string): Promise<ApiReports> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "keel-contract-api-"));
  try {
    const declarations = path.join(work, "dts");
    const typeErrors = await buildDeclarations(root, declarations);
    const files = new Map<string, string>();
    const messages: string[] = [];
    for (const entry of API_ENTRIES) {
      const { text, messages: own } = extract(root, entry, declarations, path.join(work, "reports"));
      files.set(entry.report, text);
      messages.push(...own.map((m) => `${entry.specifier}: ${m}`));
    }
    return { files, messages, typeErrors };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Runs API Extractor for one entry (localBuild: a changed report is not an error here) and reads its report. */
function extract(root: string, entry: ApiEntry, declarations: string, reportDir: string): { text: string; messages: string[] } {
  // Loaded on demand: the pure parts of the contract (and their unit tests) do not need it.
  const { Extractor, ExtractorConfig } = require("@microsoft/api-extractor") as typeof import("@microsoft/api-extractor");
  const configPath = path.join(root, entry.config);
  const configObject = ExtractorConfig.loadFile(configPath);
  configObject.projectFolder = root;
  configObject.mainEntryPointFilePath = path.join(declarations, entry.dts);
  const compiler = configObject.compiler ?? {};
  configObject.compiler = { ...compiler, overrideTsconfig: { ...(compiler.overrideTsconfig as object), files: [configObject.mainEntryPointFilePath] } };
  // Both folders temporary: the guard compares (check) or copies (update) the report itself.
  configObject.apiReport = { ...configObject.apiReport!, enabled: true, reportFolder: path.join(reportDir, "expected"), reportTempFolder: reportDir };
  fs.mkdirSync(path.join(reportDir, "expected"), { recursive: true });
  const config = ExtractorConfig.prepare({ configObject, configObjectFullPath: configPath, packageJsonFullPath: path.join(root, "package.json") });
  const messages: string[] = [];
  const result = Extractor.invoke(config, {
    localBuild: true,
    typescriptCompilerFolder: path.dirname(require.resolve("typescript/package.json", { paths: [root] })),
    messageCallback: (message: ExtractorMessage) => {
      message.handled = true;
      if (message.logLevel !== "warning" && message.logLevel !== "error") return;
      // The report files are compared by the guard itself: API Extractor's own notes about them are beside the point.
      if (message.logLevel === "warning" && message.messageId.startsWith("console-")) return;
      const where = message.sourceFilePath ? ` (${path.relative(declarations, message.sourceFilePath)}${message.sourceFileLine ? `:${message.sourceFileLine}` : ""})` : "";
      messages.push(`${message.logLevel} ${message.messageId}: ${message.text}${where}`);
    },
  });
  if (result.errorCount > 0) throw new Error(`API Extractor failed on ${entry.specifier} (${entry.config}):\n  ${messages.join("\n  ")}`);
  const file = config.reportConfigs.find((r) => r.variant === "complete")?.fileName ?? `${path.basename(entry.report)}`;
  const text = fs.readFileSync(path.join(reportDir, file), "utf8");
  return { text: normalizeReport(text, declarations), messages };
}

/**
 * The report made byte-stable and about the API only: LF line ends and one final newline; the
 * temporary declaration directory named `dist` (where the package's declarations are); the
 * footer warnings without line numbers; the release-level comments dropped (`// @public`, `(undocumented)`: keel has one release level, and
 * documenting an item is not a contract change).
 */
export function normalizeReport(text: string, declarations?: string): string {
  let out = text.replace(/\r\n/g, "\n");
  if (declarations) out = out.split(declarations + path.sep).join("dist/").split(declarations.split(path.sep).join("/") + "/").join("dist/");
  const lines = out.split("\n");
  const kept: string[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (/^\/\/ (@public )?\(undocumented\)$/.test(trimmed) || trimmed === "// @public") continue;
    // Line and column of a footer warning move with any edit of the file: the file and the message stay.
    kept.push(line.replace(/^(\s*\/\/ )@public (.+)$/, "$1$2").replace(/^(\/\/ dist\/\S+\.d\.ts):\d+:\d+ - /, "$1 - "));
  }
  // A `//` line left alone between a warning and its declaration (it separated them from "(undocumented)").
  return kept.join("\n").replace(/(\/\/ Warning: [^\n]*)\n\s*\/\/\n/g, "$1\n").replace(/\n*$/, "\n");
}
