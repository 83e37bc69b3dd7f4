/**
 * postgresql.conf and pg_hba.conf, generated from typed settings. Pure functions: the
 * component mounts their output, and `npm run test:real` starts real servers from it.
 * Values are quoted for their file (core/quoting.ts: postgresql.conf strings, pg_hba.conf
 * fields, shell words inside archive_command); setting names are validated against PostgreSQL
 * 16's own list (validatePostgresSettings).
 */
import type { Validator } from "../core/errors";
import { didYouMean, pgHbaField, postgresConfValue, shellQuote, unquotableReason } from "../core/quoting";
import { PG_SETTINGS, PgSetting } from "./settings-names";
import { PG_SETTING_RANGES } from "./settings-ranges";

export interface PostgresSettings {
  /** Memory limit of the server container in bytes: shared_buffers, caches and work_mem follow from it. */
  readonly memoryBytes: number;
  /** @default 100 */
  readonly maxConnections: number;
  /** Read replicas that stream from the primary (sizes max_wal_senders). */
  readonly replicas: number;
  /** WAL kept for replicas that fall behind, e.g. "1GB". */
  readonly walKeepSize: string;
  /**
   * Most WAL the primary keeps for a replica's replication slot (`max_slot_wal_keep_size`, e.g.
   * "2560MB"): past it the slot is invalidated (the replica is copied again on its next start), so
   * a dead replica cannot fill the primary's volume.
   */
  readonly maxSlotWalKeepSize: string;
  /** Size of /dev/shm in bytes (sharedMemorySize()): counted against the memory limit when work_mem is derived. @default sharedMemorySize(memoryBytes) */
  readonly sharedMemoryBytes?: number;
  /**
   * WAL archiving: archive_command runs `script` (walArchiveScript()), which copies each finished
   * segment into `spoolDir` (shipped to object storage by the helpers) and refuses while the spool
   * holds more than `limitBytes`. Undefined: no archiving.
   */
  readonly archive?: { readonly script: string; readonly spoolDir: string; readonly limitBytes: number };
  /** Serve TLS with this certificate and key (PEM files). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Extra settings, written last (they win). */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

const MB = 1024 * 1024;

function mb(bytes: number): string {
  return `${Math.max(1, Math.floor(bytes / MB))}MB`;
}

/**
 * A word of a command PostgreSQL runs through the shell (archive_command, restore_command): quoted
 * for sh, then '%' doubled (PostgreSQL replaces %p, %f, %r and %% before the shell sees it).
 */
export function pgCommandWord(value: string): string {
  return shellQuote(value).replace(/%/g, "%%");
}

/**
 * The size of the memory-backed /dev/shm: PostgreSQL's dynamic shared memory
 * (`dynamic_shared_memory_type = posix`: parallel hash joins, parallel sorts and bitmap scans share
 * their state there; shared_buffers itself is anonymous mmap). Half of shared_buffers (an eighth of
 * the memory limit), at least 128 MiB (twice the container runtime's 64 MiB default), at most a
 * quarter of the limit; whole MiB. Pages written there count against the container's memory limit.
 */
export function sharedMemorySize(memoryBytes: number): number {
  if (memoryBytes <= 0) return 128 * MB;
  return Math.floor(Math.min(memoryBytes / 4, Math.max(memoryBytes / 8, 128 * MB)) / MB) * MB;
}

/**
 * Memory-derived sizing (the usual pgtune rules for a dedicated server): shared_buffers 25 %,
 * effective_cache_size 75 %; work_mem shares what shared_buffers and /dev/shm leave over
 * 4 x maxConnections (at least 4MB).
 */
export function memorySizing(memoryBytes: number, maxConnections: number, sharedMemoryBytes = sharedMemorySize(memoryBytes)): Record<string, string> {
  const sharedBuffers = memoryBytes / 4;
  return {
    shared_buffers: mb(sharedBuffers),
    effective_cache_size: mb((memoryBytes * 3) / 4),
    maintenance_work_mem: mb(Math.min(memoryBytes / 16, 2048 * MB)),
    work_mem: mb(Math.max(4 * MB, (memoryBytes - sharedBuffers - sharedMemoryBytes) / (maxConnections * 4))),
  };
}

/** The settings of a primary or a hot-standby replica (the same file serves both). */
export function postgresqlSettings(s: PostgresSettings): Record<string, string | number | boolean> {
  const settings: Record<string, string | number | boolean> = {
    listen_addresses: "*",
    port: 5432,
    max_connections: s.maxConnections,
    password_encryption: "scram-sha-256",
    ...memorySizing(s.memoryBytes, s.maxConnections, s.sharedMemoryBytes),
    // WAL and replication
    wal_level: "replica",
    max_wal_senders: s.replicas + 5,
    max_replication_slots: s.replicas + 5,
    wal_keep_size: s.walKeepSize,
    // Each replica streams on its own physical slot (replica-bootstrap.sh); a dead one holds at most this much WAL.
    max_slot_wal_keep_size: s.maxSlotWalKeepSize,
    hot_standby: true,
    hot_standby_feedback: true,
    wal_log_hints: true,
    checkpoint_completion_target: 0.9,
    min_wal_size: "80MB",
    max_wal_size: "1GB",
    archive_mode: s.archive !== undefined,
    // Logs go to stderr (the container log), with enough context to be useful.
    logging_collector: false,
    log_destination: "stderr",
    log_line_prefix: "%m [%p] %q%u@%d ",
    log_min_duration_statement: 1000,
    log_checkpoints: true,
    log_lock_waits: true,
    log_temp_files: 0,
    timezone: "UTC",
    log_timezone: "UTC",
    shared_preload_libraries: "pg_stat_statements",
  };
  if (s.tls) {
    Object.assign(settings, { ssl: true, ssl_cert_file: s.tls.certFile, ssl_key_file: s.tls.keyFile, ssl_min_protocol_version: "TLSv1.2" });
  }
  if (s.archive !== undefined) {
    const a = s.archive;
    // Bounded: the script fails (PostgreSQL keeps the segment in pg_wal and retries) while the spool is full.
    settings.archive_command = `/bin/sh ${pgCommandWord(a.script)} %p %f ${pgCommandWord(a.spoolDir)} ${Math.floor(a.limitBytes)}`;
    settings.archive_timeout = 300;
  }
  return { ...settings, ...(s.extra ?? {}) };
}

export function postgresqlConf(s: PostgresSettings): string {
  const lines = ["# Generated by keel (PostgresCluster). Edit the component's args, not this file."];
  for (const [key, value] of Object.entries(postgresqlSettings(s))) lines.push(`${key} = ${postgresConfValue(value)}`);
  return `${lines.join("\n")}\n`;
}

export interface HbaSettings {
  /** Networks clients and replicas connect from (the platform's pod CIDRs, IPv4 or IPv6); NetworkPolicies narrow it further. */
  readonly clientCidrs: readonly string[];
  /** The role replicas stream as. */
  readonly replicationUser: string;
  /** Accept TCP connections only over TLS (`hostssl`); the Unix socket stays for local tools. */
  readonly requireTls?: boolean;
}

/** Password (SCRAM) authentication everywhere; never `trust`. */
export function pgHbaConf(h: HbaSettings): string {
  const host = h.requireTls ? "hostssl" : "host   ";
  const lines = [
    `# Generated by keel (PostgresCluster): SCRAM passwords for every connection, never trust${h.requireTls ? "; TCP only over TLS" : ""}.`,
    "# TYPE  DATABASE     USER                ADDRESS          METHOD",
    "local   all          all                                  scram-sha-256",
    `${host} all          all                 127.0.0.1/32     scram-sha-256`,
    `${host} all          all                 ::1/128          scram-sha-256`,
  ];
  for (const cidr of h.clientCidrs) lines.push(`${host} replication  ${pgHbaField(h.replicationUser).padEnd(18)}  ${pgHbaField(cidr).padEnd(15)}  scram-sha-256`);
  // The replication role also connects to "postgres" (replica-bootstrap.sh manages its slot): the "all" lines admit it.
  for (const cidr of h.clientCidrs) lines.push(`${host} all          all                 ${pgHbaField(cidr).padEnd(15)}  scram-sha-256`);
  return `${lines.join("\n")}\n`;
}

const MEMORY_UNITS = ["B", "kB", "MB", "GB", "TB"];
const TIME_UNITS = ["us", "ms", "s", "min", "h", "d"];
const NUMBER = "[-+]?(?:0[xX][0-9a-fA-F]+|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)";
/** PostgreSQL's custom (extension) setting names: dot-separated identifiers (guc.c, valid_custom_variable_name). */
const CUSTOM_NAME = /^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)+$/;
/** Extensions keel loads (shared_preload_libraries), whose settings are known. */
const LOADED_PREFIXES = ["pg_stat_statements"];

