/**
 * A container image built from a Dockerfile and pushed to its own ECR repository (scan on push,
 * immutable tags, a lifecycle policy). The workload runs the pushed digest, never a tag.
 *
 * Immutable tags mean a tag can be pushed once: the default tag is a hash of everything that
 * can change the image's content (the files of the build context that .dockerignore keeps, the
 * Dockerfile, build args, target, platform), computed when the program runs. Same inputs, same
 * tag, no rebuild; one changed file, a new tag and a new image.
 */
import * as docker from "@pulumi/docker";
import * as ecr from "@pulumi/aws/ecr";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { KeelValidationError, describeValue } from "../core/errors";
import { childName } from "../core/naming";
import { AwsTags, awsTags } from "./tags";

/** How to build an image with Docker. */
export interface ImageBuildArgs {
  /** The build context: a directory, relative to the program's working directory or absolute. */
  readonly context: string;
  /** The Dockerfile, relative to `context` (it must be inside it). @default "Dockerfile" */
  readonly dockerfile?: string;
  /**
   * OS and architecture to build for. Fixed rather than taken from the machine that runs
   * `pulumi up` (an arm64 laptop would push an image amd64 nodes cannot run). Set
   * "linux/arm64" for Graviton node groups (m7g, c7g, ...). @default "linux/amd64"
   */
  readonly platform?: string;
  /** `--build-arg`s. Plain strings: they are part of the tag's hash and stay in the image's history, so never secrets. @default none */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** The Dockerfile stage to build (`--target`). @default the last stage */
  readonly target?: string;
}

/** What `buildAndPushImage` needs besides the build. */
export interface ImagePushArgs extends ImageBuildArgs {
  /** The ECR repository to create and push to (e.g. "shop/api"). */
  readonly repositoryName: string;
  /** The tag to push. @default `contentTag` of the build */
  readonly tag?: string;
  /** Tags on the repository. */
  readonly tags: AwsTags;
}

export interface PushedImage {
  readonly repository: ecr.Repository;
  readonly lifecyclePolicy: ecr.LifecyclePolicy;
  readonly image: docker.Image;
  /** The tag pushed (known when the program runs). */
  readonly tag: string;
  /** `<repositoryUrl>@sha256:<digest>`: what a workload runs. */
  readonly reference: pulumi.Output<string>;
}

export const IMAGE_DEFAULTS = {
  dockerfile: "Dockerfile",
  platform: "linux/amd64",
  /** Untagged images (layers left by a rebuild of a tag, failed pushes) go after this many days. */
  untaggedExpiryDays: 14,
  /** Tagged images kept: the newest 30, so a rollback many deploys back still finds its image. */
  taggedImagesKept: 30,
} as const;

/** A [field, value, what is allowed] triple, as `Validator.require` takes it. */
export type FieldProblem = readonly [field: string, value: unknown, allowed: string];

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const STAGE = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const TAG_RULE = "expected a Docker tag: 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'";
export const REPOSITORY_RULE = "expected an ECR repository name: 2 to 256 lowercase letters and digits, separated by single '.', '_', '-' or '/', such as \"shop/api\"";

/** Why `tag` is not a Docker tag, or undefined. */
export function tagProblem(tag: unknown): string | undefined {
  return typeof tag === "string" && TAG.test(tag) ? undefined : TAG_RULE;
}

