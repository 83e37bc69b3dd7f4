/**
 * Reads and validates the stack configuration (`Pulumi.<stack>.yaml`). Only `index.ts` and
 * the blueprints read config; components never do.
 */
import * as pulumi from "@pulumi/pulumi";
import { AwsSystemArgs, KubernetesPlatformArgs } from "../components";

/** `keel:aws`: the platform stack a system runs on (its `platform` and `kubeconfig` outputs), and the system's own settings there. */
export type AwsSection = Omit<AwsSystemArgs, "system" | "protect"> & { readonly platformStack: string };
import { Shape, closest, describeArg, shapeProblems } from "../components/core/arg-shape";
import { ARG_SHAPES } from "../components/core/arg-shapes.generated";
import { describeValue } from "../components/core/errors";
import { EnvironmentName, environments, Environment } from "./environments";

export const BLUEPRINTS = ["req1", "bookworm", "todo", "vibebox", "composerp", "platform"] as const;
export type BlueprintName = (typeof BLUEPRINTS)[number];
export const PLATFORMS = ["kubernetes", "aws"] as const;
const ENVIRONMENTS: readonly EnvironmentName[] = ["dev", "prod"];

/** A generated object shape without some of its keys (what the blueprint sets itself). */
function shapeWithout(type: string, dropped: readonly string[], added: Readonly<Record<string, Shape>> = {}, required: readonly string[] = []): Shape {
  const args = ARG_SHAPES[type] as Extract<Shape, { readonly o: unknown }>;
  const o = { ...Object.fromEntries(Object.entries(args.o).filter(([k]) => !dropped.includes(k))), ...added };
  return { ...args, o, q: [...(args.q ?? []).filter((k) => !dropped.includes(k)), ...required] };
}

/** `keel:kubernetes`: KubernetesPlatformArgs without `system` (the blueprint sets it) and `provider` (a program's object, not config). */
const KUBERNETES_SECTION: Shape = shapeWithout("KubernetesPlatformArgs", ["system", "provider"]);

/** `keel:aws` (a system on the aws platform): the platform stack it runs on, and what AwsSystemArgs says besides `system`. */
const AWS_SECTION: Shape = shapeWithout("AwsSystemArgs", ["system", "protect"], { platformStack: "s" }, ["platformStack"]);

/** `keel:awsPlatform` (the platform blueprint): AwsPlatformArgs without what the stack sets (region from aws:region, protect from the environment). */
export const AWS_PLATFORM_SECTION: Shape = shapeWithout("AwsPlatformArgs", ["region", "provider", "protect"]);

/** What every blueprint's section may say about alerting (see stacks/observability.ts). */
const ALERTING_KEYS: Readonly<Record<string, Shape>> = { grafanaHost: "s", slackChannel: "s", noAlertReceiverReason: "s" };

/** `keel:req1`: what the req1 blueprint reads from its section. */
export const REQ1_SECTION: Shape = {
  o: { image: "s", host: "s", oidcIssuer: "s", ...ALERTING_KEYS },
  q: ["image", "host", "oidcIssuer"],
};

/** `keel:bookworm`: the services' images (`<imageRepository>/<service>:<version>`), the public host, alerting. */
export const BOOKWORM_SECTION: Shape = {
  o: { imageRepository: "s", version: "s", host: "s", ...ALERTING_KEYS },
  q: ["imageRepository", "version", "host"],
};

/** `keel:todo`: the app's image, its public host, alerting. */
export const TODO_SECTION: Shape = { o: { image: "s", host: "s", ...ALERTING_KEYS }, q: ["image", "host"] };

/** `keel:vibebox`: the frontend's and backend's images, the public host, alerting. */
export const VIBEBOX_SECTION: Shape = { o: { frontendImage: "s", backendImage: "s", host: "s", ...ALERTING_KEYS }, q: ["frontendImage", "backendImage", "host"] };

