/**
 * The `keel` command (usage and exit codes: usage.ts).
 *
 *   keel synth --stack <name> [--dir <project dir>] [--out <dir>]
 *   keel check (--stack <name> [--dir <dir>] | --manifests <file or dir>) [--environment <name> | --config <file>] [--format text|json] [--pack <dir>]
 */
import * as fs from "fs";
import * as path from "path";
import { isKeelError, programErrorMessage } from "./program-error";
import { UsageError, choice, isHelp, parseFlags, usage } from "./usage";

// The engine (Pulumi's SDK, the policy pack client) loads only for a command that needs it:
// `keel --help`, `--version` and usage errors answer at once.
/* eslint-disable @typescript-eslint/no-require-imports */
const synthModule = () => require("./synth") as typeof import("./synth");
const checkModule = () => require("./check") as typeof import("./check");
const runtimeModule = () => require("./runtime") as typeof import("./runtime");
/* eslint-enable @typescript-eslint/no-require-imports */

export { UsageError, parseFlags } from "./usage";

/** keel's version, from its package.json (source checkout or installed dist/). */
export function version(): string {
  for (const candidate of [path.resolve(__dirname, "..", "package.json"), path.resolve(__dirname, "..", "..", "package.json")]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "keel" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // the next candidate
    }
  }
  return "unknown";
}

/** Every line of a message as `keel <command>: <line>`. */
function errorLines(command: string, message: string): string {
  return message
    // The SDK prefixes an error raised while a property resolves (a check inside `apply`): the
    // message that follows already names the component and the field.
    .replace(/^(?:error serializing property "[^"\n]*": )+/gm, "")
    .split("\n")
    .filter((l) => l.trim().length > 0)
    .map((l) => `keel ${command}: ${l}`)
    .join("\n");
}

async function runCommand(command: string, rest: readonly string[]): Promise<number> {
  if (rest.some(isHelp)) {
    console.log(usage(command));
    return 0;
  }
  if (command === "synth") {
    const flags = parseFlags(rest, ["stack", "dir", "out", "stack-config"], command);
    if (!flags.stack) throw new UsageError("--stack is required", command);
    const { synth, summary } = synthModule();
    const result = await synth({ stack: flags.stack, dir: flags.dir, out: flags.out, stackConfigFile: flags["stack-config"] });
    console.log(summary(result));
    return 0;
  }
  if (command === "check") {
    const flags = parseFlags(rest, ["stack", "dir", "manifests", "environment", "config", "format", "pack", "stack-config"], command);
    const format = choice("format", flags.format, ["text", "json"], "text", command);
    if ((flags.stack === undefined) === (flags.manifests === undefined)) throw new UsageError("give exactly one of --stack and --manifests", command);
    if (flags.environment !== undefined && flags.config !== undefined) throw new UsageError("give at most one of --environment and --config", command);
    if (flags["stack-config"] !== undefined && flags.stack === undefined) throw new UsageError("--stack-config goes with --stack (it is stack config)", command);
    const { check, mandatoryCount, reportText } = checkModule();
    const report = await check({ stack: flags.stack, dir: flags.dir, manifests: flags.manifests, environment: flags.environment, config: flags.config, pack: flags.pack, stackConfig: flags["stack-config"] });
    console.log(format === "json" ? JSON.stringify({ violations: report.violations, exemptions: report.exemptions, prerequisites: report.prerequisites, undecided: report.undecided }, null, 2) : reportText(report));
    return mandatoryCount(report) > 0 ? 1 : 0;
  }
  // bench: the benchmark lives with the sources; it is not part of the installed package.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { bench } = require("../bench/synth") as { bench(args: readonly string[]): Promise<number> };
  return await bench(command === "bench-case" ? ["case", ...rest] : rest);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) throw new UsageError("no command given");
    if (isHelp(command) || command === "help") {
      const topic = rest.find((a) => !isHelp(a));
      if (topic !== undefined && !["synth", "check", "bench"].includes(topic)) throw new UsageError(`unknown command ${JSON.stringify(topic)}`);
      console.log(usage(topic));
      return 0;
    }
    if (command === "--version" || command === "-v" || command === "version") {
      if (rest.length > 0) throw new UsageError(`${command} takes no arguments`);
      console.log(version());
      return 0;
    }
    if (!["synth", "check", "bench", "bench-case"].includes(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    return await runCommand(command, rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`keel: ${err.message}\n${usage(err.command)}`);
      return 2;
    }
    const name = command ?? "keel";
    const message = err instanceof Error && (isKeelError(err) || err.name === "KeelValidationError") ? err.message : programErrorMessage(err);
    const lines = [errorLines(name, message || "failed without a message")];
    const removed = synthModule().removedOutputOf(err);
    if (removed) lines.push(`keel ${name}: removed ${path.relative(process.cwd(), removed) || "."}/ (written by an earlier run; it does not match the program)`);
    if (process.env.KEEL_DEBUG === "1") {
      const cause = err instanceof Error ? ((err as { cause?: unknown }).cause ?? err) : err;
      lines.push(cause instanceof Error && cause.stack ? cause.stack : String(cause));
    }
    console.error(lines.join("\n"));
    return 1;
  }
}

/**
 * Runs the command in this process and ends it with the command's exit code, only after
 * stdout and stderr have drained (a report piped into `jq` is never cut). A closed pipe
 * (`| head -c 1`) ends the output quietly. If the command never finishes (nothing left to
 * run, its promise pending), that is an error, not exit 0.
 */
export function run(argv: readonly string[]): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") return;
      throw err;
    });
  }
  let settled = false;
  const finish = (code: number) => {
    settled = true;
    process.exitCode = code;
    let pending = 2;
    const done = () => {
      if (--pending === 0) process.exit(code);
    };
    process.stdout.write("", done);
    process.stderr.write("", done);
  };
  // Anything thrown outside the command's promise (a timer in a program, say): one line, exit 1.
  process.on("uncaughtException", (err: unknown) => {
    if (runtimeModule().runActive()) return;
    const message = err instanceof Error ? programErrorMessage(err) : String(err);
    console.error(errorLines(argv[0] ?? "keel", message) + (process.env.KEEL_DEBUG === "1" && err instanceof Error ? `\n${err.stack}` : ""));
    finish(1);
  });
  process.on("beforeExit", () => {
    if (settled) return;
    console.error(`keel ${argv[0] ?? ""}: the command never finished: it waited for something that never happened`.replace("keel :", "keel:"));
    finish(1);
  });
  main(argv).then(finish, (err: unknown) => {
    console.error(`keel: ${err instanceof Error ? err.message : String(err)}`);
    finish(1);
  });
}

if (require.main === module) run(process.argv.slice(2));
