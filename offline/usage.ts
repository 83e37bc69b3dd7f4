/** The `keel` command line: usage texts, flags, and the exit codes they promise. */

/** A command line keel cannot run: exit code 2, with the command's usage. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage is printed. */
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export const EXIT_CODES = `exit codes:
  0  success (synth wrote the output; check found no mandatory violation)
  1  failure: an invalid program, config, argument value or input file, a failed synth, or a
     mandatory policy violation
  2  usage error: unknown command or flag, a flag given twice or without its value, a value
     outside a flag's choices`;

export const COMMAND_USAGE: Readonly<Record<string, string>> = {
  synth: `  keel synth --stack <name> [--dir <pulumi project dir>] [--out <dir>] [--stack-config <file.json>] [--mocks <file>] [--timeout <seconds>]
      Evaluates the project's program with Pulumi.<name>.yaml under Pulumi's mock runtime and
      writes <out>/<name>/ (default <dir>/out/<name>/): manifests/, plan.json, topology.mmd,
      capacity.md (secrets redacted) and policy-pack-config.json (the policies of the stack's
      keel:environment with its cluster facts, for pulumi preview --policy-pack-config). The
      output is written only when the synth succeeds; a failed synth removes <out>/<name>/.
      --stack-config: extra config over the stack file's, as JSON ({ "<namespace>:<name>": value },
      a secret as { "secret": value }), e.g. what a Pulumi ESC environment would give.
      --mocks: answers for what keel cannot answer offline (provider functions, Resource.get,
      stack references), YAML or JSON (default <dir>/keel.mocks.yaml or keel.mocks.json, if
      there is one); see docs/offline-mocks.md.
      --timeout: seconds the program may run, its timers and late registrations included
      (default 600); then the synth fails. keel replaces or removes only an <out>/<name>/ it
      wrote itself (it holds a .keel-synth marker).`,
  check: `  keel check (--stack <name> [--dir <dir>] [--stack-config <file.json>] [--mocks <file>] | --manifests <file or dir>)
             [--environment <name> | --config <pack config file>] [--format text|json] [--pack <dir>] [--timeout <seconds>]
      Runs the policy pack over the synthesized stack (or plain Kubernetes YAML) through its gRPC
      analyzer interface, as pulumi preview --policy-pack does, with the stack's cluster facts.
      The policies are those of the environment: --environment <name> (a config/<name>.json of
      the pack), else the stack's keel:environment; a stack that sets none needs --environment
      or --config. --manifests without either uses prod. Lists violations, exemptions, the
      prerequisites of the target and what it could not decide. Exit 1 on a mandatory violation.`,
  bench: `  keel bench
      Measures synth time and peak memory for 10, 100 and 1,000 ApiServices and the dev stack,
      and keel check throughput (from a keel checkout; prints figures, never fails).`,
};

export function usage(command?: string): string {
  const commands = command && COMMAND_USAGE[command] ? [COMMAND_USAGE[command]] : Object.values(COMMAND_USAGE);
  const general = command && COMMAND_USAGE[command] ? "" : "\n  keel --help | keel <command> --help\n  keel --version";
  return `usage:\n${commands.join("\n")}${general}\n${EXIT_CODES}`;
}

export function isHelp(arg: string): boolean {
  return arg === "-h" || arg === "--help";
}

/** `--name value` or `--name=value`; each flag at most once, each one allowed for the command. */
export function parseFlags(argv: readonly string[], allowed: readonly string[], command?: string): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([a-z-]+)(?:=([\s\S]*))?$/.exec(arg);
    if (!m || !allowed.includes(m[1])) throw new UsageError(`unknown argument ${JSON.stringify(arg)}${command ? ` for keel ${command}` : ""}`, command);
    const value = m[2] ?? argv[++i];
    if (value === undefined || (m[2] === undefined && value.startsWith("-"))) throw new UsageError(`--${m[1]} needs a value`, command);
    if (value.length === 0) throw new UsageError(`--${m[1]} is empty; it needs a value`, command);
    if (value.trim().length === 0) throw new UsageError(`--${m[1]} is blank (${JSON.stringify(value)}); it needs a value`, command);
    if (m[1] in flags) throw new UsageError(`--${m[1]} is given twice (${JSON.stringify(flags[m[1]])} and ${JSON.stringify(value)}); give it once`, command);
    flags[m[1]] = value;
  }
  return flags;
}

/** A flag with a fixed set of values. */
export function choice(flag: string, value: string | undefined, allowed: readonly string[], fallback: string, command?: string): string {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new UsageError(`--${flag} is ${JSON.stringify(value)}; expected one of ${allowed.join(", ")}`, command);
  return value;
}
