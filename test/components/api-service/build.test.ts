import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApiService, ApiServiceArgs, AwsPlatformContext, KeelValidationError, Platform } from "../../../components";
import { contentTag } from "../../../components/aws/image";
import { testPlatform } from "../../helpers/platform";
import { at, synthesize, unwrap } from "../../helpers/synth";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A build context with a Dockerfile, in a fresh temp dir. */
function context(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-api-build-"));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM gcr.io/distroless/nodejs22-debian12\nCOPY server.js /app/\nUSER 65532\n");
  fs.writeFileSync(path.join(dir, "server.js"), "require('http').createServer().listen(8080)\n");
  return dir;
}

/** What the aws platform gives components: an EKS cluster as a Kubernetes target, plus the region (no provider: the ambient one). */
function awsPlatform(): AwsPlatformContext {
  return { kind: "aws", name: "shop", kubernetes: testPlatform().kubernetes, aws: { region: "eu-west-1" } };
}

async function attempt(args: (platform: Platform) => Partial<ApiServiceArgs>, platform: () => Platform = awsPlatform) {
  let lines: string[] = [];
  const s = await synthesize(() => {
    const p = platform();
    try {
      new ApiService("api", { platform: p, ...args(p) } as ApiServiceArgs);
    } catch (err) {
      expect(err).toBeInstanceOf(KeelValidationError);
      lines = (err as Error).message.split("\n");
    }
  });
  return { lines, registered: s.resources.filter((r) => r.urn.includes("ApiService")) };
}

describe("ApiService build", () => {
  it("builds, pushes to its own ECR repository and deploys the pushed digest", async () => {
    const dir = context();
    let reference = "";
    const s = await synthesize(async () => {
      const api = new ApiService("api", { platform: awsPlatform(), build: { context: dir } });
      reference = await new Promise<string>((resolve) => api.builtImage!.reference.apply(resolve));
    });
    const tag = contentTag({ context: dir });
    const repository = s.resource("api-repository", "Repository");
    expect(repository.parent).toContain("keel:components:ApiService::api");
    expect((unwrap(repository.inputs) as Record<string, unknown>).name).toBe("shop/api");
    expect((unwrap(s.resource("api-image", "Image").inputs) as Record<string, string>).imageName).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:${tag}`);

    expect(reference).toMatch(/^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/shop\/api@sha256:[0-9a-f]{64}$/);
    const deployment = s.object("Deployment", "api");
    expect(at(deployment, "spec.template.spec.containers.0.image")).toBe(reference);
    expect(at(deployment, "metadata.labels")).toMatchObject({ "app.kubernetes.io/version": tag });
  });

  it("takes a repository name, a tag and a version", async () => {
    const dir = context();
    const s = await synthesize(() => new ApiService("api", { platform: awsPlatform(), version: "1.4.2", build: { context: dir, tag: "git-3f2a9c1", repositoryName: "team/api" } }));
    expect((unwrap(s.resource("api-image", "Image").inputs) as Record<string, string>).imageName).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:git-3f2a9c1");
    expect(at(s.object("Deployment", "api"), "spec.template.spec.containers.0.image")).toMatch(/\/team\/api@sha256:[0-9a-f]{64}$/);
    expect(at(s.object("Deployment", "api"), "metadata.labels")).toMatchObject({ "app.kubernetes.io/version": "1.4.2" });
  });

  it("wants exactly one of image and build", async () => {
    const dir = context();
    expect(await attempt(() => ({ image: "ghcr.io/shop/api:1.4.2", build: { context: dir } }))).toEqual({
      lines: ['ApiService "api": image and build are both set; expected exactly one of them: image for an image built elsewhere, build for keel to build and push it'],
      registered: [],
    });
    expect(await attempt(() => ({}))).toEqual({
      lines: ['ApiService "api": image is undefined; expected an image reference such as "ghcr.io/org/api:1.4.2", or build (a Dockerfile keel builds and pushes to ECR, on the aws platform)'],
      registered: [],
    });
  });

  it("builds only on the aws platform", async () => {
    const dir = context();
    const { lines, registered } = await attempt(() => ({ build: { context: dir } }), () => testPlatform());
    expect(lines).toEqual([
      `ApiService "api": build is ${JSON.stringify({ context: dir })}; expected no build on platform kind "kubernetes": the ECR repository and the push need the aws platform's provider; on kubernetes, build the image in CI and pass image`,
    ]);
    expect(registered).toEqual([]);
  });

  it("reports the build's problems under build.", async () => {
    const dir = context();
    const { lines, registered } = await attempt(() => ({ build: { context: dir, dockerfile: "docker/Dockerfile", tag: "latest!", repositoryName: "Shop" } }));
    expect(lines).toEqual([
      `ApiService "api": build.dockerfile is "docker/Dockerfile"; expected a file inside the build context ${JSON.stringify(dir)}, relative to it`,
      `ApiService "api": build.tag is "latest!"; expected a Docker tag: 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'`,
      `ApiService "api": build.repositoryName is "Shop"; expected an ECR repository name: 2 to 256 lowercase letters and digits, separated by single '.', '_', '-' or '/', such as "shop/api"`,
    ]);
    expect(registered).toEqual([]);
  });

  it("keeps the image messages when image is given", async () => {
    const { lines } = await attempt(() => ({ image: "ghcr.io/shop/api:latest" }));
    expect(lines).toEqual(['ApiService "api": image is "ghcr.io/shop/api:latest"; expected a pinned tag or digest; "latest" changes under a running Deployment']);
  });
});
