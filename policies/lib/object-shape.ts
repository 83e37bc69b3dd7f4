/**
 * Object shapes: a small declarative schema (objects with fields, lists, maps, and the scalars
 * Kubernetes uses) and one walker that reports the fields whose value has the wrong type.
 *
 * - Unknown fields are not problems: CRDs and newer API versions add fields. The walker looks
 *   each of an object's keys up in its shape and never reads a value the shape does not name.
 * - `null` or `undefined` as a field's value means the field is omitted (the API server decodes
 *   null as "unset"): not a problem. `null` as a list item or as a map value is one: it is a value,
 *   which Kubernetes turns into an empty item, an empty string or a zero quantity while the
 *   policies skip it (so a null quantity's fix asks for a quantity: "" is none).
 * - A field marked `required` (the API server rejects the object without it, e.g. a pod spec's
 *   containers) is a problem when it is absent, null or, for a list, empty (when present, its
 *   type is checked like any other field's).
 * - A wrong parent is reported once and not descended into.
 * - Speed and values unknown during preview: @pulumi/policy hands policies a proxy that checks
 *   every property read for an unknown value (a trap, a path copy and a new proxy per read: ten
 *   times the cost of the walk itself). The walker reads the values under it directly, and reads
 *   a field through the proxy again only when its type is wrong: if the value is unknown, that read
 *   throws the proxy's UnknownValueError, which the walker does not catch (define.ts turns it into
 *   "cannot decide"). An unknown value whose stand-in has the right type (an unknown string where a
 *   string belongs) is simply not a problem.
 */

type Scalar = "string" | "boolean" | "integer" | "int-or-string" | "quantity";

interface Options {
  /** Never quote a string found at or under this field. */
  readonly quiet?: boolean;
  /** The fix to suggest when this field has the wrong type (else one from the types). */
  readonly fix?: string;
  /** The field must be present and not null; a list must have an item. */
  readonly required?: boolean;
  /** The fix to suggest when a required field is absent, null or empty. */
  readonly missingFix?: string;
}

export type Shape =
  | ({ readonly t: Scalar } & Options)
  | ({ readonly t: "object"; readonly fields: ReadonlyMap<string, Shape>; readonly requiredKeys: readonly string[] } & Options)
  | ({ readonly t: "list" | "map"; readonly of: Shape } & Options);

export const STRING: Shape = { t: "string" };
export const BOOLEAN: Shape = { t: "boolean" };
/** A whole number (JSON has only numbers; Kubernetes rejects 2.5 and "2" for an int32). */
export const INTEGER: Shape = { t: "integer" };
/** IntOrString: a port number or name, a count or a percentage. */
export const INT_OR_STRING: Shape = { t: "int-or-string" };
/** resource.Quantity: "500m", "256Mi", or a plain number. */
export const QUANTITY: Shape = { t: "quantity" };

export function object(fields: Readonly<Record<string, Shape>>): Shape {
  return objectOf(new Map(Object.entries(fields)));
}
function objectOf(fields: ReadonlyMap<string, Shape>): Shape {
  return { t: "object", fields, requiredKeys: [...fields].filter(([, s]) => s.required === true).map(([k]) => k) };
}
export const list = (of: Shape): Shape => ({ t: "list", of });
/** An object whose keys are names (labels, annotations, data), each value of one shape. */
export const mapOf = (of: Shape): Shape => ({ t: "map", of });
/** Never quote a string found at or under this field in a message (env values, Secret data, commands). */
export const quiet = (shape: Shape): Shape => ({ ...shape, quiet: true });
/** A field-specific fix, e.g. for env written as a map: `write a list of { name, value } items`. */
export const withFix = (shape: Shape, fix: string): Shape => ({ ...shape, fix });
/**
 * A field the API server requires: absent, null or (a list) empty is a problem, with `fix` as
 * the fix (e.g. `add at least one container`).
 */
export const required = (shape: Shape, fix: string): Shape => ({ ...shape, required: true, missingFix: fix });
/** The fields of `base` and more (later fields win). */
export function extend(base: Shape, fields: Readonly<Record<string, Shape>>): Shape {
  if (base.t !== "object") throw new Error("extend() takes an object shape");
  return objectOf(new Map([...base.fields, ...Object.entries(fields)]));
}
/** Any object: its fields are not read. */
export const ANY_OBJECT = object({});
export const STRINGS = list(STRING);
export const STRING_MAP = mapOf(STRING);

