/**
 * Environment variables and mounted files for a container. Plain values go to a generated
 * ConfigMap, secret values to a generated Secret; the container reads each key through
 * `configMapKeyRef`/`secretKeyRef`, so no secret is ever written into a pod spec.
 *
 * Whether an Output is secret is only known when it resolves, so an `env` value or a file
 * content given as an Output is routed then, key by key: a secret one goes to the Secret (the
 * pod reads it through `secretKeyRef` / the Secret volume), any other to the ConfigMap. The
 * resources and the pod spec's shape do not depend on it: both objects exist whenever such a
 * value does (one of them possibly empty).
 */
import * as pulumi from "@pulumi/pulumi";
import { KeelValidationError, UNDECRYPTED_SECRET, Validator, describeValue } from "./errors";
import { configKeyProblem, dnsSubdomainProblem, envFieldPathProblem, mountPathProblem, normalizeMountPath } from "./kubernetes-syntax";

/**
 * A value kept in AWS Secrets Manager (aws platform only): the External Secrets Operator copies it
 * into a Secret of the workload's namespace, read through an IAM role of the workload's own
 * (GetSecretValue on exactly these secrets), and refreshes it there, so a rotation reaches the
 * pods without a `pulumi up` (Reloader rolls them when the Secret changes). The value never
 * passes through Pulumi.
 */
export interface SecretsManagerReference {
  /**
   * The secret's full ARN, with the 6 characters Secrets Manager appends to its name
   * (`arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/stripe-AbCdEf`): the reader's IAM
   * policy names exactly this secret, which a bare name cannot do.
   */
  readonly secretId: pulumi.Input<string>;
  /** A key of the secret's JSON value. @default the whole value */
  readonly property?: string;
  /**
   * A Go template (External Secrets' template engine v2) over the keys of the secret's JSON value,
   * e.g. `postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@db:5432/app`; instead of `property`.
   */
  readonly template?: pulumi.Input<string>;
  /** The customer-managed KMS key the secret is encrypted with, when it is one: the reader may decrypt with it (through Secrets Manager only). */
  readonly kmsKeyArn?: pulumi.Input<string>;
}

/** A reference to a key of an existing ConfigMap or Secret, a pod field, or a value in AWS Secrets Manager. */
export type EnvReference =
  | { readonly secretKeyRef: { readonly name: pulumi.Input<string>; readonly key: pulumi.Input<string> } }
  | { readonly configMapKeyRef: { readonly name: pulumi.Input<string>; readonly key: pulumi.Input<string> } }
  | { readonly fieldPath: string }
  | { readonly secretsManager: SecretsManagerReference };

/**
 * An env value read from AWS Secrets Manager (aws platform): `env: { API_KEY: fromSecretsManager(arn, { property: "apiKey" }) }`.
 * See {@link SecretsManagerReference}.
 */
export function fromSecretsManager(secretId: pulumi.Input<string>, options: Omit<SecretsManagerReference, "secretId"> = {}): { readonly secretsManager: SecretsManagerReference } {
  return { secretsManager: { secretId, ...options } };
}

/** A Secrets Manager secret's full ARN: partition, region, account, name and the 6-character suffix. */
const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d:\d{12}:secret:[\w/+=.@!-]+-[A-Za-z0-9]{6}$/;

export function isSecretsManagerReference(value: unknown): value is { readonly secretsManager: SecretsManagerReference } {
  return typeof value === "object" && value !== null && "secretsManager" in value;
}

/** A plain value, or a reference to where the value lives. */
export type EnvValue = pulumi.Input<string> | EnvReference;

/** A file mounted read-only into the container. */
export interface FileArgs {
  readonly content: pulumi.Input<string>;
  /**
   * Store in a Secret (mode 0440) instead of a ConfigMap. A content given as a secret Output
   * goes to the Secret even without it. @default false
   */
  readonly secret?: boolean;
}

