/**
 * Validation errors. Every message names the component, the field, the value and what is
 * allowed, e.g. `ApiService "api": replicas is -1; expected an integer from 0 to 1000`.
 */

/** Thrown when a component's args are invalid. Raised before any resource is registered. */
export class KeelValidationError extends Error {
  /** One line per problem, without the component prefix. */
  public readonly problems: readonly string[];

  constructor(component: string, name: string, problems: readonly string[]) {
    const prefix = `${component} "${name}"`;
    super(problems.map((p) => `${prefix}: ${p}`).join("\n"));
    this.name = "KeelValidationError";
    this.problems = problems;
  }
}

/**
 * What keel's offline engine gives a program for an encrypted stack config value (`secure:`),
 * which it cannot decrypt. A check of such a value cannot be decided offline: it is skipped there,
 * and made for real when Pulumi deploys with the decrypted value.
 */
export const UNDECRYPTED_SECRET = "[secret]";

/** Renders a value for an error message: strings quoted, objects as JSON. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "object" && value !== null) {
    // An Output or a Promise cannot be shown: its value is not known yet (and may be a secret).
    if (typeof (value as { apply?: unknown }).apply === "function" && "isKnown" in value) return "an Output";
    if (typeof (value as { then?: unknown }).then === "function") return "a Promise";
  }
  if (typeof value === "function") return "a function";
  if (typeof value === "bigint") return `a bigint ${value}n`;
  if (typeof value === "symbol") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Collects problems for one component so that a user sees all of them at once.
 *
 * ```ts
 * const v = new Validator("ApiService", name);
 * v.require(Number.isInteger(replicas), "replicas", replicas, "expected an integer from 0 to 1000");
 * v.throwIfInvalid();
 * ```
 */
export class Validator {
  private readonly problems: string[] = [];

  constructor(
    public readonly component: string,
    public readonly name: string,
  ) {}

  /** Records `<field> is <value>; <allowed>` unless `ok` holds. Returns `ok`. */
  require(ok: boolean, field: string, value: unknown, allowed: string): boolean {
    if (!ok) this.problems.push(`${field} is ${describeValue(value)}; ${allowed}`);
    return ok;
  }

  /** Records a problem that is not about a single value (e.g. two fields that conflict). */
  fail(message: string): void {
    this.problems.push(message);
  }

  get valid(): boolean {
    return this.problems.length === 0;
  }

  throwIfInvalid(): void {
    if (this.problems.length > 0) throw new KeelValidationError(this.component, this.name, this.problems);
  }
}

/** True when `value` is a plain (non-Output, non-Promise) value that can be checked now. */
export function isKnown<T>(value: T | PromiseLike<T> | { apply: unknown } | undefined): value is T {
  if (value === undefined || value === null) return false;
  if (typeof value !== "object") return true;
  return !("apply" in (value as object)) && !("then" in (value as object));
}