export interface ShapeProblem {
  /** `spec.template.spec.containers[0].securityContext.capabilities.drop` */
  readonly path: string;
  /** What is there: `an object`, `a string "ALL"`, `a number 2.5`, `null`. */
  readonly found: string;
  /** What belongs there: `a list of strings`. */
  readonly expected: string;
  /** How to fix it, without the final period: `write it as a list: ["ALL"]`. */
  readonly fix: string;
}

type Segment = string | number;

interface Walk {
  /** The value as given (maybe @pulumi/policy's proxy): read again only for a wrong-typed field. */
  readonly root: unknown;
  readonly prefix: string;
  readonly segments: Segment[];
  readonly out: ShapeProblem[];
}

/** The problems of `value` against `shape`; `path` prefixes every reported path (e.g. "spec"). */
export function shapeProblems(value: unknown, shape: Shape, path = ""): ShapeProblem[] {
  const w: Walk = { root: value, prefix: path, segments: [], out: [] };
  walk(w, direct(value), shape, shape.quiet === true);
  return w.out;
}

/**
 * The object under a proxy, one level deep: own data properties read without the proxy's get trap
 * (Object.getOwnPropertyDescriptor passes through a proxy that defines no such trap). Everything
 * below is then plain data.
 */
function direct(value: unknown): unknown {
  if (!isObject(value)) return value;
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(value)) plain[key] = Object.getOwnPropertyDescriptor(value, key)?.value;
  return plain;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function walk(w: Walk, value: unknown, shape: Shape, quietHere: boolean): void {
  switch (shape.t) {
    case "object": {
      if (!isObject(value)) return problem(w, value, shape, quietHere);
      const fields = shape.fields;
      for (const key of Object.keys(value)) {
        const s = fields.get(key);
        if (s === undefined) continue;
        const child = value[key];
        if (child === undefined || child === null || isScalarOk(child, s)) continue;
        w.segments.push(key);
        walk(w, child, s, quietHere || s.quiet === true);
        w.segments.pop();
      }
      for (const key of shape.requiredKeys) {
        const child = value[key];
        if (child !== undefined && child !== null && !(Array.isArray(child) && child.length === 0)) continue;
        const s = fields.get(key) as Shape;
        w.segments.push(key);
        missing(w, child, s);
        w.segments.pop();
      }
      return;
    }
    case "list": {
      if (!Array.isArray(value)) return problem(w, value, shape, quietHere);
      const of = shape.of;
      const quietItems = quietHere || of.quiet === true;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (isScalarOk(item, of)) continue;
        w.segments.push(i);
        if (item === undefined || item === null) problem(w, null, of, quietItems, of.t === "quantity" ? QUANTITY_NULL_FIX : "remove the empty item");
        else walk(w, item, of, quietItems);
        w.segments.pop();
      }
      return;
    }
    case "map": {
      if (!isObject(value)) return problem(w, value, shape, quietHere);
      const of = shape.of;
      const quietItems = quietHere || of.quiet === true;
      for (const key of Object.keys(value)) {
        const item = value[key];
        if (item === undefined || isScalarOk(item, of)) continue;
        w.segments.push(key);
        if (item === null) problem(w, null, of, quietItems, nullValueFix(of, key));
        else walk(w, item, of, quietItems);
        w.segments.pop();
      }
      return;
    }
    default:
      if (!isScalarOk(value, shape)) problem(w, value, shape, quietHere);
  }
}

/** Not `""`: Kubernetes parses no empty quantity. */
const QUANTITY_NULL_FIX = 'remove it or give a quantity such as "256Mi"';

/** The fix for a null map value: an empty string where strings belong, else a value of the map's type. */
function nullValueFix(of: Shape, key: string): string {
  if (of.t === "string") return `write "" for an empty value, or remove ${JSON.stringify(key)}`;
  if (of.t === "quantity") return QUANTITY_NULL_FIX;
  return `remove ${JSON.stringify(key)}`;
}

