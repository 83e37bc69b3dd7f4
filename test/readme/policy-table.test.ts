/** The README's policy table names every policy of the pack, once, and nothing else. */
import * as fs from "fs";
import * as path from "path";
import { checks } from "../../policies/lib/define";
import "../../policies/policies";
import { ROOT } from "../helpers/cli";

describe("README policy table", () => {
  it("lists every policy of the pack exactly once", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("| theme | policies |"), readme.indexOf("Strictness per environment lives in"));
    const rows = section.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| theme") && !line.startsWith("|---"));
    // The policies column, without the parenthesised notes.
    const listed = rows.flatMap((row) => (row.split(" | ")[1] ?? "").replace(/\([^()]*(\([^()]*\)[^()]*)*\)/g, "").split(",").map((name) => name.replace(/\|/g, "").trim()));
    const names = [...checks.keys()].sort();
    expect([...listed].sort()).toEqual(names);
    expect(names.length).toBeGreaterThan(60);
    expect(readme).toContain(`| ${names.length} policies:`);
  });
});
