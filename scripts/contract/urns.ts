/**
 * URN snapshots (contract/urns/<stack>.txt): one line per registered resource, sorted,
 *
 *   <type>::<name>  parent=<parent type>::<parent name>   (or `parent=-` under the stack)
 *   ... and `  aliases=[...]` when the resource has aliases
 *
 * and what a removed line means on `pulumi up`. Pulumi matches state by URN, which is
 * `<ancestors' types joined by $>$<type>::<name>` under the stack: the parent's *name* is not
 * part of it. Alias parents and URN aliases are written as such URN tails (`<type chain>::<name>`,
 * without `urn:pulumi:<stack>::<project>::`), `-` for "no parent". Pure: no I/O.
 */
import type { RegisteredResource, StackRun } from "./stacks";

const STACK_TYPE = "pulumi:pulumi:Stack";

/** An alias as the snapshot writes it (keys in this order, only those set). */
export interface AliasRef {
  readonly name?: string;
  readonly type?: string;
  /** URN tail of the parent, "-" for no parent. */
  readonly parent?: string;
  /** Set only when another stack's or project's (such an alias never covers this stack's resources). */
  readonly stack?: string;
  readonly project?: string;
  /** A URN alias: its tail (the whole URN when it is another stack's). */
  readonly urn?: string;
}

export interface SnapshotLine {
  readonly type: string;
  readonly name: string;
  /** `<type>::<name>` of the parent, "-" under the stack. */
  readonly parent: string;
  readonly aliases: readonly AliasRef[];
}

/** The URN without `urn:pulumi:<stack>::<project>::` (the whole URN when it is another stack's). */
export function urnTail(urn: string, stack: string, project: string): string {
  const prefix = `urn:pulumi:${stack}::${project}::`;
  return urn.startsWith(prefix) ? urn.slice(prefix.length) : urn;
}

/** `<type>::<name>` of a URN or URN tail (the last type of its chain), "-" for none or the stack. */
export function refOf(urnOrTail: string): string {
  if (!urnOrTail) return "-";
  const tail = urnOrTail.startsWith("urn:pulumi:") ? urnOrTail.split("::").slice(2).join("::") : urnOrTail;
  const i = tail.indexOf("::");
  const chain = tail.slice(0, i);
  const type = chain.slice(chain.lastIndexOf("$") + 1);
  return type === STACK_TYPE ? "-" : `${type}::${tail.slice(i + 2)}`;
}

function aliasRef(alias: string | Record<string, string | boolean>, stack: string, project: string): AliasRef {
  if (typeof alias === "string") return { urn: urnTail(alias, stack, project) };
  const out: { -readonly [K in keyof AliasRef]: string } = {};
  if (typeof alias.name === "string") out.name = alias.name;
  if (typeof alias.type === "string") out.type = alias.type;
  if (alias.noParent === true) out.parent = "-";
  else if (typeof alias.parent === "string" && alias.parent) out.parent = alias.parent.includes(`::${STACK_TYPE}::`) ? "-" : urnTail(alias.parent, stack, project);
  if (typeof alias.stack === "string" && alias.stack !== stack) out.stack = alias.stack;
  if (typeof alias.project === "string" && alias.project !== project) out.project = alias.project;
  return out;
}

export function formatLine(line: SnapshotLine): string {
  const aliases = line.aliases.length > 0 ? `  aliases=${JSON.stringify(line.aliases)}` : "";
  return `${line.type}::${line.name}  parent=${line.parent}${aliases}`;
}

export function parseLine(text: string): SnapshotLine {
  const m = /^(.+?)::(.*?)  parent=(.+?)(?:  aliases=(\[.*\]))?$/.exec(text);
  if (!m) throw new Error(`not a URN snapshot line: ${JSON.stringify(text)}`);
  return { type: m[1], name: m[2], parent: m[3], aliases: m[4] ? (JSON.parse(m[4]) as AliasRef[]) : [] };
}

/** The snapshot lines of one run (the stack resource itself left out: its URN is the stack's), sorted. */
export function snapshotLines(run: StackRun): string[] {
  return run.resources
    .filter((r: RegisteredResource) => r.type !== STACK_TYPE)
    .map((r) => {
      const aliases = (r.aliases ?? []).map((a) => aliasRef(a, run.stack, run.project));
      aliases.sort((a, b) => cmp(JSON.stringify(a), JSON.stringify(b)));
      return formatLine({ type: r.type, name: r.name, parent: refOf(r.parent), aliases });
    })
    .sort(cmp);
}

