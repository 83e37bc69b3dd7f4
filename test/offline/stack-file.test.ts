/**
 * Pulumi.<stack>.yaml read as the Pulumi CLI reads it: bad files are one clear error, a key
 * spelled two ways is an error, ESC imports say how to pass the values, and secure values at
 * any depth are secrets the program sees as `[secret]` and nothing written shows.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readProject, readStackConfigJson, readStackFile } from "../../offline/project";
import { ROOT, keel } from "../helpers/cli";

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), "keel-stackfile-"));
const PROJECT = { dir: DIR, name: "shop", main: path.join(DIR, "index.ts") };

function read(content: string) {
  fs.writeFileSync(path.join(DIR, "Pulumi.s.yaml"), content);
  return readStackFile(PROJECT, "s");
}

function problem(content: string): string {
  try {
    read(content);
  } catch (err) {
    return (err as Error).message.split(path.join(DIR, "Pulumi.s.yaml")).join("Pulumi.s.yaml");
  }
  throw new Error("no error");
}

describe("stack files that cannot be used", () => {
  it.each([
    ["invalid YAML", "config:\n  shop:a: [1\n", "Pulumi.s.yaml is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1"],
    ["a duplicate key", "config:\n  shop:a: 1\n  shop:a: 2\n", "Pulumi.s.yaml is not valid YAML: Map keys must be unique at line 3, column 3"],
    ["a document that is a list", "- config\n", "Pulumi.s.yaml is a list; expected a mapping with a config: section"],
    ["a document that is a string", "config\n", 'Pulumi.s.yaml is a string ("config"); expected a mapping with a config: section'],
    ["config that is a list", "config:\n  - a\n", "Pulumi.s.yaml: config is a list; expected a mapping of keys (<namespace>:<name>) to values"],
    ["config that is a string", "config: dev\n", 'Pulumi.s.yaml: config is a string ("dev"); expected a mapping of keys (<namespace>:<name>) to values'],
    [
      "a bare key and its namespaced spelling",
      "config:\n  environment: dev\n  shop:environment: prod\n",
      'Pulumi.s.yaml: config keys "environment" and "shop:environment" are the same key shop:environment (a key without a namespace belongs to the project shop); give it once',
    ],
    ["a key with two namespaces", "config:\n  keel:req1:host: x\n", 'Pulumi.s.yaml: config key "keel:req1:host" is not of the form <namespace>:<name> (or <name>, for shop:<name>)'],
    ["a key without a value", "config:\n  keel:environment:\n", "Pulumi.s.yaml: config keel:environment has no value"],
    [
      "a Pulumi ESC import",
      "environment:\n  - shop/prod\nconfig: {}\n",
      'Pulumi.s.yaml: environment: ["shop/prod"] imports Pulumi ESC environments, which keel cannot open offline; give the values they provide in a JSON file with --stack-config <file.json> ({ "<namespace>:<name>": value }, a secret as { "secret": value }; pulumi env open <name> --format json shows them), or put them in the stack\'s config: section',
    ],
  ])("%s", (_what, content, message) => {
    expect(problem(content)).toBe(message);
  });

  it("reports every bad key, one line each", () => {
    expect(problem("config:\n  a: 1\n  shop:a: 2\n  x:y:z: 3\n").split("\n")).toEqual([
      'Pulumi.s.yaml: config keys "a" and "shop:a" are the same key shop:a (a key without a namespace belongs to the project shop); give it once',
      'Pulumi.s.yaml: config key "x:y:z" is not of the form <namespace>:<name> (or <name>, for shop:<name>)',
    ]);
  });

  it("an empty file or no config is no config", () => {
    expect(read("")).toEqual({ config: {}, secretKeys: [] });
    expect(read("encryptionsalt: v1:abc\n")).toEqual({ config: {}, secretKeys: [] });
  });
});

describe("--stack-config: stack config from a JSON file (e.g. what an ESC environment gives)", () => {
  const json = (content: string) => {
    const file = path.join(DIR, "extra.json");
    fs.writeFileSync(file, content);
    return file;
  };
  const jsonProblem = (content: string) => {
    try {
      readStackConfigJson(json(content), "shop");
    } catch (err) {
      return (err as Error).message.split(path.join(DIR, "extra.json")).join("extra.json");
    }
    throw new Error("no error");
  };

  it("reads keys as the stack file does; { secret: v } is the secret v", () => {
    expect(readStackConfigJson(json('{ "keel:token": { "secret": "abc" }, "region": "eu", "keel:req1": { "host": "h", "key": { "secret": "k" } } }'), "shop")).toEqual({
      config: { "keel:token": "abc", "shop:region": "eu", "keel:req1": JSON.stringify({ host: "h", key: "k" }) },
      secretKeys: ["keel:token", "keel:req1"],
    });
  });

  it.each([
    ["not an object", "[1]", "--stack-config extra.json is a list; expected a JSON object of config keys (<namespace>:<name>) to values"],
    ["a key twice", '{ "a": 1, "shop:a": 2 }', '--stack-config extra.json: config keys "a" and "shop:a" are the same key shop:a (a key without a namespace belongs to the project shop); give it once'],
  ])("%s", (_what, content, message) => {
    expect(jsonProblem(content)).toBe(message);
  });

  it("not JSON (the parser's message varies with the Node version)", () => {
    expect(jsonProblem("{ a: 1 }")).toMatch(/^--stack-config extra\.json: not valid JSON: .*position 2/);
  });

  it("lets a stack file with an ESC import be read (its values come from the file)", () => {
    fs.writeFileSync(path.join(DIR, "Pulumi.s.yaml"), "environment:\n  - shop/prod\nconfig:\n  shop:a: 1\n");
    expect(readStackFile(PROJECT, "s", { extraConfig: true })).toEqual({ config: { "shop:a": "1" }, secretKeys: [] });
  });
});

describe("a stack that imports a Pulumi ESC environment (keel synth)", () => {
  const dir = path.join(ROOT, "test", "fixtures", "esc-import");

  it("fails with how to give the values, and synthesizes with them from --stack-config (secrets redacted)", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-esc-"));
    const without = keel(["synth", "--stack", "test", "--dir", dir, "--out", out]);
    expect(without.code).toBe(1);
    expect(without.stderr).toBe(
      `keel synth: ${path.join(dir, "Pulumi.test.yaml")}: environment: ["shop/prod"] imports Pulumi ESC environments, which keel cannot open offline; give the values they provide in a JSON file with --stack-config <file.json> ({ "<namespace>:<name>": value }, a secret as { "secret": value }; pulumi env open <name> --format json shows them), or put them in the stack's config: section\n`,
    );
    const r = keel(["synth", "--stack", "test", "--dir", dir, "--out", out, "--stack-config", path.join(dir, "esc-values.json")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const manifest = fs.readFileSync(path.join(out, "test", "manifests", "12-configmap-default-settings.yaml"), "utf8");
    expect(manifest).toContain('data:\n  host: shop.example.com\n  replicas: "2"\n  token: "[secret]"\n');
    expect(fs.readFileSync(path.join(out, "test", "plan.json"), "utf8")).not.toContain("tok-5f3a9c");
    expect(r.stdout).toContain('  token: "[secret]"');
  });
});

describe("secure values", () => {
  it("a whole value, or one at any depth, becomes [secret] at exactly that path; its key is secret", () => {
    const file = read(
      [
        "config:",
        "  shop:token:",
        "    secure: v1:AAAtoken",
        "  keel:req1:",
        "    host: a.example.com",
        "    apiKey:",
        "      secure: v1:AAAkey",
        "    list: [plain, { secure: v1:AAAitem }]",
        "  keel:plain:",
        "    secure: not-a-secure-value",
        "    other: 1",
        "",
      ].join("\n"),
    );
    expect(file.config).toEqual({
      "shop:token": "[secret]",
      "keel:req1": JSON.stringify({ host: "a.example.com", apiKey: "[secret]", list: ["plain", "[secret]"] }),
      "keel:plain": JSON.stringify({ secure: "not-a-secure-value", other: 1 }),
    });
    expect(file.secretKeys).toEqual(["shop:token", "keel:req1"]);
  });

  it("a nested secure value never reaches plan.json or the manifests, and the program reads it as a secret Output", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-nested-"));
    const r = keel(["synth", "--stack", "test", "--dir", path.join(ROOT, "test", "fixtures", "nested-secret"), "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const written: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : written.push(fs.readFileSync(path.join(d, e.name), "utf8"))));
    walk(out);
    expect(written.length).toBe(6); // with the .keel-synth marker
    for (const text of [...written, r.stdout]) expect(text).not.toMatch(/ciphertext|CIPHERTEXT|v1:AAAB/);
    const plan = JSON.parse(fs.readFileSync(path.join(out, "test", "plan.json"), "utf8")) as { outputs: Record<string, unknown>; resources: { name: string; inputs: { data?: unknown } }[] };
    expect(plan.outputs).toEqual({
      isSecret: true,
      apiKey: "[secret]",
      seen: { apiKey: "[secret]", host: "req1.example.com", tokens: ["plain-token", "[secret]"] },
      secretKeys: true,
    });
    expect(plan.resources.find((x) => x.name === "settings")?.inputs.data).toEqual({ host: "[secret]", apiKey: "[secret]", second: "[secret]" });
  });
});

describe("Pulumi.yaml and stack file keys, as Pulumi reads them", () => {
  const project = (yaml: string, files: Record<string, string> = {}): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-project-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml);
    fs.writeFileSync(path.join(dir, "index.ts"), "");
    for (const [f, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), text);
    }
    return dir;
  };
  const projectProblem = (yaml: string): string => {
    const dir = project(yaml);
    try {
      readProject(dir);
    } catch (err) {
      return (err as Error).message.split(path.join(dir, "Pulumi.yaml")).join("Pulumi.yaml");
    }
    throw new Error("no error");
  };
  const KNOWN = "expected one of name, runtime, description, main, config, stackConfigDir, backend, options, template, plugins, author, license, website";

  it.each([
    ["a misspelled key", "name: p\nruntime: nodejs\nmian: real.ts\n", `Pulumi.yaml: "mian" is not a Pulumi.yaml key (did you mean "main"?); ${KNOWN}`],
    ["main that is a number", "name: p\nruntime: nodejs\nmain: 42\n", "Pulumi.yaml: main is a number (42); expected the path of the program (a file or directory)"],
    ["main that is empty", 'name: p\nruntime: nodejs\nmain: ""\n', 'Pulumi.yaml: main is a string (""); expected the path of the program (a file or directory)'],
    ["an empty name", 'name: ""\nruntime: nodejs\n', 'Pulumi.yaml: name is ""; expected a project name (letters, digits, "-", "_" and ".", 1 to 100)'],
    ["a name with a colon", 'name: "a:b"\nruntime: nodejs\n', 'Pulumi.yaml: name is "a:b"; expected a project name (letters, digits, "-", "_" and ".", 1 to 100)'],
    ["a recursive alias", "name: p\nruntime: nodejs\nconfig: &x {a: *x}\n", "Pulumi.yaml: config.a refers to itself through a YAML alias (a recursive alias); a value cannot contain itself"],
    ["a complex key", "name: p\nruntime: nodejs\n? [a]\n: 1\n", "Pulumi.yaml: a mapping key is a list or mapping ([\"a\"]); keys must be strings"],
  ])("%s", (_what, yaml, message) => {
    expect(projectProblem(yaml)).toBe(message);
  });

  it("refuses unknown stack file keys, an empty environment, and text that is not UTF-8", () => {
    expect(problem("confg:\n  shop:a: 1\n")).toBe('Pulumi.s.yaml: "confg" is not a stack file key (did you mean "config"?); expected one of config, environment, secretsprovider, encryptedkey, encryptionsalt');
    expect(problem("environment:\n")).toBe("Pulumi.s.yaml: environment is empty; remove it, or list the Pulumi ESC environments to import");
    fs.writeFileSync(path.join(DIR, "Pulumi.s.yaml"), Buffer.from("config:\n  shop:a: caf\xe9\n", "latin1"));
    expect(() => readStackFile(PROJECT, "s")).toThrow(`${path.join(DIR, "Pulumi.s.yaml")} is not UTF-8 text (binary data?)`);
  });

  it("reads a stack file with many keys in linear time (the duplicate-key check)", () => {
    const keys = Array.from({ length: 30000 }, (_, i) => `  shop:k${i}: v\n`).join("");
    const started = Date.now();
    expect(Object.keys(read(`config:\n${keys}`).config).length).toBe(30000);
    expect(Date.now() - started).toBeLessThan(5000); // quadratic: about a minute
  });

  it("honours stackConfigDir and project config defaults (a value, { value }, { default }); the stack file wins", () => {
    const dir = project("name: p\nruntime: nodejs\nstackConfigDir: stacks\nconfig:\n  size: small\n  p:color: { default: blue }\n  aws:region: { value: eu-west-1 }\n  p:declared: { type: string }\n", {
      "stacks/Pulumi.s.yaml": "config:\n  size: large\n",
    });
    const info = readProject(dir);
    expect(readStackFile(info, "s")).toEqual({ config: { "p:size": "large", "p:color": "blue", "aws:region": "eu-west-1" }, secretKeys: [] });
  });
});
