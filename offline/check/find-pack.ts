/** Where the policy pack is: `--pack`, else the project's `policies/`, else keel's own. (No gRPC here: synth uses it too.) */
import * as fs from "fs";
import * as path from "path";
import { SynthError } from "../runtime";

/**
 * Finds the pack: `--pack`, else `<project>/policies`, else keel's own: its TypeScript sources
 * in a checkout of keel, the compiled pack (`dist/policies`) in an installed package.
 */
export function findPack(explicit: string | undefined, projectDir: string): string {
  const keelRoot = [path.resolve(__dirname, "..", ".."), path.resolve(__dirname, "..", "..", "..")].find((d) => fs.existsSync(path.join(d, "bin", "register-ts.js")));
  const own = keelRoot ? [path.join(keelRoot, "policies"), path.join(keelRoot, "dist", "policies")] : [];
  const candidates = explicit ? [path.resolve(explicit)] : [...new Set([path.join(projectDir, "policies"), ...own])];
  const found = candidates.find((c) => fs.existsSync(path.join(c, "PulumiPolicy.yaml")));
  if (!found) throw new SynthError(`no policy pack (a directory with PulumiPolicy.yaml) at ${candidates.join(" or ")}; pass --pack <dir>`);
  return found;
}

/** The pack's config file for an environment (`<pack>/config/<environment>.json`), when pack and file exist. */
export function environmentConfigFile(projectDir: string, environment: string): string | undefined {
  try {
    const file = path.join(findPack(undefined, projectDir), "config", `${environment}.json`);
    return fs.existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/** The environments of a pack: its `config/<name>.json` files. */
export function packEnvironments(packDir: string): string[] {
  try {
    return fs
      .readdirSync(path.join(packDir, "config"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -".json".length))
      .sort();
  } catch {
    return [];
  }
}

export function knownEnvironments(packDir: string, environments: readonly string[]): string {
  return environments.length > 0 ? `one of ${environments.join(", ")} (the config/*.json files of the pack ${packDir})` : `a config/<name>.json of the pack ${packDir}, which has none`;
}
