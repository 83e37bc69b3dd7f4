/**
 * The README's snippets compile and synthesize as written: pasted together, in order, into a
 * Pulumi project of one's own (as a user would), they type-check under strict TypeScript and
 * `keel synth` evaluates them with exit code 0.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { keel, ROOT } from "../helpers/cli";
import { configKeysRead, typeScriptBlocks, writeSnippetProject } from "./snippets";

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const program = typeScriptBlocks(README).join("\n");

const DOC_PRELUDE = `import * as pulumi from "@pulumi/pulumi";
import { ApiService, AwsPlatform, KafkaCluster, KubernetesPlatform, ObservabilityStack, PostgresCluster, RabbitMqCluster, RedisStore, SeaweedStorage, StatefulService, fromSecretsManager, peers } from "keel";
void [pulumi, ApiService, AwsPlatform, KafkaCluster, ObservabilityStack, PostgresCluster, RabbitMqCluster, RedisStore, SeaweedStorage, StatefulService, fromSecretsManager, peers];
const platform = new KubernetesPlatform("shop", { system: "shop" });
const image = "ghcr.io/acme/api:1.0.0";
void image;
`;

/** Strict type errors in the given files (one line each: file:line: message). */
function typeErrors(files: readonly string[]): string[] {
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true, skipLibCheck: true, types: ["node"] };
  const compiled = ts.createProgram([...files], options);
  return ts
    .getPreEmitDiagnostics(compiled)
    .filter((d) => d.file && files.includes(d.file.fileName))
    .map((d) => `${path.basename(d.file!.fileName)}:${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

describe("README snippets", () => {
  let dir: string;
  let docFiles: string[] = [];
  beforeAll(() => {
    fs.mkdirSync(path.join(ROOT, ".scratch"), { recursive: true });
    dir = fs.mkdtempSync(path.join(ROOT, ".scratch", "readme-"));
    writeSnippetProject(dir, program, ROOT);
    const docs = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).sort();
    docFiles = docs.flatMap((doc) =>
      typeScriptBlocks(fs.readFileSync(path.join(ROOT, "docs", doc), "utf8")).map((block, i) => {
        const file = path.join(dir, `doc-${doc.replace(/\.md$/, "")}-${i}.ts`);
        fs.writeFileSync(file, `${DOC_PRELUDE}{\n${block}}\n`);
        return file;
      }),
    );
  });
  /** The type errors of the README program and the docs' snippets, checked as one TypeScript program. */
  let checked: string[] | undefined;
  const errors = () => (checked ??= typeErrors([path.join(dir, "index.ts"), ...docFiles]));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("are found, import keel and read their secrets from the stack config", () => {
    expect(typeScriptBlocks(README).length).toBeGreaterThanOrEqual(3);
    expect(program).toMatch(/from "keel"/);
    expect(configKeysRead(program).secret).toEqual(expect.arrayContaining(["stripeKey", "slackWebhookUrl"]));
  });

  it("type-check as one strict program", () => {
    expect(errors().filter((e) => e.startsWith("index.ts:"))).toEqual([]);
  }, 120_000);

  it("in docs/*.md type-check too, each in its own block after a prelude giving platform and image", () => {
    expect(docFiles.length).toBeGreaterThan(0);
    expect(errors().filter((e) => e.startsWith("doc-"))).toEqual([]);
  }, 120_000);

  it("synthesize with keel synth (exit 0, nothing on stderr)", () => {
    const result = keel(["synth", "--stack", "readme", "--dir", dir, "--out", path.join(dir, "out")]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
    const plan = JSON.parse(fs.readFileSync(path.join(dir, "out", "readme", "plan.json"), "utf8")) as { resources: { type: string; name: string }[] };
    const components = plan.resources.filter((r) => r.type.startsWith("keel:")).map((r) => `${r.type.split(":").pop()}/${r.name}`);
    expect(components).toEqual(expect.arrayContaining(["ApiService/checkout", "ObservabilityStack/obs", "PostgresCluster/db", "RedisStore/cache", "SeaweedStorage/files"]));
    expect(fs.readFileSync(path.join(dir, "out", "readme", "plan.json"), "utf8")).not.toContain("snippet-test");
  }, 120_000);
});

describe("Node versions", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string }; dependencies: Record<string, string>; peerDependencies: Record<string, string> };
  /** The lowest major a `>=N` / `>= N.x` / `^N` range admits. */
  const lowestMajor = (range: string): number => {
    const m = /^\s*(?:>=|\^|~)?\s*v?(\d+)/.exec(range);
    if (!m) throw new Error(`cannot read the Node range ${JSON.stringify(range)}`);
    return Number(m[1]);
  };

  it("engines asks for at least what every runtime dependency installed here declares", () => {
    const ours = lowestMajor(pkg.engines.node);
    const names = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies).filter((n) => n !== "typescript")];
    const stricter = names.flatMap((name) => {
      const theirs = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as { engines?: { node?: string } }).engines?.node;
      return theirs && lowestMajor(theirs) > ours ? [`${name} needs Node ${theirs}`] : [];
    });
    expect(stricter).toEqual([]);
  });

  it("the README states the same Node version as engines", () => {
    const major = lowestMajor(pkg.engines.node);
    expect(README).toContain(`| Node | ${major} |`);
    expect(README).toContain(`(\`engines\`: >=${major})`);
    expect(README).toContain(`On a fresh machine with Node ${major}`);
  });
});
