/**
 * keel's public contract, as committed under contract/: the API reports of the package's entry
 * points (contract/*.api.md) and the URN snapshot of every stack (contract/urns/<stack>.txt).
 * `generate` rebuilds them from the tree; the rest (comparison, messages) is pure.
 */
import * as fs from "fs";
import * as path from "path";
import { apiReports } from "./api";
import { changelogProblem, contractDigest, digestLine, isApiReport, isUrnSnapshot } from "./digest";
import { countChanges, formatDiff, lineDiff } from "./diff";
import { CATALOGUE, discoverStacks, runStack, runStacks } from "./stacks";
import { Removal, classifyRemovals, resourceLines, snapshotText } from "./urns";

export interface Generated {
  /** Repository-relative path to content: every contract file the tree produces. */
  readonly files: Map<string, string>;
  /** API Extractor's warnings, one line each. */
  readonly messages: readonly string[];
  /** tsc's type errors while building the declarations, if any. */
  readonly typeErrors?: string;
}

/** Rebuilds every contract file from the tree in `root` (nothing written under `root`). */
export async function generate(root: string): Promise<Generated> {
  const files = new Map<string, string>();
  // Both in child processes (tsc, one synth per stack), side by side.
  const [runs, catalogue, api] = await Promise.all([runStacks(root, discoverStacks(root)), runStack(path.join(root, CATALOGUE.dir), CATALOGUE.stack), apiReports(root)]);
  for (const run of runs) files.set(`contract/urns/${run.stack}.txt`, snapshotText(run));
  files.set(CATALOGUE.snapshot, snapshotText(catalogue));
  for (const [file, text] of api.files) files.set(file, text);
  return { files, messages: api.messages, typeErrors: api.typeErrors };
}

/** The contract files committed in `root` (those the guard owns: contract/*.api.md, contract/urns/*.txt). */
export function committedFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const read = (dir: string, keep: (file: string) => boolean) => {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) return;
    for (const name of fs.readdirSync(abs).sort()) {
      const file = `${dir}/${name}`;
      if (keep(file)) files.set(file, fs.readFileSync(path.join(abs, name), "utf8"));
    }
  };
  read("contract", isApiReport);
  read("contract/urns", isUrnSnapshot);
  return files;
}

export interface FileChange {
  readonly file: string;
  readonly status: "added" | "removed" | "changed";
  readonly added: number;
  readonly removed: number;
  /** What `pulumi up` would do with each resource gone from a URN snapshot. */
  readonly removals: readonly Removal[];
  /** The short diff, ready to print. */
  readonly lines: readonly string[];
}

/** How the generated files differ from the committed ones, file by file in path order. */
export function compareContract(committed: ReadonlyMap<string, string>, generated: ReadonlyMap<string, string>, maxLines = 20): FileChange[] {
  const files = [...new Set([...committed.keys(), ...generated.keys()])].sort();
  const changes: FileChange[] = [];
  for (const file of files) {
    const before = committed.get(file);
    const after = generated.get(file);
    if (before === after) continue;
    const status = before === undefined ? "added" : after === undefined ? "removed" : "changed";
    // A whole file added or removed: its first lines say enough.
    const max = status === "changed" ? maxLines : Math.min(5, maxLines);
    if (isUrnSnapshot(file)) {
      // A stack that is gone is not a change `pulumi up` makes to it (its resources stay until `pulumi destroy`).
      const removals = status === "removed" ? [] : classifyRemovals(before ?? "", after ?? "");
      const oldLines = resourceLines(before ?? "");
      const newLines = resourceLines(after ?? "");
      const verdicts = new Map(removals.map((r) => [r.line, r.verdict]));
      // Snapshots are sets of sorted lines: no context, removed lines with what `pulumi up` does.
      const ops = lineDiff(oldLines.join("\n"), newLines.join("\n")).filter((o) => o.op !== " ");
      const stackGone = status === "removed" ? [`  (no Pulumi.${path.basename(file, ".txt")}.yaml any more: the stack itself is gone)`] : [];
      changes.push({ file, status, ...countChanges(ops), removals, lines: [...stackGone, ...formatDiff(ops, { context: 0, max, note: (l) => verdicts.get(l) })] });
    } else {
      const ops = lineDiff(before ?? "", after ?? "");
      changes.push({ file, status, ...countChanges(ops), removals: [], lines: formatDiff(ops, { context: 2, max }) });
    }
  }
  return changes;
}

/** The change listing the check fails with and `update` prints. */
export function describeChanges(changes: readonly FileChange[]): string[] {
  const out: string[] = [];
  for (const c of changes) {
    out.push(`${c.file}: ${c.status} (+${c.added} -${c.removed} lines)`);
    out.push(...c.lines.map((l) => `    ${l}`));
  }
  const removals = changes.flatMap((c) => c.removals.map((r) => ({ file: c.file, ...r })));
  const recreated = removals.filter((r) => r.kind === "recreated");
  const aliased = removals.filter((r) => r.kind === "aliased");
  if (recreated.length > 0 || aliased.length > 0) {
    out.push(`Resources gone from the URN snapshots: ${recreated.length} without an alias (${recreated.length === 1 ? "it" : "each"} would be deleted and recreated on \`pulumi up\`; add \`aliases\` if renamed or re-parented), ${aliased.length} covered by an alias.`);
  }
  return out;
}

export const UPDATE_HINT = "Run `npm run contract:update`, then record the change in CHANGELOG.md: describe it under ## Unreleased and end the entry with the `Contract: api …, urns …` line the update prints.";

export interface CheckResult {
  readonly ok: boolean;
  readonly message: string;
}

/** The check, given the committed files, the regenerated ones and CHANGELOG.md's text. */
export function evaluateCheck(committed: ReadonlyMap<string, string>, generated: ReadonlyMap<string, string>, changelog: string): CheckResult {
  const changes = compareContract(committed, generated);
  if (changes.length > 0) {
    const names = changes.map((c) => c.file).join(", ");
    return {
      ok: false,
      message: [`contract check failed: the public contract differs from the committed files (${names}).`, ...describeChanges(changes), UPDATE_HINT].join("\n"),
    };
  }
  const digest = contractDigest(committed);
  const problem = changelogProblem(changelog, digest);
  if (problem) return { ok: false, message: `contract check failed: ${problem}` };
  const apis = [...committed.keys()].filter(isApiReport).length;
  const urns = [...committed.keys()].filter(isUrnSnapshot).length;
  return { ok: true, message: `contract check: ok (${apis} API reports, ${urns} URN snapshots; CHANGELOG.md records ${digestLine(digest)})` };
}

export interface UpdateResult {
  readonly changes: readonly FileChange[];
  readonly digest: string;
  /** Whether CHANGELOG.md already records that digest. */
  readonly recorded: boolean;
}

/** Writes the generated files under `root` (removing snapshots of stacks that are gone). */
export function writeContract(root: string, committed: ReadonlyMap<string, string>, generated: ReadonlyMap<string, string>): UpdateResult {
  const changes = compareContract(committed, generated);
  for (const c of changes) {
    const abs = path.join(root, c.file);
    if (c.status === "removed") fs.rmSync(abs, { force: true });
    else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, generated.get(c.file)!);
    }
  }
  const digest = contractDigest(generated);
  const changelogPath = path.join(root, "CHANGELOG.md");
  const changelog = fs.existsSync(changelogPath) ? fs.readFileSync(changelogPath, "utf8") : "";
  return { changes, digest: digestLine(digest), recorded: changelogProblem(changelog, digest) === undefined };
}
