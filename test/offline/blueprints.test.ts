/**
 * Every blueprint stack through the README's own commands: `keel synth` and `keel check` exit 0
 * with no mandatory violation (whole-stack checks included), and the README's blueprint table
 * states each dev footprint as synth computes it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, keel } from "../helpers/cli";

const STACKS = ["bookworm-dev", "bookworm-prod", "todo-dev", "todo-prod", "composerp-dev", "composerp-prod", "vibebox-dev", "vibebox-prod"];

interface JsonReport {
  readonly violations: readonly { readonly level: string; readonly policy: string; readonly message: string }[];
  readonly prerequisites: readonly string[];
}

const synthOutputs: Record<string, string> = {};

function synthesize(stack: string): { code: number; stdout: string; stderr: string } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `keel-${stack}-`));
  const r = keel(["synth", "--stack", stack, "--out", path.join(out, "out")]);
  synthOutputs[stack] = r.stdout;
  return r;
}

describe.each(STACKS)("%s", (stack) => {
  it("synthesizes", () => {
    const r = synthesize(stack);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(/requests: [\d.]+m? CPU, [\d.]+Gi memory/);
  });

  it("checks clean: no mandatory violation, whole-stack checks included", () => {
    const r = keel(["check", "--stack", stack, "--format", "json"]);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
    expect(r.code).toBe(0);
    // What the stack needs but does not create is named, never assumed.
    expect(report.prerequisites.some((p) => /IngressClass nginx/.test(p))).toBe(true);
    // Only secrets are redacted: no plain name (a namespace, a user) is mistaken for one.
    expect(report.prerequisites.filter((p) => p.includes("[secret]"))).toEqual([]);
  });
});

describe("the README's blueprint table", () => {
  it.each([
    ["req1", "dev"],
    ["bookworm", "bookworm-dev"],
    ["todo", "todo-dev"],
    ["vibebox", "vibebox-dev"],
    ["composerp", "composerp-dev"],
  ])("states %s's dev footprint (stack %s) as synth computes it", (blueprint, stack) => {
    const output = synthOutputs[stack] ?? synthesize(stack).stdout;
    const [, cpu, memory] = /requests: ([\d.]+m?) CPU, ([\d.]+Gi) memory/.exec(output) ?? [];
    const row = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n").find((l) => l.startsWith(`| \`${blueprint}\` |`));
    expect(row?.trim().endsWith(`| ${cpu} CPU, ${memory} |`)).toBe(true);
  });
});
