/**
 * Checks a value against a shape generated from the TypeScript types (see
 * scripts/gen-arg-shapes.ts), so that JavaScript callers, `as any` and JSON from config get a
 * field message instead of a silent pass or a TypeError deep inside a component:
 *
 * - an unknown key: `ingress.rateLimt is an unknown key; expected one of host, ...; (did you mean "rateLimit"?)`
 * - a missing required field: `platform.kubernetes is undefined; expected an object (required)`
 * - a wrong type: `command is "node server.js"; expected a list`
 *
 * Outputs and Promises are accepted where the type takes them (`pulumi.Input<T>`) and never
 * inspected; class instances (Resources, Providers, keel components) are never inspected where
 * the type is the class. Where the type is a contract (`open`: an interface that classes
 * implement, such as a platform or a network endpoint), a class instance or a richer object
 * passes with its required fields checked; elsewhere an object must be a plain object (not a
 * Map or a Date) with no key the type does not declare.
 */
import { closest } from "./did-you-mean";
import { ARG_SHAPES } from "./arg-shapes.generated";
import { KeelValidationError, Validator, describeValue } from "./errors";

/** A runtime description of a TypeScript type; see scripts/gen-arg-shapes.ts. */
export type Shape =
  /** string, number, true/false, anything, a function, an Output or a Promise */
  | "s" | "n" | "b" | "*" | "f" | "o"
  /** a named shape of {@link ARG_SHAPES} */
  | `#${string}`
  /** one of these literals */
  | { readonly e: readonly (string | number | boolean)[] }
  /** a list of */
  | { readonly a: Shape }
  /** an object whose every value is */
  | { readonly r: Shape }
  /** any of */
  | { readonly u: readonly Shape[] }
  /** an instance of the class named `c`: not inspected */
  | { readonly c: string }
  /** an object with these properties (`q`: the required ones; `x`: the shape of any other key; `open`: other keys allowed) */
  | { readonly o: Readonly<Record<string, Shape>>; readonly q?: readonly string[]; readonly x?: Shape; readonly open?: 1 };

type ObjectShape = Extract<Shape, { readonly o: unknown }>;

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;
/** A field whose getter threw (reported once). */
const UNREADABLE = Symbol("unreadable");

function deref(shape: Shape, shapes: Readonly<Record<string, Shape>>): Shape {
  let s = shape;
  while (typeof s === "string" && s.startsWith("#")) {
    const next = shapes[s.slice(1)];
    if (next === undefined) throw new Error(`arg shape ${s} is not defined: run npm run gen:arg-shapes`);
    s = next;
  }
  return s;
}

