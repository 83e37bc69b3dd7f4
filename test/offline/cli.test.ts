import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, keel } from "../helpers/cli";

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, "latin1");
    }
  };
  walk(dir);
  return out;
}

/** A copy of this project whose stack file says `config`. */
function projectWith(stack: string, config: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-project-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(path.join(dir, "index.ts"), `export * from ${JSON.stringify(path.join(ROOT, "index"))};\n`);
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), config);
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

describe("keel synth (command)", () => {
  it("gives byte-identical output on two runs, and prints a summary", () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), "keel-a-"));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), "keel-b-"));
    const first = keel(["synth", "--stack", "prod", "--out", a]);
    const second = keel(["synth", "--stack", "prod", "--out", b]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(first.stdout).toMatch(/^keel synth: project keel, stack prod: \d+ resources, \d+ Kubernetes objects in 5 namespaces/);
    const fa = files(a);
    expect(Object.keys(fa).length).toBeGreaterThan(10);
    expect(files(b)).toEqual(fa);
  });

  it("fails with exit 1 and names the key on bad config", () => {
    const dir = projectWith("broken", "config:\n  keel:blueprint: req1\n  keel:platform: gcp\n  keel:environment: dev\n");
    const r = keel(["synth", "--stack", "broken", "--dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('keel synth: stack config keel:platform is "gcp"; expected one of kubernetes, aws');
  });

  it("fails with exit 1 on a component's validation error", () => {
    const dir = projectWith("broken", "config:\n  keel:blueprint: req1\n  keel:environment: dev\n  keel:req1:\n    image: ghcr.io/req1/req1:latest\n    host: req1.example.com\n    oidcIssuer: https://idp\n");
    const r = keel(["synth", "--stack", "broken", "--dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ApiService "req1-api": image is "ghcr.io/req1/req1:latest"; expected a pinned tag or digest');
  });

  it("fails with exit 1 on a missing stack file", () => {
    const r = keel(["synth", "--stack", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no stack file Pulumi.nope.yaml");
  });

  it("fails clearly on a provider call it cannot answer", () => {
    const r = keel(["synth", "--stack", "test", "--dir", path.join(ROOT, "test", "fixtures", "unknown-call"), "--out", fs.mkdtempSync(path.join(os.tmpdir(), "keel-u-"))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("provider function aws:ec2/getVpc:getVpc has no offline answer");
  });

  it("fails clearly when two resources share a name, as the engine would", () => {
    const r = keel(["synth", "--stack", "test", "--dir", path.join(ROOT, "test", "fixtures", "duplicate-names"), "--out", fs.mkdtempSync(path.join(os.tmpdir(), "keel-d-"))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('two resources of type kubernetes:core/v1:ConfigMap are named "same"; resource names must be unique per type');
  });

  it("runs a default-exported async main and exports what it returns", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-de-"));
    const r = keel(["synth", "--stack", "test", "--dir", path.join(ROOT, "test", "fixtures", "default-export"), "--out", out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, "test", "plan.json"), "utf8")).outputs).toEqual({ configMap: expect.stringMatching(/^settings-[0-9a-f]{8}$/) });
  });

  it("loads a .ts file imported by its .js name (node16/nodenext style)", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-js-"));
    const r = keel(["synth", "--stack", "test", "--dir", path.join(ROOT, "test", "fixtures", "js-imports"), "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const plan = JSON.parse(fs.readFileSync(path.join(out, "test", "plan.json"), "utf8")) as { resources: { name: string; inputs: { data?: Record<string, string> } }[] };
    expect(plan.resources.find((x) => x.name === "settings")?.inputs.data).toEqual({ zone: "eu-west-1a" });
  });

  it("rejects unknown arguments with usage", () => {
    const r = keel(["synth", "--stak", "dev"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('keel: unknown argument "--stak"');
  });
});
