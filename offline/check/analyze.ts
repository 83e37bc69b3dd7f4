/**
 * Drives a policy pack through its gRPC analyzer interface, as the Pulumi CLI does:
 * GetAnalyzerInfo, Configure, Analyze for every resource (concurrently, with resource
 * options set), AnalyzeStack once.
 */
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type { Empty as EmptyMessage } from "google-protobuf/google/protobuf/empty_pb";
import type { Json } from "../values";
import { repeated, withStruct } from "./wire";
import { Level, PolicyDescription, ResolvedPolicyConfig, resolveConfig } from "./config";
import { RunningPack, unary } from "./pack";
import { Empty, Struct } from "./sdk-modules";

/** A resource as the analyzer sees it. */
export interface CheckResource {
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  /** Inputs (for Analyze), secrets in plain text as the CLI sends them. */
  readonly inputs: Record<string, Json>;
  /** Outputs (for AnalyzeStack). */
  readonly outputs: Record<string, Json>;
  readonly parent?: string;
  readonly dependencies: readonly string[];
  readonly protect?: boolean;
  readonly additionalSecretOutputs?: readonly string[];
  readonly provider?: { readonly type: string; readonly urn: string; readonly name: string; readonly props: Record<string, Json> };
}

export interface Diagnostic {
  readonly policy: string;
  readonly level: Level;
  readonly resource: string;
  readonly message: string;
}

