/**
 * The mocks file: a consumer's answers for provider functions, reads of existing resources and
 * stack references keel cannot answer offline. Answers reach the program (args matched as a
 * part of the call's args, first entry wins), secrets stay secret in everything written, a bad
 * file is one clear error before the program runs, and what nothing answers says how to answer it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../offline/cli";
import { contains, protectSecrets } from "../../offline/mocks-file";
import { readMocks } from "../../offline/project";
import { evaluate, synth } from "../../offline/synth";
import { SIG_KEY, SECRET_SIG } from "../../offline/values";
import { ROOT } from "../helpers/cli";

const FIXTURES = path.join(ROOT, "test", "fixtures");
const ANSWERED = path.join(FIXTURES, "mocks-answered");
const UNANSWERED = path.join(FIXTURES, "mocks-unanswered");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "keel-mocks-"));

function readAll(dir: string): string {
  return fs.readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? readAll(path.join(dir, e.name)) : fs.readFileSync(path.join(dir, e.name), "utf8"))).join("\n");
}

function mocksFile(name: string, text: string): string {
  const file = path.join(TMP, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The error of a run, with the temporary directory and the fixtures' directory as short names. */
async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    return (err as Error).message.split(TMP).join("<tmp>").split(FIXTURES).join("<fixtures>");
  }
  throw new Error("no error");
}

describe("a program whose provider calls, reads and stack references the mocks file answers", () => {
  let out: string;
  let plan: { resources: { name: string; inputs: { data?: Record<string, string>; stringData?: unknown } }[]; outputs: Record<string, unknown> };
  beforeAll(async () => {
    out = path.join(TMP, "answered");
    await synth({ stack: "test", dir: ANSWERED, out });
    plan = JSON.parse(fs.readFileSync(path.join(out, "test", "plan.json"), "utf8"));
  });
  const data = (name: string) => plan.resources.find((r) => r.name === name)?.inputs.data;

  it("gives the first entry whose args are a part of the call's args, and an entry without args to any other call", () => {
    expect(data("network")).toMatchObject({ sharedVpc: "vpc-0abc", sharedCidr: "10.0.0.0/16", otherVpc: "vpc-default" });
  });

  it("answers Resource.get by type and id, and a StackReference by stack name", () => {
    expect(data("network")).toMatchObject({ existingNamespace: "kube-system", existingTeam: "platform", stackVpc: "vpc-0abc" });
  });

  it("gives secret values as secrets (invokeOutput, stack reference outputs), others as plain values", () => {
    expect(plan.outputs).toEqual({ passwordIsSecret: true, adminIsSecret: true, existingSpecIsSecret: true, existingSpec: "[secret]", vpcIdIsSecret: false });
    expect(plan.resources.find((r) => r.name === "db")?.inputs.stringData).toBe("[secret]");
  });

  it("writes a secret as [secret] also where the program passed it on as plain text (the plain invoke form drops secretness)", () => {
    expect(data("db-url")).toEqual({ url: "[secret]" });
  });

  it("writes no secret of the mocks file anywhere in the output", () => {
    const written = readAll(path.join(out, "test"));
    expect(written).not.toContain("s3cr3t-Pa55word");
    expect(written).not.toContain("adm1n-Pa55word");
    expect(written).not.toContain("fin-Secr3tValue");
  });

  it("reads keel.mocks.json as well", async () => {
    const { run } = await evaluate({ stack: "test", dir: path.join(FIXTURES, "mocks-json") });
    expect(run.resources.find((r) => r.name === "region")?.inputs.data).toEqual({ region: "eu-west-1" });
  });
});