/** Why `name` is not an ECR repository name, or undefined. */
export function repositoryNameProblem(name: unknown): string | undefined {
  return typeof name === "string" && name.length >= 2 && name.length <= 256 && REPOSITORY.test(name) ? undefined : REPOSITORY_RULE;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The Dockerfile's path relative to the context, when it stays inside it. */
function dockerfileInside(context: string, dockerfile: string): string | undefined {
  const rel = path.relative(path.resolve(context), path.resolve(context, dockerfile));
  return rel === "" || rel.split(path.sep)[0] === ".." || path.isAbsolute(rel) ? undefined : rel;
}

/**
 * The problems of a build, with field names under `prefix` ("build" gives `build.context`).
 * Reads the file system (the context and the Dockerfile must exist), nothing else.
 */
export function imageBuildProblems(prefix: string, a: ImageBuildArgs & { readonly tag?: string; readonly repositoryName?: string }): FieldProblem[] {
  const out: FieldProblem[] = [];
  const f = (field: string) => `${prefix}.${field}`;
  const contextOk = typeof a.context === "string" && a.context.length > 0 && isDirectory(a.context);
  if (!contextOk) out.push([f("context"), a.context, "expected an existing directory (the build context), relative to the program's working directory or absolute"]);
  const dockerfile = a.dockerfile ?? IMAGE_DEFAULTS.dockerfile;
  if (contextOk) {
    const inside = typeof dockerfile === "string" ? dockerfileInside(a.context, dockerfile) : undefined;
    if (inside === undefined || !isFile(path.join(a.context, inside))) {
      out.push([f("dockerfile"), dockerfile, `expected a file inside the build context ${JSON.stringify(a.context)}, relative to it`]);
    }
  }
  if (a.platform !== undefined && !(typeof a.platform === "string" && PLATFORM.test(a.platform))) out.push([f("platform"), a.platform, "expected an OS and architecture such as \"linux/amd64\" or \"linux/arm64\""]);
  if (a.target !== undefined && !(typeof a.target === "string" && STAGE.test(a.target))) out.push([f("target"), a.target, "expected the name of a Dockerfile stage (`FROM ... AS <name>`): a letter, then letters, digits, '_', '.' or '-'"]);
  for (const [key, value] of Object.entries(a.buildArgs ?? {})) {
    if (!BUILD_ARG.test(key)) out.push([f(`buildArgs.${key}`), key, "expected an ARG name: letters, digits and '_', not starting with a digit"]);
    else if (typeof value !== "string") out.push([f(`buildArgs.${key}`), value, "expected a string (build args are hashed into the tag when the program runs, so no Outputs)"]);
  }
  if (a.tag !== undefined && tagProblem(a.tag)) out.push([f("tag"), a.tag, TAG_RULE]);
  if (a.repositoryName !== undefined && repositoryNameProblem(a.repositoryName)) out.push([f("repositoryName"), a.repositoryName, REPOSITORY_RULE]);
  return out;
}

/**
 * A .dockerignore as a predicate on slash-separated paths relative to the context. Docker's
 * rules for the common cases: `#` comments, `!` exceptions, the last matching line wins, a
 * leading `/` is dropped, `*` and `?` stay within a path segment, `**` spans any number of
 * them, and a pattern that matches a directory excludes everything under it.
 */
export function dockerignore(text: string): { readonly ignored: (relPath: string) => boolean; readonly hasExceptions: boolean } {
  const rules: { negate: boolean; re: RegExp }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1).trim();
    line = path.posix.normalize(line.replace(/\\/g, "/")).replace(/^\/+/, "").replace(/\/+$/, "");
    if (line === "" || line === ".") continue;
    rules.push({ negate, re: globRegExp(line) });
  }
  const ignored = (relPath: string) => {
    const parts = relPath.split("/");
    let excluded = false;
    for (const rule of rules) {
      // The path itself or one of its parent directories.
      for (let i = 1; i <= parts.length; i++) {
        if (rule.re.test(parts.slice(0, i).join("/"))) {
          excluded = !rule.negate;
          break;
        }
      }
    }
    return excluded;
  };
  return { ignored, hasExceptions: rules.some((r) => r.negate) };
}

function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        re += "(?:.*/)?";
      } else re += ".*";
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * The files Docker would send for `context`, one line each, sorted: `f <path> <x|-> <sha256>`,
 * `l <path> <link target>`, `d <path>`. Only the executable bit of a mode counts: git keeps no
 * other, so two checkouts of the same commit give the same lines.
 */
export function contextEntries(context: string, dockerfile: string = IMAGE_DEFAULTS.dockerfile): string[] {
  const root = path.resolve(context);
  const ignoreFile = path.join(root, ".dockerignore");
  const rules = fs.existsSync(ignoreFile) ? dockerignore(fs.readFileSync(ignoreFile, "utf8")) : { ignored: () => false, hasExceptions: false };
  const ignored = rules.ignored;
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
      const relPath = rel === "" ? entry.name : `${rel}/${entry.name}`;
      const full = path.join(dir, entry.name);
      // The Dockerfile and .dockerignore reach the builder even when ignored: they define the build.
      const always = relPath === ".dockerignore" || relPath === dockerfile.replace(/\\/g, "/");
      const skip = ignored(relPath) && !always;
      if (skip && !(entry.isDirectory() && rules.hasExceptions)) continue;
      if (entry.isSymbolicLink()) out.push(`l ${relPath} ${fs.readlinkSync(full)}`);
      else if (entry.isDirectory()) {
        // An ignored directory is walked only when an exception (`!dir/keep`) may reach into it.
        if (!skip) out.push(`d ${relPath}`);
        walk(full, relPath);
      } else if (entry.isFile()) {
        const exec = (fs.statSync(full).mode & 0o111) !== 0 ? "x" : "-";
        out.push(`f ${relPath} ${exec} ${sha256(fs.readFileSync(full))}`);
      }
    }
  };
  walk(root, "");
  return out;
}

/**
 * The default tag: `ctx-` and 24 hex digits of a SHA-256 over the context's entries
 * ({@link contextEntries}), the Dockerfile's path, the build args, target and platform.
 * Deterministic; it changes exactly when one of those does.
 */
