/**
 * Whole-stack checks read every resource. During a preview some values are unknown: the
 * policy SDK's proxies throw on them, which would abandon the whole check. Instead each
 * resource is read once into plain JSON with unknown values left out, and counted, so a check
 * decides what it can and says how many values it could not see.
 */
import type { Target } from "./target";

/** The policy SDK's unknown-value sentinels (strings on the wire after deserialization). */
const UNKNOWN_SENTINELS = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);
const PROXY_TARGET = "__getSpecialProxyTarget";

export interface Settled {
  readonly targets: readonly Target[];
  /** Unknown values by resource URN (paths), for the report. */
  readonly unknown: ReadonlyMap<string, readonly string[]>;
}

const cache = new WeakMap<object, { value: unknown; unknown: string[] }>();

function raw(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const inner = (value as Record<string, unknown>)[PROXY_TARGET];
  return inner !== undefined && inner !== true ? inner : value;
}

function copy(value: unknown, path: string, unknown: string[]): unknown {
  if (typeof value === "string") {
    if (UNKNOWN_SENTINELS.has(value)) {
      unknown.push(path || ".");
      return undefined;
    }
    return value;
  }
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v, i) => copy(v, `${path}[${i}]`, unknown));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const c = copy(v, path ? `${path}.${k}` : k, unknown);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

/** Whether a plain value holds one of the SDK's unknown-value sentinels anywhere. */
export function hasSentinel(value: unknown): boolean {
  if (typeof value === "string") return UNKNOWN_SENTINELS.has(value);
  if (typeof value !== "object" || value === null) return false;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (hasSentinel(v)) return true;
  return false;
}

export function settle(targets: readonly Target[]): Settled {
  const unknownByUrn = new Map<string, string[]>();
  const settled = targets.map((t) => {
    const props = raw(t.props) as Record<string, unknown>;
    let entry = cache.get(props);
    if (!entry) {
      const unknown: string[] = [];
      entry = { value: hasSentinel(props) ? copy(props, "", unknown) : props, unknown };
      cache.set(props, entry);
    }
    if (entry.unknown.length) unknownByUrn.set(t.urn, entry.unknown);
    return entry.value === t.props ? t : { ...t, props: entry.value as Record<string, unknown> };
  });
  return { targets: settled, unknown: unknownByUrn };
}
