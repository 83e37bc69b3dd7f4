/**
 * Reading `keel check --manifests` input: Kubernetes YAML or JSON files (a file, a directory of
 * them, or a pipe such as `<(helm template ...)`). Anything that is not a readable stream of
 * Kubernetes objects is an error naming the file and the document, never "0 resources": binary
 * data, UTF-16, invalid UTF-8, YAML syntax errors and alias bombs, documents that are scalars,
 * lists or mappings without apiVersion/kind/metadata.name, empty input, and one object (API
 * group, kind, namespace, name) given twice.
 */
import * as fs from "fs";
import * as path from "path";
import { LineCounter, parseAllDocuments } from "yaml";
import { CLUSTER_SCOPED_KINDS } from "../providers";
import { SynthError } from "../runtime";
import type { Json } from "../values";
import { documentValue, duplicateKey } from "../yaml-input";

export interface ManifestObject {
  readonly object: Record<string, Json>;
  /** `<file>: document <n>[, items[<i>]]` */
  readonly source: string;
}

const YAML_FILE = /\.(ya?ml|json)$/i;

/** How a path is shown: relative to the working directory when under it. */
export function shown(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

/** The files to read: the target itself, or the YAML/JSON files under a directory (sorted). */
export function manifestFiles(target: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOOP") throw new SynthError(`${shown(target)} is a symbolic link loop (following its links leads back to it)`);
    let link: string | undefined;
    try {
      link = fs.lstatSync(target).isSymbolicLink() ? fs.readlinkSync(target) : undefined;
    } catch {
      link = undefined;
    }
    throw new SynthError(link !== undefined ? `${shown(target)} is a symbolic link to ${link}, which does not exist` : `${shown(target)}: no such file or directory`);
  }
  if (!stat.isDirectory()) return [target];
  const found: string[] = [];
  // Symbolic links are followed (a linked chart directory is read), each real directory once:
  // a link back up the tree is not a loop.
  const visited = new Set<string>();
  const walk = (dir: string) => {
    const real = fs.realpathSync(dir);
    if (visited.has(real)) return;
    visited.add(real);
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = fs.statSync(p);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (err) {
          if (YAML_FILE.test(e.name) || (err as NodeJS.ErrnoException).code === "ELOOP") {
            throw new SynthError(`${shown(p)} is a symbolic link ${(err as NodeJS.ErrnoException).code === "ELOOP" ? "loop" : `to ${fs.readlinkSync(p)}, which does not exist`}`);
          }
          continue;
        }
      }
      if (isDir) walk(p);
      else if (isFile && YAML_FILE.test(e.name)) found.push(p);
    }
  };
  walk(target);
  if (found.length === 0) throw new SynthError(`${shown(target)} is a directory with no .yaml, .yml or .json files`);
  return found;
}

/** The text of a file, or why it is not UTF-8 text. */
export function decodeText(bytes: Buffer, name: string): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new SynthError(`${name} is UTF-16 text; keel reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    // UTF-16 without a byte-order mark: ASCII text with a NUL next to every character.
    const sample = bytes.subarray(0, Math.min(bytes.length, 512));
    let alternating = 0;
    for (let i = 0; i + 1 < sample.length; i += 2) if ((sample[i] === 0) !== (sample[i + 1] === 0)) alternating++;
    if (sample.length >= 4 && alternating >= Math.floor(sample.length / 2) * 0.9) {
      // ASCII in UTF-16LE has the NUL second ("a\0"), in UTF-16BE first ("\0a").
      let nulFirst = 0;
      for (let i = 0; i + 1 < sample.length; i += 2) if (sample[i] === 0 && sample[i + 1] !== 0) nulFirst++;
      const encoding = nulFirst > alternating / 2 ? "UTF-16BE" : "UTF-16LE";
      throw new SynthError(`${name} looks like ${encoding} text without a byte-order mark; keel reads UTF-8 (convert it, e.g. iconv -f ${encoding} -t UTF-8)`);
    }
    throw new SynthError(`${name} is binary data (a NUL byte at offset ${nul}), not Kubernetes YAML or JSON`);
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw new SynthError(`${name} is not UTF-8 text (binary data?); expected Kubernetes YAML or JSON`);
  }
}

function describeJs(value: unknown): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return `a list (${value.length} items)`;
  if (typeof value === "string") return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)})`;
  return `a ${typeof value} (${JSON.stringify(value)})`;
}

