import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { IMAGE_DEFAULTS, buildAndPushImage, contentTag, contextEntries, digestReference, dockerignore, imageBuildProblems, lifecyclePolicyDocument } from "../../../components/aws/image";
import { KeelValidationError } from "../../../components/core/errors";
import { isSecretValue } from "../../../offline/values";
import { synthesize, unwrap } from "../../helpers/synth";

const DOCKERFILE = "FROM gcr.io/distroless/nodejs22-debian12\nCOPY . /app\nCMD [\"/app/server.js\"]\n";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A build context in a fresh temp dir. */
function context(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-image-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries({ Dockerfile: DOCKERFILE, "server.js": "console.log(1)\n", ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe("content tag", () => {
  it("is deterministic and changes exactly when the build can change", () => {
    const dir = context();
    const tag = contentTag({ context: dir });
    expect(tag).toMatch(/^ctx-[0-9a-f]{24}$/);
    expect(contentTag({ context: dir })).toBe(tag);
    // The same files elsewhere give the same tag: paths are relative to the context.
    expect(contentTag({ context: context() })).toBe(tag);

    fs.writeFileSync(path.join(dir, "server.js"), "console.log(2)\n");
    const changed = contentTag({ context: dir });
    expect(changed).not.toBe(tag);
    expect(contentTag({ context: dir, buildArgs: { NODE_ENV: "production" } })).not.toBe(changed);
    expect(contentTag({ context: dir, target: "runtime" })).not.toBe(changed);
    expect(contentTag({ context: dir, platform: "linux/arm64" })).not.toBe(changed);
    expect(contentTag({ context: dir, platform: IMAGE_DEFAULTS.platform })).toBe(changed);
    fs.chmodSync(path.join(dir, "server.js"), 0o755);
    expect(contentTag({ context: dir })).not.toBe(changed);
  });

  it("ignores what .dockerignore leaves out, but not the Dockerfile", () => {
    const dir = context({ ".dockerignore": "# local only\nnode_modules\n*.log\n!keep.log\n/docs/**/*.md\nDockerfile\n", "node_modules/x/index.js": "1", "debug.log": "a", "keep.log": "k", "docs/a/b.md": "m" });
    const tag = contentTag({ context: dir });
    fs.writeFileSync(path.join(dir, "node_modules/x/index.js"), "2");
    fs.writeFileSync(path.join(dir, "debug.log"), "b");
    fs.writeFileSync(path.join(dir, "docs/a/b.md"), "n");
    expect(contentTag({ context: dir })).toBe(tag);
    fs.writeFileSync(path.join(dir, "keep.log"), "changed");
    const kept = contentTag({ context: dir });
    expect(kept).not.toBe(tag);
    fs.writeFileSync(path.join(dir, "Dockerfile"), `${DOCKERFILE}USER 65532\n`);
    expect(contentTag({ context: dir })).not.toBe(kept);
    expect(contextEntries(dir).map((e) => e.split(" ").slice(0, 2).join(" "))).toEqual(["f .dockerignore", "f Dockerfile", "d docs", "d docs/a", "f keep.log", "f server.js"]);
  });

  it("reads .dockerignore patterns as Docker does for the common cases", () => {
    const { ignored } = dockerignore("**/*.tmp\n/build\n!build/keep\nsrc/?.bak\n");
    expect([ignored("a/b/c.tmp"), ignored("c.tmp"), ignored("build/out.js"), ignored("build/keep"), ignored("src/a.bak"), ignored("src/ab.bak"), ignored("src/x.js")]).toEqual([true, true, true, false, true, false, false]);
  });
});

describe("build validation", () => {
  it("names the field, the value and what is allowed", () => {
    const dir = context();
    expect(imageBuildProblems("build", { context: dir })).toEqual([]);
    expect(imageBuildProblems("build", { context: path.join(dir, "nope"), tag: "-x", repositoryName: "Shop/API" })).toEqual([
      ["build.context", path.join(dir, "nope"), "expected an existing directory (the build context), relative to the program's working directory or absolute"],
      ["build.tag", "-x", "expected a Docker tag: 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"],
      ["build.repositoryName", "Shop/API", 'expected an ECR repository name: 2 to 256 lowercase letters and digits, separated by single \'.\', \'_\', \'-\' or \'/\', such as "shop/api"'],
    ]);
    expect(imageBuildProblems("build", { context: dir, dockerfile: "../Dockerfile", platform: "amd64", target: "1st", buildArgs: { "A-B": "1", OK: 2 as unknown as string } })).toEqual([
      ["build.dockerfile", "../Dockerfile", `expected a file inside the build context ${JSON.stringify(dir)}, relative to it`],
      ["build.platform", "amd64", 'expected an OS and architecture such as "linux/amd64" or "linux/arm64"'],
      ["build.target", "1st", "expected the name of a Dockerfile stage (`FROM ... AS <name>`): a letter, then letters, digits, '_', '.' or '-'"],
      ["build.buildArgs.A-B", "A-B", "expected an ARG name: letters, digits and '_', not starting with a digit"],
      ["build.buildArgs.OK", 2, "expected a string (build args are hashed into the tag when the program runs, so no Outputs)"],
    ]);
    expect(imageBuildProblems("build", { context: path.join(dir, "server.js") })[0][0]).toBe("build.context");
    expect(imageBuildProblems("build", { context: dir, tag: "x".repeat(129) })[0][0]).toBe("build.tag");
    expect(imageBuildProblems("build", { context: dir, tag: "v1.2_3-rc.1" })).toEqual([]);
  });

  it("buildAndPushImage refuses bad args before registering anything", async () => {
    let message = "";
    const s = await synthesize(() => {
      try {
        buildAndPushImage("api", { context: "/nonexistent/keel", repositoryName: "shop/api", tags: {} }, {});
      } catch (err) {
        expect(err).toBeInstanceOf(KeelValidationError);
        message = (err as Error).message;
      }
    });
    expect(message).toBe('Image "api": build.context is "/nonexistent/keel"; expected an existing directory (the build context), relative to the program\'s working directory or absolute');
    expect(s.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });
});

describe("lifecycle policy and reference", () => {
  it("expires untagged images after 14 days and keeps the newest 30 tagged", () => {
    const rules = (JSON.parse(lifecyclePolicyDocument()) as { rules: { rulePriority: number; selection: Record<string, unknown>; action: { type: string } }[] }).rules;
    expect(rules.map((r) => [r.rulePriority, r.selection, r.action.type])).toEqual([
      [1, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 }, "expire"],
      [2, { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 30 }, "expire"],
    ]);
  });

  it("makes the digest reference from repoDigest, or fails", () => {
    const sha = `sha256:${"a".repeat(64)}`;
    expect(digestReference("1.dkr.ecr.eu-west-1.amazonaws.com/shop/api", `1.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${sha}`)).toBe(`1.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${sha}`);
    expect(() => digestReference("r/shop/api", undefined)).toThrow(/has no digest reference/);
    expect(() => digestReference("r/shop/api", sha)).toThrow(/has no digest reference/);
  });
});

describe("buildAndPushImage", () => {
  async function build(extra: Partial<Parameters<typeof buildAndPushImage>[1]> = {}) {
    const dir = context();
    let reference: pulumi.Output<string> | undefined;
    let tag = "";
    const s = await synthesize(() => {
      const pushed = buildAndPushImage("api", { context: dir, repositoryName: "shop/api", tags: { team: "shop" }, buildArgs: { NODE_ENV: "production" }, target: "runtime", ...extra }, {});
      reference = pushed.reference;
      tag = pushed.tag;
    });
    const resolved = await new Promise<string>((resolve) => reference!.apply(resolve));
    return { s, dir, tag, reference: resolved };
  }

  it("creates an immutable, scanned, encrypted repository that survives the stack", async () => {
    const { s } = await build();
    expect(unwrap(s.resource("api-repository", "ecr/repository:Repository").inputs)).toEqual({
      name: "shop/api",
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfigurations: [{ encryptionType: "AES256" }],
      forceDelete: false,
      tags: { team: "shop", Name: "shop/api" },
    });
    const policy = unwrap(s.resource("api-lifecycle", "ecr/lifecyclePolicy:LifecyclePolicy").inputs) as Record<string, string>;
    expect(policy.repository).toBe("shop/api");
    expect(JSON.parse(policy.policy)).toEqual(JSON.parse(lifecyclePolicyDocument()));
  });

  it("builds for linux/amd64 with the args, pushes the content tag with a secret password, and references the digest", async () => {
    const { s, dir, tag, reference } = await build();
    expect(tag).toBe(contentTag({ context: dir, buildArgs: { NODE_ENV: "production" }, target: "runtime" }));
    const image = s.resource("api-image", "docker:index/image:Image");
    const inputs = unwrap(image.inputs) as Record<string, Record<string, unknown>>;
    expect(inputs.build).toEqual({ context: dir, dockerfile: path.join(dir, "Dockerfile"), platform: "linux/amd64", args: { NODE_ENV: "production" }, target: "runtime" });
    expect(inputs.imageName).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:${tag}`);
    expect(inputs.skipPush).toBe(false);
    expect(inputs.registry.server).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    expect(inputs.registry.username).toBe("AWS");
    const registry = image.inputs.registry as Record<string, unknown>;
    expect(isSecretValue(registry.password) || isSecretValue(image.inputs.registry)).toBe(true);
    const password = String(unwrap(registry.password) ?? (unwrap(image.inputs.registry) as Record<string, string>).password);
    expect(password.length).toBeGreaterThan(8);
    expect(s.written()).not.toContain(password);
    expect(reference).toMatch(/^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/shop\/api@sha256:[0-9a-f]{64}$/);
  });

  it("pushes a given tag", async () => {
    const { s } = await build({ tag: "git-3f2a9c1" });
    expect((unwrap(s.resource("api-image", "Image").inputs) as Record<string, string>).imageName).toMatch(/\/shop\/api:git-3f2a9c1$/);
  });
});