describe("what nothing answers", () => {
  const run = (read: string, mocks?: string) => failure(evaluate({ stack: "test", dir: UNANSWERED, config: { "mocks-unanswered:read": read, "mocks-unanswered:token": "tok-123" }, mocks }));

  it("a provider function: its token, its args (secrets as [secret]), where the mocks file would be, and the entry to add", async () => {
    expect(await run("call")).toBe(
      [
        'provider function aws:ec2/getVpc:getVpc has no offline answer (called with {"tags":{"Name":"shared"},"token":"[secret]"}); keel answers kubernetes:yaml:decode itself. Give its result in <fixtures>/mocks-unanswered/keel.mocks.yaml (there is none: create it, or pass --mocks <file>):',
        "  calls:",
        '    "aws:ec2/getVpc:getVpc":',
        '      - args: {"tags":{"Name":"shared"}}',
        "        result: {}   # the fields the program reads",
      ].join("\n"),
    );
  });

  it("a provider function the mocks file has entries for, none of them matching", async () => {
    const file = mocksFile("other-args.yaml", 'calls:\n  "aws:ec2/getVpc:getVpc":\n    - args: { tags: { Name: other } }\n      result: { id: vpc-1 }\n    - args: { region: us-east-1 }\n      result: { id: vpc-2 }\n');
    expect(await run("call", file)).toBe(
      [
        'provider function aws:ec2/getVpc:getVpc has no offline answer for these args (called with {"tags":{"Name":"shared"},"token":"[secret]"}): none of the 2 entries for it in <tmp>/other-args.yaml matches ([0] args {"tags":{"Name":"other"}}; [1] args {"region":"us-east-1"}); add an entry (entries match in order, args as a part of the call\'s args):',
        "  calls:",
        '    "aws:ec2/getVpc:getVpc":',
        '      - args: {"tags":{"Name":"shared"}}',
        "        result: {}   # the fields the program reads",
      ].join("\n"),
    );
  });

  it("a Resource.get: its type, name and id", async () => {
    expect(await run("resource")).toBe(
      [
        'reading an existing resource kubernetes:core/v1:Namespace "existing" (id kube-system) needs the real provider; give its state in <fixtures>/mocks-unanswered/keel.mocks.yaml (there is none: create it, or pass --mocks <file>):',
        "  resources:",
        '    "kubernetes:core/v1:Namespace":',
        '      "kube-system": {}   # the fields the program reads',
      ].join("\n"),
    );
  });

  it("a Resource.get of an id the mocks file does not have, saying which it has", async () => {
    const file = mocksFile("other-id.yaml", 'resources:\n  "kubernetes:core/v1:Namespace":\n    default: {}\n');
    expect(await run("resource", file)).toBe(
      [
        'reading an existing resource kubernetes:core/v1:Namespace "existing" (id kube-system) needs the real provider; give its state in <tmp>/other-id.yaml (it has kubernetes:core/v1:Namespace ids default):',
        "  resources:",
        '    "kubernetes:core/v1:Namespace":',
        '      "kube-system": {}   # the fields the program reads',
      ].join("\n"),
    );
  });

  it("a StackReference: the stack name, and the stacks the mocks file has", async () => {
    const file = mocksFile("other-stack.yaml", "stackReferences:\n  acme/network/dev: { vpcId: vpc-1 }\n");
    expect(await run("stack", file)).toBe(
      [
        'stack reference acme/network/prod needs the referenced stack\'s outputs; give the outputs the program reads in <tmp>/stack-refs/acme/network/prod.json (there is none: a JSON object of output name: value, {"secret": value} for a secret), or in <tmp>/other-stack.yaml (it has acme/network/dev):',
        "  stackReferences:",
        '    "acme/network/prod": {}   # output name: value',
      ].join("\n"),
    );
  });

  it("an entry pasted from the message answers the call", async () => {
    const file = mocksFile("pasted.yaml", 'calls:\n  "aws:ec2/getVpc:getVpc":\n    - args: {"tags":{"Name":"shared"}}\n      result: { id: vpc-pasted }\n');
    const { run: result } = await evaluate({ stack: "test", dir: UNANSWERED, config: { "mocks-unanswered:read": "call", "mocks-unanswered:token": "tok-123" }, mocks: file });
    // A secret argument (the token) makes the result secret, as with the Pulumi CLI.
    expect(result.resources.find((r) => r.name === "vpc")?.inputs.data).toEqual({ id: { [SIG_KEY]: SECRET_SIG, value: "vpc-pasted" } });
  });
});

