/**
 * Reads and validates the stack configuration (`Pulumi.<stack>.yaml`). Only `index.ts` and
 * the blueprints read config; components never do.
 */
import * as pulumi from "@pulumi/pulumi";
import { KubernetesPlatformArgs } from "../components";
import { describeValue } from "../components/core/errors";
import { EnvironmentName, environments, Environment } from "./environments";

export const BLUEPRINTS = ["req1"] as const;
export type BlueprintName = (typeof BLUEPRINTS)[number];
export const PLATFORMS = ["kubernetes"] as const;

export interface StackConfig {
  readonly blueprint: BlueprintName;
  readonly platform: (typeof PLATFORMS)[number];
  readonly environment: Environment;
  /** `keel:kubernetes`: cluster connection and namespace settings (all optional). */
  readonly kubernetes: Omit<KubernetesPlatformArgs, "system">;
  /** The whole config namespace, for blueprint-specific keys. */
  readonly config: pulumi.Config;
}

/** A stack configuration error: names the key, the value and what is allowed. */
export class StackConfigError extends Error {
  constructor(key: string, value: unknown, allowed: string) {
    super(`stack config ${pulumi.getProject()}:${key} is ${describeValue(value)}; ${allowed}`);
    this.name = "StackConfigError";
  }
}

function oneOf<T extends string>(config: pulumi.Config, key: string, allowed: readonly T[], fallback?: T): T {
  const value = config.get(key) ?? fallback;
  if (value === undefined || !allowed.includes(value as T)) {
    throw new StackConfigError(key, value, `expected one of ${allowed.join(", ")}`);
  }
  return value as T;
}

export function readStackConfig(config = new pulumi.Config()): StackConfig {
  const blueprint = oneOf(config, "blueprint", BLUEPRINTS);
  const platform = oneOf(config, "platform", PLATFORMS, "kubernetes");
  const environmentName = oneOf<EnvironmentName>(config, "environment", ["dev", "prod"]);
  const kubernetes = config.getObject<Omit<KubernetesPlatformArgs, "system">>("kubernetes") ?? {};
  if (typeof kubernetes !== "object" || Array.isArray(kubernetes)) {
    throw new StackConfigError("kubernetes", kubernetes, "expected an object such as { context: \"kind-keel\" }");
  }
  return { blueprint, platform, environment: environments[environmentName], kubernetes, config };
}

/** A required string of a blueprint's config object, e.g. `keel:req1.image`. */
export function requireString(section: Record<string, unknown>, sectionKey: string, key: string): string {
  const value = section[key];
  if (typeof value !== "string" || value.length === 0) {
    throw new StackConfigError(`${sectionKey}.${key}`, value, "expected a non-empty string");
  }
  return value;
}
