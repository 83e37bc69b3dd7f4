/**
 * PostgresCluster on RDS, the pure part: the `aws` args' validation and defaults (instance class,
 * storage, windows, retention) and the parameter group's values, derived from the same typed
 * settings as the in-cluster postgresql.conf (config.ts). resolve.ts calls `resolvePostgresAws`
 * before any resource exists; aws.ts turns the result into RDS resources.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isCronSchedule } from "../core/cron";
import type { Validator } from "../core/errors";
import { parseMemory } from "../core/quantities";
import type { ResolvedResources } from "../core/resources";
import { logRetentionProblem } from "../aws/log-retention";
import { checkClientSecurityGroups } from "../aws/managed-data";
import type { ResolvedStorage } from "../workload/data-store";
import { PostgresSettings, isPostgresBool, postgresqlSettings } from "./config";
import { PG_SETTINGS, PgSetting } from "./settings-names";

const GI = 1024 ** 3;

/**
 * The classes keel picks from when `aws.instanceClass` is not given, smallest first: Graviton
 * burstable t4g up to 2 vCPU / 4 GiB (not for a protected, production cluster), then general-purpose m7g (4 GiB per vCPU) and
 * memory-optimized r7g (8 GiB per vCPU), ordered by vCPUs (m7g before r7g at the same count).
 * The first whose memory holds `resources.limits.memory` and whose vCPUs hold `resources.limits.cpu` wins.
 */
export const RDS_INSTANCE_CLASSES: readonly { readonly name: string; readonly vcpu: number; readonly memoryGiB: number }[] = [
  { name: "db.t4g.micro", vcpu: 2, memoryGiB: 1 },
  { name: "db.t4g.small", vcpu: 2, memoryGiB: 2 },
  { name: "db.t4g.medium", vcpu: 2, memoryGiB: 4 },
  ...[2, 4, 8, 16, 32, 48, 64].flatMap((vcpu) => {
    const size = vcpu === 2 ? "large" : vcpu === 4 ? "xlarge" : `${vcpu / 4}xlarge`;
    return [
      { name: `db.m7g.${size}`, vcpu, memoryGiB: vcpu * 4 },
      { name: `db.r7g.${size}`, vcpu, memoryGiB: vcpu * 8 },
    ];
  }),
];

/**
 * The smallest class of {@link RDS_INSTANCE_CLASSES} holding the limits, or undefined when none
 * does. `burstable: false` (a protected, production cluster) skips the t4g classes: their CPU
 * credits run out under sustained load.
 */
export function defaultInstanceClass(limitMillicores: number, limitMemoryBytes: number, burstable = true): string | undefined {
  return RDS_INSTANCE_CLASSES.find((c) => (burstable || !c.name.startsWith("db.t")) && c.vcpu * 1000 >= limitMillicores && c.memoryGiB * GI >= limitMemoryBytes)?.name;
}

/** `db.<family>.<size>`, e.g. "db.m7g.large", "db.r6i.2xlarge", "db.t4g.micro". */
export const INSTANCE_CLASS = /^db\.[a-z][a-z0-9-]*\.(?:micro|small|medium|large|xlarge|[1-9][0-9]*xlarge|metal(?:-[0-9]+xl)?)$/;

/** Performance Insights' retention periods: 7 days (free), a multiple of 31 up to 713, or 731. */
export const PERFORMANCE_INSIGHTS_RETENTION: readonly number[] = [7, ...Array.from({ length: 23 }, (_, i) => 31 * (i + 1)), 731];

/** RDS for PostgreSQL's bounds. */
const RDS_LIMITS = { minStorageGiB: 20, maxStorageGiB: 65536, maxBackupRetentionDays: 35, maxReadReplicas: 15 } as const;
export const DEFAULT_BACKUP_WINDOW = "03:00-03:30";
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/**
 * Settings of the in-cluster postgresql.conf that go into the RDS parameter group as they are.
 * The rest RDS sets itself: memory sizing (shared_buffers, effective_cache_size, work_mem,
 * maintenance_work_mem follow the instance class), listen_addresses and port, wal_level and
 * replication (max_wal_senders, max_replication_slots, hot_standby), archiving (RDS's automated
 * backups), TLS files, and the log files and their line prefix (RDS writes and exports them).
 */