describe("mocks files that cannot be used: one error naming the file, the path in it and what is allowed", () => {
  it.each([
    ["invalid YAML", "m.yaml", "calls: [1\n", "<tmp>/m.yaml is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1"],
    ["invalid JSON", "m.json", '{ "calls": ', "<tmp>/m.json is not valid JSON: Unexpected end of JSON input"],
    ["a document that is a list", "m.yaml", "- calls\n", "<tmp>/m.yaml is a list; expected a mapping with calls, resources or stackReferences"],
    ["an unknown top-level key", "m.yaml", "call: {}\n", '<tmp>/m.yaml: "call" is not a mocks file key (did you mean "calls"?); expected one of calls, resources, stackReferences'],
    ["calls that is a list", "m.yaml", "calls: []\n", "<tmp>/m.yaml: calls is a list; expected a mapping of provider function tokens (<package>:<module>:<function>) to lists of answers"],
    ["a key that is not a token", "m.yaml", "calls:\n  getVpc: []\n", '<tmp>/m.yaml: calls key "getVpc" is not a provider function token; expected <package>:<module>:<function>, e.g. "aws:ec2/getVpc:getVpc"'],
    [
      "a function keel answers itself",
      "m.yaml",
      'calls:\n  "kubernetes:yaml:decode": []\n',
      '<tmp>/m.yaml: calls."kubernetes:yaml:decode" is a function keel answers itself; remove the entry (a mocks file adds answers, it does not replace keel\'s)',
    ],
    ["answers that are a mapping", "m.yaml", 'calls:\n  "aws:ec2/getVpc:getVpc": { result: {} }\n', '<tmp>/m.yaml: calls."aws:ec2/getVpc:getVpc" is a mapping; expected a list of answers, each a mapping with result (and optionally args)'],
    ["an answer that is a string", "m.yaml", 'calls:\n  "aws:ec2/getVpc:getVpc": [vpc-1]\n', '<tmp>/m.yaml: calls."aws:ec2/getVpc:getVpc"[0] is a string ("vpc-1"); expected a mapping with result (and optionally args)'],
    ["an answer without result", "m.yaml", 'calls:\n  "aws:ec2/getVpc:getVpc":\n    - args: { id: vpc-1 }\n', '<tmp>/m.yaml: calls."aws:ec2/getVpc:getVpc"[0] has no result; expected result: a mapping of the function\'s result fields'],
    [
      "a misspelt answer key",
      "m.yaml",
      'calls:\n  "aws:ec2/getVpc:getVpc":\n    - reslt: {}\n',
      [
        '<tmp>/m.yaml: calls."aws:ec2/getVpc:getVpc"[0] has "reslt" (did you mean "result"?); expected args and result',
        '<tmp>/m.yaml: calls."aws:ec2/getVpc:getVpc"[0] has no result; expected result: a mapping of the function\'s result fields',
      ].join("\n"),
    ],
    ["a result that is a string", "m.yaml", 'calls:\n  "aws:ec2/getVpc:getVpc":\n    - result: vpc-1\n', '<tmp>/m.yaml: calls."aws:ec2/getVpc:getVpc"[0].result is a string ("vpc-1"); expected a mapping of the function\'s result fields'],
    [
      "args that are a list",
      "m.yaml",
      'calls:\n  "aws:ec2/getVpc:getVpc":\n    - args: [vpc-1]\n      result: {}\n',
      '<tmp>/m.yaml: calls."aws:ec2/getVpc:getVpc"[0].args is a list; expected a mapping of the arguments to match (a part of the call\'s arguments)',
    ],
    ["a resource type that is not a type", "m.yaml", "resources:\n  Vpc: {}\n", '<tmp>/m.yaml: resources key "Vpc" is not a resource type; expected <package>:<module>:<Type>, e.g. "aws:ec2/vpc:Vpc"'],
    ["a resource state that is a string", "m.yaml", 'resources:\n  "aws:ec2/vpc:Vpc":\n    vpc-1: available\n', '<tmp>/m.yaml: resources."aws:ec2/vpc:Vpc".vpc-1 is a string ("available"); expected a mapping of the resource\'s output fields'],
    [
      "a stack reference given as a resource",
      "m.yaml",
      'resources:\n  "pulumi:pulumi:StackReference":\n    acme/network/prod: {}\n',
      '<tmp>/m.yaml: resources."pulumi:pulumi:StackReference" is a stack reference; give its outputs under stackReferences (by stack name)',
    ],
    ["stack outputs that are a list", "m.yaml", "stackReferences:\n  acme/network/prod: [vpc-1]\n", '<tmp>/m.yaml: stackReferences."acme/network/prod" is a list; expected a mapping of output names to values'],
  ])("%s", async (_what, name, text, message) => {
    expect(await failure(evaluate({ stack: "test", dir: ANSWERED, mocks: mocksFile(name, text) }))).toBe(message);
  });

  it("a --mocks file that does not exist", async () => {
    expect(await failure(evaluate({ stack: "test", dir: ANSWERED, mocks: path.join(TMP, "missing.yaml") }))).toBe("cannot read --mocks <tmp>/missing.yaml: no such file (ENOENT)");
  });

  it("a project with both keel.mocks.yaml and keel.mocks.json", () => {
    const dir = fs.mkdtempSync(path.join(TMP, "both-"));
    fs.writeFileSync(path.join(dir, "keel.mocks.yaml"), "calls: {}\n");
    fs.writeFileSync(path.join(dir, "keel.mocks.json"), "{}");
    expect(() => readMocks(dir, undefined, [])).toThrow(`${dir} has both keel.mocks.yaml and keel.mocks.json; keep one`);
  });

  it("fails before the program runs, exit code 1, nothing written", async () => {
    const out = path.join(TMP, "bad");
    const errors: string[] = [];
    const spy = jest.spyOn(console, "error").mockImplementation((text: string) => void errors.push(text));
    try {
      const code = await main(["synth", "--stack", "test", "--dir", ANSWERED, "--out", out, "--mocks", mocksFile("bad.yaml", "calls: []\n")]);
      expect(code).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join("\n").split(TMP).join("<tmp>")).toBe("keel synth: <tmp>/bad.yaml: calls is a list; expected a mapping of provider function tokens (<package>:<module>:<function>) to lists of answers");
    expect(fs.existsSync(out)).toBe(false);
  });

  it("--mocks on keel check goes with --stack (usage error, exit code 2)", async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, "error").mockImplementation((text: string) => void errors.push(text));
    try {
      expect(await main(["check", "--manifests", TMP, "--mocks", "m.yaml"])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join("\n")).toContain("keel: --mocks goes with --stack (it answers the program's provider calls)");
  });
});

