/**
 * `<out>/<stack>/` belongs to keel only when keel wrote it: every output directory holds a
 * marker file (MARKER). keel replaces or removes only such a directory (or one an older keel
 * wrote: only keel's own files, plan.json among them); any other directory of that name is
 * the user's, and keel refuses to touch it.
 */
import * as fs from "fs";
import * as path from "path";
import { SynthError } from "./runtime";

export const MARKER = ".keel-synth";
export const MARKER_TEXT = "written by keel synth: keel replaces this directory on the next synth and removes it after a failed one\n";
const OUTPUT_ENTRIES = new Set([MARKER, "manifests", "plan.json", "topology.mmd", "capacity.md", "policy-pack-config.json"]);

/** What is at `dir` now: nothing, keel's output (with its marker's identity), or something else. */
export type OutputState = { readonly kind: "none" } | { readonly kind: "keel"; readonly stamp: string } | { readonly kind: "other"; readonly why: string };

function shownDir(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return `${rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? dir : rel}/`;
}

export function outputState(dir: string): OutputState {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { kind: "none" };
    return { kind: "other", why: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  if (!stat.isDirectory()) return { kind: "other", why: stat.isSymbolicLink() ? "is a symbolic link" : "is a file" };
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (err) {
    return { kind: "other", why: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  try {
    const marker = fs.lstatSync(path.join(dir, MARKER));
    if (marker.isFile()) return { kind: "keel", stamp: `${marker.ino}:${marker.mtimeMs}` };
  } catch {
    // no marker: maybe an older keel's output
  }
  if (entries.includes("plan.json") && entries.every((e) => OUTPUT_ENTRIES.has(e))) {
    const st = fs.lstatSync(path.join(dir, "plan.json"));
    return { kind: "keel", stamp: `legacy:${st.ino}:${st.mtimeMs}` };
  }
  return { kind: "other", why: entries.length === 0 ? "is an empty directory keel did not write" : "is a directory keel did not write" };
}

/** The error for a directory keel will not replace. */
export function notOurs(dir: string, why: string, flag: string): SynthError {
  return new SynthError(`${shownDir(dir)} ${why} (it has no ${MARKER} marker); keel writes its output only to a directory it created itself: remove or rename it, or choose another ${flag}`);
}

/**
 * After a failure: removes `dir` when it still is the keel output seen before the run
 * (`before`), never one another run wrote meanwhile. Returns whether it removed it.
 */
export function removeStaleOutput(dir: string, before: OutputState): boolean {
  if (before.kind !== "keel") return false;
  const now = outputState(dir);
  if (now.kind !== "keel" || now.stamp !== before.stamp) return false;
  const aside = asideName(dir, "stale");
  try {
    fs.renameSync(dir, aside);
  } catch {
    return false;
  }
  fs.rmSync(aside, { recursive: true, force: true });
  return true;
}

function asideName(dir: string, what: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.${what}-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`);
}

/**
 * Puts `staging` (complete, with its marker) in place of `dir`: the old output is renamed
 * aside, the new one renamed in, the old one removed. Another run's output that appears in
 * between is replaced the same way (its marker says it is keel's); anything else is refused.
 */
export function swapIn(staging: string, dir: string, flag: string): void {
  for (let attempt = 0; attempt < 20; attempt++) {
    const state = outputState(dir);
    if (state.kind === "other") throw notOurs(dir, state.why, flag);
    let aside: string | undefined;
    if (state.kind === "keel") {
      aside = asideName(dir, "old");
      try {
        fs.renameSync(dir, aside);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT") continue; // another run moved it first
        throw new SynthError(`cannot replace ${shownDir(dir)}: ${code ?? (err as Error).message}`);
      }
    }
    try {
      fs.renameSync(staging, dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (aside) fs.rmSync(aside, { recursive: true, force: true });
      if (code === "ENOTEMPTY" || code === "EEXIST") continue; // another run put its output there meanwhile
      throw new SynthError(`cannot write ${shownDir(dir)}: ${code ?? (err as Error).message}`);
    }
    if (aside) fs.rmSync(aside, { recursive: true, force: true });
    return;
  }
  throw new SynthError(`cannot write ${shownDir(dir)}: other runs kept replacing it; run one synth at a time`);
}
