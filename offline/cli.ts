/**
 * The `keel` command (usage and exit codes: usage.ts).
 *
 *   keel synth --stack <name> [--dir <project dir>] [--out <dir>] [--mocks <file>]
 *   keel check (--stack <name> [--dir <dir>] [--mocks <file>] | --manifests <file or dir>) [--environment <name> | --config <file>] [--format text|json] [--pack <dir>]
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

/** Why stdout could not take keel's output (ENOSPC, EBADF, ...): the command then fails. */
let lostOutput: NodeJS.ErrnoException | undefined;

function outputLost(err: NodeJS.ErrnoException | null | undefined): void {
  if (!err || err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") return;
  lostOutput ??= err;
}

/** Writes a line of keel's output (the report, the summary) to stdout, noting a failed write. */
function print(text: string): void {
  try {
    process.stdout.write(`${text}\n`, outputLost);
  } catch (err) {
    outputLost(err as NodeJS.ErrnoException);
  }
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

/** `--timeout <seconds>`: a positive number. */
function seconds(value: string | undefined, command: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !(n > 0) || n > 86400) throw new UsageError(`--timeout is ${JSON.stringify(value)}; expected a number of seconds (more than 0, at most 86400)`, command);
  return n;
}

async function runCommand(command: string, rest: readonly string[]): Promise<number> {
  if (rest.some(isHelp)) {
    print(usage(command));
    return 0;
  }
  if (command === "synth") {
    const flags = parseFlags(rest, ["stack", "dir", "out", "stack-config", "timeout", "mocks"], command);
    if (!flags.stack) throw new UsageError("--stack is required", command);
    const { synth, summary } = synthModule();
    const result = await synth({ stack: flags.stack, dir: flags.dir, out: flags.out, stackConfigFile: flags["stack-config"], timeoutSeconds: seconds(flags.timeout, command), mocks: flags.mocks });
    print(summary(result));
    return 0;
  }
  if (command === "check") {
    const flags = parseFlags(rest, ["stack", "dir", "manifests", "environment", "config", "format", "pack", "stack-config", "timeout", "mocks"], command);
    const format = choice("format", flags.format, ["text", "json"], "text", command);
    if ((flags.stack === undefined) === (flags.manifests === undefined)) throw new UsageError("give exactly one of --stack and --manifests", command);
    if (flags.environment !== undefined && flags.config !== undefined) throw new UsageError("give at most one of --environment and --config", command);
    if (flags["stack-config"] !== undefined && flags.stack === undefined) throw new UsageError("--stack-config goes with --stack (it is stack config)", command);
    if (flags.mocks !== undefined && flags.stack === undefined) throw new UsageError("--mocks goes with --stack (it answers the program's provider calls)", command);
    const { check, mandatoryCount, reportText } = checkModule();
    const report = await check({ stack: flags.stack, dir: flags.dir, manifests: flags.manifests, environment: flags.environment, config: flags.config, pack: flags.pack, stackConfig: flags["stack-config"], timeoutSeconds: seconds(flags.timeout, command), mocks: flags.mocks });
    print(format === "json" ? JSON.stringify({ violations: report.violations, exemptions: report.exemptions, prerequisites: report.prerequisites, undecided: report.undecided }, null, 2) : reportText(report));
    return mandatoryCount(report) > 0 ? 1 : 0;
  }
  if (command === "bench" && rest.length > 0) throw new UsageError(`unknown argument ${JSON.stringify(rest[0])} for keel bench (it takes none)`, command);
  // bench: the benchmark lives with the sources; it is not part of the installed package.
  const benchModule = path.join(__dirname, "..", "bench", "synth.ts");
  const { SynthError } = require("./runtime") as typeof import("./runtime");
  if (!fs.existsSync(benchModule)) throw new SynthError("keel bench runs in a checkout of keel (its benchmark is not in the installed package): git clone, npm ci, npm run bench");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { bench } = require("../bench/synth") as { bench(args: readonly string[]): Promise<number> };
  return await bench(command === "bench-case" ? ["case", ...rest] : rest);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) throw new UsageError("no command given");
    if (isHelp(command) || command === "help") {
      const topics = rest.filter((a) => !isHelp(a));
      const topic = topics[0];
      if (topics.length > 1) throw new UsageError(`help takes one command; got ${topics.map((t) => JSON.stringify(t)).join(" ")}`);
      if (topic !== undefined && !["synth", "check", "bench"].includes(topic)) throw new UsageError(`unknown command ${JSON.stringify(topic)}`);
      print(usage(topic));
      return 0;
    }
    if (command === "--version" || command === "-v" || command === "version") {
      if (rest.length > 0) throw new UsageError(`${command} takes no arguments`);
      print(version());
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
  // keel's exit code is keel's: a program cannot end the process (process.exit, reallyExit) or
  // change the code ('exit' listeners, process.exitCode). keel ends through the saved native
  // exit, which runs no 'exit' listener.
  const reallyExit = (process as unknown as { reallyExit(code: number): never }).reallyExit.bind(process);
  const refuse = (what: string) => (code?: unknown) => {
    throw new Error(`the program called ${what}(${code ?? ""}); a Pulumi program ends by returning (or throwing)`);
  };
  process.exit = refuse("process.exit") as typeof process.exit;
  (process as unknown as { reallyExit: unknown }).reallyExit = refuse("process.reallyExit");
  // A report that could not be written (ENOSPC, EBADF, ...) is a failure; a reader that closed
  // the pipe early (EPIPE: `| head -c 1`) is not.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") return;
      if (stream === process.stdout) outputLost(err);
    });
  }
  let settled = false;
  let exiting = false;
  const finish = (code: number) => {
    settled = true;
    if (exiting) return;
    exiting = true;
    let pending = 2;
    const done = () => {
      if (--pending > 0) return;
      let exitCode = code;
      if (lostOutput) {
        try {
          require("fs").writeSync(2, `keel ${argv[0] ?? ""}: cannot write the output to stdout: ${lostOutput.code ?? lostOutput.message}\n`.replace("keel :", "keel:"));
        } catch {
          // stderr is gone too: the exit code still says it
        }
        if (exitCode === 0) exitCode = 1;
      }
      process.exitCode = exitCode;
      reallyExit(exitCode);
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