export const RDS_SETTINGS_FROM_CONFIG: readonly string[] = [
  "max_connections",
  "password_encryption",
  "wal_keep_size",
  "max_slot_wal_keep_size",
  "hot_standby_feedback",
  "checkpoint_completion_target",
  // Not min_wal_size/max_wal_size: RDS writes 64 MB WAL segments, and PostgreSQL refuses to start
  // with min_wal_size under two of them; RDS's defaults (192 MB, 2 GB) fit its segments.
  "log_min_duration_statement",
  "log_checkpoints",
  "log_lock_waits",
  "log_temp_files",
  "timezone",
  "shared_preload_libraries",
];

/**
 * Settings RDS does not let a parameter group set (RDS owns the files, sockets, log files and
 * recovery of the server): a `parameters` key among them is refused on RDS. The in-cluster
 * refusals (listen_addresses, port, wal_level, archive_*, ssl files, ...) apply as well.
 */
export const RDS_FIXED_PARAMETERS: readonly string[] = [
  "logging_collector",
  "log_directory",
  "log_line_prefix",
  "log_file_mode",
  "unix_socket_directories",
  "unix_socket_group",
  "unix_socket_permissions",
  "ident_file",
  "external_pid_file",
  "ssl_ca_file",
  "ssl_crl_file",
  "ssl_crl_dir",
  "ssl_passphrase_command",
  "archive_library",
  "archive_cleanup_command",
  "restore_command",
  "recovery_end_command",
  "dynamic_shared_memory_type",
  "shared_memory_type",
  "krb_server_keyfile",
  "event_source",
  "bonjour",
  "bonjour_name",
];

export interface ResolvedPostgresAws {
  /** The engine's major version ("16"): RDS applies minor versions itself. */
  readonly engineVersion: string;
  readonly family: string;
  readonly instanceClass: string;
  /** GiB. */
  readonly allocatedStorage: number;
  readonly maxAllocatedStorage: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  readonly backupWindow: string;
  readonly maintenanceWindow: string;
  readonly performanceInsightsRetentionDays: number;
  readonly logRetentionDays: number;
  readonly clientSecurityGroupIds?: readonly pulumi.Input<string>[];
}

export interface PostgresAwsInput {
  readonly aws: unknown;
  readonly platformKind: string;
  readonly managed: boolean;
  readonly major: number | undefined;
  readonly image: unknown;
  readonly resources: ResolvedResources;
  readonly storageArg: unknown;
  readonly storage: ResolvedStorage | undefined;
  readonly backup: { readonly schedule?: unknown; readonly retentionDays?: unknown } | undefined;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly protect: boolean;
}

type AwsArgs = {
  instanceClass?: unknown;
  maxStorageSize?: unknown;
  multiAz?: unknown;
  performanceInsightsRetentionDays?: unknown;
  maintenanceWindow?: unknown;
  logRetentionDays?: unknown;
  clientSecurityGroupIds?: unknown;
};