const LEVEL_NAMES: Record<number, Level> = {
  [analyzer.EnforcementLevel.ADVISORY]: "advisory",
  [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzer.EnforcementLevel.DISABLED]: "disabled",
  [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_VALUES: Record<Level, analyzer.EnforcementLevel> = {
  advisory: analyzer.EnforcementLevel.ADVISORY,
  mandatory: analyzer.EnforcementLevel.MANDATORY,
  disabled: analyzer.EnforcementLevel.DISABLED,
  remediate: analyzer.EnforcementLevel.REMEDIATE,
};

export async function describePack(pack: RunningPack): Promise<{ name: string; version: string; policies: PolicyDescription[] }> {
  const info = await unary<EmptyMessage, analyzer.AnalyzerInfo>(pack.client.getAnalyzerInfo.bind(pack.client), new Empty());
  const policies = info.getPoliciesList().map((p) => {
    const schema = (p.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<string, { type?: string; default?: unknown }>;
    const defaults = Object.fromEntries(Object.entries(schema).filter(([, s]) => s.default !== undefined).map(([k, s]) => [k, s.default]));
    return { name: p.getName(), level: LEVEL_NAMES[p.getEnforcementlevel()] ?? "advisory", defaults, schema };
  });
  return { name: info.getName(), version: info.getVersion(), policies };
}

export async function configure(pack: RunningPack, config: ReadonlyMap<string, ResolvedPolicyConfig>): Promise<void> {
  const req = new analyzer.ConfigureAnalyzerRequest();
  const map = req.getPolicyconfigMap();
  for (const [name, c] of config) {
    const pc = new analyzer.PolicyConfig();
    pc.setEnforcementlevel(LEVEL_VALUES[c.level]);
    pc.setProperties(Struct.fromJavaScript(c.properties as Record<string, never>));
    map.set(name, pc);
  }
  await unary<analyzer.ConfigureAnalyzerRequest, EmptyMessage>(pack.client.configure.bind(pack.client), req);
}

function options(r: CheckResource): analyzer.AnalyzerResourceOptions {
  const o = new analyzer.AnalyzerResourceOptions();
  o.setProtect(r.protect ?? false);
  o.setIgnorechangesList([]);
  o.setDeletebeforereplace(false);
  o.setDeletebeforereplacedefined(false);
  o.setAdditionalsecretoutputsList([...(r.additionalSecretOutputs ?? [])]);
  o.setAliasesList([]);
  o.setCustomtimeouts(new analyzer.AnalyzerResourceOptions.CustomTimeouts());
  o.setParent(r.parent ?? "");
  return o;
}

function provider(r: CheckResource): analyzer.AnalyzerProviderResource | undefined {
  if (!r.provider) return undefined;
  const p = new analyzer.AnalyzerProviderResource();
  p.setType(r.provider.type);
  p.setUrn(r.provider.urn);
  p.setName(r.provider.name);
  p.setProperties(Struct.fromJavaScript(r.provider.props as Record<string, never>));
  return p;
}

/** The pack's diagnostics; @pulumi/policy prefixes each message with the policy's description, dropped here. */
function diagnosticsOf(res: analyzer.AnalyzeResponse, fallbackUrn: string): Diagnostic[] {
  return res.getDiagnosticsList().map((d) => {
    const prefix = `${d.getDescription()}\n`;
    const message = d.getMessage();
    return {
      policy: d.getPolicyname(),
      level: LEVEL_NAMES[d.getEnforcementlevel()] ?? "advisory",
      resource: d.getUrn() || fallbackUrn,
      message: message.startsWith(prefix) ? message.slice(prefix.length) : message,
    };
  });
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The fields AnalyzeRequest and AnalyzerResource share (their properties go on the wire separately). */
function identify<M extends analyzer.AnalyzeRequest | analyzer.AnalyzerResource>(message: M, r: CheckResource): M {
  message.setType(r.type);
  message.setUrn(r.urn);
  message.setName(r.name);
  message.setOptions(options(r));
  const p = provider(r);
  if (p) message.setProvider(p);
  return message;
}

/** The request without its properties (small: set through the generated code), then the properties. */
function analyzeRequestBytes(r: CheckResource): Buffer {
  return withStruct(identify(new analyzer.AnalyzeRequest(), r).serializeBinary(), 2, r.inputs);
}

function analyzerResourceBytes(r: CheckResource): Buffer {
  const a = identify(new analyzer.AnalyzerResource(), r);
  a.setParent(r.parent ?? "");
  a.setDependenciesList([...r.dependencies]);
  return withStruct(a.serializeBinary(), 2, r.outputs);
}

/** One analyzer call with a pre-encoded request. */
function call(pack: RunningPack, method: "Analyze" | "AnalyzeStack", bytes: Buffer): Promise<analyzer.AnalyzeResponse> {
  return new Promise((resolve, reject) =>
    pack.client.makeUnaryRequest(`/pulumirpc.Analyzer/${method}`, (b: Buffer) => b, (b: Buffer) => analyzer.AnalyzeResponse.deserializeBinary(b), bytes, (err, res) =>
      err || !res ? reject(err ?? new Error(`${method} returned nothing`)) : resolve(res),
    ),
  );
}

/**
 * Analyze for every resource (`concurrency` calls in flight) and AnalyzeStack once. The stack
 * call goes out alongside the others: the pack answers each call on its own, so the order of
 * the calls changes no diagnostic, and the pack has work while the client encodes.
 */
export async function analyzeAll(pack: RunningPack, resources: readonly CheckResource[], concurrency = 256): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[][] = resources.map(() => []);
  const order = resources.map((r, i) => ({ r, i }));
  const stack = call(pack, "AnalyzeStack", repeated(1, resources.map(analyzerResourceBytes)));
  await pool(order, concurrency, async ({ r, i }) => {
    diagnostics[i] = diagnosticsOf(await call(pack, "Analyze", analyzeRequestBytes(r)), r.urn);
  });
  return [...diagnostics.flat(), ...diagnosticsOf(await stack, "")];
}

/** GetAnalyzerInfo, Configure with `file` over the schema defaults, then every Analyze call. */
export async function runPack(pack: RunningPack, resources: readonly CheckResource[], file: Record<string, unknown>, source: string) {
  const info = await describePack(pack);
  const config = resolveConfig(info.policies, file, source);
  await configure(pack, config);
  const diagnostics = await analyzeAll(pack, resources);
  return { info, config, diagnostics };
}
