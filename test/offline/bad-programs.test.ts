/**
 * Programs that must fail: duplicate URNs (components and custom resources, any parent),
 * duplicate Kubernetes objects, errors the program throws or rejects with, a program that never
 * finishes. Each: exit 1, one line per problem, no stack trace, nothing written, and a stale
 * out/<stack>/ removed (and said so).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, keel } from "../helpers/cli";

const DIR = path.join(ROOT, "test", "fixtures", "bad-programs");

/** Synthesizes stack `c` of the fixture into a fresh out dir that holds an old `<c>/` from an earlier run. */
function synthCase(c: string): { code: number; stdout: string; stderr: string; out: string } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-bad-"));
  fs.mkdirSync(path.join(out, c, "manifests"), { recursive: true });
  fs.writeFileSync(path.join(out, c, "plan.json"), "{}\n");
  fs.writeFileSync(path.join(out, c, ".keel-synth"), "x\n");
  const r = keel(["synth", "--stack", c, "--dir", DIR, "--out", out], DIR);
  return { ...r, out };
}

function expectFailure(r: ReturnType<typeof synthCase>, c: string, lines: readonly string[]): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toBe([...lines, `keel synth: removed ${path.relative(DIR, path.join(r.out, c))}/ (written by an earlier run; it does not match the program)`].map((l) => `${l}\n`).join(""));
  // Nothing looks fresh: the old output is gone and nothing new was written.
  expect(fs.readdirSync(r.out)).toEqual([]);
}

describe("duplicate resources fail the synth, naming both", () => {
  it("two KubernetesPlatform components with one name", () => {
    const r = synthCase("dup-platform");
    expectFailure(r, "dup-platform", [
      'keel synth: duplicate resource URN urn:pulumi:dup-platform::bad-programs::keel:components:KubernetesPlatform::shop: two resources of type keel:components:KubernetesPlatform are named "shop"; resource names must be unique per type (both under the stack)',
    ]);
  });

  it("two ApiService components with one name", () => {
    const r = synthCase("dup-service");
    expectFailure(r, "dup-service", [
      'keel synth: duplicate resource URN urn:pulumi:dup-service::bad-programs::keel:components:ApiService::orders: two resources of type keel:components:ApiService are named "orders"; resource names must be unique per type (both under the stack)',
    ]);
  });

  it("children of two different parents of one type, named alike", () => {
    const r = synthCase("dup-child");
    expectFailure(r, "dup-child", [
      'keel synth: duplicate resource URN urn:pulumi:dup-child::bad-programs::test:index:Group$kubernetes:core/v1:ConfigMap::settings: two resources of type kubernetes:core/v1:ConfigMap are named "settings"; resource names must be unique per type (one under test:index:Group "a", the other under test:index:Group "b")',
    ]);
  });

  it("two resources with different names that write one Kubernetes object (and not those that differ in kind or namespace, or are auto-named)", () => {
    const r = synthCase("dup-object");
    expectFailure(r, "dup-object", [
      'keel synth: Kubernetes object ConfigMap apps/settings is created by two resources: kubernetes:core/v1:ConfigMap "first" (in the stack) and kubernetes:core/v1:ConfigMap "second" (in the stack); each object needs one owner (give one of them another name or namespace)',
    ]);
  });

  it("two platforms creating the same namespaces on one cluster: one line per object", () => {
    const r = synthCase("dup-namespaces");
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toContain(
      'keel synth: Kubernetes object Namespace shop is created by two resources: kubernetes:core/v1:Namespace "shop-ns-shop" (in keel:components:KubernetesPlatform "shop") and kubernetes:core/v1:Namespace "shop-2-ns-shop" (in keel:components:KubernetesPlatform "shop-2"); each object needs one owner (give one of them another name or namespace)',
    );
    expect(lines).toContain(
      'keel synth: Kubernetes object NetworkPolicy.networking.k8s.io data/default-deny is created by two resources: kubernetes:networking.k8s.io/v1:NetworkPolicy "shop-default-deny-data" (in keel:components:KubernetesPlatform "shop") and kubernetes:networking.k8s.io/v1:NetworkPolicy "shop-2-default-deny-data" (in keel:components:KubernetesPlatform "shop-2"); each object needs one owner (give one of them another name or namespace)',
    );
    expect(lines.every((l) => l.startsWith("keel synth: Kubernetes object ") || l.startsWith("keel synth: removed "))).toBe(true);
    expect(fs.readdirSync(r.out)).toEqual([]);
  });

  it("allows the same namespaces on two clusters", () => {
    const r = synthCase("distinct-clusters");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(fs.readdirSync(r.out)).toEqual(["distinct-clusters"]);
    expect(fs.readdirSync(path.join(r.out, "distinct-clusters")).sort()).toEqual([".keel-synth", "capacity.md", "manifests", "plan.json", "policy-pack-config.json", "topology.mmd"]);
    expect(r.stdout).toContain("policy-pack-config.json (the cluster facts only: the stack sets no keel:environment)");
  });
});

