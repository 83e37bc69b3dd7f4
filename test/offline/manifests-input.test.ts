/**
 * `keel check --manifests` input that is not a stream of Kubernetes objects: one clear error
 * naming the file (and document), never "0 resources, pass", never a stack trace.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readManifestObjects } from "../../offline/check/manifest-files";
import { keel } from "../helpers/cli";

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), "keel-manifests-"));
const DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec: {}\n";

function file(name: string, content: string | Buffer): string {
  const p = path.join(DIR, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

/** The error readManifestObjects throws for `target`, paths shown relative to DIR. */
function problem(target: string): string {
  const cwd = process.cwd();
  process.chdir(DIR);
  try {
    readManifestObjects(target);
  } catch (err) {
    return (err as Error).message;
  } finally {
    process.chdir(cwd);
  }
  throw new Error(`no error for ${target}`);
}

const ALIAS_BOMB = ["a: &a [x, x, x, x, x, x, x, x, x]", ..."bcdefgh".split("").map((c, i) => `${c}: &${c} [${Array(9).fill(`*${"abcdefg"[i]}`).join(", ")}]`)].join("\n") + "\n";

describe("unreadable manifests input", () => {
  it.each([
    ["binary data", () => file("image.yaml", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d])), "image.yaml is binary data (a NUL byte at offset 8), not Kubernetes YAML or JSON"],
    ["invalid UTF-8", () => file("latin1.yaml", Buffer.from("kind: D\xe9ploiement\n", "latin1")), "latin1.yaml is not UTF-8 text (binary data?); expected Kubernetes YAML or JSON"],
    ["UTF-16 LE with a BOM", () => file("utf16le.yaml", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DEPLOYMENT, "utf16le")])), "utf16le.yaml is UTF-16 text; keel reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)"],
    ["UTF-16 BE with a BOM", () => file("utf16be.yaml", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(DEPLOYMENT, "utf16le").swap16()])), "utf16be.yaml is UTF-16 text; keel reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)"],
    ["UTF-16 without a BOM", () => file("utf16-nobom.yaml", Buffer.from(DEPLOYMENT, "utf16le")), "utf16-nobom.yaml looks like UTF-16LE text without a byte-order mark; keel reads UTF-8 (convert it, e.g. iconv -f UTF-16LE -t UTF-8)"],
    ["UTF-16 BE without a BOM", () => file("utf16be-nobom.yaml", Buffer.from(DEPLOYMENT, "utf16le").swap16()), "utf16be-nobom.yaml looks like UTF-16BE text without a byte-order mark; keel reads UTF-8 (convert it, e.g. iconv -f UTF-16BE -t UTF-8)"],
    ["a recursive alias", () => file("recursive.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: &x {a: *x}\n"), "recursive.yaml: document 1: data.a refers to itself through a YAML alias (a recursive alias); a value cannot contain itself"],
    ["a complex key", () => file("complex.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  ? [a]\n  : 1\n"), 'complex.yaml: document 1: a mapping key is a list or mapping (["a"]); keys must be strings'],
    ["a lowercase kind", () => file("lower.yaml", "apiVersion: v1\nkind: pod\nmetadata:\n  name: p\n"), 'lower.yaml: document 1 has kind "pod", which is not a Kubernetes kind (kinds are CamelCase, e.g. "Pod")'],
    ["a symbolic link loop", () => (fs.symlinkSync(path.join(DIR, "loop-b.yaml"), path.join(DIR, "loop-a.yaml")), fs.symlinkSync(path.join(DIR, "loop-a.yaml"), path.join(DIR, "loop-b.yaml")), path.join(DIR, "loop-a.yaml")), "loop-a.yaml is a symbolic link loop (following its links leads back to it)"],
    ["an empty file", () => file("empty.yaml", ""), "empty.yaml is empty; expected Kubernetes objects"],
    ["only comments and separators", () => file("comments.yaml", "# nothing rendered\n---\n---\n"), "comments.yaml holds no Kubernetes objects (only empty documents or comments)"],
    ["a scalar document", () => file("scalar.yaml", "hello world\n"), 'scalar.yaml: document 1 is a string ("hello world"); expected a Kubernetes object (a mapping with apiVersion, kind and metadata.name)'],
    ["a number", () => file("number.json", "42\n"), "number.json: document 1 is a number (42); expected a Kubernetes object (a mapping with apiVersion, kind and metadata.name)"],
    ["a list", () => file("list.yaml", `- ${DEPLOYMENT.split("\n").join("\n  ")}`), "list.yaml: document 1 is a list (1 items); expected a Kubernetes object (a mapping with apiVersion, kind and metadata.name)"],
    ["a mapping that is not a Kubernetes object", () => file("values.yaml", "---\n" + DEPLOYMENT + "---\nreplicaCount: 2\nimage: nginx\n"), "values.yaml: document 2 is not a Kubernetes object: it has no apiVersion, kind, metadata.name (keys: replicaCount, image)"],
    ["an object without a name", () => file("noname.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: x-\n"), "noname.yaml: document 1 is not a Kubernetes object: it has no metadata.name (keys: apiVersion, kind, metadata)"],
    ["a bad item in a List", () => file("items.yaml", "apiVersion: v1\nkind: List\nitems:\n  - 3\n"), "items.yaml: document 1, items[0] is a number (3); expected a Kubernetes object (a mapping with apiVersion, kind and metadata.name)"],
    ["invalid YAML", () => file("broken.yaml", DEPLOYMENT + "---\nmetadata: [a\n"), "broken.yaml: document 2: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 9, column 1"],
    ["a duplicate key", () => file("dupkey.yaml", "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n  name: x\n"), "dupkey.yaml: document 1: invalid YAML: Map keys must be unique at line 3, column 1"],
    ["a YAML alias bomb", () => file("bomb.yaml", ALIAS_BOMB), "bomb.yaml: document 1: Excessive alias count indicates a resource exhaustion attack (more than 1000 alias expansions)"],
    ["/dev/null", () => "/dev/null", "/dev/null is empty; expected Kubernetes objects"],
    ["a missing file", () => path.join(DIR, "missing.yaml"), "missing.yaml: no such file or directory"],
    ["a dangling symlink", () => (fs.symlinkSync(path.join(DIR, "gone.yaml"), path.join(DIR, "dangling.yaml")), path.join(DIR, "dangling.yaml")), `dangling.yaml is a symbolic link to ${path.join(DIR, "gone.yaml")}, which does not exist`],
    ["a directory with no YAML", () => (file("docs/README.md", "# hi\n"), path.join(DIR, "docs")), "docs is a directory with no .yaml, .yml or .json files"],
  ])("%s", (_what, make, message) => {
    expect(problem(make())).toBe(message);
  });

  it("reports every problem of a directory, one line each", () => {
    const dir = path.join(DIR, "mixed");
    file("mixed/a.yaml", DEPLOYMENT);
    file("mixed/b.yaml", "");
    file("mixed/c.json", '"text"');
    expect(problem(dir).split("\n")).toEqual([
      "mixed/b.yaml is empty; expected Kubernetes objects",
      'mixed/c.json: document 1 is a string ("text"); expected a Kubernetes object (a mapping with apiVersion, kind and metadata.name)',
    ]);
  });

  it("names both files and documents of an object given twice (same group, kind, namespace, name)", () => {
    file("twice/a.yaml", DEPLOYMENT);
    file("twice/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\n---\n" + DEPLOYMENT.replace("apps/v1", "apps/v1beta2"));
    // Another kind, another namespace, or the default namespace given two ways.
    file("twice/c.yaml", DEPLOYMENT.replace("shop", "other") + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\n");
    expect(problem(path.join(DIR, "twice")).split("\n")).toEqual([
      "Deployment.apps shop/web is given twice: twice/a.yaml: document 1 and twice/b.yaml: document 2; each object must appear once",
      "Service default/web is given twice: twice/c.yaml: document 2 and twice/c.yaml: document 3; each object must appear once",
    ]);
  });

  it("reads what is valid: a UTF-8 BOM, empty documents between separators, JSON, a List", () => {
    file("ok/a.yaml", "\ufeff---\n" + DEPLOYMENT + "---\n");
    file("ok/b.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }] }));
    expect(readManifestObjects(path.join(DIR, "ok")).map((o) => o.source.replace(DIR + path.sep, ""))).toEqual(expect.arrayContaining([expect.stringMatching(/a\.yaml: document 1$/), expect.stringMatching(/b\.json: document 1, items\[0\]$/)]));
  });

  it("follows a symbolic link to a directory (once, a link back up is no loop)", () => {
    file("linked-target/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: linked\n");
    file("with-link/a.yaml", DEPLOYMENT);
    fs.symlinkSync(path.join(DIR, "linked-target"), path.join(DIR, "with-link", "chart"));
    fs.symlinkSync(path.join(DIR, "with-link"), path.join(DIR, "with-link", "up"));
    expect(readManifestObjects(path.join(DIR, "with-link")).map((o) => (o.object.metadata as { name: string }).name)).toEqual(["web", "linked"]);
  });

  it("flattens Lists inside Lists (any *List kind): every item is checked", () => {
    const pod = (name: string) => `      - apiVersion: v1\n        kind: Pod\n        metadata:\n          name: ${name}\n`;
    const nested = file("nested.yaml", `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: PodList\n    items:\n${pod("a")}${pod("b")}  - apiVersion: v1\n    kind: List\n    items:\n      - 7\n`);
    expect(problem(nested)).toBe("nested.yaml: document 1, items[1], items[0] is a number (7); expected a Kubernetes object (a mapping with apiVersion, kind and metadata.name)");
    fs.writeFileSync(nested, fs.readFileSync(nested, "utf8").replace("      - 7\n", pod("c")));
    expect(readManifestObjects(nested).map((o) => `${o.object.kind}/${(o.object.metadata as { name: string }).name} ${o.source.replace(/^.*nested\.yaml: /, "")}`)).toEqual([
      "Pod/a document 1, items[0], items[0]",
      "Pod/b document 1, items[0], items[1]",
      "Pod/c document 1, items[1], items[0]",
    ]);
  });
});

