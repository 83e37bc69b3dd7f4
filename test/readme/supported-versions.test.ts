/** The README's "Supported versions" table says what test-consumer/matrix.ts tests and package.json claims. */
import * as fs from "fs";
import * as path from "path";
import { CONSUMER_CASES, LOWEST, NEWEST } from "../../test-consumer/matrix";
import { ROOT } from "../helpers/cli";

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string }; peerDependencies: Record<string, string> };
const table = README.slice(README.indexOf("### Supported versions"), README.indexOf("### A first program"));
const rows = new Map(
  table
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| |") && !l.startsWith("|---"))
    .map((l) => l.split("|").map((cell) => cell.trim()).slice(1, -1))
    .map(([name, ...cells]) => [name.replace(/ \(optional\)$/, ""), cells] as const),
);

describe("README supported versions", () => {
  it("names the lowest and newest tested version of every peer, and package.json's range", () => {
    for (const [name, low] of Object.entries(LOWEST)) {
      const label = name === "typescript" ? "TypeScript" : name;
      const [lowest, newest, range] = rows.get(label) ?? [];
      expect([label, lowest]).toEqual([label, low]);
      expect([label, newest.split(" ")[0]]).toEqual([label, NEWEST[name as keyof typeof NEWEST]]);
      expect([label, range]).toEqual([label, PKG.peerDependencies[name]]);
      // The lowest tested is the lowest the range allows.
      expect(PKG.peerDependencies[name].replace(/^[\^~]|^>=/, "").split(" ")[0]).toBe(name === "typescript" ? "4.9" : low);
    }
  });

  it("names every Node major the matrix runs, and the engines floor", () => {
    const majors = [...new Set(CONSUMER_CASES.map((c) => c.node))].sort((a, b) => a - b);
    const [lowest, newest, range] = rows.get("Node") ?? [];
    expect([lowest, newest]).toEqual([String(majors[0]), String(majors[majors.length - 1])]);
    expect(range).toBe(`${majors.join(", ")} (\`engines\`: ${PKG.engines.node})`);
    expect(PKG.engines.node).toBe(`>=${majors[0]}`);
  });

  it("tests both ends of every range", () => {
    for (const [name, version] of Object.entries(LOWEST)) expect(CONSUMER_CASES.some((c) => c.packages[name as keyof typeof LOWEST] === version)).toBe(true);
    for (const [name, version] of Object.entries(NEWEST)) expect(CONSUMER_CASES.some((c) => c.packages[name as keyof typeof NEWEST] === version)).toBe(true);
  });
});
