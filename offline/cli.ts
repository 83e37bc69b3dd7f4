/**
 * The `keel` command.
 *
 *   keel synth --stack <name> [--dir <project dir>] [--out <dir>]
 *   keel check (--stack <name> [--dir <dir>] | --manifests <file or dir>) [--environment dev|prod | --config <file>] [--format text|json] [--pack <dir>]
 */
import { check, mandatoryCount, reportText } from "./check";
import { SynthError } from "./runtime";
import { summary, synth } from "./synth";
import { KeelValidationError } from "../components/core/errors";

const USAGE = `usage:
  keel synth --stack <name> [--dir <pulumi project dir>] [--out <dir>]
      Evaluates the project's program with Pulumi.<name>.yaml under Pulumi's mock runtime and
      writes <out>/<name>/: manifests/, plan.json, topology.mmd, capacity.md (secrets redacted) and
      policy-pack-config.json (the stack's environment policies with its cluster facts, for
      pulumi preview --policy-pack-config).
  keel check (--stack <name> [--dir <dir>] | --manifests <file or dir>)
             [--environment dev|prod | --config <pack config file>] [--format text|json] [--pack <dir>]
      Runs the policy pack over the synthesized stack (or plain Kubernetes YAML) through its gRPC
      analyzer interface, as pulumi preview --policy-pack does, with the stack's cluster facts.
      The environment defaults to the stack's keel:environment (else prod). Lists violations,
      exemptions, the prerequisites of the target and what it could not decide. Exit 1 on a
      mandatory violation.`;

export class UsageError extends Error {}

export function parseFlags(argv: readonly string[], allowed: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !allowed.includes(m[1])) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`--${m[1]} needs a value`);
    flags[m[1]] = value;
  }
  return flags;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "synth") {
      const flags = parseFlags(rest, ["stack", "dir", "out"]);
      if (!flags.stack) throw new UsageError("--stack is required");
      const result = await synth({ stack: flags.stack, dir: flags.dir, out: flags.out });
      console.log(summary(result));
      return 0;
    }
    if (command === "check") {
      const flags = parseFlags(rest, ["stack", "dir", "manifests", "environment", "config", "format", "pack"]);
      const format = flags.format ?? "text";
      if (format !== "text" && format !== "json") throw new UsageError(`--format is ${JSON.stringify(format)}; expected text or json`);
      const report = await check({ stack: flags.stack, dir: flags.dir, manifests: flags.manifests, environment: flags.environment, config: flags.config, pack: flags.pack });
      console.log(format === "json" ? JSON.stringify({ violations: report.violations, exemptions: report.exemptions, prerequisites: report.prerequisites, undecided: report.undecided }, null, 2) : reportText(report));
      return mandatoryCount(report) > 0 ? 1 : 0;
    }
    if (command === "bench" || command === "bench-case") {
      // The benchmark lives with the sources; it is not part of the installed package.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { bench } = require("../bench/synth") as { bench(args: readonly string[]): Promise<number> };
      return await bench(command === "bench-case" ? ["case", ...rest] : rest);
    }
    if (command === "help" || command === "--help" || command === undefined) {
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    }
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`keel: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof SynthError || err instanceof KeelValidationError) {
      console.error(`keel ${command}: ${err.message}`);
      return 1;
    }
    console.error(`keel ${command}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
