/**
 * Quoting for every target a generated file puts a value into, one function per target, each
 * from that target's own grammar (cited below). Pure. A value no target can carry (NUL) or that
 * a target cannot represent at all (a newline in a pg_hba.conf field) throws a
 * {@link QuotingError}: components validate such values first (field errors through their
 * Validator, see {@link unquotableReason}), so reaching the throw is a bug in keel, not in the
 * user's args.
 *
 * Where a value is a *name* of the target's own syntax (a setting name, a bucket, a topic), it is
 * validated against that syntax instead of being quoted: see the components' resolve functions.
 */
import { stringify } from "yaml";

/** A value that cannot be written into `target` whatever the quoting. */
export class QuotingError extends Error {
  constructor(
    public readonly target: string,
    public readonly value: string,
    reason: string,
  ) {
    super(`${target}: cannot write ${JSON.stringify(value)}: ${reason}`);
    this.name = "QuotingError";
  }
}

/** The targets {@link unquotableReason} knows. */
export type QuoteTarget = "shell" | "postgresql.conf" | "pg_hba.conf" | "properties" | "ini" | "toml" | "yaml" | "redis.conf" | "json";

/**
 * Why `value` cannot be written into `target` at all, or undefined when its quoting function
 * accepts it. For validators: `v.require(unquotableReason(t, x) === undefined, field, x, ...)`.
 */
export function unquotableReason(target: QuoteTarget, value: string): string | undefined {
  if (typeof value !== "string") return "expected a string";
  if (value.includes("\0")) return "a NUL character cannot be carried by any configuration file or script";
  if (target === "pg_hba.conf" && /[\r\n]/.test(value)) return "pg_hba.conf has one record per line: a field cannot hold a line break";
  if (target === "pg_hba.conf" && value.length === 0) return "pg_hba.conf has no empty field";
  if (target === "ini" && /[\r\n]/.test(value)) return "an INI value is one line";
  if (target === "ini" && value.includes('"') && !INI_RAW.test(value)) return "INI has no escape: a value with a double quote cannot begin with it, begin or end with a blank, or hold ';' or '#'";
  return undefined;
}

function check(target: QuoteTarget, value: string): string {
  const reason = unquotableReason(target, value);
  if (reason !== undefined) throw new QuotingError(target, value, reason);
  return value;
}

// ---------------------------------------------------------------------------------------------
// POSIX shell (XCU 2.2): inside single quotes every character is literal except the closing
// quote, which is written as '\'' (close, an escaped quote, reopen).

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One shell word that means exactly `value` (unquoted when it has no special characters). */
export function shellQuote(value: string): string {
  check("shell", value);
  if (SHELL_SAFE.test(value)) return value;
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/** A command line whose words are exactly `args`. */
export function shellCommand(args: readonly string[]): string {
  return args.map(shellQuote).join(" ");
}

// ---------------------------------------------------------------------------------------------
// postgresql.conf (src/backend/utils/misc/guc-file.l): `name = value`; a quoted value is
// '...' where '' is a quote and a backslash escapes (\b \f \n \r \t, \ooo octal, \c -> c); a
// raw line break ends the line, so it is written \n. Numbers and on/off need no quotes.

const PG_NAMED_ESCAPES: Readonly<Record<string, string>> = { "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", "'": "''" };

/** A postgresql.conf value: numbers as they are, booleans on/off, strings single-quoted. */
export function postgresConfValue(value: string | number | boolean): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new QuotingError("postgresql.conf", String(value), "expected a finite number");
    return String(value);
  }
  check("postgresql.conf", value);
  // eslint-disable-next-line no-control-regex
  const body = value.replace(/[\x00-\x1f\x7f'\\]/g, (c) => PG_NAMED_ESCAPES[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
  return `'${body}'`;
}

// ---------------------------------------------------------------------------------------------
// pg_hba.conf (src/backend/libpq/hba.c, next_token): fields split on blanks and commas, '#'
// starts a comment, "..." quotes (a quote inside is ""), and a quoted keyword (all, sameuser,
// samerole, samegroup, replication) or +group/@file loses its special meaning. No line breaks.

const HBA_SAFE = /^[A-Za-z0-9_.:/-]+$/;
const HBA_KEYWORDS = ["all", "sameuser", "samerole", "samegroup", "replication", "samehost", "samenet"];

/** A pg_hba.conf field naming exactly `value` (a database, a role, an address). */
export function pgHbaField(value: string): string {
  check("pg_hba.conf", value);
  if (HBA_SAFE.test(value) && !HBA_KEYWORDS.includes(value)) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// Java .properties (java.util.Properties.load/store): ISO 8859-1 with \uXXXX for anything else;
// '\' escapes; in a key '=', ':' and blanks end the key unless escaped; '#' and '!' at the start
// of a line begin a comment; leading blanks of a value are dropped unless escaped; \t \n \r \f;
// a line ending in an odd number of '\' continues. Keys are escaped as store() does; values only
// where load() would read something else ('=', ':', '#', '!' inside a value are literal).

function escapeProperties(text: string, isKey: boolean): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const code = text.charCodeAt(i);
    if (c === "\\") out += "\\\\";
    else if (c === "\t") out += "\\t";
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\f") out += "\\f";
    else if (c === " ") out += isKey || i === 0 ? "\\ " : " ";
    else if (isKey && "=:#!".includes(c)) out += `\\${c}`;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += c;
  }
  return out;
}