export interface EnvArgs {
  /**
   * Environment variables: strings, Outputs, or references to existing ConfigMap/Secret keys
   * or pod fields. Strings are stored in a generated ConfigMap. An Output is stored where its
   * secretness says: a secret Output (`pulumi.secret`, `config.requireSecret`, a connection's
   * URL) in the generated Secret, read through `secretKeyRef`; any other in the ConfigMap.
   * @default {}
   */
  readonly env?: Readonly<Record<string, EnvValue>>;
  /**
   * Secret environment variables: stored in a generated Secret, read via `secretKeyRef`. On the aws
   * platform a value may be `fromSecretsManager(...)`: it then never passes through Pulumi (see {@link SecretsManagerReference}).
   */
  readonly secretEnv?: Readonly<Record<string, pulumi.Input<string> | { readonly secretsManager: SecretsManagerReference }>>;
  /** Files mounted read-only, keyed by absolute path: `{ "/etc/app/config.yaml": { content } }`. */
  readonly files?: Readonly<Record<string, FileArgs>>;
}

export interface ResolvedFile {
  readonly path: string;
  /** The ConfigMap/Secret key holding the content. */
  readonly key: string;
  readonly content: pulumi.Input<string>;
  readonly secret: boolean;
  /** Not `secret`, but the content is an Output: stored in the Secret when it resolves secret. */
  readonly routed: boolean;
}

/**
 * A variable written into the pod spec as an inline `value`, after every other variable of the
 * container: the kubelet expands `$(NAME)` only in an inline value, and only for variables
 * declared before it (a value read through configMapKeyRef or secretKeyRef keeps `$(NAME)`
 * literally). A plain string, never a secret: keel's own wiring, such as OTEL_RESOURCE_ATTRIBUTES
 * naming the pod through `$(POD_NAME)` (see `telemetryEnv`).
 */
export interface ExpandedEnvVar {
  readonly name: string;
  readonly value: string;
}