/** PostgreSQL's parse_bool: a prefix of true/false/yes/no, on, of(f), 1, 0 (case-insensitive). */
export function isPostgresBool(value: string): boolean {
  const v = value.toLowerCase();
  if (v.length === 0) return false;
  return ["true", "false", "yes", "no"].some((word) => word.startsWith(v)) || v === "on" || (v.length >= 2 && "off".startsWith(v)) || v === "1" || v === "0";
}

const UNIT_FACTORS: Readonly<Record<string, number>> = { B: 1, kB: 1024, "8kB": 8192, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** Outside the setting's range (PostgreSQL would not start), with the range in the setting's unit. */
function rangeProblem(s: PgSetting, amount: number, unit: string | undefined): string | undefined {
  const range = PG_SETTING_RANGES.get(s.name);
  if (!range || !Number.isFinite(amount)) return undefined;
  const inOwnUnit = unit === undefined || s.unit === undefined ? amount : (amount * UNIT_FACTORS[unit]) / UNIT_FACTORS[s.unit];
  if (inOwnUnit >= range[0] && inOwnUnit <= range[1]) return undefined;
  const unitName = s.unit === undefined ? "" : ` ${s.unit}`;
  return `expected from ${range[0]} to ${range[1]}${unitName}`;
}

/** Why `value` is not a value of setting `s` as PostgreSQL parses it, or undefined. */
function settingValueProblem(s: PgSetting, value: string | number | boolean): string | undefined {
  if (typeof value === "string") {
    const reason = unquotableReason("postgresql.conf", value);
    if (reason !== undefined) return `expected a value postgresql.conf can hold: ${reason}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return "expected a finite number";
  const units = s.unit === undefined ? [] : ["B", "kB", "8kB", "MB"].includes(s.unit) ? MEMORY_UNITS : TIME_UNITS;
  const unitText = units.length === 0 ? "" : ` with an optional unit (${units.join(", ")}; case-sensitive; a bare number is in ${s.unit})`;
  switch (s.type) {
    case "bool":
      return typeof value === "boolean" || (typeof value === "string" && isPostgresBool(value)) || value === 0 || value === 1 ? undefined : "expected true or false (or on, off, yes, no, 1, 0)";
    case "integer":
    case "real": {
      const kind = s.type === "integer" ? "an integer" : "a number";
      if (typeof value === "boolean" || (typeof value === "number" && s.type === "integer" && !Number.isInteger(value))) return `expected ${kind}${unitText}`;
      const pattern = new RegExp(`^\\s*(${NUMBER})\\s*${units.length ? `(${units.join("|")})?` : ""}\\s*$`);
      const m = typeof value === "string" ? pattern.exec(value) : null;
      if (typeof value === "string" && !m) return `expected ${kind}${unitText}`;
      return rangeProblem(s, typeof value === "number" ? value : Number(m![1]), m?.[2]);
    }
    case "enum": {
      const given = typeof value === "boolean" ? (value ? "on" : "off") : String(value).toLowerCase();
      const allowed = s.values ?? [];
      return allowed.some((a) => a.toLowerCase() === given) ? undefined : `expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
    }
    default:
      return undefined;
  }
}