/** The `aws` args and what RDS makes of the common ones; undefined off RDS (after refusing `aws` there). */
export function resolvePostgresAws(v: Validator, i: PostgresAwsInput): ResolvedPostgresAws | undefined {
  if (!i.managed) {
    if (i.aws !== undefined) {
      if (i.platformKind !== "aws") v.require(false, "aws", i.aws, `expected the aws platform (these settings configure the RDS instance); on the ${i.platformKind} platform leave them out`);
      else v.require(false, "aws", i.aws, "expected nothing with managed: false (these settings configure the RDS instance, which managed: false replaces with in-cluster StatefulSets)");
    }
    return undefined;
  }
  const a: AwsArgs = typeof i.aws === "object" && i.aws !== null ? (i.aws as AwsArgs) : {};
  const major = i.major;
  if (major === undefined) v.require(false, "image", i.image, "expected a postgres image tag with its version such as \"postgres:16.4-alpine\" on RDS: its major version is the RDS engine version");

  const limits = i.resources;
  let instanceClass = a.instanceClass as string | undefined;
  if (instanceClass !== undefined) {
    v.require(typeof instanceClass === "string" && INSTANCE_CLASS.test(instanceClass), "aws.instanceClass", instanceClass, "expected an RDS instance class db.<family>.<size> such as \"db.m7g.large\" or \"db.t4g.medium\"");
  } else {
    instanceClass = defaultInstanceClass(limits.limitMillicores, limits.limitMemoryBytes, !i.protect);
    if (instanceClass === undefined) {
      const largest = RDS_INSTANCE_CLASSES[RDS_INSTANCE_CLASSES.length - 1];
      v.require(false, "resources.limits", limits.limits, `expected at most ${largest.vcpu} CPUs and ${largest.memoryGiB}Gi to pick an RDS instance class (the largest keel picks is ${largest.name}); give aws.instanceClass`);
    }
  }

  if (i.storageArg === false) v.require(false, "storage", false, "expected a size (or nothing) on RDS: an RDS instance always has its volume (storage: false is for in-cluster dev clusters)");
  const sizeGiB = i.storage ? Math.max(RDS_LIMITS.minStorageGiB, Math.ceil(i.storage.bytes / GI)) : RDS_LIMITS.minStorageGiB;
  if (i.storage) v.require(sizeGiB <= RDS_LIMITS.maxStorageGiB, "storage.size", i.storage.size, `expected at most "${RDS_LIMITS.maxStorageGiB}Gi" (RDS gp3's largest volume)`);
  let maxAllocatedStorage = Math.min(RDS_LIMITS.maxStorageGiB, sizeGiB * 2);
  if (a.maxStorageSize !== undefined) {
    const parsed = parseMemory(a.maxStorageSize as string);
    if (!parsed.ok) v.require(false, "aws.maxStorageSize", a.maxStorageSize, parsed.reason);
    else {
      maxAllocatedStorage = Math.ceil(parsed.value / GI);
      const least = Math.ceil(sizeGiB * 1.1);
      v.require(maxAllocatedStorage >= least && maxAllocatedStorage <= RDS_LIMITS.maxStorageGiB, "aws.maxStorageSize", a.maxStorageSize, `expected from "${least}Gi" (10% above the allocated ${sizeGiB}Gi, RDS's least for storage autoscaling) to "${RDS_LIMITS.maxStorageGiB}Gi"`);
    }
  }

  const multiAz = a.multiAz ?? true;
  v.require(typeof multiAz === "boolean", "aws.multiAz", multiAz, "expected true or false");

  const retentionGiven = i.backup?.retentionDays;
  const backupRetentionDays = typeof retentionGiven === "number" ? retentionGiven : 7;
  if (typeof retentionGiven === "number" && Number.isInteger(retentionGiven) && retentionGiven > RDS_LIMITS.maxBackupRetentionDays) {
    v.require(false, "backup.retentionDays", retentionGiven, `expected at most ${RDS_LIMITS.maxBackupRetentionDays} on RDS (its automated backups' longest retention); keep longer copies with AWS Backup or manual snapshots`);
  }

  const backupWindow = backupWindowFor(i.backup?.schedule);
  let maintenanceWindow = defaultMaintenanceWindow(backupWindow);
  if (a.maintenanceWindow !== undefined) {
    maintenanceWindow = a.maintenanceWindow as string;
    const range = weeklyRange(maintenanceWindow);
    if (range === undefined) v.require(false, "aws.maintenanceWindow", a.maintenanceWindow, "expected ddd:hh24:mi-ddd:hh24:mi in UTC, at least 30 minutes, such as \"sun:05:00-sun:05:30\"");
    else {
      const clash = overlapsDaily(range, dailyRange(backupWindow));
      v.require(!clash, "aws.maintenanceWindow", maintenanceWindow, `expected a window that does not overlap the daily backup window ${backupWindow} (from backup.schedule)`);
    }
  }

  const performanceInsightsRetentionDays = a.performanceInsightsRetentionDays ?? 7;
  v.require(PERFORMANCE_INSIGHTS_RETENTION.includes(performanceInsightsRetentionDays as number), "aws.performanceInsightsRetentionDays", performanceInsightsRetentionDays, "expected 7 (free), a multiple of 31 up to 713, or 731");

  const logRetentionDays = a.logRetentionDays ?? (i.protect ? 90 : 30);
  const logProblem = logRetentionProblem(logRetentionDays);
  if (logProblem) v.require(false, "aws.logRetentionDays", logRetentionDays, logProblem);

  checkClientSecurityGroups(v, "aws.clientSecurityGroupIds", a.clientSecurityGroupIds);
  checkRdsParameters(v, i.parameters);

  return {
    engineVersion: String(major ?? ""),
    family: `postgres${major ?? ""}`,
    instanceClass: instanceClass ?? "",
    allocatedStorage: sizeGiB,
    maxAllocatedStorage,
    multiAz: multiAz as boolean,
    backupRetentionDays,
    backupWindow,
    maintenanceWindow,
    performanceInsightsRetentionDays: performanceInsightsRetentionDays as number,
    logRetentionDays: logRetentionDays as number,
    clientSecurityGroupIds: a.clientSecurityGroupIds as readonly pulumi.Input<string>[] | undefined,
  };
}

