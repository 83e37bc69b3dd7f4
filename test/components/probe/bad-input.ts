/**
 * A bad-input probe: starting from valid args of a component, it changes one thing at a time
 * (every leaf replaced by values of other types and hostile strings, every key removed, an
 * unknown key added at every level) and constructs the component. Each attempt must either
 * succeed or fail with keel's validation error: lines `<Component> "<name>": <field> ...`.
 * Never a TypeError, never a message without the component; an unknown key never passes.
 */
import * as pulumi from "@pulumi/pulumi";
import { KeelValidationError } from "../../../components/core/errors";
import type { Platform } from "../../../components";

export type Args = Record<string, unknown>;

export interface ProbeTarget {
  readonly component: string;
  /** Valid args (the platform is added by the probe). */
  readonly base: (platform: Platform) => Args;
  readonly make: (name: string, args: Args) => unknown;
}

export interface Mutation {
  readonly path: string;
  readonly kind: "replace" | "remove" | "unknown-key";
  readonly args: Args;
  readonly value?: unknown;
}

export interface Outcome {
  readonly mutation: Mutation;
  readonly result: "ok" | "rejected" | "crashed" | "unclear" | "silent-unknown-key";
  readonly message?: string;
}

/** What a leaf is replaced with: other types, out-of-range numbers and hostile strings. */
export const REPLACEMENTS: readonly unknown[] = [
  null, -1, 0.5, 1e15, Number.NaN, 10n, "", "0", "A B", "a".repeat(300), "x\n$(id);`id`'\"\u0000", true, [], ["a"], { zz: 1 },
  () => 1, new Date(0), new Map([["a", "b"]]),
];
// Outputs are checked when they resolve (inside the deployment): test/components/api-service/redteam-api.test.ts and others.

function isPlain(value: unknown): value is Args | unknown[] {
  if (value === null || typeof value !== "object") return false;
  if (pulumi.Output.isInstance(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === Array.prototype || proto === null;
}

function setAt(root: unknown, path: readonly (string | number)[], change: (parent: Args | unknown[], key: string | number) => void): Args {
  const copy = structuredCloneKeepingInstances(root) as Args;
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) node = (node as Args)[key as string];
  change(node as Args, path[path.length - 1]);
  return copy;
}

/** Copies plain objects and arrays; class instances (platforms, Outputs, connections) are kept as they are. */
function structuredCloneKeepingInstances(value: unknown): unknown {
  if (!isPlain(value)) return value;
  if (Array.isArray(value)) return value.map(structuredCloneKeepingInstances);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structuredCloneKeepingInstances(v)]));
}

const render = (path: readonly (string | number)[]) => path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("");

/** Every one-change mutation of `args` (the platform itself is not mutated here). */
export function mutations(args: Args): Mutation[] {
  const out: Mutation[] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (path.length > 0 && path[0] === "platform") return;
    if (isPlain(value)) {
      if (!Array.isArray(value)) out.push({ path: render(path), kind: "unknown-key", args: setAt(args, [...path, "colour"], (p, k) => ((p as Args)[k as string] = 1)) });
      if (path.length === 0) {
        for (const [k, v] of Object.entries(value)) walk(v, [k]);
        return;
      }
      for (const [k, v] of Array.isArray(value) ? value.entries() : Object.entries(value)) walk(v, [...path, k]);
    }
    if (path.length === 0) return;
    out.push({ path: render(path), kind: "remove", args: setAt(args, path, (p, k) => (Array.isArray(p) ? p.splice(k as number, 1) : delete (p as Args)[k as string])) });
    for (const replacement of REPLACEMENTS) out.push({ path: render(path), kind: "replace", value: replacement, args: setAt(args, path, (p, k) => ((p as Args)[k as string] = replacement)) });
  };
  walk(args, []);
  return out;
}

/** Constructs the component with one mutation; classifies what happened. */
export function attempt(target: ProbeTarget, name: string, mutation: Mutation): Outcome {
  try {
    target.make(name, mutation.args);
  } catch (err) {
    if (!(err instanceof KeelValidationError)) return { mutation, result: "crashed", message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    const prefix = `${target.component} "${name}": `;
    const lines = err.message.split("\n");
    if (lines.length === 0 || lines.some((l) => !l.startsWith(prefix) || l.length <= prefix.length + 5)) return { mutation, result: "unclear", message: err.message };
    return { mutation, result: "rejected", message: err.message };
  }
  return { mutation, result: mutation.kind === "unknown-key" ? "silent-unknown-key" : "ok" };
}