/** Why a value is not a Kubernetes object, or undefined when it is one. */
export function notAnObject(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `is ${describeJs(value)}; expected a Kubernetes object (a mapping with apiVersion, kind and metadata.name)`;
  const o = value as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof o.apiVersion !== "string" || o.apiVersion.length === 0) missing.push("apiVersion");
  if (typeof o.kind !== "string" || o.kind.length === 0) missing.push("kind");
  const metadata = o.metadata;
  const name = typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>).name : undefined;
  if (typeof name !== "string" || name.length === 0) missing.push("metadata.name");
  if (missing.length === 0) {
    // Kinds are CamelCase: the API server knows no `pod` (kubectl apply fails), and no policy would judge it.
    const kind = o.kind as string;
    if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) return `has kind ${JSON.stringify(kind)}, which is not a Kubernetes kind (kinds are CamelCase, e.g. ${JSON.stringify(kind.charAt(0).toUpperCase() + kind.slice(1))})`;
    return undefined;
  }
  const keys = Object.keys(o);
  return `is not a Kubernetes object: it has no ${missing.join(", ")} (keys: ${keys.length > 0 ? keys.slice(0, 8).join(", ") : "none"})`;
}

/** The objects of one file's text; problems are collected, one line each. */
export function objectsOfText(text: string, name: string, problems: string[]): ManifestObject[] {
  const objects: ManifestObject[] = [];
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { uniqueKeys: false, logLevel: "error", lineCounter: lines });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const where = `${name}: document ${i + 1}`;
    if (doc.errors.length > 0) {
      problems.push(`${where}: invalid YAML: ${doc.errors[0].message.split("\n")[0].replace(/:$/, "")}`);
      return;
    }
    // Unique keys, checked in linear time (the parser's own check is quadratic in the keys of a mapping).
    const dup = duplicateKey(doc, lines);
    if (dup) {
      problems.push(`${where}: invalid YAML: Map keys must be unique at line ${dup.line}, column ${dup.col}`);
      return;
    }
    const converted = documentValue(doc);
    if ("problem" in converted) {
      problems.push(`${where}: ${converted.problem}`);
      return;
    }
    const value = converted.value;
    if (value === null || value === undefined) return; // an empty document between `---` separators
    addObjects(value, where, objects, problems);
  });
  return objects;
}

/** A list object (`kind: List`, `ConfigMapList`, ...): its items are the objects. */
function isList(value: unknown): value is { kind: string; items: unknown[] } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const o = value as Record<string, unknown>;
  return typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items);
}

/** The object, or the items of a list (lists in lists flattened, to any depth). */
function addObjects(value: unknown, where: string, objects: ManifestObject[], problems: string[]): void {
  // An explicit stack rather than recursion: a deeply nested list cannot overflow the call stack.
  const stack: { value: unknown; where: string }[] = [{ value, where }];
  while (stack.length > 0) {
    const next = stack.pop() as { value: unknown; where: string };
    if (isList(next.value)) {
      const items = next.value.items;
      for (let j = items.length - 1; j >= 0; j--) stack.push({ value: items[j], where: `${next.where}, items[${j}]` });
      continue;
    }
    const why = notAnObject(next.value);
    if (why) problems.push(`${next.where} ${why}`);
    else objects.push({ object: next.value as Record<string, Json>, source: next.where });
  }
}

/** The object's identity on a cluster: API group, kind, namespace ("default" when unset), name. */
export function objectIdentity(o: Record<string, Json>): { key: string; label: string } {
  const apiVersion = o.apiVersion as string;
  const kind = o.kind as string;
  const metadata = o.metadata as Record<string, Json>;
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  const namespace = CLUSTER_SCOPED_KINDS.has(kind) ? "" : typeof metadata.namespace === "string" && metadata.namespace ? metadata.namespace : "default";
  const label = `${kind}${group ? `.${group}` : ""} ${namespace ? `${namespace}/` : ""}${metadata.name as string}`;
  return { key: JSON.stringify([group, kind, namespace, metadata.name]), label };
}

/** Every object of the target, or a SynthError listing every problem (one line each). */
export function readManifestObjects(target: string): ManifestObject[] {
  const problems: string[] = [];
  const objects: ManifestObject[] = [];
  for (const file of manifestFiles(target)) {
    const name = shown(file);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      problems.push(`${name}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      continue;
    }
    let text: string;
    try {
      text = decodeText(bytes, name);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    const before = problems.length;
    const found = objectsOfText(text, name, problems);
    if (found.length === 0 && problems.length === before) problems.push(text.trim().length === 0 ? `${name} is empty; expected Kubernetes objects` : `${name} holds no Kubernetes objects (only empty documents or comments)`);
    objects.push(...found);
  }
  const seen = new Map<string, ManifestObject>();
  for (const m of objects) {
    const { key, label } = objectIdentity(m.object);
    const first = seen.get(key);
    if (first) problems.push(`${label} is given twice: ${first.source} and ${m.source}; each object must appear once`);
    else seen.set(key, m);
  }
  if (problems.length > 0) throw new SynthError(problems.join("\n"));
  return objects;
}