function checkRdsParameters(v: Validator, parameters: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(parameters)) {
    if (RDS_FIXED_PARAMETERS.includes(key)) v.require(false, `parameters.${key}`, value, "expected no value on RDS: RDS sets it (it owns the server's files, sockets, logs and recovery) and refuses it in a parameter group");
  }
}

const pad = (n: number) => String(n).padStart(2, "0");
const hhmm = (minutes: number) => `${pad(Math.floor((minutes % 1440) / 60))}:${pad(minutes % 60)}`;

/**
 * RDS's daily backup window from `backup.schedule` (UTC): a schedule at one fixed minute and hour
 * ("30 2 * * *", any days) starts a 30-minute window then ("02:30-03:00"); @daily/@midnight at
 * 00:00; anything else gets "03:00-03:30".
 */
export function backupWindowFor(schedule: unknown): string {
  if (typeof schedule !== "string" || !isCronSchedule(schedule)) return DEFAULT_BACKUP_WINDOW;
  const trimmed = schedule.trim().toLowerCase();
  if (trimmed === "@daily" || trimmed === "@midnight") return "00:00-00:30";
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5 || !/^\d+$/.test(fields[0]) || !/^\d+$/.test(fields[1])) return DEFAULT_BACKUP_WINDOW;
  const start = Number(fields[1]) * 60 + Number(fields[0]);
  return `${hhmm(start)}-${hhmm(start + 30)}`;
}

/** Sunday, one hour after the backup window ends, for 30 minutes: "sun:04:30-sun:05:00" after "03:00-03:30". */
export function defaultMaintenanceWindow(backupWindow: string): string {
  const [, end] = dailyRange(backupWindow);
  const start = DAYS.indexOf("sun") * 1440 + end + 60;
  const at = (m: number) => `${DAYS[Math.floor(m / 1440) % 7]}:${hhmm(m)}`;
  return `${at(start)}-${at(start + 30)}`;
}

/** [start, end) minutes of a day ("03:00-03:30"); end may pass midnight (then > 1440). */
function dailyRange(window: string): [number, number] {
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(window)!;
  const start = Number(m[1]) * 60 + Number(m[2]);
  let end = Number(m[3]) * 60 + Number(m[4]);
  if (end <= start) end += 1440;
  return [start, end];
}

