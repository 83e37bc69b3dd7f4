/**
 * `keel check`: synthesizes a stack (or reads Kubernetes YAML) and runs the policy pack over
 * it through the pack's gRPC analyzer interface, exactly as `pulumi preview --policy-pack`.
 */
import * as path from "path";
import { SynthError } from "../runtime";
import { clusterFactsOf, withFacts } from "../facts";
import { evaluate } from "../synth";
import { CheckResource, runPack } from "./analyze";
import { readConfigFile } from "./config";
import { resourcesFromManifests, resourcesFromRun, secretValues } from "./inputs";
import { findPack, startPack } from "./pack";
import { CheckReport, buildReport } from "./report";

export interface CheckOptions {
  /** Synthesize this stack of the project in `dir`. */
  readonly stack?: string;
  readonly dir?: string;
  /** Or check these Kubernetes YAML files (a file or a directory). */
  readonly manifests?: string;
  /** Pack config `<pack>/config/<environment>.json`. */
  readonly environment?: string;
  /** Or an explicit pack config file. */
  readonly config?: string;
  /** The policy pack directory. @default `<dir>/policies`, else keel's own */
  readonly pack?: string;
}

export async function check(options: CheckOptions): Promise<CheckReport> {
  if ((options.stack === undefined) === (options.manifests === undefined)) throw new SynthError("give exactly one of --stack and --manifests");
  if (options.environment !== undefined && options.config !== undefined) throw new SynthError("give at most one of --environment and --config");
  const dir = path.resolve(options.dir ?? ".");
  const packDir = findPack(options.pack, dir);
  if (options.environment !== undefined && !/^[a-z0-9-]+$/.test(options.environment)) throw new SynthError(`--environment is ${JSON.stringify(options.environment)}; expected a name such as dev or prod`);

  let resources: CheckResource[];
  let secrets: string[] = [];
  let target: string;
  let facts: Record<string, unknown> | undefined;
  let stackEnvironment: string | undefined;
  if (options.stack !== undefined) {
    const { run, environment } = await evaluate({ stack: options.stack, dir });
    resources = resourcesFromRun(run.resources);
    secrets = secretValues(run.resources);
    facts = clusterFactsOf(run);
    stackEnvironment = environment;
    target = `stack ${options.stack}`;
  } else {
    resources = resourcesFromManifests(path.resolve(options.manifests as string));
    target = `manifests ${options.manifests}`;
  }
  // The environment: as given, else the stack's own (keel:environment), else prod.
  const environment = options.environment ?? stackEnvironment ?? "prod";
  const configFile = options.config ? path.resolve(options.config) : path.join(packDir, "config", `${environment}.json`);
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