export function contentTag(a: ImageBuildArgs): string {
  const dockerfile = path.posix.normalize((a.dockerfile ?? IMAGE_DEFAULTS.dockerfile).replace(/\\/g, "/"));
  const args = Object.keys(a.buildArgs ?? {}).sort().map((k) => [k, (a.buildArgs ?? {})[k]]);
  // The Dockerfile's content counts even when .dockerignore leaves its directory out.
  const dockerfileHash = sha256(fs.readFileSync(path.join(a.context, dockerfile)));
  const inputs = JSON.stringify({ dockerfile, dockerfileHash, args, target: a.target ?? null, platform: a.platform ?? IMAGE_DEFAULTS.platform });
  return `ctx-${sha256([inputs, ...contextEntries(a.context, dockerfile)].join("\n")).slice(0, 24)}`;
}

/** The lifecycle policy document: untagged images expire, the newest tagged ones are kept. */
export function lifecyclePolicyDocument(untaggedExpiryDays: number = IMAGE_DEFAULTS.untaggedExpiryDays, taggedImagesKept: number = IMAGE_DEFAULTS.taggedImagesKept): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images ${untaggedExpiryDays} days after their push`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedExpiryDays },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${taggedImagesKept} tagged images`,
        selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: taggedImagesKept },
        action: { type: "expire" },
      },
    ],
  });
}

/** `<repositoryUrl>@sha256:<hex>` from the Image's `repoDigest` (`<repository>@sha256:<hex>`). */
export function digestReference(repositoryUrl: string, repoDigest: string | undefined): string {
  const digest = /@(sha256:[0-9a-f]{64})$/.exec(repoDigest ?? "");
  if (!digest || !repositoryUrl) throw new Error(`the pushed image has no digest reference (repoDigest is ${JSON.stringify(repoDigest)}, repositoryUrl ${JSON.stringify(repositoryUrl)}); expected "<repository>@sha256:<64 hex digits>"`);
  return `${repositoryUrl}@${digest[1]}`;
}

/**
 * An ECR repository (immutable tags, scan on push, AES256 encryption, kept with its images on
 * delete), its lifecycle policy, and the image built from `a` and pushed there under the
 * content tag (or `a.tag`). Throws a KeelValidationError (component "Image") on bad args.
 */
export function buildAndPushImage(name: string, a: ImagePushArgs, opts: pulumi.CustomResourceOptions): PushedImage {
  const problems = imageBuildProblems("build", { ...a, repositoryName: a.repositoryName ?? "" });
  if (problems.length > 0) throw new KeelValidationError("Image", name, problems.map(([field, value, allowed]) => `${field} is ${describeValue(value)}; ${allowed}`));
  const tag = a.tag ?? contentTag(a);
  const dockerfile = path.posix.normalize((a.dockerfile ?? IMAGE_DEFAULTS.dockerfile).replace(/\\/g, "/"));

  const repository = new ecr.Repository(childName(name, "repository"), {
    name: a.repositoryName,
    // A tag names one image forever: what ran yesterday under a tag is what runs under it today.
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    // ECR's own keys (S3 SSE): free, nothing to grant the nodes. KMS is a replace-only change.
    encryptionConfigurations: [{ encryptionType: "AES256" }],
    // Deleting the stack must not delete images running pods still pull.
    forceDelete: false,
    tags: awsTags(a.tags, a.repositoryName),
  }, opts);
  const lifecyclePolicy = new ecr.LifecyclePolicy(childName(name, "lifecycle"), { repository: repository.name, policy: lifecyclePolicyDocument() }, opts);

  const token = ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent: opts.parent, provider: opts.provider });
  // The docker provider (not opts.provider, an aws one); the first push lands under the lifecycle policy.
  const image = new docker.Image(childName(name, "image"), {
    build: {
      // The provider reads the Dockerfile relative to the working directory, not the context.
      context: a.context,
      dockerfile: path.join(a.context, dockerfile),
      platform: a.platform ?? IMAGE_DEFAULTS.platform,
      args: a.buildArgs ? { ...a.buildArgs } : undefined,
      target: a.target,
    },
    imageName: pulumi.interpolate`${repository.repositoryUrl}:${tag}`,
    registry: {
      // The registry host, as the image name starts: Docker matches credentials by it.
      server: repository.repositoryUrl.apply((url) => (url ?? "").split("/")[0]),
      username: token.userName,
      password: pulumi.secret(token.password),
    },
    skipPush: false,
  }, { parent: opts.parent, dependsOn: [lifecyclePolicy] });
  const reference = pulumi.all([repository.repositoryUrl, image.repoDigest]).apply(([url, repoDigest]) => digestReference(url, repoDigest));
  return { repository, lifecyclePolicy, image, tag, reference };
}
