/** Where the policy pack is: `--pack`, else the project's `policies/`, else keel's own. (No gRPC here: synth uses it too.) */
import * as fs from "fs";
import * as path from "path";
import { SynthError } from "../runtime";

/** Finds the pack: `--pack`, else `<project>/policies`, else keel's own `policies/`. */
export function findPack(explicit: string | undefined, projectDir: string): string {
  const keelRoot = [path.resolve(__dirname, "..", ".."), path.resolve(__dirname, "..", "..", "..")].find((d) => fs.existsSync(path.join(d, "bin", "register-ts.js")));
  const candidates = explicit ? [path.resolve(explicit)] : [path.join(projectDir, "policies"), ...(keelRoot ? [path.join(keelRoot, "policies")] : [])];
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
