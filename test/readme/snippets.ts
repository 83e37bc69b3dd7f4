/**
 * The README's TypeScript snippets, read in order as one program: what a user gets by pasting
 * them into their own Pulumi project.
 */
import * as fs from "fs";
import * as path from "path";

/** The ```ts blocks of a Markdown file, in order. */
export function typeScriptBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const fence = /^```ts\s*\n([\s\S]*?)^```\s*$/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) blocks.push(m[1]);
  return blocks;
}

/** Config keys the program reads with `config.require*`/`get*`, e.g. `stripeKey`. */
export function configKeysRead(program: string): { secret: string[]; plain: string[] } {
  const secret = new Set<string>();
  const plain = new Set<string>();
  for (const m of program.matchAll(/config\.(require|get)(Secret)?(Object|Number|Boolean)?\("([^"]+)"\)/g)) (m[2] ? secret : plain).add(m[4]);
  return { secret: [...secret].sort(), plain: [...plain].sort() };
}

/**
 * Writes a Pulumi project holding the program into `dir`: Pulumi.yaml, a stack file with every
 * config key it reads, and `node_modules/keel` pointing at this checkout's sources.
 */
export function writeSnippetProject(dir: string, program: string, root: string, stack = "readme"): void {
  const project = "readme";
  fs.mkdirSync(path.join(dir, "node_modules", "keel"), { recursive: true });
  fs.writeFileSync(path.join(dir, "index.ts"), program);
  // A package of its own: inside keel's checkout, `require("keel")` would otherwise resolve to the
  // checkout itself through its "exports" (its dist/), not to node_modules/keel below.
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "readme-snippets", private: true }));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${project}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n`);
  const keys = configKeysRead(program);
  const lines = [
    ...keys.secret.map((k) => `  ${project}:${k}:\n    secure: v1:c25pcHBldC10ZXN0`),
    ...keys.plain.map((k) => `  ${project}:${k}: example`),
  ];
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), lines.length ? `config:\n${lines.join("\n")}\n` : "config: {}\n");
  const entry = path.join(root, "components", "index");
  const keel = path.join(dir, "node_modules", "keel");
  fs.writeFileSync(path.join(keel, "package.json"), JSON.stringify({ name: "keel", main: "index.js", types: "index.d.ts" }));
  fs.writeFileSync(path.join(keel, "index.js"), `module.exports = require(${JSON.stringify(entry + ".ts")});\n`);
  fs.writeFileSync(path.join(keel, "index.d.ts"), `export * from ${JSON.stringify(entry)};\n`);
}
