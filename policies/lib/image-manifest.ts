/**
 * keel's manifest of its own default images, as the pack receives it (setting `images`, written
 * by keel synth from components/core/images.ts): what each image contains and how it runs. And
 * what a container runs: its command, or the commands a shell script it runs calls.
 */
import { Obj, arr, num, obj, str } from "./props";
import type { StackObjects, WorkloadEntry } from "./stack-objects";

export interface ManifestImage {
  readonly reference: string;
  readonly digest?: string;
  readonly user: { readonly uid: number; readonly gid: number };
  readonly uids: readonly number[];
  /** Any non-root uid works (the program never looks its user up). */
  readonly anyUid: boolean;
  readonly writablePaths: readonly string[];
  readonly tools: readonly string[];
  readonly source: string;
}

export const IMAGE_MANIFEST_SETTING = {
  images: {
    type: "array" as const,
    items: { type: "object" as const },
    default: [] as unknown[],
    description: "keel's image manifest (reference, digest, user, uids, writablePaths, tools, source); keel synth writes it.",
  },
};

/** The manifest by reference (and by `repository@digest` where the digest is known). */
export function readImageManifest(value: unknown): Map<string, ManifestImage> {
  const byRef = new Map<string, ManifestImage>();
  for (const e of arr(value).map(obj)) {
    const reference = str(e.reference);
    if (!reference) continue;
    const entry: ManifestImage = {
      reference,
      digest: str(e.digest),
      user: { uid: num(obj(e.user).uid) ?? 0, gid: num(obj(e.user).gid) ?? 0 },
      uids: arr(e.uids).filter((u): u is number => typeof u === "number"),
      anyUid: e.anyUid === true,
      writablePaths: arr(e.writablePaths).map(String),
      tools: arr(e.tools).map(String),
      source: str(e.source) ?? "",
    };
    byRef.set(reference, entry);
    if (entry.digest) byRef.set(`${reference.replace(/:[^:/]+$/, "")}@${entry.digest}`, entry);
  }
  return byRef;
}

const SHELLS = new Set(["sh", "bash", "ash", "dash"]);
const BUILTINS = new Set([
  ":", ".", "[", "[[", "alias", "bg", "break", "cd", "command", "continue", "echo", "eval", "exec", "exit", "export", "false", "fg", "getopts", "hash",
  "jobs", "kill", "local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "source", "test", "times", "trap", "true", "type", "ulimit",
  "umask", "unalias", "unset", "wait",
]);
const PREFIXES = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "time", "exec", "command", "{", "}"]);
const SKIP_SEGMENT = new Set(["for", "case", "esac", "fi", "done", "in", "function"]);

/**
 * A script with quoted text blanked out, as the shell reads it: the contents of '...' and "..."
 * are not commands, but a command substitution inside double quotes is.
 */
function unquoted(script: string): string {
  let out = "";
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      continue;
    }
    if (ch === "\\") {
      i++; // an escaped character is never syntax
      if (!quote) out += "x";
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "$" && script[i + 1] === "(" && script[i + 2] !== "(") {
        // A command substitution inside double quotes: keep it up to its closing parenthesis.
        let depth = 0;
        let j = i + 1;
        for (; j < script.length; j++) {
          if (script[j] === "(") depth++;
          else if (script[j] === ")" && --depth === 0) break;
        }
        out += `;${unquoted(script.slice(i + 2, j))};`;
        i = j;
      } else if (ch === "`") {
        const j = script.indexOf("`", i + 1);
        out += `;${unquoted(script.slice(i + 1, j < 0 ? script.length : j))};`;
        i = j < 0 ? script.length : j;
      }
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      out += "''";
      continue;
    }
    if (ch === "#" && (i === 0 || /\s/.test(script[i - 1]))) {
      // A comment runs to the end of the line; quotes in it are text.
      const end = script.indexOf("\n", i);
      i = end < 0 ? script.length : end - 1;
      continue;
    }
    out += ch;
  }
  return out;
}

