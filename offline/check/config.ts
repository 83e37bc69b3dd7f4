/**
 * Policy pack configuration, resolved the way `pulumi preview --policy-pack-config` does:
 * each policy's schema defaults, then the file's values. The file maps policy names to an
 * enforcement level, or to `{ enforcementLevel?, ...properties }`; `all` sets every level.
 */
import { readTextFile } from "../project";
import { parseJsonStrict } from "../yaml-input";
import { SynthError } from "../runtime";

export type Level = "advisory" | "mandatory" | "remediate" | "disabled";
const LEVELS: readonly Level[] = ["advisory", "mandatory", "remediate", "disabled"];

export interface PolicyDescription {
  readonly name: string;
  readonly level: Level;
  readonly defaults: Record<string, unknown>;
  readonly schema: Record<string, { type?: string }>;
}

export interface ResolvedPolicyConfig {
  readonly level: Level;
  readonly properties: Record<string, unknown>;
}

function typeMatches(type: string | undefined, value: unknown): boolean {
  switch (type) {
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

export function readConfigFile(file: string): Record<string, unknown> {
  const text = readTextFile(file, `policy pack config ${file}`);
  try {
    const parsed: unknown = parseJsonStrict(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("expected a JSON object");
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new SynthError(`policy pack config ${file}: ${(err as Error).message}`);
  }
}

export function resolveConfig(policies: readonly PolicyDescription[], file: Record<string, unknown>, source: string): Map<string, ResolvedPolicyConfig> {
  const byName = new Map(policies.map((p) => [p.name, p]));
  const problems: string[] = [];
  const all = file.all;
  if (all !== undefined && !LEVELS.includes(all as Level)) problems.push(`"all" is ${JSON.stringify(all)}; expected one of ${LEVELS.join(", ")}`);
  const resolved = new Map<string, ResolvedPolicyConfig>();
  for (const p of policies) resolved.set(p.name, { level: (all as Level | undefined) ?? p.level, properties: { ...p.defaults } });
  for (const [name, value] of Object.entries(file)) {
    if (name === "all") continue;
    const policy = byName.get(name);
    if (!policy) {
      problems.push(`"${name}" is not a policy of the pack`);
      continue;
    }
    const entry = resolved.get(name) as ResolvedPolicyConfig;
    if (typeof value !== "string" && (typeof value !== "object" || value === null || Array.isArray(value))) {
      problems.push(`"${name}" is ${JSON.stringify(value)}; expected an enforcement level (${LEVELS.join(", ")}) or an object { "enforcementLevel": ..., <settings> }`);
      continue;
    }
    const { enforcementLevel, ...properties } = typeof value === "string" ? { enforcementLevel: value } : (value as Record<string, unknown>);
    if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel as Level)) {
      problems.push(`"${name}".enforcementLevel is ${JSON.stringify(enforcementLevel)}; expected one of ${LEVELS.join(", ")}`);
    }
    for (const [key, v] of Object.entries(properties)) {
      if (!(key in policy.schema)) problems.push(`"${name}".${key} is not a setting of ${name} (settings: ${Object.keys(policy.schema).join(", ") || "none"})`);
      else if (!typeMatches(policy.schema[key].type, v)) problems.push(`"${name}".${key} is ${JSON.stringify(v)}; expected ${policy.schema[key].type}`);
    }
    resolved.set(name, { level: (enforcementLevel as Level | undefined) ?? entry.level, properties: { ...entry.properties, ...properties } });
  }
  if (problems.length) throw new SynthError(problems.map((p) => `policy pack config ${source}: ${p}`).join("\n"));
  return resolved;
}
