import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";

/** Writes `files` (objects become YAML) into a fresh directory and returns its path. */
export function workdir(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-real-"));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), typeof content === "string" ? content : stringify(content));
  return dir;
}

/** Runs a checker; returns its exit code and output. */
export function run(command: string, args: readonly string[], cwd: string): { code: number; output: string } {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 60_000 });
  if (r.error) throw new Error(`${command} is not installed (.ci/run installs it): ${r.error.message}`);
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/**
 * Builds the Go program in `test-real/<module>` into the temp directory and returns its path
 * (the Go build and module caches make a rebuild take seconds).
 */
export function goBuild(module: string, binary: string): string {
  const out = path.join(os.tmpdir(), `keel-${module}`, binary);
  // Suites in parallel workers may build the same module: each writes its own file, then renames it into place (atomic).
  const own = `${out}.${process.pid}`;
  try {
    execFileSync("go", ["build", "-o", own, "."], { cwd: path.join(__dirname, module), stdio: "pipe", timeout: 900_000 });
    fs.renameSync(own, out);
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`go build of test-real/${module} failed (needs Go and the Go module proxy): ${e.stderr?.toString() ?? e.message}`);
  }
  return out;
}
