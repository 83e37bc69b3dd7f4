/**
 * The project's stacks (every `Pulumi.<stack>.yaml` at the root), each synthesized under the mock
 * runtime in a child process of its own (one program per module registry, as `keel synth`).
 */
import { fork } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** What the URN snapshot needs of a registered resource. */
export interface RegisteredResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** The parent's URN ("" for none). */
  readonly parent: string;
  /** As plan.json records them: URNs, or `{ name, type, parent, noParent, stack, project }` specs. */
  readonly aliases?: readonly (string | Record<string, string | boolean>)[];
}

export interface StackRun {
  readonly project: string;
  readonly stack: string;
  readonly resources: readonly RegisteredResource[];
}

/**
 * The component modes no blueprint uses (contract/catalogue: a program of its own), snapshotted
 * beside the stacks so that their resources' URNs are guarded too.
 */
export const CATALOGUE = { dir: "contract/catalogue", stack: "catalogue", snapshot: "contract/urns/catalogue.txt" } as const;

/** The stack names of the project in `root`, sorted. */
export function discoverStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .flatMap((file) => {
      const m = /^Pulumi\.(.+)\.ya?ml$/.exec(file);
      return m ? [m[1]] : [];
    })
    .sort();
}

const WORKER = path.join(__dirname, "urn-worker.js");

/** Synthesizes one stack in a child process. */
export function runStack(root: string, stack: string, timeoutMs = 300_000): Promise<StackRun> {
  return new Promise((resolve, reject) => {
    // The young-generation sizes bin/keel.js runs synth with (about 1.4x faster).
    const child = fork(WORKER, [root, stack], { cwd: root, stdio: ["ignore", "ignore", "pipe", "ipc"], execArgv: ["--max-semi-space-size=128", "--min-semi-space-size=64"] });
    let stderr = "";
    let answer: { ok: true; run: StackRun } | { ok: false; error: string } | undefined;
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < 20_000) stderr += chunk;
    });
    child.on("message", (m) => {
      answer = m as typeof answer;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`stack ${stack}: cannot start the synth process: ${err.message}`));
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (answer?.ok) resolve(answer.run);
      else if (answer) reject(new Error(`stack ${stack}: synth failed: ${answer.error}`));
      else reject(new Error(`stack ${stack}: the synth process ended (${signal ?? `exit ${code}`}) without an answer${stderr ? `:\n${stderr.trim()}` : ""}`));
    });
  });
}

/** Synthesizes the stacks, `concurrency` at a time; results in the order of `stacks`. */
export async function runStacks(root: string, stacks: readonly string[], concurrency = Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length))): Promise<StackRun[]> {
  const results: StackRun[] = new Array(stacks.length);
  let next = 0;
  const lane = async () => {
    while (next < stacks.length) {
      const i = next++;
      results[i] = await runStack(root, stacks[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, stacks.length) }, lane));
  return results;
}
