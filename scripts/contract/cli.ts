/**
 * `npm run contract:check` / `npm run contract:update` (`npm run contract -- check|update`): keel's
 * public contract under contract/ (see contract.ts and contract/README.md).
 *
 *   check   rebuilds the API reports and URN snapshots in memory and compares them with the
 *           committed files; then requires CHANGELOG.md's newest `Contract:` line to be their
 *           digest. Exit 1 on any difference, with a short diff and what to do.
 *   update  writes the files and prints the `Contract: api …, urns …` line for CHANGELOG.md.
 */
import * as fs from "fs";
import * as path from "path";
import { committedFiles, describeChanges, evaluateCheck, generate, writeContract } from "./contract";

const ROOT = path.resolve(__dirname, "..", "..");

const USAGE = "usage: npm run contract -- check|update   (npm run contract:check, npm run contract:update)";

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if ((command !== "check" && command !== "update") || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const started = Date.now();
  const generated = await generate(ROOT);
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  for (const m of generated.messages) process.stderr.write(`API Extractor: ${m}\n`);
  if (command === "update") {
    if (generated.typeErrors) {
      process.stderr.write(`contract update: not written: tsc reports type errors (npm run typecheck); fix them first:\n${generated.typeErrors}\n`);
      return 1;
    }
    const result = writeContract(ROOT, committedFiles(ROOT), generated.files);
    if (result.changes.length === 0) process.stdout.write(`contract update: the committed contract is current (${seconds()}).\n`);
    else process.stdout.write([`contract update: wrote ${result.changes.length} file(s) (${seconds()}):`, ...describeChanges(result.changes)].join("\n") + "\n");
    process.stdout.write(
      result.recorded
        ? `CHANGELOG.md already records it: ${result.digest}\n`
        : `Record it in CHANGELOG.md: describe the change under ## Unreleased and end the entry with\n  ${result.digest}\n`,
    );
    return 0;
  }
  if (generated.typeErrors) process.stderr.write(`contract check: note: tsc reports type errors (npm run typecheck shows them); the reports are from the declarations it emitted anyway.\n`);
  const changelogPath = path.join(ROOT, "CHANGELOG.md");
  const changelog = fs.existsSync(changelogPath) ? fs.readFileSync(changelogPath, "utf8") : "";
  const result = evaluateCheck(committedFiles(ROOT), generated.files, changelog);
  if (!result.ok) {
    process.stderr.write(`${result.message}\n`);
    return 1;
  }
  process.stdout.write(`${result.message} in ${seconds()}\n`);
  return 0;
}

// Under `node -e` (the npm script) the arguments start at argv[1]; run as a file, after its path.
const args = process.argv.slice(1);
if (args[0] !== undefined && /\.[cm]?[jt]s$/.test(args[0])) args.shift();
if (args[0] === "--") args.shift();

main(args).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`contract: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
