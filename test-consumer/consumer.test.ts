/**
 * keel as other teams use it: `npm pack`, then each program under examples/ installed from the
 * tarball into a fresh project on every Node version and at both ends of every peer range
 * (matrix.ts), compiled under `strict`, synthesized with `keel synth` and checked with the
 * shipped policy pack through `npx keel check`. Node 22 and 24 come from npm's packaged Node
 * (scripts/node-binaries.js, cached). Slow (one npm install per case): `npm run test:consumer`.
 */
import { execFileSync, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CONSUMER_CASES, ConsumerCase } from "./matrix";

jest.setTimeout(900_000);

const ROOT = path.resolve(__dirname, "..");
const KEEL = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string; peerDependencies: Record<string, string> };
const EXAMPLES = fs.readdirSync(path.join(ROOT, "examples")).filter((d) => fs.existsSync(path.join(ROOT, "examples", d, "package.json")));
let work: string;
let tarball: string;
const nodeBinaries = new Map<number, string>();

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "keel-consumer-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  tarball = path.join(work, JSON.parse(out.slice(out.indexOf("[")))[0].filename);
  nodeBinaries.set(Number(process.versions.node.split(".")[0]), process.execPath);
  const wanted = [...new Set(CONSUMER_CASES.map((c) => c.node))].filter((m) => !nodeBinaries.has(m));
  if (wanted.length > 0) {
    const lines = execFileSync(process.execPath, [path.join(ROOT, "scripts", "node-binaries.js"), ...wanted.map(String)], { encoding: "utf8" });
    for (const line of lines.trim().split("\n")) {
      const [major, binary] = line.split(" ");
      nodeBinaries.set(Number(major), binary);
    }
  }
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Runs a command with `node` (and so npm, npx and keel) being the case's Node. */
function run(c: ConsumerCase, cwd: string, command: string, args: readonly string[]): SpawnSyncReturns<string> {
  const nodeDir = path.dirname(nodeBinaries.get(c.node) as string);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${nodeDir}${path.delimiter}${process.env.PATH}`, npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" };
  delete env.NODE_OPTIONS;
  return spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: 600_000 });
}

/** A fresh project from an example: keel from the tarball, the case's exact peer versions. */
function consumerProject(example: string, c: ConsumerCase): string {
  const project = path.join(work, `${example}-${c.label.replace(/[^a-z0-9]+/g, "-")}`);
  fs.cpSync(path.join(ROOT, "examples", example), project, { recursive: true, filter: (f) => !/[/\\](node_modules|out)$/.test(f) });
  const pkg = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8"));
  for (const section of ["dependencies", "devDependencies"]) {
    for (const name of Object.keys(pkg[section] ?? {})) {
      if (name === "keel") pkg[section][name] = `file:${tarball}`;
      else if (name in c.packages) pkg[section][name] = c.packages[name as keyof ConsumerCase["packages"]];
    }
  }
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify(pkg, null, 2));
  return project;
}

describe("the packed tarball", () => {
  it("ships the components, the keel command and the compiled policy pack, not the sources or tests", () => {
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
    expect(listing).toEqual(
      expect.arrayContaining([
        "package/dist/components/index.d.ts",
        "package/dist/offline/cli.js",
        "package/bin/keel.js",
        "package/dist/policies/PulumiPolicy.yaml",
        "package/dist/policies/package.json",
        "package/dist/policies/index.js",
        "package/dist/policies/config/dev.json",
        "package/dist/policies/config/prod.json",
        "package/docs/postgres.md",
      ]),
    );
    expect(listing.filter((f) => /\/(test|test-real|test-consumer|stacks|bench|examples)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")))).toEqual([]);
    const pack = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/dist/policies/package.json"], { encoding: "utf8" }));
    expect(pack).toMatchObject({ main: "index.js", version: KEEL.version, dependencies: { "@pulumi/pulumi": KEEL.peerDependencies["@pulumi/pulumi"] } });
  });
});

/** The kubernetes example runs on every case; the others at both ends of the ranges (the newest peers on Node 20, the lowest on Node 24). */
const EVERY_CASE = "kubernetes";
const ENDS = new Set(["node 20, newest peers", "node 24, lowest peers"]);
const cases = EXAMPLES.flatMap((example) => CONSUMER_CASES.filter((c) => example === EVERY_CASE || ENDS.has(c.label)).map((c) => [`${example} on ${c.label}`, example, c] as const));

describe.each(cases)("%s", (_label, example, c) => {
  let project: string;

  it("installs from the tarball, on that Node", () => {
    project = consumerProject(example, c);
    const node = run(c, project, "node", ["--version"]);
    expect(node.stdout.trim()).toMatch(new RegExp(`^v${c.node}\\.`));
    const install = run(c, project, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...(c.installStrategy ? [`--install-strategy=${c.installStrategy}`] : [])]);
    expect(install.stderr.replace(/npm warn.*\n?/gi, "")).toBe("");
    expect(install.status).toBe(0);
    const ls = run(c, project, "npm", ["ls", "--depth=0", "--json"]);
    const deps = JSON.parse(ls.stdout).dependencies as Record<string, { version: string }>;
    for (const [name, version] of Object.entries(c.packages)) if (deps[name]) expect(`${name}@${deps[name].version}`).toBe(`${name}@${version}`);
    // One @pulumi/pulumi version in the project: another one (e.g. under @pulumi/policy) breaks the pack.
    const sdks = JSON.stringify(JSON.parse(run(c, project, "npm", ["ls", "@pulumi/pulumi", "--all", "--json"]).stdout));
    expect([...new Set([...sdks.matchAll(/"@pulumi\/pulumi":\{"version":"([^"]+)"/g)].map((m) => m[1]))]).toEqual([c.packages["@pulumi/pulumi"]]);
  });

  it("compiles under strict", () => {
    const tsc = run(c, project, "npx", ["--no-install", "tsc", "-p", "."]);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("synthesizes with keel synth", () => {
    const synth = run(c, project, "npx", ["--no-install", "keel", "synth", "--stack", "dev"]);
    expect(synth.stderr).toBe("");
    expect(synth.status).toBe(0);
    expect(synth.stdout).toContain(`keel synth: project keel-example-${example}, stack dev:`);
    expect(fs.readdirSync(path.join(project, "out", "dev", "manifests")).length).toBeGreaterThan(10);
  });

  it("runs the shipped policy pack through npx keel check", () => {
    const check = run(c, project, "npx", ["--no-install", "keel", "check", "--stack", "dev"]);
    expect(check.stderr).toBe("");
    expect(check.stdout).toMatch(new RegExp(`pack keel ${KEEL.version.replace(/\./g, "\\.")}: \\d+ resources, \\d+ policies\\n  0 mandatory`));
    expect(check.status).toBe(0);
    // The same program judged by prod's rules: the pack enforces (mandatory availability rules).
    const prod = run(c, project, "npx", ["--no-install", "keel", "check", "--stack", "dev", "--environment", "prod", "--format", "json"]);
    expect(prod.status).toBe(1);
    const report = JSON.parse(prod.stdout) as { violations: { policy: string; level: string }[] };
    expect(report.violations.filter((v) => v.level === "mandatory").map((v) => v.policy)).toContain("replicas-minimum");
  });

  it("resolves keel/offline's types under the classic node resolution too, and says where keel bench runs", () => {
    fs.writeFileSync(path.join(project, "offline-types.ts"), 'import { synth } from "keel/offline";\nimport { ApiService } from "keel";\nexport const used: unknown[] = [synth, ApiService];\n');
    const major = Number(c.packages.typescript.split(".")[0]);
    // Pulumi's TypeScript template: module commonjs, moduleResolution node (deprecated in TypeScript 6).
    const options = { noEmit: true, strict: true, skipLibCheck: true, module: "commonjs", moduleResolution: "node", types: ["node"], ...(major >= 6 ? { ignoreDeprecations: "6.0" } : {}) };
    fs.writeFileSync(path.join(project, "tsconfig.classic.json"), JSON.stringify({ compilerOptions: options, files: ["offline-types.ts"] }));
    const tsc = run(c, project, "npx", ["--no-install", "tsc", "-p", "tsconfig.classic.json"]);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
    const bench = run(c, project, "npx", ["--no-install", "keel", "bench"]);
    expect(bench.status).toBe(1);
    expect(bench.stderr).toContain("keel bench runs in a checkout of keel");
  });
});
