/** Reading resource properties without `any`: plain JSON accessors. */

export type Obj = Record<string, unknown>;

export const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/** `at(props, "spec.template.spec")`. */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Obj)[key];
  }
  return current;
}

/** A deep copy of plain JSON (for remediation: never mutate the engine's props). */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
