/**
 * Stack references answered from files: the outputs of stack `acme/network/prod` are in
 * `stack-refs/acme/network/prod.json` beside the mocks file: in the project directory (whether
 * or not keel.mocks.yaml exists), or beside the `--mocks` file. The file is a JSON object of
 * output name → value, `{ "secret": value }` for a secret (as in the mocks file), e.g. the output
 * of `pulumi stack output --json --show-secrets` with the secrets wrapped. The mocks file's
 * `stackReferences` entry for a stack comes first. docs/offline-mocks.md.
 */
import * as fs from "fs";
import * as path from "path";
import { Mocks, parseStackOutputs, unansweredStackReferenceMessage } from "./mocks-file";

export const STACK_REFS_DIR = "stack-refs";

/** `<dir>/stack-refs/<org>/<project>/<stack>.json`; undefined for a name that is not a path of plain parts. */
export function stackRefFile(dir: string, stack: string): string | undefined {
  const parts = stack.split("/");
  if (parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p) || /^\.+$/.test(p))) return undefined;
  return `${path.join(dir, STACK_REFS_DIR, ...parts)}.json`;
}

/** A stack's outputs on the wire (secrets marked) and the clear text of its secrets, or why there are none. */
export type StackOutputs = { readonly outputs: Readonly<Record<string, unknown>>; readonly secrets: readonly string[] } | { readonly problem: string };

/**
 * The outputs of stack `stack`: the mocks file's entry, else the stack-refs file in `dir` (none
 * known, as in-process without a project: only the mocks file counts). Neither: the message says both ways.
 */
export function stackReferenceOutputs(stack: string, mocks: Mocks | undefined, dir: string | undefined): StackOutputs {
  const mocked = mocks?.stackReferences[stack];
  if (mocked) return { outputs: mocked, secrets: [] };
  const file = dir === undefined ? undefined : stackRefFile(dir, stack);
  let text: string | undefined;
  if (file !== undefined) {
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") return { problem: `stack reference ${stack}: cannot read ${file}: ${code === "EISDIR" ? "it is a directory; expected a JSON file" : (err as Error).message}` };
    }
  }
  if (file === undefined || text === undefined) return { problem: unansweredStackReferenceMessage(stack, mocks, file) };
  const parsed = parseStackOutputs(file, text);
  return "problem" in parsed ? { problem: `stack reference ${stack}: ${parsed.problem}` } : parsed;
}
