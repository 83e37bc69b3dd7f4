/**
 * How keel defines policies: a check that reads plain props and reports messages, wrapped
 * once here with what every policy needs: exemptions (a resource may opt out of a policy with
 * a reason), config defaults from the policy's schema, and "cannot decide" for values that
 * are unknown during preview (never a violation).
 */
import type { EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { APPLIES_TO } from "./dispatch-by-type";
import { validExemption } from "./exemptions";
import type { Obj } from "./props";
import { hasSentinel } from "./settle";
import type { Target } from "./target";

export type { Target };

export type ConfigSchema = Record<string, PolicyConfigJSONSchema & { default: unknown }>;
export type Config = Record<string, unknown>;

interface Common {
  /** kebab-case. */
  readonly name: string;
  /** One sentence. */
  readonly description: string;
  /** The level when the pack config says nothing; the config files set it per environment. */
  readonly enforcementLevel: EnforcementLevel;
  readonly config?: ConfigSchema;
}

export interface ResourceCheck extends Common {
  /**
   * The one type token the policy applies to, when there is one: @pulumi/policy then skips
   * other resources before deserializing them (a large share of a check's time).
   */
  readonly type?: string;
  appliesTo(type: string): boolean;
  check(target: Target, report: (message: string) => void, config: Config): void;
  /** Safe, idempotent fix: the props to use instead, or undefined when nothing changes. */
  remediate?(target: Target, config: Config): Obj | undefined;
}

export interface StackCheck extends Common {
  check(resources: readonly Target[], report: (urn: string, message: string) => void, config: Config): void;
}

/** Every check of the pack by name, for the exemption audit. */
export const checks = new Map<string, { kind: "resource"; check: ResourceCheck } | { kind: "stack"; check: StackCheck }>();

/** Values unknown during preview throw this (from @pulumi/policy's proxy); a check then cannot decide. */
function isUnknownValue(err: unknown): boolean {
  return err instanceof Error && err.constructor.name === "UnknownValueError";
}

export function configWithDefaults(schema: ConfigSchema | undefined, given: Config): Config {
  const config: Config = {};
  for (const [key, property] of Object.entries(schema ?? {})) config[key] = given[key] ?? property.default;
  return config;
}

function configSchema(schema: ConfigSchema | undefined) {
  return schema ? { properties: schema } : undefined;
}

const PROXY_TARGET = "__getSpecialProxyTarget";
const settledProps = new WeakMap<object, boolean>();

/**
 * The props a resource check reads. @pulumi/policy wraps them in a proxy that throws on values
 * unknown during preview, and costs a new proxy and path per property read. When nothing in the
 * object is unknown the proxy can never throw, so checks read the plain object under it (the same
 * object for every policy: deserialize-once.ts); otherwise they read the proxy and cannot decide.
 */
function readableProps(props: Record<string, unknown>): Record<string, unknown> {
  const inner = props[PROXY_TARGET];
  if (typeof inner !== "object" || inner === null) return props;
  let known = settledProps.get(inner);
  if (known === undefined) settledProps.set(inner, (known = !hasSentinel(inner)));
  return known ? (inner as Record<string, unknown>) : props;
}

function toTarget(r: { type: string; urn: string; name: string; props: Record<string, unknown>; dependencies?: readonly { urn: string }[] }): Target {
  return { type: r.type, urn: r.urn, name: r.name, props: readableProps(r.props), dependencies: r.dependencies?.map((d) => d.urn) };
}

/** Runs a resource check and returns its messages (no exemptions): used by the audit and by tests. */
export function runResourceCheck(c: ResourceCheck, target: Target, config: Config = {}): string[] {
  const messages: string[] = [];
  if (!c.appliesTo(target.type)) return messages;
  try {
    c.check(target, (m) => messages.push(m), configWithDefaults(c.config, config));
  } catch (err) {
    if (!isUnknownValue(err)) throw err;
  }
  return messages;
}

/** Runs a stack check and returns its messages by URN (no exemptions). */
export function runStackCheck(c: StackCheck, targets: readonly Target[], config: Config = {}): { urn: string; message: string }[] {
  const found: { urn: string; message: string }[] = [];
  try {
    c.check(targets, (urn, message) => found.push({ urn, message }), configWithDefaults(c.config, config));
  } catch (err) {
    if (!isUnknownValue(err)) throw err;
  }
  return found;
}

export function resourcePolicy(c: ResourceCheck): ResourceValidationPolicy {
  checks.set(c.name, { kind: "resource", check: c });
  const policy: ResourceValidationPolicy = {
    name: c.name,
    description: c.description,
    enforcementLevel: c.enforcementLevel,
    configSchema: configSchema(c.config),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      if (!c.appliesTo(args.type)) return;
      const target = toTarget(args);
      if (validExemption(target, c.name)) return;
      for (const message of runResourceCheck(c, target, args.getConfig<Config>())) reportViolation(message);
    },
  };
  if (c.type !== undefined) {
    // The SDK's own fast path (what validateResourceOfType sets): skip other types unread.
    Object.defineProperty(policy.validateResource, "__pulumiType", { value: c.type });
  }
  // For several types: dispatch-by-type.ts hands the policy only resources it applies to.
  Object.defineProperty(policy.validateResource, APPLIES_TO, { value: c.appliesTo });
  const remediate = c.remediate;
  if (remediate) {
    policy.remediateResource = (args: ResourceValidationArgs) => {
      if (!c.appliesTo(args.type)) return undefined;
      const target = toTarget(args);
      if (validExemption(target, c.name)) return undefined;
      try {
        return remediate(target, configWithDefaults(c.config, args.getConfig<Config>()));
      } catch (err) {
        if (isUnknownValue(err)) return undefined;
        throw err;
      }
    };
  }
  return policy;
}

export function stackPolicy(c: StackCheck): StackValidationPolicy {
  checks.set(c.name, { kind: "stack", check: c });
  return {
    name: c.name,
    description: c.description,
    enforcementLevel: c.enforcementLevel,
    configSchema: configSchema(c.config),
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const targets = args.resources.map(toTarget);
      const byUrn = new Map(targets.map((t) => [t.urn, t]));
      for (const { urn, message } of runStackCheck(c, targets, args.getConfig<Config>())) {
        const target = byUrn.get(urn);
        if (target && validExemption(target, c.name)) continue;
        reportViolation(message, urn);
      }
    },
  };
}
