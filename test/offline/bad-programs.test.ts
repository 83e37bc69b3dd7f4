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
      'keel synth: duplicate resource URN urn:pulumi:dup-platform::bad-programs::pulumi:pulumi:Stack$keel:components:KubernetesPlatform::shop: two resources of type keel:components:KubernetesPlatform are named "shop"; resource names must be unique per type (both under the stack)',
    ]);
  });

  it("two ApiService components with one name", () => {
    const r = synthCase("dup-service");
    expectFailure(r, "dup-service", [
      'keel synth: duplicate resource URN urn:pulumi:dup-service::bad-programs::pulumi:pulumi:Stack$keel:components:ApiService::orders: two resources of type keel:components:ApiService are named "orders"; resource names must be unique per type (both under the stack)',
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
    expect(fs.readdirSync(path.join(r.out, "distinct-clusters")).sort()).toEqual(["capacity.md", "manifests", "plan.json", "policy-pack-config.json", "topology.mmd"]);
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
  it("on duplicate components", () => {
    const r = keel(["check", "--stack", "dup-platform", "--dir", DIR, "--environment", "dev"], DIR);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'keel check: duplicate resource URN urn:pulumi:dup-platform::bad-programs::pulumi:pulumi:Stack$keel:components:KubernetesPlatform::shop: two resources of type keel:components:KubernetesPlatform are named "shop"; resource names must be unique per type (both under the stack)\n',
    );
  });
});