describe("a program's own failure is one line with where it happened", () => {
  it("a TypeError names the line of the program (TypeScript source positions)", () => {
    const r = synthCase("type-error");
    expectFailure(r, "type-error", ["keel synth: Cannot read properties of undefined (reading 'value') (at cases.ts:48:65)"]);
  });

  it("an unhandled rejection inside the program is an error", () => {
    const r = synthCase("rejection");
    expectFailure(r, "rejection", ["keel synth: quota lookup failed (at cases.ts:57:25)"]);
  });

  it("a thrown string is the message", () => {
    const r = synthCase("throws-string");
    expectFailure(r, "throws-string", ["keel synth: plain string"]);
  });

  it("a program that never finishes is an error, not a silent exit 0", () => {
    const r = synthCase("never-finishes");
    expectFailure(r, "never-finishes", [
      'keel synth: the program never finished: it waits for a promise that is never resolved (2 resources registered; the last resource registered was kubernetes:core/v1:ConfigMap "settings")',
    ]);
  });

  it("a program that calls process.exit(0) does not end keel with exit 0", () => {
    const r = synthCase("exits-early");
    expectFailure(r, "exits-early", ["keel synth: the program called process.exit(0); a Pulumi program ends by returning (or throwing)"]);
  });

  it("refuses a stack name that is a path (it names the output directory it replaces)", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-bad-"));
    fs.mkdirSync(path.join(out, "keep"));
    const r = keel(["synth", "--stack", "../keep", "--dir", DIR, "--out", path.join(out, "sub")], DIR);
    expect(r).toEqual({ code: 1, stdout: "", stderr: 'keel synth: --stack is "../keep"; expected a stack name (letters, digits, "-", "_" and ".", at most 100)\n' });
    expect(fs.readdirSync(out)).toEqual(["keep"]);
  });

  it("KEEL_DEBUG=1 adds the stack trace", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-bad-"));
    const { spawnSync } = require("child_process") as typeof import("child_process");
    const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "keel.js"), "synth", "--stack", "type-error", "--dir", DIR, "--out", out], { cwd: DIR, encoding: "utf8", env: { ...process.env, KEEL_DEBUG: "1" } });
    expect(r.status).toBe(1);
    const lines = r.stderr.split("\n");
    expect(lines[0]).toBe("keel synth: Cannot read properties of undefined (reading 'value') (at cases.ts:48:65)");
    expect(lines[1]).toBe("TypeError: Cannot read properties of undefined (reading 'value')");
    expect(lines[2]).toMatch(/^ {4}at .*cases\.ts:\d+:\d+/);
  });
});