export function snapshotText(run: StackRun): string {
  const header = `# URN snapshot of stack ${run.stack} (project ${run.project}), written by \`npm run contract:update\`: <type>::<name>  parent=<type>::<name> (- under the stack)  [aliases=...]`;
  return [header, ...snapshotLines(run)].join("\n") + "\n";
}

/** The resource lines of a snapshot file (comments and blank lines skipped). */
export function resourceLines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The snapshot's resources by `<type>::<name>`, each with its URN tail (reconstructed through its parents). */
class Snapshot {
  readonly byRef = new Map<string, SnapshotLine>();
  constructor(lines: readonly SnapshotLine[]) {
    for (const l of lines) this.byRef.set(`${l.type}::${l.name}`, l);
  }
  /** The type chain of a resource's URN; a parent missing from the snapshot counts as under the stack. */
  chain(line: SnapshotLine, depth = 0): string {
    if (line.parent === "-" || depth > 100) return line.type;
    const parent = this.byRef.get(line.parent);
    const parentChain = parent ? this.chain(parent, depth + 1) : line.parent.slice(0, line.parent.indexOf("::"));
    return `${parentChain}$${line.type}`;
  }
  tail(line: SnapshotLine): string {
    return `${this.chain(line)}::${line.name}`;
  }
  /** The URN tails a resource's aliases stand for: its own, and those it inherits from its parents' aliases. */
  aliasTails(line: SnapshotLine, depth = 0): { tail: string; via: SnapshotLine }[] {
    const out: { tail: string; via: SnapshotLine }[] = [];
    const parent = line.parent === "-" ? undefined : this.byRef.get(line.parent);
    for (const a of line.aliases) {
      if (a.stack !== undefined || a.project !== undefined) continue;
      if (a.urn !== undefined) {
        if (!a.urn.startsWith("urn:")) out.push({ tail: a.urn, via: line });
        continue;
      }
      const parentChain = a.parent === "-" ? "" : a.parent !== undefined ? a.parent.slice(0, a.parent.indexOf("::")) : line.parent === "-" ? "" : parent ? this.chain(parent) : line.parent.slice(0, line.parent.indexOf("::"));
      out.push({ tail: `${parentChain ? `${parentChain}$` : ""}${a.type ?? line.type}::${a.name ?? line.name}`, via: line });
    }
    // A parent's alias gives each child the URN it had under the parent's old URN (Pulumi derives these).
    if (parent && depth < 100) {
      for (const p of this.aliasTails(parent, depth + 1)) out.push({ tail: `${p.tail.slice(0, p.tail.indexOf("::"))}$${line.type}::${line.name}`, via: p.via });
    }
    return out;
  }
}

export type RemovalKind = "aliases-changed" | "same-urn" | "aliased" | "recreated";

export interface Removal {
  /** The old line. */
  readonly line: string;
  readonly kind: RemovalKind;
  /** One line for people. */
  readonly verdict: string;
}

export const RECREATED = "would be deleted and recreated on `pulumi up` (add `aliases` if it was renamed or re-parented)";

/** For each line of `oldText` not in `newText`: what `pulumi up` would do with that resource. */
export function classifyRemovals(oldText: string, newText: string): Removal[] {
  const oldLines = resourceLines(oldText);
  const newLines = resourceLines(newText);
  const newSet = new Set(newLines);
  const before = new Snapshot(oldLines.map(parseLine));
  const after = new Snapshot(newLines.map(parseLine));
  const byTail = new Map<string, SnapshotLine>();
  const aliased = new Map<string, { resource: SnapshotLine; holder: SnapshotLine }>();
  for (const l of after.byRef.values()) {
    byTail.set(after.tail(l), l);
    for (const a of after.aliasTails(l)) if (!aliased.has(a.tail)) aliased.set(a.tail, { resource: l, holder: a.via });
  }
  const ref = (l: SnapshotLine) => `${l.type}::${l.name}`;
  return oldLines
    .filter((text) => !newSet.has(text))
    .map((text) => {
      const old = parseLine(text);
      const same = after.byRef.get(ref(old));
      if (same && same.parent === old.parent) return { line: text, kind: "aliases-changed", verdict: "still registered, only its aliases changed" };
      const tail = before.tail(old);
      const kept = byTail.get(tail);
      if (kept) return { line: text, kind: "same-urn", verdict: `keeps its URN (parent now ${kept.parent}): updated in place` };
      const alias = aliased.get(tail);
      if (alias) {
        const by = alias.holder === alias.resource ? "its alias" : `the alias on its ancestor ${ref(alias.holder)}`;
        return { line: text, kind: "aliased", verdict: `now ${ref(alias.resource)}  parent=${alias.resource.parent}, covered by ${by}: moved, not replaced` };
      }
      return { line: text, kind: "recreated", verdict: RECREATED };
    });
}
