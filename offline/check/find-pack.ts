/** Where the policy pack is: `--pack`, else the project's `policies/`, else keel's own. (No gRPC here: synth uses it too.) */
import * as fs from "fs";
import * as path from "path";
import { SynthError } from "../runtime";

/**
 * Finds the pack: `--pack`, else `<project>/policies`, else keel's own: its TypeScript sources
 * in a checkout of keel, the compiled pack (`dist/policies`) in an installed package.
 */
export function findPack(explicit: string | undefined, projectDir: string): string {
  const candidates = explicit ? [path.resolve(explicit)] : [...new Set([path.join(projectDir, "policies"), ...ownPackCandidates()])];
  const found = candidates.find((c) => fs.existsSync(path.join(c, "PulumiPolicy.yaml")));
  if (!found) throw new SynthError(`no policy pack (a directory with PulumiPolicy.yaml) at ${candidates.join(" or ")}; pass --pack <dir>`);
  return found;
}

/** keel's own pack: its TypeScript sources in a checkout of keel, else the compiled one of the installed package. */
function ownPackCandidates(): string[] {
  const keelRoot = [path.resolve(__dirname, "..", ".."), path.resolve(__dirname, "..", "..", "..")].find((d) => fs.existsSync(path.join(d, "bin", "register-ts.js")));
  return keelRoot ? [path.join(keelRoot, "policies"), path.join(keelRoot, "dist", "policies")] : [];
}

/**
 * keel's own pack, whatever the project holds: synth writes `policy-pack-config.json` for it (the
 * pack `pulumi preview --policy-pack node_modules/keel/dist/policies` runs), never for a pack of
 * the project's own in `policies/`.
 */
export function ownPack(): string {
  const found = ownPackCandidates().find((c) => fs.existsSync(path.join(c, "PulumiPolicy.yaml")));
  if (!found) throw new SynthError(`keel's policy pack is missing (no PulumiPolicy.yaml at ${ownPackCandidates().join(" or ") || "keel's package"}); reinstall keel`);
  return found;
}

/** keel's own pack's config file for an environment (`<pack>/config/<environment>.json`), when it exists. */
export function environmentConfigFile(environment: string): string | undefined {
  try {
    const file = path.join(ownPack(), "config", `${environment}.json`);
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
