/**
 * The public-contract guard (scripts/contract/): the check passes on the tree, TypeDoc documents
 * both entry points without warnings, and the pure parts (diff, alias classification, digest,
 * CHANGELOG record) fail where they should.
 */
import { spawn } from "child_process";
import * as path from "path";
import { compareContract, evaluateCheck } from "../../scripts/contract/contract";
import { changelogProblem, contractDigest, digestLine, recordedDigest } from "../../scripts/contract/digest";
import { formatDiff, lineDiff } from "../../scripts/contract/diff";
import { normalizeReport } from "../../scripts/contract/api";
import { discoverStacks } from "../../scripts/contract/stacks";
import type { StackRun } from "../../scripts/contract/stacks";
import { RECREATED, classifyRemovals, formatLine, parseLine, snapshotLines, snapshotText } from "../../scripts/contract/urns";

const ROOT = path.resolve(__dirname, "..", "..");

function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

describe("the committed contract", () => {
  it("matches the tree and is recorded in CHANGELOG.md (npm run contract:check), and TypeDoc documents both entry points without warnings", async () => {
    // Side by side: each runs in its own processes.
    const [check, docs] = await Promise.all([
      run(["-e", "require('./bin/register-ts').register(); require('./scripts/contract/cli.ts')", "--", "check"]),
      run([path.join(ROOT, "node_modules", "typedoc", "bin", "typedoc"), "--options", "typedoc.json", "--emit", "none"]),
    ]);
    expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 0, stderr: "" });
    // One snapshot per stack file, and the catalogue of the modes no blueprint uses.
    const snapshots = discoverStacks(ROOT).length + 1;
    expect(check.stdout).toMatch(new RegExp(`^contract check: ok \\(2 API reports, ${snapshots} URN snapshots; CHANGELOG\\.md records Contract: api [0-9a-f]{12}, urns [0-9a-f]{12}\\)`));
    expect({ code: docs.code, output: docs.stdout + docs.stderr }).toEqual({ code: 0, output: "" });
  }, 240_000);
});

// A small stack: a component with a child, a provider, a resource under the stack.
const STACK = "urn:pulumi:dev::keel::pulumi:pulumi:Stack::keel-dev";
const API = "urn:pulumi:dev::keel::keel:components:ApiService::shop-api";
const sample: StackRun = {
  project: "keel",
  stack: "dev",
  resources: [
    { urn: STACK, type: "pulumi:pulumi:Stack", name: "keel-dev", parent: "" },
    { urn: API, type: "keel:components:ApiService", name: "shop-api", parent: STACK },
    { urn: "urn:pulumi:dev::keel::keel:components:ApiService$kubernetes:core/v1:Service::shop-api", type: "kubernetes:core/v1:Service", name: "shop-api", parent: API },
    {
      urn: "urn:pulumi:dev::keel::keel:components:ApiService$kubernetes:apps/v1:Deployment::shop-api-deployment",
      type: "kubernetes:apps/v1:Deployment",
      name: "shop-api-deployment",
      parent: API,
      aliases: [{ name: "shop-api", parent: STACK }, "urn:pulumi:dev::keel::kubernetes:apps/v1:Deployment::shop-deployment", { name: "x", stack: "prod" }],
    },
  ],
};

