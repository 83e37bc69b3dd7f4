/**
 * What the real providers would return, offline. Kubernetes objects without a name get an
 * auto-name (`<resource name>-<8 hex>`, deterministic), random values are derived from the
 * URN. Provider functions, reads of existing resources and stack references keel cannot
 * answer come from the mocks file (mocks-file.ts), or fail saying how to answer them.
 */
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { AWS_CALLS } from "./aws-calls";
import { awsResource } from "./aws-mocks";
import { HELM_RELEASE, dockerResource, helmRelease } from "./container-mocks";
import { Mocks, answerFor, unansweredCallMessage, unansweredReadMessage } from "./mocks-file";
import { stackReferenceOutputs } from "./stack-refs";
import { Json, digest, isSecretValue, unwrap } from "./values";

export interface NewResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly custom: boolean;
  /** Inputs on the wire (secrets still wrapped). */
  readonly inputs: Record<string, unknown>;
}

export interface ProviderResult {
  readonly id: string;
  /** Output properties computed by the provider, merged over the inputs. */
  readonly outputs: Record<string, Json>;
}

/** Kubernetes kinds that are not namespaced. */
export const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "StorageClass",
  "CSIDriver",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PriorityClass",
  "IngressClass",
  "RuntimeClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "APIService",
  "ClusterIssuer",
]);

/** The Kubernetes object name the provider would use: the given one, or an auto-name. */
export function kubernetesName(name: string, urn: string, metadata: Record<string, Json> | undefined): string {
  const given = metadata?.name;
  return typeof given === "string" && given.length > 0 ? given : `${name}-${digest(urn)}`;
}

function kubernetesResource(r: NewResource): ProviderResult {
  const kind = unwrap(r.inputs.kind);
  const metadata = (unwrap(r.inputs.metadata) ?? {}) as Record<string, Json>;
  const objectName = kubernetesName(r.name, r.urn, metadata);
  const clusterScoped = typeof kind === "string" && CLUSTER_SCOPED_KINDS.has(kind);
  const namespace = clusterScoped ? undefined : typeof metadata.namespace === "string" && metadata.namespace !== "" ? metadata.namespace : "default";
  const outMetadata: Record<string, Json> = {
    ...metadata,
    name: objectName,
    uid: uuidFrom(r.urn),
    resourceVersion: "1",
    generation: 1,
  };
  if (namespace !== undefined) outMetadata.namespace = namespace;
  return { id: namespace ? `${namespace}/${objectName}` : objectName, outputs: { metadata: outMetadata } };
}

