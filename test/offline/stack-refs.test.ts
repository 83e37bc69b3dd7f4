/**
 * Stack references answered from files: `stack-refs/<org>/<project>/<stack>.json` in the project
 * directory gives a referenced stack's outputs when the mocks file does not; its secrets stay
 * secret in everything keel writes; a bad file or a missing answer is one clear error.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stackRefFile } from "../../offline/stack-refs";
import { evaluate, synth } from "../../offline/synth";
import { SECRET_SIG, SIG_KEY } from "../../offline/values";
import { ROOT } from "../helpers/cli";

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "keel-stack-refs-"));
const STACK = "acme/keel/platform-prod";
const KUBECONFIG = "apiVersion: v1\nusers: [{ name: admin, user: { token: tok-0123456789 } }]";

/** A project whose program reads a stack reference and gives what it read to a resource. */
function project(name: string, files: Record<string, string>): string {
  const dir = path.join(TMP, name);
  const pulumiDir = path.join(ROOT, "node_modules", "@pulumi");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\nmain: index.js\n`);
  fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
  fs.writeFileSync(
    path.join(dir, "index.js"),
    [
      `const pulumi = require(${JSON.stringify(path.join(pulumiDir, "pulumi"))});`,
      `const ref = new pulumi.StackReference(${JSON.stringify(STACK)});`,
      // unsecret: the clear text reaches an input as a plain string; keel must still hide it.
      `new pulumi.CustomResource("keel:test:Cluster", "cluster", { name: ref.requireOutput("clusterName"), kubeconfig: pulumi.unsecret(ref.requireOutput("kubeconfig")) });`,
      `module.exports = { clusterName: ref.requireOutput("clusterName"), kubeconfig: ref.requireOutput("kubeconfig") };`,
    ].join("\n"),
  );
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    return (err as Error).message.split(TMP).join("<tmp>");
  }
  throw new Error("no error");
}

function readAll(dir: string): string {
  return fs.readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? readAll(path.join(dir, e.name)) : fs.readFileSync(path.join(dir, e.name), "utf8"))).join("\n");
}

const OUTPUTS = JSON.stringify({ clusterName: "platform-prod", kubeconfig: { secret: KUBECONFIG } });

describe("a stack reference answered from stack-refs/", () => {
  it("reads stack-refs/<org>/<project>/<stack>.json, a secret output as a secret", async () => {
    const dir = project("answered", { "stack-refs/acme/keel/platform-prod.json": OUTPUTS });
    const { run } = await evaluate({ stack: "dev", dir });
    expect(run.outputs.clusterName).toBe("platform-prod");
    expect(run.outputs.kubeconfig).toEqual({ [SIG_KEY]: SECRET_SIG, value: KUBECONFIG });
    expect(run.resources.find((r) => r.name === "cluster")?.inputs).toEqual({ name: "platform-prod", kubeconfig: { [SIG_KEY]: SECRET_SIG, value: KUBECONFIG } });
  });

  it("writes no secret of the file in plan.json or anything else", async () => {
    const dir = project("written", { "stack-refs/acme/keel/platform-prod.json": OUTPUTS });
    const out = path.join(dir, "out");
    await synth({ stack: "dev", dir, out });
    const written = readAll(out);
    expect(written).toContain("platform-prod");
    expect(written).not.toContain("tok-0123456789");
  });

  it("takes the mocks file's entry first", async () => {
    const dir = project("both", { "stack-refs/acme/keel/platform-prod.json": OUTPUTS, "keel.mocks.yaml": `stackReferences:\n  ${STACK}: { clusterName: from-mocks, kubeconfig: { secret: x } }\n` });
    const { run } = await evaluate({ stack: "dev", dir });
    expect(run.outputs.clusterName).toBe("from-mocks");
  });

  it("maps a stack name to nested folders, and no name outside stack-refs/", () => {
    expect(stackRefFile("/p", "acme/keel/platform-prod")).toBe(path.join("/p", "stack-refs", "acme", "keel", "platform-prod.json"));
    expect(stackRefFile("/p", "prod")).toBe(path.join("/p", "stack-refs", "prod.json"));
    expect(stackRefFile("/p", "acme/../../etc")).toBeUndefined();
  });
});

describe("what is wrong", () => {
  it("no file and no mocks entry: the file it looked for and the mocks file entry", async () => {
    const dir = project("missing", {});
    expect(await failure(evaluate({ stack: "dev", dir }))).toBe(
      [
        `stack reference ${STACK} needs the referenced stack's outputs; give the outputs the program reads in <tmp>/missing/stack-refs/acme/keel/platform-prod.json (there is none: a JSON object of output name: value, {"secret": value} for a secret), or in <tmp>/missing/keel.mocks.yaml (there is none: create it, or pass --mocks <file>):`,
        "  stackReferences:",
        `    "${STACK}": {}   # output name: value`,
      ].join("\n"),
    );
  });

  it.each([
    ["not JSON", "{ clusterName: x }", /^stack reference acme\/keel\/platform-prod: <tmp>\/bad-0\/stack-refs\/acme\/keel\/platform-prod\.json is not valid JSON: .+$/],
    ["a list", "[1]", /^stack reference acme\/keel\/platform-prod: <tmp>\/bad-1\/stack-refs\/acme\/keel\/platform-prod\.json is a list; expected a JSON object of the stack's outputs \(output name: value, \{"secret": value\} for a secret\)$/],
  ])("a file that is %s: the file and what is wrong", async (_what, text, expected) => {
    const index = text.startsWith("[") ? 1 : 0;
    const dir = project(`bad-${index}`, { "stack-refs/acme/keel/platform-prod.json": text });
    expect(await failure(evaluate({ stack: "dev", dir }))).toMatch(expected);
  });
});