describe("URN snapshots", () => {
  it("write one sorted line per resource (not the stack), parents as type::name, aliases as URN tails", () => {
    expect(snapshotLines(sample)).toEqual([
      "keel:components:ApiService::shop-api  parent=-",
      'kubernetes:apps/v1:Deployment::shop-api-deployment  parent=keel:components:ApiService::shop-api  aliases=[{"name":"shop-api","parent":"-"},{"name":"x","stack":"prod"},{"urn":"kubernetes:apps/v1:Deployment::shop-deployment"}]',
      "kubernetes:core/v1:Service::shop-api  parent=keel:components:ApiService::shop-api",
    ]);
    expect(snapshotText(sample).split("\n")[0]).toMatch(/^# URN snapshot of stack dev \(project keel\)/);
    for (const line of snapshotLines(sample)) expect(formatLine(parseLine(line))).toBe(line);
  });

  const before = [
    "keel:components:ApiService::shop-api  parent=-",
    "kubernetes:apps/v1:Deployment::shop-api-deployment  parent=keel:components:ApiService::shop-api",
    "kubernetes:core/v1:Service::shop-api  parent=keel:components:ApiService::shop-api",
  ].join("\n");

  it("a renamed resource without an alias would be deleted and recreated", () => {
    const after = before.replace("core/v1:Service::shop-api  ", "core/v1:Service::shop-api-svc  ");
    expect(classifyRemovals(before, after)).toEqual([{ line: "kubernetes:core/v1:Service::shop-api  parent=keel:components:ApiService::shop-api", kind: "recreated", verdict: RECREATED }]);
  });

  it("a renamed resource with an alias for its old name is covered", () => {
    const after = before.replace("Service::shop-api  parent=keel:components:ApiService::shop-api", 'Service::shop-api-svc  parent=keel:components:ApiService::shop-api  aliases=[{"name":"shop-api"}]');
    const [removal] = classifyRemovals(before, after);
    expect(removal.kind).toBe("aliased");
    expect(removal.verdict).toBe("now kubernetes:core/v1:Service::shop-api-svc  parent=keel:components:ApiService::shop-api, covered by its alias: moved, not replaced");
  });

  it("a re-parented resource is covered only by an alias naming its old parent", () => {
    const moved = "kubernetes:core/v1:Service::shop-api  parent=-";
    const lines = before.split("\n").filter((l) => !l.startsWith("kubernetes:core/v1:Service"));
    expect(classifyRemovals(before, [...lines, moved].join("\n"))[0].kind).toBe("recreated");
    const withAlias = `${moved}  aliases=[{"parent":"keel:components:ApiService::shop-api"}]`;
    expect(classifyRemovals(before, [...lines, withAlias].join("\n"))[0].kind).toBe("aliased");
    // A URN alias says the same.
    const withUrn = `${moved}  aliases=[{"urn":"keel:components:ApiService$kubernetes:core/v1:Service::shop-api"}]`;
    expect(classifyRemovals(before, [...lines, withUrn].join("\n"))[0].kind).toBe("aliased");
    // Another stack's alias covers nothing here.
    const otherStack = `${moved}  aliases=[{"parent":"keel:components:ApiService::shop-api","stack":"prod"}]`;
    expect(classifyRemovals(before, [...lines, otherStack].join("\n"))[0].kind).toBe("recreated");
  });

  it("a renamed parent: itself recreated without an alias; children keeping their names keep their URNs", () => {
    const after = [
      "keel:components:ApiService::shop-web  parent=-",
      "kubernetes:apps/v1:Deployment::shop-api-deployment  parent=keel:components:ApiService::shop-web",
      "kubernetes:core/v1:Service::shop-web  parent=keel:components:ApiService::shop-web",
    ].join("\n");
    const removals = classifyRemovals(before, after);
    expect(removals.map((r) => [r.line.split("  ")[0], r.kind])).toEqual([
      ["keel:components:ApiService::shop-api", "recreated"],
      ["kubernetes:apps/v1:Deployment::shop-api-deployment", "same-urn"],
      ["kubernetes:core/v1:Service::shop-api", "recreated"],
    ]);
  });

  it("a component's type alias carries its children (Pulumi derives their aliases)", () => {
    const after = before.split("keel:components:ApiService").join("keel:components:WebService").replace("WebService::shop-api  parent=-", 'WebService::shop-api  parent=-  aliases=[{"type":"keel:components:ApiService"}]');
    const removals = classifyRemovals(before, after);
    expect(removals.map((r) => r.kind)).toEqual(["aliased", "aliased", "aliased"]);
    expect(removals[1].verdict).toContain("covered by the alias on its ancestor keel:components:WebService::shop-api");
  });

  it("an alias added to a resource is not a removal", () => {
    const after = before.replace("Service::shop-api  parent=keel:components:ApiService::shop-api", 'Service::shop-api  parent=keel:components:ApiService::shop-api  aliases=[{"name":"old"}]');
    expect(classifyRemovals(before, after).map((r) => r.kind)).toEqual(["aliases-changed"]);
  });
});

describe("line diff", () => {
  it("shows added and removed lines with context, capped", () => {
    const ops = lineDiff("a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n");
    expect(formatDiff(ops, { context: 1 })).toEqual(["  b", "- c", "+ X"]);
    const many = lineDiff("", Array.from({ length: 30 }, (_, i) => `l${i}`).join("\n"));
    const shown = formatDiff(many, { max: 3 });
    expect(shown).toEqual(["+ l0", "+ l1", "+ l2", "  ... and 27 more changed lines"]);
  });
});

describe("API reports", () => {
  it("are normalized: no release-level noise, no temporary paths or line numbers", () => {
    const raw = ["// @public (undocumented)", "export function f(): void;", "", "// @public", "export function g(): void;", "// Warnings were encountered during analysis:", "//", "// /tmp/x/dts/components/a.d.ts:3:5 - (ae-forgotten-export) The symbol \"A\" needs to be exported", ""].join("\r\n");
    expect(normalizeReport(raw, "/tmp/x/dts")).toBe(
      ["export function f(): void;", "", "export function g(): void;", "// Warnings were encountered during analysis:", "//", '// dist/components/a.d.ts - (ae-forgotten-export) The symbol "A" needs to be exported', ""].join("\n"),
    );
  });
});

describe("the check", () => {
  const committed = new Map([
    ["contract/keel.api.md", "```ts\nexport function f(): void;\n```\n"],
    ["contract/keel-offline.api.md", "```ts\nexport function synth(): void;\n```\n"],
    ["contract/urns/dev.txt", "# header\nkeel:components:ApiService::shop-api  parent=-\nkubernetes:core/v1:Service::shop-api  parent=keel:components:ApiService::shop-api\n"],
  ]);
  const digest = contractDigest(committed);
  const changelog = `# Changelog\n\n## Unreleased\n\n- **Contract**: committed. ${digestLine(digest)}\n\n## 0.1.0\n\n- Contract: api 000000000000, urns 000000000000\n`;

  it("passes when the files match and CHANGELOG.md's newest record is their digest", () => {
    expect(evaluateCheck(committed, new Map(committed), changelog)).toEqual({ ok: true, message: expect.stringContaining(`CHANGELOG.md records ${digestLine(digest)}`) });
  });

  it("fails on an unrecorded API change, with the file, a short diff and what to do", () => {
    const generated = new Map(committed).set("contract/keel.api.md", "```ts\nexport function f(): void;\nexport function h(x: string): number;\n```\n");
    const result = evaluateCheck(committed, generated, changelog);
    expect(result.ok).toBe(false);
    expect(result.message).toBe(
      [
        "contract check failed: the public contract differs from the committed files (contract/keel.api.md).",
        "contract/keel.api.md: changed (+1 -0 lines)",
        "      ```ts",
        "      export function f(): void;",
        "    + export function h(x: string): number;",
        "Run `npm run contract:update`, then record the change in CHANGELOG.md: describe it under ## Unreleased and end the entry with the `Contract: api …, urns …` line the update prints.",
      ].join("\n"),
    );
  });

  it("fails on an unrecorded URN change, saying the removed resource would be recreated", () => {
    const generated = new Map(committed).set("contract/urns/dev.txt", "# header\nkeel:components:ApiService::shop-api  parent=-\nkubernetes:core/v1:Service::shop-svc  parent=keel:components:ApiService::shop-api\n");
    const result = evaluateCheck(committed, generated, changelog);
    expect(result.ok).toBe(false);
    expect(result.message.split("\n").slice(0, 5)).toEqual([
      "contract check failed: the public contract differs from the committed files (contract/urns/dev.txt).",
      "contract/urns/dev.txt: changed (+1 -1 lines)",
      "    - kubernetes:core/v1:Service::shop-api  parent=keel:components:ApiService::shop-api",
      `          -> ${RECREATED}`,
      "    + kubernetes:core/v1:Service::shop-svc  parent=keel:components:ApiService::shop-api",
    ]);
    expect(result.message).toContain("1 without an alias");
  });

  it("fails on a new or vanished stack's snapshot", () => {
    const generated = new Map(committed);
    generated.delete("contract/urns/dev.txt");
    generated.set("contract/urns/qa.txt", "# header\nkeel:components:ApiService::shop-api  parent=-\n");
    const changes = compareContract(committed, generated);
    expect(changes.map((c) => [c.file, c.status])).toEqual([
      ["contract/urns/dev.txt", "removed"],
      ["contract/urns/qa.txt", "added"],
    ]);
    expect(changes[0].removals).toEqual([]);
  });

  it("fails when the committed contract changed but CHANGELOG.md does not record it", () => {
    const updated = new Map(committed).set("contract/urns/dev.txt", "# header\nkeel:components:ApiService::shop-api  parent=-\n");
    const result = evaluateCheck(updated, new Map(updated), changelog);
    expect(result.ok).toBe(false);
    const now = digestLine(contractDigest(updated));
    expect(result.message).toBe(
      `contract check failed: the contract changed (contract/urns/*.txt) but CHANGELOG.md does not record it: describe the change under ## Unreleased and end the entry with \`${now}\` (its newest record is \`${digestLine(digest)}\`)`,
    );
    // Recorded in an older entry only is not enough: the newest record must be the current contract.
    expect(changelogProblem(`## Unreleased\n\n- ${digestLine(digest)}\n\n## 0.1.0\n\n- ${now}\n`, contractDigest(updated))).toContain("does not record it");
    expect(changelogProblem("# Changelog\n", digest)).toMatch(/^the contract changed \(contract\/\*\.api\.md, contract\/urns\/\*\.txt\) but CHANGELOG\.md does not record it: .* \(it has no `Contract:` line\)$/);
  });
});

describe("the digest", () => {
  it("is 12 hex digits per part, over the contract files only, in path order", () => {
    const files = new Map([
      ["contract/urns/b.txt", "b\n"],
      ["contract/keel.api.md", "api\n"],
      ["contract/urns/a.txt", "a\n"],
      ["contract/api-extractor.base.json", "{}"],
    ]);
    const d = contractDigest(files);
    expect(d.api).toMatch(/^[0-9a-f]{12}$/);
    expect(d.urns).toMatch(/^[0-9a-f]{12}$/);
    const reordered = new Map([...files.entries()].reverse());
    reordered.delete("contract/api-extractor.base.json");
    expect(contractDigest(reordered)).toEqual(d);
    expect(contractDigest(new Map(files).set("contract/urns/a.txt", "a2\n")).api).toBe(d.api);
    expect(contractDigest(new Map(files).set("contract/urns/a.txt", "a2\n")).urns).not.toBe(d.urns);
    expect(recordedDigest(`text\n  ${digestLine(d)}\n`)).toEqual(d);
  });
});