/**
 * PostgreSQL setting names and values in `parameters` (the PostgresCluster arg of that name):
 * names from PostgreSQL 16's own list (settings-names.ts) with a "did you mean", custom
 * `extension.name` settings by their syntax (those of extensions keel loads by their list), no
 * read-only setting; values by the setting's type (bool, integer/real with its units, enum) and
 * nothing postgresql.conf cannot hold (NUL). Keys that are not lowercase names at all are left to
 * the syntax check of resolve.ts.
 */
export function validatePostgresSettings(v: Validator, parameters: Readonly<Record<string, unknown>> | undefined, field = "parameters"): void {
  if (typeof parameters !== "object" || parameters === null) return;
  for (const [key, value] of Object.entries(parameters)) {
    if (!/^[a-z_][a-z0-9_.$]*$/.test(key)) continue;
    const known = PG_SETTINGS.get(key);
    const prefix = key.split(".")[0];
    if (!known) {
      if (CUSTOM_NAME.test(key) && !LOADED_PREFIXES.includes(prefix) && !PG_SETTINGS.has(prefix)) continue;
      const candidates = key.includes(".") ? [...PG_SETTINGS.keys()].filter((k) => k.startsWith(`${prefix}.`)) : [...PG_SETTINGS.keys()];
      v.fail(`${field}.${key} is an unknown PostgreSQL 16 setting; expected a name from pg_settings, or extension.name for an extension's own${didYouMean(key, candidates.length ? candidates : PG_SETTINGS.keys())}`);
      continue;
    }
    if (known.context === "internal") {
      v.require(false, `${field}.${key}`, value, "expected no value: it is a read-only PostgreSQL setting (fixed when the server is built or its data directory initialized)");
      continue;
    }
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") continue;
    const problem = settingValueProblem(known, value);
    if (problem !== undefined) v.require(false, `${field}.${key}`, value, `${problem} (PostgreSQL ${known.type} setting)`);
  }
}