/** `keel:composerp`: the services' images (`<imageRepository>/<service>:<version>`), their public domain (`<service host>.<domain>`), alerting. */
export const COMPOSERP_SECTION: Shape = { o: { imageRepository: "s", version: "s", domain: "s", ...ALERTING_KEYS }, q: ["imageRepository", "version", "domain"] };

/** The keys of the stack's config namespace every stack may set (the values of the first three: see readStackConfig). */
const COMMON_KEYS: Readonly<Record<string, Shape>> = {
  blueprint: "s",
  platform: "s",
  environment: "s",
  kubernetes: KUBERNETES_SECTION,
  aws: AWS_SECTION,
};

/** The keys each blueprint reads besides the common ones (secrets are strings, set with `pulumi config set --secret`). */
export const BLUEPRINT_KEYS: Readonly<Record<BlueprintName, Readonly<Record<string, Shape>>>> = {
  req1: { req1: REQ1_SECTION, req1OidcClientSecret: "s", slackWebhookUrl: "s", pagerdutyRoutingKey: "s" },
  bookworm: { bookworm: BOOKWORM_SECTION, slackWebhookUrl: "s", pagerdutyRoutingKey: "s" },
  todo: { todo: TODO_SECTION, slackWebhookUrl: "s", pagerdutyRoutingKey: "s" },
  vibebox: { vibebox: VIBEBOX_SECTION, slackWebhookUrl: "s", pagerdutyRoutingKey: "s" },
  composerp: { composerp: COMPOSERP_SECTION, slackWebhookUrl: "s", pagerdutyRoutingKey: "s" },
  platform: { awsPlatform: AWS_PLATFORM_SECTION },
};

/** The keys each blueprint reads as secrets (`config.getSecret`): plain text is refused, since it sits unencrypted in the stack file. */
export const BLUEPRINT_SECRET_KEYS: Readonly<Record<BlueprintName, readonly string[]>> = {
  req1: ["req1OidcClientSecret", "slackWebhookUrl", "pagerdutyRoutingKey"],
  bookworm: ["slackWebhookUrl", "pagerdutyRoutingKey"],
  todo: ["slackWebhookUrl", "pagerdutyRoutingKey"],
  vibebox: ["slackWebhookUrl", "pagerdutyRoutingKey"],
  composerp: ["slackWebhookUrl", "pagerdutyRoutingKey"],
  platform: [],
};

/**
 * An OpenID Connect issuer (OpenID Connect Discovery 1.0, section 3): an https URL with a host,
 * an optional port and path, no query or fragment, no user or password; nothing a config file,
 * an environment variable or a shell could read differently (no quotes, backslashes, whitespace
 * or control characters). Parsed with the WHATWG URL parser.
 */
export function oidcIssuerProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined; // the shape check reports it
  const allowed = "expected the identity provider's issuer: an https:// URL with a host (and optional port and path), no user or password, query, fragment, quotes, backslashes, whitespace or control characters, such as \"https://idp.example.com/realms/req1\"";
  if (/["'`\\<>\s\u0000-\u001f\u007f]/.test(value)) return allowed;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return allowed;
  }
  if (url.protocol !== "https:" || url.hostname === "" || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "" || value.includes("?") || value.includes("#")) return allowed;
  return undefined;
}