/** A .properties key (escaped as Properties.store does). */
export function propertiesKey(key: string): string {
  check("properties", key);
  return escapeProperties(key, true);
}

/** A .properties value (escaped as Properties.store does). */
export function propertiesValue(value: string): string {
  check("properties", value);
  return escapeProperties(value, false);
}

/** `key=value` lines, one per entry, in order. */
export function propertiesLines(props: Readonly<Record<string, string>>): string[] {
  return Object.entries(props).map(([k, v]) => `${propertiesKey(k)}=${propertiesValue(v)}`);
}

// ---------------------------------------------------------------------------------------------
// INI (the common dialect of go-ini, Python's configparser and systemd): one `key = value` per
// line, ';' or '#' begin a comment, surrounding blanks are dropped; a value in double quotes
// keeps its blanks and comment characters. There is no escape: what cannot be written is refused.

/** Written as it is: no surrounding blanks, no comment character, no leading quote. */
const INI_RAW = /^[^\s;#"`]([^;#\r\n]*[^\s;#])?$/;

/** An INI value: as it is when nothing in it is special, else double-quoted. */
export function iniValue(value: string): string {
  check("ini", value);
  if (value === "") return '""';
  if (INI_RAW.test(value) && !value.includes('"')) return value;
  return value.includes('"') ? value : `"${value}"`;
}

// ---------------------------------------------------------------------------------------------
// TOML (toml.io v1.0.0, basic strings): "..." with \\ \" \b \t \n \f \r and \uXXXX for other
// control characters.

/** A TOML basic string. */
export function tomlString(value: string): string {
  check("toml", value);
  // eslint-disable-next-line no-control-regex
  return `"${value.replace(/[\x00-\x1f\x7f"\\]/g, (c) => ({ "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\" })[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`)}"`;
}

// ---------------------------------------------------------------------------------------------
// YAML and JSON: built as objects and serialized, never templated. NUL is refused in both (YAML
// could escape it, but no server keel configures accepts it in a setting).

function assertNoNul(target: QuoteTarget, value: unknown, seen = new Set<unknown>()): void {
  if (typeof value === "string") check(target, value);
  else if (typeof value === "object" && value !== null && !seen.has(value)) {
    seen.add(value);
    for (const [k, v] of Object.entries(value)) {
      check(target, k);
      assertNoNul(target, v, seen);
    }
  }
}

/** A YAML document of `value` (the `yaml` package's serializer: it quotes whatever needs it). */
export function yamlDocument(value: unknown): string {
  assertNoNul("yaml", value);
  return stringify(value);
}

/** JSON text of `value` (indented when `indent` is given). */
export function jsonDocument(value: unknown, indent?: number): string {
  assertNoNul("json", value);
  return JSON.stringify(value, null, indent);
}

// ---------------------------------------------------------------------------------------------
// redis.conf (sds.c, sdssplitargs): arguments split on blanks; "..." understands \\ \" \n \r \t
// \b \a and \xHH, and must be followed by a blank or the end of the line.

const REDIS_SAFE = /^[A-Za-z0-9_.,:/@%+=-]+$/;

/** One redis.conf argument meaning exactly `value` (bare when nothing in it is special, else double-quoted). */
export function redisConfArg(value: string): string {
  check("redis.conf", value);
  if (REDIS_SAFE.test(value)) return value;
  const escaped = Array.from(Buffer.from(value, "utf8"))
    .map((b) => {
      if (b === 0x5c) return "\\\\";
      if (b === 0x22) return '\\"';
      if (b === 0x0a) return "\\n";
      if (b === 0x0d) return "\\r";
      if (b === 0x09) return "\\t";
      if (b < 0x20 || b >= 0x7f) return `\\x${b.toString(16).padStart(2, "0")}`;
      return String.fromCharCode(b);
    })
    .join("");
  return `"${escaped}"`;
}

/** A redis.conf line: the directive and its arguments, each quoted. */
export function redisConfLine(directive: string, ...args: readonly string[]): string {
  if (!/^[a-z][a-z0-9-]*$/.test(directive)) throw new QuotingError("redis.conf", directive, "expected a directive name (lowercase letters, digits, '-')");
  return [directive, ...args.map(redisConfArg)].join(" ");
}

// ---------------------------------------------------------------------------------------------
// Names of a target's own syntax (setting names, config keys) are validated, never quoted.

export { didYouMean } from "./did-you-mean";