export interface ResolvedEnv {
  /** Strings: the ConfigMap. */
  readonly plain: Readonly<Record<string, pulumi.Input<string>>>;
  /** Always the Secret. */
  readonly secret: Readonly<Record<string, pulumi.Input<string>>>;
  /** Outputs (and promises) given as plain values: the Secret when they resolve secret, else the ConfigMap. */
  readonly routed: Readonly<Record<string, pulumi.Input<string>>>;
  readonly references: Readonly<Record<string, EnvReference>>;
  readonly files: readonly ResolvedFile[];
  /** Inline values, in this order, after every other variable (see {@link ExpandedEnvVar}). @default none */
  readonly expanded?: readonly ExpandedEnvVar[];
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function isReference(value: EnvValue): value is EnvReference {
  return typeof value === "object" && value !== null && ("secretKeyRef" in value || "configMapKeyRef" in value || "fieldPath" in value || "secretsManager" in value);
}

/** The ConfigMap/Secret key for a file path: `/etc/app/config.yaml` -> `etc-app-config.yaml`. */
export function fileKey(path: string): string {
  return path.replace(/^\/+/, "").replace(/[^-._a-zA-Z0-9]/g, "-");
}

/** An Output or a promise: its value (and secretness) is known only when it resolves. */
function isDeferred(value: unknown): value is pulumi.Output<unknown> | PromiseLike<unknown> {
  return pulumi.Output.isInstance(value) || (typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function");
}

/** Whether `value` resolves to a secret (a plain value never does). */
export function secretness(value: pulumi.Input<unknown>): pulumi.Output<boolean> {
  return isDeferred(value) ? pulumi.output(pulumi.isSecret(pulumi.output(value))) : pulumi.output(false);
}

/** What a value is, for a message that must not show it. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Sets an own property, even `__proto__` (a plain assignment would change the prototype and drop the key). */
function define<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Checks the ConfigMap/Secret a reference names and the key it reads (plain strings; Outputs are checked by the API server). */
function checkReference(v: Validator, field: string, value: EnvReference): void {
  for (const kind of ["secretKeyRef", "configMapKeyRef"] as const) {
    if (!(kind in value)) continue;
    const ref = (value as Record<typeof kind, { name: unknown; key: unknown }>)[kind];
    if (typeof ref?.name === "string") {
      const problem = dnsSubdomainProblem(ref.name);
      if (problem) v.require(false, `${field}.${kind}.name`, ref.name, `expected the name of a ${kind === "secretKeyRef" ? "Secret" : "ConfigMap"}: ${problem.replace(/^expected /, "")}`);
    }
    if (typeof ref?.key === "string") {
      const problem = configKeyProblem(ref.key);
      if (problem) v.require(false, `${field}.${kind}.key`, ref.key, problem);
    }
  }
  if ("fieldPath" in value) {
    const problem = envFieldPathProblem(value.fieldPath);
    if (problem) v.require(false, `${field}.fieldPath`, value.fieldPath, problem);
  }
  if ("secretsManager" in value) {
    const ref = value.secretsManager as Partial<SecretsManagerReference> | null;
    const id = ref?.secretId;
    if (!isDeferred(id) && !(typeof id === "string" && SECRET_ARN.test(id))) {
      v.require(false, `${field}.secretsManager.secretId`, id, "expected the secret's full ARN, such as \"arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/stripe-AbCdEf\" (aws secretsmanager describe-secret --secret-id <name> shows it): the reader's IAM policy names exactly that secret");
    }
    if (ref?.property !== undefined) v.require(typeof ref.property === "string" && ref.property !== "", `${field}.secretsManager.property`, ref.property, "expected a key of the secret's JSON value");
    if (ref?.property !== undefined && ref?.template !== undefined) v.require(false, `${field}.secretsManager`, "property and template", "expected one of property and template (a template reads the keys itself: {{ .key }})");
    if (typeof ref?.template === "string" && !ref.template.includes("{{")) v.require(false, `${field}.secretsManager.template`, ref.template, "expected a template that reads the secret, such as \"{{ .password }}\"");
  }
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isDeferred(value);
}

/** The entries of a map arg, or none (and a problem) when it is not an object of keys: a list is not a map. */
function entriesOf<T>(v: Validator, field: string, value: Readonly<Record<string, T>> | undefined, example: string): [string, T][] {
  if (value === undefined) return [];
  if (!isRecord(value)) {
    v.require(false, field, value, `expected an object such as ${example}`);
    return [];
  }
  return Object.entries(value) as [string, T][];
}

export function resolveEnv(v: Validator, args: EnvArgs): ResolvedEnv {
  const plain: Record<string, pulumi.Input<string>> = {};
  const secret: Record<string, pulumi.Input<string>> = {};
  const routed: Record<string, pulumi.Input<string>> = {};
  const references: Record<string, EnvReference> = {};
  for (const [name, value] of entriesOf(v, "env", args.env, "{ NAME: \"value\" }")) {
    v.require(ENV_NAME.test(name), "env", name, "expected a variable name of letters, digits, '_', '-' and '.', not starting with a digit");
    v.require(name !== "__proto__", "env", name, "expected another variable name: JavaScript objects (and Pulumi's serialization) do not keep a \"__proto__\" key, so the variable would be dropped");
    const ok = typeof value === "string" || isDeferred(value) || (typeof value === "object" && value !== null && isReference(value));
    v.require(ok, `env.${name}`, value, "expected a string, an Output or a reference such as { secretKeyRef: { name, key } } (numbers and booleans must be quoted)");
    if (!ok) continue;
    if (typeof value === "string") define(plain, name, value);
    else if (isDeferred(value)) define(routed, name, value);
    else {
      checkReference(v, `env.${name}`, value);
      define(references, name, value);
    }
  }
  const envNames = new Set(isRecord(args.env) ? Object.keys(args.env) : []);
  for (const [name, value] of entriesOf(v, "secretEnv", args.secretEnv, "{ NAME: secretOutput }")) {
    v.require(ENV_NAME.test(name), "secretEnv", name, "expected a variable name of letters, digits, '_', '-' and '.', not starting with a digit");
    v.require(name !== "__proto__", "secretEnv", name, "expected another variable name: JavaScript objects (and Pulumi's serialization) do not keep a \"__proto__\" key, so the variable would be dropped");
    v.require(!envNames.has(name), `secretEnv.${name}`, name, "expected a name not also set in env");
    if (isSecretsManagerReference(value)) {
      checkReference(v, `secretEnv.${name}`, value);
      define(references, name, value);
      continue;
    }
    const ok = typeof value === "string" || isDeferred(value);
    if (!ok) v.fail(`secretEnv.${name} is ${kindOf(value)}; expected a string, a secret Output or fromSecretsManager(...) (value not shown: it is a secret)`);
    else define(secret, name, pulumi.secret(value));
  }
  const files: ResolvedFile[] = [];
  const keys = new Set<string>();
  const paths = isRecord(args.files) ? Object.keys(args.files) : [];
  for (const [path, file] of entriesOf(v, "files", args.files, "{ \"/etc/app/config.yaml\": { content } }")) {
    if (v.require(path.startsWith("/") && !path.endsWith("/") && !path.split("/").includes(".."), "files", path, "expected an absolute file path without '..'")) {
      const problem = mountPathProblem(path);
      if (problem) v.require(false, "files", path, problem);
      const outer = paths.find((other) => other !== path && normalizeMountPath(path).startsWith(`${normalizeMountPath(other)}/`));
      if (outer !== undefined) v.require(false, "files", path, `expected a path outside the mounted file ${JSON.stringify(outer)} (a file cannot contain another file)`);
    }
    v.require(path !== "/tmp" && !path.startsWith("/tmp/"), "files", path, "expected a path outside /tmp (an emptyDir is mounted there)");
    const key = fileKey(path);
    v.require(!keys.has(key), "files", path, "expected distinct paths (two paths map to the same key)");
    if (key.length > 253) {
      v.require(false, "files", path, `expected a path whose ConfigMap key (the path without its leading '/', other characters as '-') has at most 253 characters; it has ${key.length}`);
    }
    keys.add(key);
    const content = file?.content;
    const ok = typeof content === "string" || isDeferred(content);
    const isSecret = file?.secret ?? false;
    v.require(typeof isSecret === "boolean", `files.${path}.secret`, isSecret, "expected true or false");
    if (!ok && isSecret !== false) v.fail(`files.${path}.content is ${kindOf(content)}; expected a string or an Output (value not shown: the file is secret)`);
    else v.require(ok, `files.${path}.content`, content, "expected a string or an Output");
    if (!ok) continue;
    files.push({ path, key, content: isSecret ? pulumi.secret(content) : content, secret: isSecret === true, routed: isSecret !== true && isDeferred(content) });
  }
  return { plain, secret, routed, references, files: files.sort((a, b) => a.key.localeCompare(b.key)) };
}

/**
 * Metadata (labels, annotations) is stored in plain text and shown by every tool: a secret has
 * no place there. Values that are Outputs are checked when they resolve, and a secret one fails
 * the deployment with a field message (`<Component> "<name>": <field>.<key> is a secret Output; ...`)
 * before the object is sent. Plain strings pass unchanged.
 */
export function refuseSecretValues<T extends Readonly<Record<string, pulumi.Input<string>>> | undefined>(component: string, name: string, field: string, values: T, hint = "pass a secret through secretEnv, or a file with secret: true"): T {
  if (!values) return values;
  const guarded: Record<string, pulumi.Input<string>> = {};
  for (const [key, value] of Object.entries(values)) {
    guarded[key] = !isDeferred(value)
      ? value
      : secretness(value).apply((isSecret): pulumi.Output<string> => {
          if (isSecret) throw new KeelValidationError(component, name, [`${field}.${key} is a secret Output; expected a value that is not secret: ${field} are stored and shown in plain text (${hint})`]);
          return pulumi.output(value);
        });
  }
  return guarded as T;
}

/** Images given as Outputs, with the Output that checks them when they resolve (see {@link checkDeferredImage}). */
const CHECKED_IMAGES = new WeakMap<object, pulumi.Output<string>>();

/**
 * An image given as an Output (or a Promise) is checked when it resolves, by the same rule as a
 * plain string (`problemOf`): a bad one fails the deployment with the field message
 * (`<Component> "<name>": image is "nginx:latest"; expected a pinned tag ...`) before the
 * workload is sent. Returns the checked Output; {@link imageToDeploy} finds it from the original.
 * A secret image's value is not shown.
 */
export function checkDeferredImage(component: string, name: string, field: string, image: pulumi.Input<string>, problemOf: (image: string) => string | undefined): pulumi.Input<string> {
  if (!isDeferred(image)) return image;
  const known = CHECKED_IMAGES.get(image);
  if (known) return known;
  const out = pulumi.output(image);
  const checked = pulumi.all([pulumi.isSecret(out), out]).apply(([isSecret, value]) => {
    const problem = value === UNDECRYPTED_SECRET ? undefined : typeof value === "string" ? problemOf(value) : "expected a string";
    if (problem) throw new KeelValidationError(component, name, [`${field} is ${isSecret ? "a secret Output" : describeValue(value)}; ${problem}`]);
    return value as string;
  });
  CHECKED_IMAGES.set(image, checked);
  return checked;
}

/** The image a container is given: the checked Output of an image checked with {@link checkDeferredImage}, else itself. */
export function imageToDeploy(image: pulumi.Input<string>): pulumi.Input<string> {
  return typeof image === "object" && image !== null ? (CHECKED_IMAGES.get(image) ?? image) : image;
}