/** The external commands a POSIX shell script calls (builtins, keywords and its own functions left out). */
export function scriptCommands(script: string): string[] {
  let text = script.replace(/\\\n/g, " "); // line continuations
  text = text.replace(/<<-?\s*['"]?(\w+)['"]?[^\n]*\n[\s\S]*?\n\s*\1\s*(\n|$)/g, "\n"); // heredoc bodies
  text = text.replace(/\$\(\((?:[^()]|\([^()]*\))*\)\)/g, "0"); // arithmetic expansion
  text = unquoted(text);
  text = text.replace(/^\s*\(?[^\s()]+(\|[^\s()]+)*\)/gm, ""); // case patterns
  const functions = new Set([...text.matchAll(/(?:^|[\s;])(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)/g)].map((m) => m[1]));
  const found = new Set<string>();
  for (const segment of text.split(/\$\(|`|&&|\|\||[;&|(){}\n]/)) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    while (words.length && (PREFIXES.has(words[0]) || /^[A-Za-z_]\w*=/.test(words[0]) || /^\d*[<>]/.test(words[0]))) words.shift();
    const word = words[0];
    if (!word || SKIP_SEGMENT.has(word) || word.startsWith("$") || word.startsWith("-") || /^['"]/.test(word)) continue;
    if (!/^[A-Za-z0-9_./+-]+$/.test(word) || /^\d+$/.test(word)) continue;
    if (BUILTINS.has(word) || functions.has(word)) continue;
    found.add(word);
  }
  return [...found].sort();
}

export interface ContainerRun {
  /** The executable (first word), when the container sets a command. */
  readonly executable?: string;
  /** A shell script it runs, and where it comes from. */
  readonly script?: { readonly text: string; readonly where: string; readonly path?: string };
}

/** What a container runs: its executable, and a script given inline (`sh -c`) or as a mounted file. */
export function containerRun(stack: StackObjects, w: WorkloadEntry, c: Obj): ContainerRun {
  const words = [...arr(c.command), ...arr(c.args)].filter((x): x is string => typeof x === "string");
  if (arr(c.command).length === 0) return {};
  const executable = words[0];
  if (!SHELLS.has(executable.split("/").pop() as string)) return { executable };
  const rest = words.slice(1);
  const cFlag = rest.findIndex((w) => /^-[a-z]*c[a-z]*$/.test(w));
  if (cFlag >= 0 && rest[cFlag + 1] !== undefined) {
    // Kubernetes expands $(VAR) of the container's own env before the shell runs.
    const env = new Set(arr(c.env).map((e) => str(obj(e).name)));
    const text = rest[cFlag + 1].replace(/\$\(([A-Za-z_]\w*)\)/g, (m, name: string) => (env.has(name) ? "value" : m));
    return { executable, script: { text, where: "its inline script" } };
  }
  const path = rest.find((w) => !w.startsWith("-"));
  if (!path) return { executable };
  for (const m of arr(c.volumeMounts).map(obj)) {
    const mountPath = str(m.mountPath) ?? "";
    if (!path.startsWith(mountPath)) continue;
    const volume = arr(w.podSpec.volumes).map(obj).find((v) => v.name === m.name);
    const ref: [("ConfigMap" | "Secret"), string | undefined] = volume?.configMap !== undefined ? ["ConfigMap", str(obj(volume.configMap).name)] : ["Secret", str(obj(volume?.secret).secretName)];
    const key = str(m.subPath) ?? path.slice(mountPath.length).replace(/^\//, "");
    const item = arr(obj(volume?.configMap ?? volume?.secret).items).map(obj).find((i) => i.path === key);
    const text = ref[1] ? stack.dataOf(ref[0], w.object.namespace, ref[1])?.get(str(item?.key) ?? key) : undefined;
    if (text !== undefined) return { executable, script: { text, where: `its script ${path} (${ref[0]} ${w.object.namespace}/${ref[1]})`, path } };
  }
  return { executable };
}