describe("keel check fails the same way", () => {
  it("removes the stack's out/<stack>/ from an earlier synth when the program fails (only keel's own)", () => {
    const out = path.join(DIR, "out");
    try {
      fs.mkdirSync(path.join(out, "type-error", "manifests"), { recursive: true });
      fs.writeFileSync(path.join(out, "type-error", ".keel-synth"), "x\n");
      const r = keel(["check", "--stack", "type-error", "--dir", DIR, "--environment", "dev"], DIR);
      expect(r).toEqual({
        code: 1,
        stdout: "",
        stderr: "keel check: Cannot read properties of undefined (reading 'value') (at cases.ts:48:65)\nkeel check: removed out/type-error/ (written by an earlier run; it does not match the program)\n",
      });
      expect(fs.readdirSync(out)).toEqual([]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("on duplicate components", () => {
    const r = keel(["check", "--stack", "dup-platform", "--dir", DIR, "--environment", "dev"], DIR);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'keel check: duplicate resource URN urn:pulumi:dup-platform::bad-programs::keel:components:KubernetesPlatform::shop: two resources of type keel:components:KubernetesPlatform are named "shop"; resource names must be unique per type (both under the stack)\n',
    );
  });
});

describe("keel replaces or removes only a directory it wrote itself", () => {
  // In-process: the refusal comes before the program runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { synth } = require("../../offline/synth") as typeof import("../../offline/synth");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const outputDir = require("../../offline/output-dir") as typeof import("../../offline/output-dir");
  const tmp = () => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "keel-own-")));

  it("refuses a project directory named like the stack (--out ..), a user directory, a file as --out", async () => {
    const root = tmp();
    const project = path.join(root, "dev");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: x\nruntime: nodejs\n");
    await expect(synth({ stack: "dev", dir: project, out: root })).rejects.toThrow(
      `${project}/ is a directory keel did not write (it has no .keel-synth marker); keel writes its output only to a directory it created itself: remove or rename it, or choose another --out`,
    );
    expect(fs.readdirSync(project)).toEqual(["Pulumi.yaml"]);
    fs.mkdirSync(path.join(root, "lib"));
    fs.writeFileSync(path.join(root, "lib", "keep.txt"), "mine");
    await expect(synth({ stack: "lib", dir: project, out: root })).rejects.toThrow(`${path.join(root, "lib")}/ is a directory keel did not write`);
    expect(fs.readFileSync(path.join(root, "lib", "keep.txt"), "utf8")).toBe("mine");
    fs.writeFileSync(path.join(root, "afile"), "");
    await expect(synth({ stack: "dev", dir: project, out: path.join(root, "afile") })).rejects.toThrow(`--out ${path.join(root, "afile")} is a file; expected a directory`);
    await expect(synth({ stack: "dev", dir: project, out: path.join(root, "afile", "sub") })).rejects.toThrow(
      `cannot write the output under --out ${path.join(root, "afile", "sub")}: a part of the path is a file, not a directory (ENOTDIR)`,
    );
    const long = path.join(root, "x".repeat(300));
    await expect(synth({ stack: "dev", dir: project, out: long })).rejects.toThrow(`cannot write the output under --out ${long}: the path is too long (ENAMETOOLONG)`);
  });

  it("removes after a failure only the output it saw before the run; swaps in new output over keel's own", () => {
    const root = tmp();
    const dir = path.join(root, "s");
    fs.mkdirSync(dir);
    expect(outputDir.outputState(dir).kind).toBe("other");
    fs.writeFileSync(path.join(dir, ".keel-synth"), "x");
    const before = outputDir.outputState(dir);
    expect(before.kind).toBe("keel");
    // Another run replaced it meanwhile: not removed.
    fs.rmSync(dir, { recursive: true });
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "plan.json"), "{}");
    fs.writeFileSync(path.join(dir, ".keel-synth"), "y");
    expect(outputDir.removeStaleOutput(dir, before)).toBe(false);
    expect(fs.existsSync(path.join(dir, "plan.json"))).toBe(true);
    const staging = path.join(root, ".s.partial");
    fs.mkdirSync(staging);
    fs.writeFileSync(path.join(staging, ".keel-synth"), "z");
    outputDir.swapIn(staging, dir, "--out");
    expect(fs.readdirSync(root)).toEqual(["s"]);
    expect(fs.readFileSync(path.join(dir, ".keel-synth"), "utf8")).toBe("z");
    expect(outputDir.removeStaleOutput(dir, outputDir.outputState(dir))).toBe(true);
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describe("late work and exit tricks (test/fixtures/late-work)", () => {
  const LATE = path.join(ROOT, "test", "fixtures", "late-work");

  it("an error thrown in a timer after main returned fails the synth", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-late-"));
    const r = keel(["synth", "--stack", "late-throw", "--dir", LATE, "--out", out], LATE);
    expect(r).toEqual({ code: 1, stdout: "", stderr: "keel synth: late boom (at index.ts:38:11)\n" });
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it("a module the program cannot find is one line with where it was required (no require stack)", () => {
    const r = keel(["synth", "--stack", "missing-module", "--dir", LATE, "--out", fs.mkdtempSync(path.join(os.tmpdir(), "keel-late-"))], LATE);
    expect(r).toEqual({ code: 1, stdout: "", stderr: "keel synth: Cannot find module './nope' (at index.ts:45:3)\n" });
  });

  it("a program cannot turn a failing check into exit 0 (process.exit, reallyExit, 'exit' listeners), nor print into --format json", () => {
    const r = keel(["check", "--stack", "tricks", "--dir", LATE, "--format", "json"], LATE);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("hello from the program\nraw write\n");
    const report = JSON.parse(r.stdout) as { violations: { level: string }[] };
    expect(report.violations.some((v) => v.level === "mandatory")).toBe(true);
  });

  it("--timeout ends a program that never stops", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-late-"));
    // Long enough for the stack resource to register on a loaded machine, short enough for a test.
    const r = keel(["synth", "--stack", "interval", "--dir", LATE, "--out", out, "--timeout", "3"], LATE);
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: "keel synth: the program did not finish within 3 s (--timeout): still pending: Timeout (a timer, interval or request the program started); 1 resources registered\n",
    });
  });
});
