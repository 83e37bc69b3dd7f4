/**
 * `keel check`: synthesizes a stack (or reads Kubernetes YAML) and runs the policy pack over
 * it through the pack's gRPC analyzer interface, exactly as `pulumi preview --policy-pack`.
 */
import * as path from "path";
import { SynthError } from "../runtime";
import { UsageError } from "../usage";
import { clusterFactsOf, withFacts } from "../facts";
import { evaluate } from "../synth";
import { outputState, removeStaleOutput } from "../output-dir";
import { CheckResource, runPack } from "./analyze";
import { readConfigFile } from "./config";
import { resourcesFromManifests, resourcesFromRun, secretValues } from "./inputs";
import { findPack, startPack } from "./pack";
import { knownEnvironments, packEnvironments } from "./find-pack";
import { CheckReport, buildReport } from "./report";

export interface CheckOptions {
  /** Synthesize this stack of the project in `dir`. */
  readonly stack?: string;
  readonly dir?: string;
  /** A JSON file of extra stack config (with `stack`). */
  readonly stackConfig?: string;
  /** Or check these Kubernetes YAML files (a file or a directory). */
  readonly manifests?: string;
  /** Pack config `<pack>/config/<environment>.json`. */
  readonly environment?: string;
  /** Or an explicit pack config file. */
  readonly config?: string;
  /** The policy pack directory. @default `<dir>/policies`, else keel's own */
  readonly pack?: string;
  /** Seconds the program may run (`--timeout`). @default 600 */
  readonly timeoutSeconds?: number;
  /** The mocks file (with `stack`; `--mocks`). @default the project's keel.mocks.yaml or keel.mocks.json */
  readonly mocks?: string;
}

export { packEnvironments } from "./find-pack";

export async function check(options: CheckOptions): Promise<CheckReport> {
  if ((options.stack === undefined) === (options.manifests === undefined)) throw new UsageError("give exactly one of --stack and --manifests", "check");
  if (options.environment !== undefined && options.config !== undefined) throw new UsageError("give at most one of --environment and --config", "check");
  if (options.stackConfig !== undefined && options.stack === undefined) throw new UsageError("--stack-config goes with --stack (it is stack config)", "check");
  const dir = path.resolve(options.dir ?? ".");
  const packDir = findPack(options.pack, dir);
  const environments = packEnvironments(packDir);
  if (options.environment !== undefined && !environments.includes(options.environment)) {
    throw new UsageError(`--environment is ${JSON.stringify(options.environment)}; expected ${knownEnvironments(packDir, environments)}`, "check");
  }

  let resources: CheckResource[];
  let secrets: string[] = [];
  let target: string;
  let facts: Record<string, unknown> | undefined;
  let environment = options.environment;
  if (options.stack !== undefined) {
    // The stack's output from an earlier synth no longer matches a program that fails: removed
    // as synth removes it (only a directory keel wrote, never one written meanwhile).
    const outDir = path.join(dir, "out", options.stack);
    const before = outputState(outDir);
    let evaluated: Awaited<ReturnType<typeof evaluate>>;
    try {
      evaluated = await evaluate({ stack: options.stack, dir, stackConfigFile: options.stackConfig, timeoutSeconds: options.timeoutSeconds, mocks: options.mocks });
    } catch (err) {
      if (removeStaleOutput(outDir, before) && typeof err === "object" && err !== null) Object.defineProperty(err, "removedOutput", { value: outDir, enumerable: false });
      throw err;
    }
    const { run } = evaluated;
    resources = resourcesFromRun(run.resources);
    secrets = secretValues(run.resources);
    facts = clusterFactsOf(run);
    target = `stack ${options.stack}`;
    // The environment: as given, else the stack's own keel:environment; never a silent default.
    if (environment === undefined && options.config === undefined) {
      if (evaluated.environment === undefined) {
        throw new SynthError(
          `stack ${options.stack} sets no keel:environment, so keel check does not know which policies apply; pass --environment <${environments.join("|") || "name"}> or --config <pack config file>, or set it in the stack (pulumi config set keel:environment <name>)`,
        );
      }
      if (!environments.includes(evaluated.environment)) {
        throw new SynthError(`stack ${options.stack}: keel:environment is ${JSON.stringify(evaluated.environment)}; expected ${knownEnvironments(packDir, environments)}`);
      }
      environment = evaluated.environment;
    }
  } else {
    resources = resourcesFromManifests(path.resolve(options.manifests as string));
    target = `manifests ${options.manifests}`;
    // Plain YAML has no stack config: without --environment or --config, the strictest (prod), named in the report.
    if (environment === undefined && options.config === undefined) environment = "prod";
  }
  const configFile = options.config ? path.resolve(options.config) : path.join(packDir, "config", `${environment as string}.json`);
  // Facts the config file already carries (a policy-pack-config.json written by synth) are kept.
  const file = withFacts(readConfigFile(configFile), facts);

  const pack = await startPack(packDir);
  try {
    const { info, diagnostics } = await runPack(pack, resources, file, configFile);
    return buildReport(`${target} (${options.config ? path.basename(configFile) : environment})`, info, resources.length, info.policies.length, diagnostics, secrets);
  } finally {
    pack.stop();
  }
}

export { reportText, mandatoryCount } from "./report";
export type { CheckReport, ExemptionUse } from "./report";
export type { Diagnostic, CheckResource } from "./analyze";
export { kubernetesTypeToken } from "./inputs";
