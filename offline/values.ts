/**
 * Pulumi's wire format for property values, as the monitor receives them: secrets are
 * `{ [sig]: SECRET_SIG, value }`, resource references `{ [sig]: RESOURCE_SIG, urn }`.
 * These helpers unwrap them (for the mock providers) or redact them (for everything written).
 */

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const REDACTED = "[secret]";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function sigOf(value: unknown): string | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? ((value as Record<string, unknown>)[SIG_KEY] as string | undefined) : undefined;
}

export function isSecretValue(value: unknown): boolean {
  return sigOf(value) === SECRET_SIG;
}

/** Wraps a value as a secret on the wire. */
export function secretValue(value: unknown): Record<string, unknown> {
  return isSecretValue(value) ? (value as Record<string, unknown>) : { [SIG_KEY]: SECRET_SIG, value };
}

/** The plain value: secrets unwrapped, resource references replaced by their URN. */
export function unwrap(value: unknown): Json {
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value !== "object" || value === null) return value as Json;
  const sig = sigOf(value);
  const record = value as Record<string, unknown>;
  if (sig === SECRET_SIG) return unwrap(record.value);
  if (sig === RESOURCE_SIG) return (record.urn as string) ?? null;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = unwrap(v);
  return out;
}

/** The value with every secret replaced by `[secret]`: what may be written or printed. */
export function redact(value: unknown): Json {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== "object" || value === null) return value as Json;
  const sig = sigOf(value);
  const record = value as Record<string, unknown>;
  if (sig === SECRET_SIG) return REDACTED;
  if (sig === RESOURCE_SIG) return (record.urn as string) ?? null;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = redact(v);
  return out;
}

/** Every value of an object replaced by `[secret]` (e.g. a Secret's `data`). */
export function redactValues(value: Json | undefined): Json | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value === undefined ? undefined : REDACTED;
  return Object.fromEntries(Object.keys(value).map((k) => [k, REDACTED]));
}

/** A short deterministic hex digest (FNV-1a, 64-bit folded) for auto-names and ids. */
export function digest(text: string, length = 8): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  let out = "";
  while (out.length < length) {
    out += h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
    h1 = Math.imul(h1 ^ h2, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ (h1 >>> 7), 0x5bd1e995) >>> 0;
  }
  return out.slice(0, length);
}
