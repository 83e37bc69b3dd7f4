/**
 * The deterministic values of offline provider answers: derived from a resource's URN (every run
 * gives the same), in the formats the real providers use. Shared by offline/aws-mocks.ts,
 * offline/aws-calls.ts and offline/container-mocks.ts.
 */
import type { NewResource } from "./providers";
import { Json, digest, unwrap } from "./values";

export const AWS_ACCOUNT = "123456789012";
export const AWS_PARTITION = "aws";
export const DEFAULT_AWS_REGION = "eu-west-1";

export type Inputs = Record<string, Json>;

/** The `aws:region` of the run's stack config (the SDK keeps config in its global store). */
export function configuredRegion(): string | undefined {
  const g = globalThis as { asyncLocalStorage?: { getStore(): unknown }; globalStore?: unknown };
  const store = (g.asyncLocalStorage?.getStore() ?? g.globalStore) as { config?: Record<string, string> } | undefined;
  try {
    const config = JSON.parse(store?.config?.PULUMI_CONFIG ?? "{}") as Record<string, unknown>;
    const region = config["aws:region"];
    return typeof region === "string" && region.length > 0 ? region : undefined;
  } catch {
    return undefined;
  }
}

export function regionOf(inputs: Inputs): string {
  return typeof inputs.region === "string" && inputs.region.length > 0 ? inputs.region : (configuredRegion() ?? DEFAULT_AWS_REGION);
}

const DIRECTIONS: Record<string, string> = { east: "e", west: "w", north: "n", south: "s", central: "c", northeast: "ne", southeast: "se", northwest: "nw", southwest: "sw" };

/** `eu-west-1` → `euw1`: the prefix of AZ ids and of ElastiCache endpoints. */
export function shortRegion(region: string): string {
  const parts = region.split("-");
  return parts.map((p, i) => (i === 0 || i === parts.length - 1 ? p : (DIRECTIONS[p] ?? p.charAt(0)))).join("");
}

export const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
export const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
export const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function pick(seed: string, length: number, alphabet: string): string {
  const hex = digest(seed, length * 2);
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
  return out;
}

export function uuid(seed: string): string {
  const hex = digest(seed, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The deterministic values of one resource. */
export class Values {
  readonly region: string;
  constructor(
    readonly r: NewResource,
    readonly inputs: Inputs,
  ) {
    this.region = regionOf(inputs);
  }
  hex(tag: string, n: number): string {
    return digest(`${this.r.urn}#${tag}`, n);
  }
  lower(tag: string, n: number): string {
    return pick(`${this.r.urn}#${tag}`, n, LOWER_ALNUM);
  }
  upper(tag: string, n: number): string {
    return pick(`${this.r.urn}#${tag}`, n, UPPER_ALNUM);
  }
  alnum(tag: string, n: number): string {
    return pick(`${this.r.urn}#${tag}`, n, ALNUM);
  }
  uuid(tag: string): string {
    return uuid(`${this.r.urn}#${tag}`);
  }
  /** An EC2-style id: `vpc-<17 hex>`. */
  ec2(prefix: string): string {
    return `${prefix}-${this.hex(prefix, 17)}`;
  }
  str(key: string): string | undefined {
    const v = this.inputs[key];
    return typeof v === "string" && v.length > 0 ? v : undefined;
  }
  /** The name input, else `<namePrefix><26 digits>`, else Pulumi's auto-name `<resource name>-<7 hex>`. */
  name(key = "name", lower = false): string {
    const given = this.str(key);
    if (given) return given;
    const prefix = this.str(`${key}Prefix`);
    const made = prefix ? `${prefix}${this.hex("prefix", 26).replace(/[a-f]/g, (c) => String(c.charCodeAt(0) % 10))}` : `${this.r.name}-${this.hex("autoname", 7)}`;
    return lower ? made.toLowerCase() : made;
  }
  arn(service: string, resource: string, regional = true): string {
    return `arn:${AWS_PARTITION}:${service}:${regional ? this.region : ""}:${AWS_ACCOUNT}:${resource}`;
  }
}

export function at(value: Json | undefined, path: string): Json | undefined {
  let current: Json | undefined = value;
  for (const key of path.split(".")) current = current !== null && typeof current === "object" && !Array.isArray(current) ? current[key] : undefined;
  return current;
}

/** Outputs that do not replace what the program gave: a real provider echoes its inputs. */
export function keepInputs(inputs: Record<string, unknown>, outputs: Inputs): Inputs {
  const out: Inputs = {};
  for (const [key, value] of Object.entries(outputs)) {
    const given = unwrap(inputs[key]);
    if (inputs[key] === undefined || given === null) out[key] = value;
    else if (typeof given === "object" && !Array.isArray(given) && typeof value === "object" && value !== null && !Array.isArray(value)) out[key] = { ...value, ...given };
  }
  return out;
}
