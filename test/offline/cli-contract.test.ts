/**
 * The CLI contract: help on every command, --version, usage errors (exit 2, stated in the
 * usage), repeated flags, enum flags, and the environment `keel check` judges a stack with.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, keel } from "../helpers/cli";

const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
const BAD = path.join(ROOT, "test", "fixtures", "bad-programs");

describe("keel help and version", () => {
  it.each([
    [["synth", "--help"], "keel synth --stack <name>"],
    [["synth", "-h"], "keel synth --stack <name>"],
    [["check", "-h"], "keel check (--stack <name>"],
    [["check", "--stack", "dev", "--help"], "keel check (--stack <name>"],
    [["bench", "--help"], "keel bench"],
  ])("%j prints that command's usage on stdout and exits 0", (args, first) => {
    const r = keel(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n").slice(0, 2)).toEqual(["usage:", expect.stringMatching(new RegExp(`^  ${first.replace(/[()<>|[\]]/g, "\\$&")}`))]);
    expect(r.stdout).toContain("  2  usage error");
    const other = args[0] === "synth" ? "keel check" : "keel synth";
    expect(r.stdout).not.toContain(other);
  });

  it("prints the whole usage with every command, bench included, and the exit codes", () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const r = keel(args);
      expect(r.code).toBe(0);
      for (const command of ["keel synth --stack", "keel check (--stack", "keel bench", "keel --version"]) expect(r.stdout).toContain(command);
      expect(r.stdout).toMatch(/exit codes:\n {2}0 .*\n {2}1 [\s\S]*\n {2}2 {2}usage error/);
    }
  });

  it("prints the package version", () => {
    for (const flag of ["--version", "-v", "version"]) {
      const r = keel([flag]);
      expect(r).toEqual({ code: 0, stdout: `${PACKAGE.version}\n`, stderr: "" });
    }
  });
});

describe("usage errors exit 2 with the command's usage", () => {
  it.each([
    [["synth", "--stack", "a", "--stack", "b"], 'keel: --stack is given twice ("a" and "b"); give it once'],
    [["check", "--manifests", "x", "--format", "json", "--format", "text"], 'keel: --format is given twice ("json" and "text"); give it once'],
    [["check", "--manifests", "x", "--format", "xml"], 'keel: --format is "xml"; expected one of text, json'],
    [["synth", "--stack"], "keel: --stack needs a value"],
    [["synth", "--stack="], "keel: --stack is empty; it needs a value"],
    [["synth"], "keel: --stack is required"],
    [["synth", "dev"], 'keel: unknown argument "dev" for keel synth'],
    [["check", "--stack", "dev", "--manifests", "x"], "keel: give exactly one of --stack and --manifests"],
    [["check", "--manifests", "x", "--environment", "dev", "--config", "c.json"], "keel: give at most one of --environment and --config"],
    [["check", "--manifests", "x", "--stack-config", "c.json"], "keel: --stack-config goes with --stack (it is stack config)"],
    [["deploy"], 'keel: unknown command "deploy"'],
    [[], "keel: no command given"],
    [["bench", "--bogus"], 'keel: unknown argument "--bogus" for keel bench (it takes none)'],
    [["help", "synth", "extra"], 'keel: help takes one command; got "synth" "extra"'],
    [["synth", "--stack", "dev", "--out= "], 'keel: --out is blank (" "); it needs a value'],
    [["synth", "--stack", "dev", "--timeout", "soon"], 'keel: --timeout is "soon"; expected a number of seconds (more than 0, at most 86400)'],
  ])("%j", (args, message) => {
    const r = keel(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n");
    expect(lines[0]).toBe(message);
    expect(lines[1]).toBe("usage:");
    expect(r.stderr).toContain("  2  usage error");
  });

  it("lists the known environments (the pack's config files) for an unknown --environment", () => {
    const environments = fs.readdirSync(path.join(ROOT, "policies", "config")).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, "")).sort();
    expect(environments).toEqual(expect.arrayContaining(["dev", "prod"]));
    const r = keel(["check", "--manifests", path.join(ROOT, "test", "fixtures", "manifests"), "--environment", "staging"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(`keel: --environment is "staging"; expected one of ${environments.join(", ")} (the config/*.json files of the pack ${path.join(ROOT, "policies")})`);
  });
});

describe("keel check --stack chooses the stack's environment, never a silent prod", () => {
  it("fails with exit 1 and says how to choose when the stack sets no keel:environment", () => {
    const r = keel(["check", "--stack", "distinct-clusters", "--dir", BAD]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "keel check: stack distinct-clusters sets no keel:environment, so keel check does not know which policies apply; pass --environment <dev|prod> or --config <pack config file>, or set it in the stack (pulumi config set keel:environment <name>)\n",
    );
  });

  it("rejects a keel:environment the pack has no config for", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-env-"));
    for (const f of ["Pulumi.yaml", "index.ts", "cases.ts"]) fs.copyFileSync(path.join(BAD, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, "index.ts"), fs.readFileSync(path.join(BAD, "index.ts"), "utf8").replace("../../../components", path.join(ROOT, "components")));
    fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), "config:\n  bad-programs:case: distinct-clusters\n  keel:environment: staging\n");
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    const r = keel(["check", "--stack", "s", "--dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`keel check: stack s: keel:environment is "staging"; expected one of dev, prod (the config/*.json files of the pack ${path.join(ROOT, "policies")})\n`);
    // synth too: its policy-pack-config.json would carry no policy at all.
    const s = keel(["synth", "--stack", "s", "--dir", dir]);
    expect(s).toEqual({ code: 1, stdout: "", stderr: `keel synth: stack s: keel:environment is "staging"; expected one of dev, prod (the config/*.json files of the pack ${path.join(ROOT, "policies")})\n` });
    expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
  });

  it("uses the stack's keel:environment and names it in the report", () => {
    const r = keel(["check", "--stack", "dev"]);
    expect(r.stdout.split("\n")[0]).toMatch(/^keel check: stack dev \(dev\), pack /);
  });
});

describe("output through a pipe", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-pipe-"));
  const many = path.join(dir, "many.yaml");
  const source = fs.readFileSync(path.join(ROOT, "test", "fixtures", "manifests", "misconfigured-deployment.yaml"), "utf8");
  fs.writeFileSync(many, Array.from({ length: 300 }, (_, i) => source.replace("name: web\n  namespace", `name: web-${i}\n  namespace`)).join("\n---\n"));
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, "bin", "keel.js"))} check --manifests ${JSON.stringify(many)} --environment prod --format json`;

  it("delivers a report over 1 MiB whole to a slow reader, with the exit code", () => {
    const out = execFileSync("bash", ["-c", `set -o pipefail; ${command} | (sleep 2; cat) > ${JSON.stringify(path.join(dir, "report.json"))}; echo "exit $?"`], { encoding: "utf8", timeout: 120_000 });
    expect(out).toBe("exit 1\n");
    const text = fs.readFileSync(path.join(dir, "report.json"), "utf8");
    expect(text.length).toBeGreaterThan(1024 * 1024);
    const report = JSON.parse(text) as { violations: { resource: string }[] };
    expect(new Set(report.violations.map((v) => v.resource)).size).toBe(300);
  });

  it("ends quietly when the reader closes the pipe early (no stack trace)", () => {
    const out = execFileSync("bash", ["-c", `${command} 2>${JSON.stringify(path.join(dir, "stderr.txt"))} | head -c 1; printf '\\nexit %s\\n' "\${PIPESTATUS[0]}"`], { encoding: "utf8", timeout: 120_000 });
    expect(out).toBe("{\nexit 1\n");
    expect(fs.readFileSync(path.join(dir, "stderr.txt"), "utf8")).toBe("");
  });

  it("fails when the report cannot be written (a full disk), saying so", () => {
    const out = execFileSync("bash", ["-c", `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, "bin", "keel.js"))} --version 2>&1 > /dev/full | cat; echo "exit \${PIPESTATUS[0]}"`], { encoding: "utf8", timeout: 120_000 });
    expect(out).toBe("keel --version: cannot write the output to stdout: ENOSPC\nexit 1\n");
  });
});
