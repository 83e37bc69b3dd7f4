/** Finding the same thing given twice (ports, port names, volumes, mount paths, hosts and paths, connections). */
import type { Validator } from "./errors";

export interface Duplicate<K> {
  readonly key: K;
  /** Index of the first item with this key. */
  readonly first: number;
  /** Index of the later item with the same key. */
  readonly index: number;
}

/** Every item whose key an earlier item already has (items whose key is undefined are skipped). */
export function findDuplicates<T, K>(items: readonly T[], keyOf: (item: T, index: number) => K | undefined): Duplicate<K>[] {
  const seen = new Map<K, number>();
  const found: Duplicate<K>[] = [];
  items.forEach((item, index) => {
    const key = keyOf(item, index);
    if (key === undefined) return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else found.push({ key, first, index });
  });
  return found;
}

/**
 * Records `<field>[j].<key> is <value>; expected <what> not already used by <field>[i]` for each
 * item whose `keyOf` (e.g. a normalized path) an earlier item has; `<value>` is the item's own `key`.
 */
export function requireUnique<T>(v: Validator, field: string, items: readonly T[], key: string, keyOf: (item: T) => string | number | undefined, what: string): void {
  for (const d of findDuplicates(items, keyOf)) {
    const item: unknown = items[d.index];
    const value = typeof item === "object" && item !== null && key in item ? (item as Record<string, unknown>)[key] : d.key;
    v.require(false, `${field}[${d.index}].${key}`, value, `expected ${what} not already used by ${field}[${d.first}]`);
  }
}

/** A port one Kubernetes object lists, with the field that sets it. */
export interface ListedPort {
  readonly field: string;
  readonly port: unknown;
  /** @default "TCP" */
  readonly protocol?: string;
}

/**
 * The ports one object lists (a Service's, a container's): Kubernetes refuses the same port and
 * protocol twice in one list. Records `<field> is <port>; expected a port other than <first field> ...`.
 */
export function requireDistinctPorts(v: Validator, object: string, ports: readonly ListedPort[]): void {
  for (const d of findDuplicates(ports, (p) => (Number.isInteger(p.port) ? `${p.port as number}/${p.protocol ?? "TCP"}` : undefined))) {
    const p = ports[d.index];
    v.require(false, p.field, p.port, `expected a port other than ${ports[d.first].field}'s: ${object} would list ${d.key} twice, which Kubernetes refuses`);
  }
}