/** [start, end) minutes of the week (Monday 00:00 = 0) of "ddd:hh:mm-ddd:hh:mm", at least 30 minutes and less than a week; undefined when malformed. */
function weeklyRange(window: unknown): [number, number] | undefined {
  if (typeof window !== "string") return undefined;
  const m = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$/.exec(window.toLowerCase());
  if (!m) return undefined;
  const start = DAYS.indexOf(m[1]) * 1440 + Number(m[2]) * 60 + Number(m[3]);
  let end = DAYS.indexOf(m[4]) * 1440 + Number(m[5]) * 60 + Number(m[6]);
  if (end <= start) end += 7 * 1440;
  return end - start >= 30 && end - start <= 24 * 60 ? [start, end] : undefined;
}

function overlapsDaily(week: [number, number], day: [number, number]): boolean {
  for (let d = -1; d <= 7; d++) {
    const s = d * 1440 + day[0];
    const e = d * 1440 + day[1];
    for (const shift of [0, 7 * 1440]) if (week[0] + shift < e && s < week[1] + shift) return true;
  }
  return false;
}

/** A parameter of the RDS parameter group. */
export interface RdsParameter {
  readonly name: string;
  readonly value: string;
  /** "pending-reboot" for static (postmaster) settings, which RDS applies at the next reboot; "immediate" otherwise. */
  readonly applyMethod: "immediate" | "pending-reboot";
}

/** The typed settings both configurations come from (resolve.ts `serverSettings`): the user's `parameters` are `extra`. */
export type RdsParameterInput = Pick<PostgresSettings, "memoryBytes" | "maxConnections" | "replicas" | "walKeepSize" | "maxSlotWalKeepSize" | "sharedMemoryBytes"> & { readonly extra: Readonly<Record<string, string | number | boolean>> };

function settingOf(name: string): PgSetting | undefined {
  return PG_SETTINGS.get(name) ?? [...PG_SETTINGS.values()].find((s) => s.name.toLowerCase() === name.toLowerCase());
}

const UNIT_BYTES: Readonly<Record<string, number>> = { B: 1, kB: 1024, "8kB": 8192, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A postgresql.conf value as an RDS parameter group takes it: booleans as 1/0, sizes and times as
 * a bare number in the setting's own unit ("1GB" of wal_keep_size -> "1024"), the rest as text.
 */
export function rdsParameterValue(name: string, value: string | number | boolean): string {
  const s = settingOf(name);
  if (s?.type === "bool") {
    const on = typeof value === "boolean" ? value : typeof value === "number" ? value !== 0 : isPostgresBool(value) && /^(on|t|tr|tru|true|y|ye|yes|1)$/i.test(value.trim());
    return on ? "1" : "0";
  }
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "string" && s?.unit !== undefined && (s.type === "integer" || s.type === "real")) {
    const m = /^\s*([-+]?\d+(?:\.\d+)?)\s*([a-zA-Z]+)?\s*$/.exec(value);
    const table = UNIT_BYTES[s.unit] !== undefined ? UNIT_BYTES : UNIT_MS;
    if (m && m[2] !== undefined && table[m[2]] !== undefined && table[s.unit] !== undefined) {
      const n = (Number(m[1]) * table[m[2]]) / table[s.unit];
      return String(s.type === "integer" ? Math.round(n) : n);
    }
    if (m) return m[1];
  }
  return String(value);
}

/**
 * The parameter group's parameters: the in-cluster settings RDS takes (RDS_SETTINGS_FROM_CONFIG)
 * computed by `postgresqlSettings` from the same args, the user's `parameters`, and
 * `rds.force_ssl = 1` (connections only over TLS). Sorted by name.
 */
export function rdsParameters(i: RdsParameterInput): RdsParameter[] {
  const settings = postgresqlSettings(i);
  const names = new Set([...RDS_SETTINGS_FROM_CONFIG, ...Object.keys(i.extra)]);
  const out: RdsParameter[] = [...names].map((name) => {
    const s = settingOf(name);
    return { name, value: rdsParameterValue(name, settings[name]), applyMethod: s !== undefined && s.context !== "postmaster" ? "immediate" : "pending-reboot" };
  });
  out.push({ name: "rds.force_ssl", value: "1", applyMethod: "immediate" });
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