/** A JSON object or list: what the engine passes for a YAML mapping or list (a config value keel reads as a string never is one). */
function isJsonObjectOrList(raw: string): boolean {
  if (!/^\s*[[{]/.test(raw)) return false;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null;
  } catch {
    return false;
  }
}

export interface StackConfig {
  readonly blueprint: BlueprintName;
  readonly platform: (typeof PLATFORMS)[number];
  readonly environment: Environment;
  /** `keel:kubernetes`: cluster connection and namespace settings (all optional). */
  readonly kubernetes: Omit<KubernetesPlatformArgs, "system">;
  /** `keel:aws` (platform aws): the platform stack the system attaches to, and its namespaces. */
  readonly aws?: AwsSection;
  /** The whole config namespace, for blueprint-specific keys. */
  readonly config: pulumi.Config;
}

/** A stack configuration error: names the key, the value and what is allowed (one line per problem). */
export class StackConfigError extends Error {
  constructor(key: string, value: unknown, allowed: string);
  constructor(problems: readonly string[]);
  constructor(keyOrProblems: string | readonly string[], value?: unknown, allowed?: string) {
    super(typeof keyOrProblems === "string" ? `stack config ${pulumi.getProject()}:${keyOrProblems} is ${describeValue(value)}; ${allowed}` : keyOrProblems.join("\n"));
    this.name = "StackConfigError";
  }
}

/** Whether the stack marks `key` secret (the SDK's own test, not in its typings). */
function isConfigSecret(key: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  return typeof runtime.isConfigSecret === "function" && runtime.isConfigSecret(key);
}

/** `{ secure: "v1:..." }` (a nested secret the engine could not decrypt) reads as the secret string it stands for. */
function withoutSecureMarkers(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(withoutSecureMarkers);
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "secure" && typeof (value as { secure: unknown }).secure === "string") return "[secret]";
  return Object.fromEntries(keys.map((k) => [k, withoutSecureMarkers((value as Record<string, unknown>)[k])]));
}

/**
 * Every key the stack sets in the project's namespace (`keel:*`), checked against what keel and
 * the blueprint read: an unknown or misspelled key, at the top or inside an object-valued key
 * (`keel:kubernetes`, `keel:req1`), is an error with "did you mean", never silently ignored.
 * Keys of other namespaces (`kubernetes:context`, `aws:region`, `pulumi:*`) are left alone.
 */
export function stackConfigProblems(all: Readonly<Record<string, string>> = pulumi.runtime.allConfig()): string[] {
  const project = pulumi.getProject();
  const blueprint = all[`${project}:blueprint`];
  const blueprintKeys = BLUEPRINTS.includes(blueprint as BlueprintName) ? [blueprint as BlueprintName] : BLUEPRINTS;
  const known: Record<string, Shape> = { ...COMMON_KEYS };
  for (const b of blueprintKeys) Object.assign(known, BLUEPRINT_KEYS[b]);
  const names = Object.keys(known).map((k) => `${project}:${k}`);
  const problems: string[] = [];
  for (const fullKey of Object.keys(all).sort()) {
    if (!fullKey.startsWith(`${project}:`)) continue;
    const key = fullKey.slice(project.length + 1);
    const raw = all[fullKey];
    const shape = known[key];
    // Under the Pulumi CLI a secret arrives decrypted: a message never shows it.
    const secret = raw === "[secret]" || isConfigSecret(fullKey);
    if (shape === undefined) {
      const hint = closest(key, Object.keys(known));
      problems.push(`stack config ${fullKey} is ${secret ? "[secret]" : describeArg(raw)}; not a key keel reads (known keys: ${names.join(", ")})${hint ? ` (did you mean "${project}:${hint}"?)` : ""}`);
      continue;
    }
    if (shape === "s" && typeof raw === "string" && isJsonObjectOrList(raw)) {
      problems.push(`stack config ${fullKey} is ${secret ? "[secret]" : Array.isArray(JSON.parse(raw)) ? "a list" : "an object"}; expected a string`);
      continue;
    }
    if (!secret && blueprintKeys.some((b) => BLUEPRINT_SECRET_KEYS[b].includes(key))) {
      problems.push(`stack config ${fullKey} is set in plain text (value not shown); expected a secret: pulumi config set --secret ${fullKey} <value> (plain text sits unencrypted in Pulumi.<stack>.yaml; with --stack-config give it as { "secret": "..." })`);
      continue;
    }
    let value: unknown = raw;
    if (typeof shape === "object" && ("o" in shape || "r" in shape || "a" in shape)) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    const shapeOf = shapeProblems(withoutSecureMarkers(value), shape, fullKey, { secret });
    problems.push(...shapeOf.map((p) => `stack config ${p}`));
    // Values with a rule of their own, once their shape is right.
    if (shapeOf.length === 0 && shape === REQ1_SECTION && typeof value === "object" && value !== null) {
      const issuer = (value as { oidcIssuer?: unknown }).oidcIssuer;
      const problem = oidcIssuerProblem(issuer);
      if (problem) problems.push(`stack config ${fullKey}.oidcIssuer is ${describeValue(issuer)}; ${problem}`);
    }
  }
  return problems;
}