describe("matching and secret protection", () => {
  it.each([
    [{ tags: { Name: "shared" } }, { tags: { Name: "shared", Env: "prod" }, region: "eu-west-1" }, true],
    [{ tags: { Name: "shared" } }, { tags: { Name: "other" } }, false],
    [{ tags: { Name: "shared" } }, { region: "eu-west-1" }, false],
    [{ ids: ["a", "b"] }, { ids: ["a", "b"] }, true],
    [{ ids: ["a"] }, { ids: ["a", "b"] }, false],
    [{ port: 5432 }, { port: "5432" }, false],
    [{}, { anything: 1 }, true],
  ])("args %j are a part of %j: %s", (pattern, actual, expected) => {
    expect(contains(pattern, actual)).toBe(expected);
  });

  it("marks every string that shows a secret as secret, at any depth, and leaves the rest", () => {
    const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });
    expect(protectSecrets({ a: "s3cr3t-Pa55word", b: ["x", "url://u:s3cr3t-Pa55word@h"], c: { d: "plain" }, e: 3 }, ["s3cr3t-Pa55word"])).toEqual({
      a: secret("s3cr3t-Pa55word"),
      b: ["x", secret("url://u:s3cr3t-Pa55word@h")],
      c: { d: "plain" },
      e: 3,
    });
  });
});
