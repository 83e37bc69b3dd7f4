/** Turning a parsed YAML document into plain values, refusing what JSON cannot hold. */
import { Document, LineCounter, isCollection, isScalar, parseDocument, visit } from "yaml";

/** YAML aliases a document may expand (a real file has a handful; a "billion laughs" document millions). */
export const MAX_ALIASES = 1000;

/** A path of keys, as `a.b[2]`. */
function pathText(parts: readonly (string | number)[]): string {
  return parts.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") || "the document";
}

/**
 * The document's value, or why it cannot be one: a mapping key that is a list or mapping
 * (YAML complex keys), an alias bomb, an alias that refers to itself (a value that contains itself).
 */
export function documentValue(doc: Document): { value: unknown } | { problem: string } {
  let complexKey: string | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (complexKey === undefined && isCollection(pair.key)) {
        complexKey = String(pair.key);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (complexKey !== undefined) return { problem: `a mapping key is a list or mapping (${complexKey.length > 40 ? `${complexKey.slice(0, 40)}...` : complexKey}); keys must be strings` };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    return { problem: `${(err as Error).message} (more than ${MAX_ALIASES} alias expansions)` };
  }
  const cycle = cyclePath(value);
  if (cycle) return { problem: `${cycle} refers to itself through a YAML alias (a recursive alias); a value cannot contain itself` };
  return { value };
}

/** Where a value contains itself, or undefined (iterative: deep values cannot overflow the stack). */
export function cyclePath(root: unknown): string | undefined {
  const onPath = new Set<object>();
  const stack: { value: unknown; path: (string | number)[]; leave?: object }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const top = stack.pop() as { value: unknown; path: (string | number)[]; leave?: object };
    if (top.leave) {
      onPath.delete(top.leave);
      continue;
    }
    const v = top.value;
    if (typeof v !== "object" || v === null) continue;
    if (onPath.has(v)) return pathText(top.path);
    onPath.add(v);
    stack.push({ value: undefined, path: top.path, leave: v });
    if (Array.isArray(v)) v.forEach((e, i) => stack.push({ value: e, path: [...top.path, i] }));
    else for (const [k, e] of Object.entries(v)) stack.push({ value: e, path: [...top.path, k] });
  }
  return undefined;
}

/**
 * The first key given twice in one mapping, as the YAML parser words it, or undefined. Linear
 * (a Set per mapping): the parser's own `uniqueKeys` check compares every key with every other.
 */
export function duplicateKey(doc: Document, lines: LineCounter): { key: string; line: number; col: number } | undefined {
  let found: { key: string; line: number; col: number } | undefined;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key === null ? null : String(pair.key);
        if (seen.has(key)) {
          const offset = isScalar(pair.key) && pair.key.range ? pair.key.range[0] : 0;
          const pos = lines.linePos(offset);
          found = { key: String(key), line: pos.line, col: pos.col };
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return found;
}

/** Parses one YAML document (keys unique, checked in linear time); the first problem, or the document. */
export function parseYaml(text: string): { doc: Document } | { problem: string } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, logLevel: "error", lineCounter: lines });
  if (doc.errors.length > 0) return { problem: doc.errors[0].message.split("\n")[0].replace(/:$/, "") };
  const dup = duplicateKey(doc, lines);
  if (dup) return { problem: `Map keys must be unique at line ${dup.line}, column ${dup.col}` };
  return { doc };
}

/** JSON text's value; a key given twice in one object is an error (JSON.parse keeps the last silently). */
export function parseJsonStrict(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (typeof value === "object" && value !== null) {
    const lines = new LineCounter();
    const doc = parseDocument(text, { uniqueKeys: false, logLevel: "error", lineCounter: lines });
    const dup = doc.errors.length === 0 ? duplicateKey(doc, lines) : undefined;
    if (dup) throw new Error(`key ${JSON.stringify(dup.key)} is given twice (line ${dup.line}, column ${dup.col}); give it once`);
  }
  return value;
}