function oneOf<T extends string>(config: pulumi.Config, key: string, allowed: readonly T[], fallback?: T): T {
  const value = config.get(key) ?? fallback;
  if (value === undefined || !allowed.includes(value as T)) {
    throw new StackConfigError(key, value, `expected one of ${allowed.join(", ")}`);
  }
  return value as T;
}

export function readStackConfig(config = new pulumi.Config()): StackConfig {
  const problems = stackConfigProblems();
  if (problems.length > 0) throw new StackConfigError(problems);
  const blueprint = oneOf(config, "blueprint", BLUEPRINTS);
  const platform = oneOf(config, "platform", PLATFORMS, "kubernetes");
  const environmentName = oneOf<EnvironmentName>(config, "environment", ENVIRONMENTS);
  const kubernetes = config.getObject<Omit<KubernetesPlatformArgs, "system">>("kubernetes") ?? {};
  if (typeof kubernetes !== "object" || Array.isArray(kubernetes)) {
    throw new StackConfigError("kubernetes", kubernetes, "expected an object such as { context: \"kind-keel\" }");
  }
  const aws = config.getObject<AwsSection>("aws");
  const problem = platformProblem(blueprint, platform, config.getObject("kubernetes"), aws, config.getObject("awsPlatform"));
  if (problem) throw new StackConfigError(problem[0], problem[1], problem[2]);
  return { blueprint, platform, environment: environments[environmentName], kubernetes, ...(aws ? { aws } : {}), config };
}

/** Which sections go with which platform and blueprint: [key, value, what is allowed], or undefined. */
function platformProblem(blueprint: BlueprintName, platform: (typeof PLATFORMS)[number], kubernetes: unknown, aws: unknown, awsPlatform: unknown): [string, unknown, string] | undefined {
  if (blueprint === "platform") {
    if (platform !== "aws") return ["platform", platform, "expected \"aws\": the platform blueprint creates an aws platform (VPC, EKS and what keel's stacks need in it)"];
    if (awsPlatform === undefined) return ["awsPlatform", undefined, "expected the platform's settings, at least { nodes: { workloads: { cpu, memory, pods } }, certificates: { email } }"];
    if (kubernetes !== undefined) return ["kubernetes", kubernetes, "expected no keel:kubernetes in a platform stack: its settings are keel:awsPlatform"];
    if (aws !== undefined) return ["aws", aws, "expected no keel:aws in a platform stack: its settings are keel:awsPlatform"];
    return undefined;
  }
  if (awsPlatform !== undefined) return ["awsPlatform", awsPlatform, "expected it only with keel:blueprint platform (a platform stack); a system on aws names its platform stack in keel:aws.platformStack"];
  if (platform === "aws" && aws === undefined) return ["aws", undefined, "expected { platformStack: \"<org>/<project>/<stack>\" }: the platform stack the system runs on"];
  if (platform === "aws" && kubernetes !== undefined) return ["kubernetes", kubernetes, "expected no keel:kubernetes on the aws platform: the cluster, its ingress controller, issuer and StorageClasses come from the platform stack (keel:aws holds the system's own settings)"];
  if (platform === "kubernetes" && aws !== undefined) return ["aws", aws, "expected keel:platform aws to go with keel:aws"];
  return undefined;
}

/** A required string of a blueprint's config object, e.g. `keel:req1.image`. */
export function requireString(section: Record<string, unknown>, sectionKey: string, key: string): string {
  const value = section[key];
  if (typeof value !== "string" || value.length === 0) {
    throw new StackConfigError(`${sectionKey}.${key}`, value, "expected a non-empty string");
  }
  return value;
}