/** A required field that is absent, null or an empty list. */
function missing(w: Walk, value: unknown, shape: Shape): void {
  readThroughProxy(w);
  const found = value === undefined ? "missing" : value === null ? "null" : "an empty list";
  const expected = shape.t === "list" ? `a non-empty list of ${PLURAL[shape.of.t]}` : describeShape(shape);
  w.out.push({ path: formatPath(w.prefix, w.segments), found, expected, fix: shape.missingFix ?? "add it" });
}

/** The common case, without a call per check: a scalar of the right type. */
function isScalarOk(v: unknown, shape: Shape): boolean {
  switch (shape.t) {
    case "string":
      return typeof v === "string";
    case "boolean":
      return typeof v === "boolean";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "int-or-string":
      return typeof v === "string" || (typeof v === "number" && Number.isInteger(v));
    case "quantity":
      return typeof v === "string" || (typeof v === "number" && Number.isFinite(v));
    default:
      return false;
  }
}

/** Reads the field again through the value as given: @pulumi/policy's proxy throws if it is unknown. */
function readThroughProxy(w: Walk): unknown {
  let value = w.root;
  for (const s of w.segments) value = (value as Record<Segment, unknown>)[s];
  return value;
}

function problem(w: Walk, value: unknown, shape: Shape, quietHere: boolean, fix?: string): void {
  readThroughProxy(w);
  w.out.push({ path: formatPath(w.prefix, w.segments), found: describeValue(value, quietHere), expected: describeShape(shape), fix: fix ?? shape.fix ?? fixFor(value, shape, quietHere) });
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function formatPath(prefix: string, segments: readonly Segment[]): string {
  let text = prefix;
  for (const s of segments) {
    if (typeof s === "number") text += `[${s}]`;
    else if (text === "") text = s;
    else text += IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  }
  return text || "the object";
}

const MAX_QUOTED = 40;

function shown(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}

function describeValue(v: unknown, quietHere: boolean): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return v.length === 0 ? "an empty list" : "a list";
  switch (typeof v) {
    case "string":
      return quietHere ? "a string" : `a string ${shown(v)}`;
    case "number":
      return `a number ${String(v)}`;
    case "boolean":
      return `a boolean ${String(v)}`;
    default:
      return "an object";
  }
}

const PLURAL: Record<Shape["t"], string> = {
  string: "strings",
  boolean: "booleans",
  integer: "integers",
  "int-or-string": "integers or strings",
  quantity: "quantities",
  object: "objects",
  list: "lists",
  map: "maps",
};

export function describeShape(shape: Shape): string {
  switch (shape.t) {
    case "string":
      return "a string";
    case "boolean":
      return "a boolean";
    case "integer":
      return "an integer";
    case "int-or-string":
      return "an integer or a string";
    case "quantity":
      return 'a quantity (a string such as "500m", or a number)';
    case "object":
      return "an object";
    case "list":
      return `a list of ${PLURAL[shape.of.t]}`;
    case "map":
      return `a map of ${PLURAL[shape.of.t]}`;
  }
}

const DIGITS = /^-?\d+$/;

function fixFor(v: unknown, shape: Shape, quietHere: boolean): string {
  switch (shape.t) {
    case "object":
      return Array.isArray(v) ? "write one object of fields, not a list" : "write it as an object of fields";
    case "list":
      if (isObject(v)) return "wrap it in a list, even of one item";
      if (typeof v === "string" && shape.of.t === "string" && !quietHere && v.length <= MAX_QUOTED) return `write it as a list: [${JSON.stringify(v)}]`;
      return "write it as a list, even of one item";
    case "map":
      return Array.isArray(v) ? "write it as an object of names to values, not a list" : "write it as an object of names to values";
    case "string":
      return typeof v === "number" || typeof v === "boolean" ? `quote it: "${String(v)}"` : "write a single string";
    case "boolean":
      return v === "true" || v === "false" ? `write ${v} without quotes` : "write true or false";
    case "integer":
      return typeof v === "string" && DIGITS.test(v) ? `write ${v} without quotes` : "write a whole number";
    case "int-or-string":
      return "write a whole number or a name";
    case "quantity":
      return 'write a quantity such as "500m" or "256Mi"';
  }
}