describe("keel check --manifests with unreadable input", () => {
  it.each([
    ["a YAML alias bomb", () => file("cli/bomb.yaml", ALIAS_BOMB), "cli/bomb.yaml: document 1: Excessive alias count indicates a resource exhaustion attack (more than 1000 alias expansions)"],
    ["a dangling symlink", () => (fs.symlinkSync(path.join(DIR, "nowhere.yaml"), path.join(DIR, "cli-link.yaml")), path.join(DIR, "cli-link.yaml")), `cli-link.yaml is a symbolic link to ${path.join(DIR, "nowhere.yaml")}, which does not exist`],
    ["binary data", () => file("cli/bin.yaml", Buffer.from([1, 2, 0, 3])), "cli/bin.yaml is binary data (a NUL byte at offset 2), not Kubernetes YAML or JSON"],
    ["/dev/null", () => "/dev/null", "/dev/null is empty; expected Kubernetes objects"],
  ])("%s: exit 1, one line, no report", (_what, make, message) => {
    const target = make();
    const r = keel(["check", "--manifests", path.relative(DIR, target).startsWith("..") ? target : path.relative(DIR, target), "--environment", "prod"], DIR);
    expect(r).toEqual({ code: 1, stdout: "", stderr: `keel check: ${message}\n` });
  });
});