/** An Output or a Promise: decided later, never inspected here. */
function isDeferred(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const o = value as { __pulumiOutput?: unknown; then?: unknown };
  return o.__pulumiOutput === true || typeof o.then === "function";
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A value for a message: short, and never a dump of a class instance. */
export function describeArg(value: unknown): string {
  if (value === null || typeof value !== "object") return typeof value === "function" ? "a function" : describeValue(value);
  if ((value as { __pulumiOutput?: unknown }).__pulumiOutput === true) return "an Output";
  if (typeof (value as { then?: unknown }).then === "function") return "a Promise";
  if (!Array.isArray(value) && !isPlainObject(value)) return article(value.constructor?.name ?? "object");
  const text = describeValue(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function article(noun: string): string {
  return `${/^[AEIOU]/i.test(noun) ? "an" : "a"} ${noun}`;
}

/** `a`, `a or b`, `a, b or c` */
function orList(items: readonly string[]): string {
  const unique = [...new Set(items)];
  return unique.length <= 1 ? (unique[0] ?? "") : `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
}

/** Field path of a key under `path`: `ingress.host`, `env.FOO`, `labels["app.kubernetes.io/name"]`. */
export function childPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

export { closest, editDistance } from "./did-you-mean";

/** Checks values against generated shapes, collecting one line per problem. */
const INT32_MAX = 2147483647;

export class ShapeChecker {
  private readonly passed = new WeakMap<object, Set<Shape>>();
  /** True while checking the values of a free-form settings map. */
  private freeForm = false;

  /** `redact`: values are secret (stack config set with --secret): messages say `[secret]` instead. */
  constructor(
    private readonly shapes: Readonly<Record<string, Shape>> = ARG_SHAPES,
    private readonly redact = false,
  ) {}

  private show(value: unknown): string {
    return this.redact && value !== undefined ? "[secret]" : describeArg(value);
  }

  /** Problems of `value` against `shape`, each `<path> is <value>; <allowed>`. */
  check(value: unknown, shape: Shape, path: string, out: string[]): void {
    const s = deref(shape, this.shapes);
    if (s === "*") return;
    if (value === undefined) return; // optional: required keys are checked by their object
    if (typeof s === "string") return this.primitive(value, s, path, out);
    const at = path || "args";
    if ("u" in s) return this.union(value, s.u, path, out);
    if ("e" in s) {
      if (!s.e.includes(value as string)) out.push(`${at} is ${this.show(value)}; expected ${this.describe(s)}`);
      return;
    }
    if ("c" in s) {
      if ((typeof value !== "object" && typeof value !== "function") || value === null) out.push(`${at} is ${this.show(value)}; expected ${article(s.c)}`);
      return;
    }
    if (isDeferred(value) || typeof value !== "object" || value === null) {
      out.push(`${at} is ${this.show(value)}; expected ${this.describe(s)}${isDeferred(value) ? " (a plain value: keel reads it before deploying)" : ""}`);
      return;
    }
    if ("a" in s) {
      if (!Array.isArray(value)) out.push(`${at} is ${this.show(value)}; expected a list`);
      else {
        for (let i = 0; i < value.length; i++) {
          const item = this.read(value, String(i), `${path}[${i}]`, out);
          if (item === UNREADABLE) continue;
          if (item === undefined) out.push(`${path}[${i}] is undefined; expected ${this.describe(s.a)}`);
          else this.check(item, s.a, `${path}[${i}]`, out);
        }
      }
      return;
    }
    // A class instance stands only for a contract (`open`): a Map or a Date is not an object of keys.
    if (Array.isArray(value) || (!isPlainObject(value) && !("o" in s && s.open === 1))) {
      out.push(`${at} is ${this.show(value)}; expected ${this.describe(s)}`);
      return;
    }
    const cached = this.passed.get(value);
    if (cached?.has(s)) return;
    const before = out.length;
    if ("r" in s) {
      // A map of free-form settings (PostgreSQL parameters, topic config) may hold 64-bit numbers.
      const outer = this.freeForm;
      this.freeForm = true;
      this.symbolKeys(value, at, out);
      for (const key of Object.keys(value)) {
        const item = this.read(value as Record<string, unknown>, key, childPath(path, key), out);
        if (item !== UNREADABLE) this.check(item, s.r, childPath(path, key), out);
      }
      this.freeForm = outer;
    } else {
      this.object(value as Record<string, unknown>, s, path, out);
    }
    if (out.length === before) {
      if (cached) cached.add(s);
      else this.passed.set(value, new Set([s]));
    }
  }

  private primitive(value: unknown, s: "s" | "n" | "b" | "f" | "o" | `#${string}`, path: string, out: string[]): void {
    const ok =
      s === "s" ? typeof value === "string"
      : s === "n" ? typeof value === "number" && !Number.isNaN(value)
      : s === "b" ? typeof value === "boolean"
      : s === "f" ? typeof value === "function"
      : isDeferred(value);
    if (!ok) out.push(`${path} is ${this.show(value)}; expected ${this.describe(s)}`);
    else this.scalarProblem(value, path, out);
  }

  /**
   * Rules every plain value obeys wherever it goes: no string carries NUL (no environment
   * variable, argument or configuration file can hold it), and a number outside a free-form
   * settings map is finite and fits a Kubernetes integer field (32 bits).
   */
  private scalarProblem(value: unknown, path: string, out: string[]): void {
    if (typeof value === "string" && value.includes("\u0000")) out.push(`${path} is ${this.show(value)}; expected no NUL character (no environment variable, argument or configuration file can hold one)`);
    else if (typeof value === "number" && (!Number.isFinite(value) || (!this.freeForm && Math.abs(value) > INT32_MAX))) out.push(`${path} is ${value}; expected a finite number from -${INT32_MAX} to ${INT32_MAX} (a Kubernetes integer field)`);
  }

  /** Reads `value[key]`; a getter that throws is reported (`<field> cannot be read: <why>`) and gives UNREADABLE. */
  private read(value: Record<string, unknown> | unknown[], key: string, field: string, out: string[]): unknown {
    try {
      return (value as Record<string, unknown>)[key];
    } catch (e) {
      out.push(`${field} cannot be read: ${e instanceof Error ? e.message : String(e)}`);
      return UNREADABLE;
    }
  }

  /** Symbol keys are never read by keel: an object of settings with one is refused rather than half-read. */
  private symbolKeys(value: object, at: string, out: string[]): void {
    for (const sym of Object.getOwnPropertySymbols(value)) {
      if (Object.prototype.propertyIsEnumerable.call(value, sym)) out.push(`${at} has a Symbol key ${String(sym)}; expected string keys only (keel does not read Symbol keys)`);
    }
  }

  private object(value: Record<string, unknown>, s: ObjectShape, path: string, out: string[]): void {
    const closed = s.x === undefined && s.open === undefined;
    if (closed || isPlainObject(value)) this.symbolKeys(value, path || "args", out);
    // A contract's value may be a class instance whose fields are getters: read the declared ones.
    const read = (key: string): unknown => {
      try {
        return value[key];
      } catch (e) {
        out.push(`${childPath(path, key)} cannot be read (${e instanceof Error ? e.message : String(e)}); expected ${this.describe(s.o[key])}`);
        return UNREADABLE;
      }
    };
    const values = new Map<string, unknown>((closed ? Object.keys(value) : Object.keys(s.o)).map((k) => [k, read(k)]));
    for (const key of s.q ?? []) {
      if (!values.has(key)) values.set(key, read(key));
      if (values.get(key) === undefined) out.push(`${childPath(path, key)} is undefined; expected ${this.describe(s.o[key])} (required)`);
    }
    for (const [key, item] of values) {
      if (item === UNREADABLE) continue;
      const prop = Object.prototype.hasOwnProperty.call(s.o, key) ? s.o[key] : s.x;
      if (prop !== undefined) this.check(item, prop, childPath(path, key), out);
      else if (closed) out.push(this.unknownKey(key, s, path));
    }
  }

  private unknownKey(key: string, s: ObjectShape, path: string): string {
    const known = Object.keys(s.o);
    let hint = closest(key, known);
    if (!hint) {
      // A key that belongs one level down: `ingress.requestsPerSecond` for `ingress.rateLimit.requestsPerSecond`.
      for (const k of known) {
        const child = this.objectShapes(s.o[k]).find((c) => Object.keys(c.o).some((n) => n.toLowerCase() === key.toLowerCase()));
        if (child) {
          hint = `${k}.${Object.keys(child.o).find((n) => n.toLowerCase() === key.toLowerCase())}`;
          break;
        }
      }
    }
    return `${childPath(path, key)} is an unknown key; expected one of ${known.join(", ")}${hint ? ` (did you mean "${hint}"?)` : ""}`;
  }

  private objectShapes(shape: Shape): ObjectShape[] {
    const s = deref(shape, this.shapes);
    if (typeof s === "string") return [];
    if ("o" in s) return [s];
    if ("u" in s) return s.u.flatMap((m) => this.objectShapes(m));
    return [];
  }

  private union(value: unknown, members: readonly Shape[], path: string, out: string[]): void {
    const resolved = members.map((m) => deref(m, this.shapes));
    if (resolved.includes("*")) return;
    const fail = (note = "") => out.push(`${path} is ${this.show(value)}; expected ${this.describeUnion(members)}${note}`);
    if (isDeferred(value)) {
      if (!resolved.includes("o")) fail(" (a plain value: keel reads it before deploying)");
      return;
    }
    if (typeof value !== "object" || value === null) {
      const accepts = (s: Shape): boolean =>
        typeof s === "string" ? (s === "s" && typeof value === "string") || (s === "n" && typeof value === "number" && !Number.isNaN(value)) || (s === "b" && typeof value === "boolean") || (s === "f" && typeof value === "function")
        : "e" in s ? s.e.includes(value as string)
        : "c" in s && typeof value === "function";
      if (!resolved.some(accepts)) fail();
      else this.scalarProblem(value, path, out);
      return;
    }
    if (Array.isArray(value)) {
      const list = members.find((_, i) => { const r = resolved[i]; return typeof r === "object" && "a" in r; });
      if (list === undefined) fail();
      else this.check(value, list, path, out);
      return;
    }
    const candidates = members.filter((_, i) => { const r = resolved[i]; return typeof r === "object" && ("o" in r || "r" in r); });
    const classes = resolved.some((r) => typeof r === "object" && "c" in r);
    if (classes && (!isPlainObject(value) || candidates.length === 0)) return;
    if (candidates.length === 0) return void fail();
    if (candidates.length === 1) return this.check(value, candidates[0], path, out);
    this.pickMember(value as Record<string, unknown>, candidates, path, out, fail);
  }

  /** Chooses the union member a value means: by a literal discriminator (`kind`), else by the fields it has. */
  private pickMember(value: Record<string, unknown>, candidates: readonly Shape[], path: string, out: string[], fail: () => void): void {
    const objects = candidates.map((c) => deref(c, this.shapes)).map((o) => ("o" in (o as object) ? (o as ObjectShape) : undefined));
    const literalOf = (o: ObjectShape | undefined, key: string): readonly (string | number | boolean)[] | undefined => {
      const p = o?.q?.includes(key) ? deref(o.o[key], this.shapes) : undefined;
      return typeof p === "object" && "e" in p ? p.e : undefined;
    };
    const discriminators = [...new Set(objects.flatMap((o) => (o ? Object.keys(o.o).filter((k) => literalOf(o, k)) : [])))];
    for (const key of discriminators) {
      if (value[key] === undefined) continue;
      const match = objects.findIndex((o) => literalOf(o, key)?.includes(value[key] as string));
      if (match >= 0) return this.check(value, candidates[match], path, out);
      const allowed = objects.flatMap((o) => literalOf(o, key) ?? []);
      out.push(`${childPath(path, key)} is ${this.show(value[key])}; expected ${this.describe({ e: allowed })}`);
      return;
    }
    // No discriminator given: the member whose fields the value has most of.
    const scores = objects.map((o) => (o ? Object.keys(o.o).filter((k) => value[k] !== undefined).length : 0));
    const top = Math.max(...scores);
    if (top === 0) return fail();
    let best: string[] | undefined;
    candidates.forEach((c, i) => {
      if (scores[i] !== top) return;
      const trial: string[] = [];
      this.check(value, c, path, trial);
      if (!best || trial.length < best.length) best = trial;
    });
    out.push(...(best ?? []));
  }

  /** What a shape allows, for a message: "a string", "a list", `one of "app", "data"`. */
  describe(shape: Shape): string {
    const s = deref(shape, this.shapes);
    if (typeof s === "string") {
      return { s: "a string", n: "a number", b: "true or false", "*": "any value", f: "a function", o: "an Output" }[s as "s"] ?? "a value";
    }
    if ("e" in s) return s.e.length === 1 ? JSON.stringify(s.e[0]) : `one of ${s.e.map((x) => JSON.stringify(x)).join(", ")}`;
    if ("a" in s) return "a list";
    if ("c" in s) return article(s.c);
    if ("u" in s) return this.describeUnion(s.u);
    return "an object";
  }

  private describeUnion(members: readonly Shape[]): string {
    const objects = members.filter((m) => { const r = deref(m, this.shapes); return typeof r === "object" && "o" in r; });
    const describeMember = (m: Shape): string => {
      if (objects.length < 2 || !objects.includes(m)) return this.describe(m);
      if (typeof m === "string") return article(m.slice(1));
      const o = deref(m, this.shapes) as ObjectShape;
      return `{ ${(o.q && o.q.length > 0 ? o.q : Object.keys(o.o)).join(", ")} }`;
    };
    return orList(members.map(describeMember));
  }
}

const checker = new ShapeChecker();
/** True while a resolve function re-runs for its own messages (see {@link checkArgShape}). */
let rerunning = false;

/** The field a problem line is about: `a.b[0]` of `a.b[0] is 3; ...`. */
function fieldOf(problem: string): string {
  const at = problem.indexOf(" is ");
  return at < 0 ? problem : problem.slice(0, at);
}

/** One of the two fields is the other or inside it. */
function related(a: string, b: string): boolean {
  const inside = (x: string, y: string) => x === y || x.startsWith(`${y}.`) || x.startsWith(`${y}[`);
  return inside(a, b) || inside(b, a);
}

/**
 * Checks a component's args against the shape generated from its Args type (e.g.
 * "ApiServiceArgs"); problems go to `v`, one per line. Call it first in a resolve function,
 * then `v.throwIfInvalid()`, so that no later check sees a wrong shape:
 *
 * ```ts
 * const v = new Validator("ApiService", name);
 * checkArgShape(v, "ApiServiceArgs", args, () => resolveApiServiceArgs(name, args));
 * v.throwIfInvalid();
 * ```
 *
 * When the shape is wrong and `rerun` is given, the resolve function runs once more without
 * this check (it is pure): the problems it reports name a field better than a shape can ("a
 * ratio above 0 and at most 1" rather than "a number"), so they are kept, and a shape problem
 * is added only for a field they do not mention. Whatever else the re-run throws (a TypeError
 * on the wrong shape) is dropped: the shape problems explain it.
 */
export function checkArgShape(v: Validator, shapeName: string, args: unknown, rerun?: () => unknown): void {
  if (rerunning) return;
  const shape = `#${shapeName}` as const;
  if (typeof args !== "object" || args === null || Array.isArray(args) || isDeferred(args) || !isPlainObject(args)) {
    const s = deref(shape, ARG_SHAPES) as ObjectShape;
    const required = s.q ?? [];
    v.fail(`args is ${describeArg(args)}; expected an object${required.length > 0 ? ` with ${orList(required).replace(/ or /, " and ")}` : ""}`);
    return;
  }
  const problems: string[] = [];
  checker.check(args, shape, "", problems);
  if (problems.length === 0) return;
  let own: readonly string[] = [];
  if (rerun) {
    rerunning = true;
    try {
      rerun();
    } catch (e) {
      if (e instanceof KeelValidationError) own = e.problems;
    } finally {
      rerunning = false;
    }
  }
  // A problem the re-run finds inside a field of the wrong shape (a character of a string given for a list) describes the wrong value.
  const shapeFields = problems.map(fieldOf);
  const inside = (x: string, y: string) => x.startsWith(`${y}.`) || x.startsWith(`${y}[`);
  const kept = own.filter((p) => !shapeFields.some((f) => inside(fieldOf(p), f)));
  const fields = kept.map(fieldOf);
  for (const p of kept) v.fail(p);
  for (const p of problems) {
    if (!fields.some((f) => related(f, fieldOf(p)))) v.fail(p);
  }
}

/** Checks any value against a shape (e.g. a stack config section); problems are returned, prefixed with `path`. */
export function shapeProblems(value: unknown, shape: Shape, path: string, options: { readonly shapes?: Readonly<Record<string, Shape>>; readonly secret?: boolean } = {}): string[] {
  const out: string[] = [];
  new ShapeChecker(options.shapes ?? ARG_SHAPES, options.secret).check(value, shape, path, out);
  return out;
}