function uuidFrom(seed: string): string {
  const hex = digest(seed, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomText(seed: string, length: number): string {
  const hex = digest(seed, length * 2);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % ALPHANUMERIC.length];
  return out;
}

function randomResource(r: NewResource): ProviderResult {
  const inputs = unwrap(r.inputs) as Record<string, Json>;
  const kind = r.type.split(":").pop();
  const length = typeof inputs.length === "number" ? inputs.length : 16;
  switch (kind) {
    case "RandomPassword":
    case "RandomString": {
      const result = randomText(r.urn, length);
      return { id: kind === "RandomPassword" ? "none" : result, outputs: { result, ...(kind === "RandomPassword" ? { bcryptHash: `$2a$10$${randomText(`${r.urn}#bcrypt`, 53)}` } : {}) } };
    }
    case "RandomId": {
      const bytes = typeof inputs.byteLength === "number" ? inputs.byteLength : 8;
      const hex = digest(r.urn, bytes * 2);
      const b64 = Buffer.from(hex, "hex").toString("base64");
      return { id: b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""), outputs: { hex, b64Std: b64, b64Url: b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""), dec: BigInt(`0x${hex}`).toString() } };
    }
    case "RandomUuid": {
      const result = uuidFrom(r.urn);
      return { id: result, outputs: { result } };
    }
    case "RandomInteger": {
      const min = typeof inputs.min === "number" ? inputs.min : 0;
      const max = typeof inputs.max === "number" ? inputs.max : min + 100;
      const result = min + (parseInt(digest(r.urn, 8), 16) % (max - min + 1));
      return { id: String(result), outputs: { result } };
    }
    case "RandomBytes": {
      const bytes = Buffer.from(digest(r.urn, length * 2), "hex");
      return { id: "none", outputs: { base64: bytes.toString("base64"), hex: bytes.toString("hex") } };
    }
    case "RandomPet": {
      const words = ["calm", "brave", "lucid", "otter", "heron", "maple"];
      const pick = (i: number) => words[parseInt(digest(`${r.urn}#${i}`, 4), 16) % words.length];
      const result = [pick(0), pick(1)].join(typeof inputs.separator === "string" ? inputs.separator : "-");
      return { id: result, outputs: {} };
    }
    default:
      return { id: `${r.name}-${digest(r.urn)}`, outputs: {} };
  }
}

/** Computes the provider's outputs for a new resource. */
export function newResource(r: NewResource): ProviderResult {
  if (!r.custom) return { id: "", outputs: {} };
  if (r.type.startsWith("pulumi:providers:")) return { id: uuidFrom(r.urn), outputs: {} };
  if (r.type === HELM_RELEASE) return helmRelease(r);
  if (r.type.startsWith("kubernetes:")) return kubernetesResource(r);
  if (r.type.startsWith("aws:")) return awsResource(r);
  if (r.type.startsWith("docker:")) return dockerResource(r);
  if (r.type.startsWith("random:")) return randomResource(r);
  return { id: `${r.name}-${digest(r.urn)}`, outputs: {} };
}

/** Provider functions keel can answer offline, by token. */
const CALLS: Record<string, (args: Record<string, Json>) => Record<string, Json>> = {};

/** Registers an offline answer for a provider function (the aws platform adds its own). */
export function registerCall(token: string, answer: (args: Record<string, Json>) => Record<string, Json>): void {
  CALLS[token] = answer;
}

/** The provider functions keel answers itself (a mocks file cannot replace them). */
export function builtInCalls(): string[] {
  return Object.keys(CALLS).sort();
}

/** The mocks file of the run in progress (runs never overlap). */
let mocks: Mocks | undefined;
/** The secrets of the stack-refs files read in this run (stack-refs.ts). */
let stackRefSecrets: string[] = [];

/** Answers from this mocks file (and the stack-refs/ folder beside it) until the returned function is called. */
export function useMocks(next: Mocks | undefined): () => void {
  const before = { mocks, stackRefSecrets };
  mocks = next;
  stackRefSecrets = [];
  return () => {
    ({ mocks, stackRefSecrets } = before);
  };
}

/** The secrets of the mocks file and stack-refs files in use (nothing keel writes may show one). */
export function mockSecrets(): readonly string[] {
  return stackRefSecrets.length > 0 ? [...(mocks?.secrets ?? []), ...stackRefSecrets] : (mocks?.secrets ?? []);
}

export class UnknownCallError extends Error {
  /** `shown`: the call's args with secrets as `[secret]`. */
  constructor(token: string, shown: Record<string, Json> = {}) {
    super(unansweredCallMessage(token, shown, mocks, builtInCalls()));
    this.name = "UnknownCallError";
  }
}

/** A read of an existing resource or a stack reference that nothing answers. */
export class UnknownReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownReadError";
  }
}

/** A provider function's result, on the wire: keel's own answer, else the mocks file's first matching one, else keel's AWS default. */
export function call(token: string, args: Record<string, Json>, shown: Record<string, Json> = args): Record<string, unknown> {
  const answer = CALLS[token];
  if (answer) return answer(args);
  const mocked = answerFor(mocks, token, args);
  if (mocked) return mocked.result;
  // keel's AWS answers (aws-calls.ts) are defaults: a mocks file entry (a real account's zones) comes first.
  if (Object.prototype.hasOwnProperty.call(AWS_CALLS, token)) return AWS_CALLS[token](args);
  throw new UnknownCallError(token, shown);
}

const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** The state of an existing resource (`Resource.get`) or a stack reference (its id is the stack name), on the wire. */
export function readExisting(type: string, name: string, id: string): Record<string, unknown> {
  if (type === STACK_REFERENCE) {
    // stack-refs/ is beside the mocks file: in the project directory, or beside the --mocks file.
    const found = stackReferenceOutputs(id, mocks, mocks ? path.dirname(mocks.file) : undefined);
    if ("problem" in found) throw new UnknownReadError(found.problem);
    stackRefSecrets.push(...found.secrets.filter((s) => !stackRefSecrets.includes(s)));
    const { outputs } = found;
    return { name: id, outputs, secretOutputNames: Object.keys(outputs).filter((k) => isSecretValue(outputs[k])) };
  }
  const state = mocks?.resources[type]?.[id];
  if (!state) throw new UnknownReadError(unansweredReadMessage(type, name, id, mocks));
  return { ...state };
}

// @pulumi/kubernetes's yaml.ConfigFile / ConfigGroup ask the provider to split YAML into objects.
registerCall("kubernetes:yaml:decode", (args) => {
  const docs = parseAllDocuments(typeof args.text === "string" ? args.text : "");
  const list = Array.isArray(docs) ? docs : [docs];
  const bad = list.find((d) => d.errors.length > 0);
  if (bad) throw new Error(`invalid YAML: ${bad.errors[0].message}`);
  return { result: list.map((d) => d.toJS() as Json).filter((o) => o !== null && typeof o === "object") };
});
