/**
 * PostgresCluster's own metrics and the alert rules that watch them:
 * - the WAL spool's, pushed to the Pushgateway (`backup.metrics`) by the primary's wal-upload
 *   helper every round (grouping labels `backup` (`<cluster>-backup`), `backup_namespace`, `cluster`);
 * - the replication slots', from a query postgres_exporter runs on the primary (its
 *   `extend.query-path` file, EXPORTER_QUERIES): the exporter's own slot collector reports no
 *   retained WAL for physical slots.
 * `PostgresCluster.alertRules()` returns every rule; ObservabilityStack does not load them itself.
 */
import { shapeProblems } from "../core/arg-shape";
import { KeelValidationError, describeValue } from "../core/errors";
import type { AlertRule } from "../core/alert-rule";

/** Segments waiting in the spool to be shipped. */
export const WAL_SPOOL_SEGMENTS_METRIC = "keel_wal_spool_segments";
/** Bytes in the spool (segments and their encrypted copies): what archive_command bounds. */
export const WAL_SPOOL_BYTES_METRIC = "keel_wal_spool_bytes";
/** The spool's bound (`backup.walSpoolLimit`) in bytes. */
export const WAL_SPOOL_LIMIT_METRIC = "keel_wal_spool_limit_bytes";
/** Seconds the oldest waiting segment has waited (0 when the spool is empty). */
export const WAL_SPOOL_OLDEST_AGE_METRIC = "keel_wal_spool_oldest_age_seconds";
/** The Pushgateway job the spool metrics are pushed under. */
export const WAL_SPOOL_JOB = "keel-wal-spool";

/** PostgreSQL's alert rules, for ObservabilityStack's `prometheus.extraAlertRules`. */
export type PostgresAlertRule = AlertRule;

export interface WalSpoolAlertOptions {
  /** Oldest waiting segment, in minutes, that warns. @default 15 */
  readonly maxAgeMinutes?: number;
  /** Share of the spool's bound that pages. @default 0.8 */
  readonly fullRatio?: number;
  /** Minutes without a push from wal-upload that warn. @default 10 */
  readonly silentMinutes?: number;
}

/**
 * Rules for the WAL spool: shipping is behind, the spool is nearly full (archive_command is about
 * to refuse, and pg_wal then grows on the data volume), or the shipper stopped reporting.
 */
export function walSpoolAlertRules(o: WalSpoolAlertOptions = {}): PostgresAlertRule[] {
  const age = o.maxAgeMinutes ?? 15;
  const ratio = o.fullRatio ?? 0.8;
  const silent = o.silentMinutes ?? 10;
  const logs = "kubectl -n {{ $labels.backup_namespace }} logs {{ $labels.cluster }}-primary-0 -c wal-upload";
  return [
    {
      alert: "WalShippingBehind",
      expr: `${WAL_SPOOL_OLDEST_AGE_METRIC} > ${age * 60}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `WAL of {{ $labels.backup }} has waited more than ${age} minutes to be shipped`,
        runbook: `Point-in-time recovery ends at the oldest waiting segment. Read the shipper's log (${logs}, and -c wal-encrypt); check the object store, its credentials and the NetworkPolicy to it.`,
      },
    },
    {
      alert: "WalSpoolAlmostFull",
      expr: `${WAL_SPOOL_BYTES_METRIC} / ${WAL_SPOOL_LIMIT_METRIC} > ${ratio}`,
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary: `The WAL spool of {{ $labels.backup }} is more than ${ratio * 100}% full`,
        runbook: `When it is full, archive_command refuses new segments and PostgreSQL keeps them in pg_wal, which grows until the data volume is full. Fix the upload (see WalShippingBehind), or raise backup.walSpoolLimit if the volume has room.`,
      },
    },
    {
      alert: "WalShipperSilent",
      expr: `time() - max by (backup, backup_namespace, cluster) (push_time_seconds{job="${WAL_SPOOL_JOB}"}) > ${silent * 60}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `The WAL shipper of {{ $labels.backup }} has not reported for ${silent} minutes`,
        runbook: `Check that the primary pod runs and read its wal-upload log (${logs}); the NetworkPolicy must let it reach the Pushgateway.`,
      },
    },
  ];
}

/** The exporter's query namespace: metrics `keel_pg_replication_slot_<column>`, label `slot_name`. */
export const SLOT_METRICS = "keel_pg_replication_slot";
/** 1 while a replica streams on the slot. */
export const SLOT_ACTIVE_METRIC = `${SLOT_METRICS}_active`;
/** WAL the primary keeps for the slot (bytes from its restart_lsn to the current position). */
export const SLOT_RETAINED_METRIC = `${SLOT_METRICS}_retained_bytes`;
/** max_slot_wal_keep_size in bytes (-1: unlimited). */
export const SLOT_LIMIT_METRIC = `${SLOT_METRICS}_limit_bytes`;
/** 1 once the slot is invalidated (wal_status "lost"): its replica must be copied again. */
export const SLOT_LOST_METRIC = `${SLOT_METRICS}_lost`;

/** The physical slots' state, in bytes; no rows on a standby (pg_current_wal_lsn() is the primary's). */
export const SLOT_QUERY = `SELECT slot_name,
  CASE WHEN active THEN 1 ELSE 0 END AS active,
  CASE WHEN wal_status = 'lost' THEN 1 ELSE 0 END AS lost,
  COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0) AS retained_bytes,
  (SELECT CASE WHEN setting = '-1' THEN -1 ELSE setting::bigint * 1048576 END FROM pg_settings WHERE name = 'max_slot_wal_keep_size') AS limit_bytes
FROM pg_replication_slots
WHERE slot_type = 'physical' AND NOT pg_is_in_recovery()`;

/** postgres_exporter's query file (`PG_EXPORTER_EXTEND_QUERY_PATH`; v0.15 reads it, marked deprecated upstream). */
export function exporterQueries(): string {
  const gauge = (column: string, description: string) => `    - ${column}:\n        usage: "GAUGE"\n        description: "${description}"`;
  return [
    "# Generated by keel (PostgresCluster): replication slot metrics for postgres_exporter.",
    `${SLOT_METRICS}:`,
    "  master: true",
    "  query: |",
    ...SLOT_QUERY.split("\n").map((l) => `    ${l}`),
    "  metrics:",
    '    - slot_name:\n        usage: "LABEL"\n        description: "Replication slot (one per replica pod, its name with _ for -)"',
    gauge("active", "1 while a replica streams on the slot"),
    gauge("lost", "1 once the slot is invalidated (max_slot_wal_keep_size passed): its replica must be copied again"),
    gauge("retained_bytes", "WAL the primary keeps for the slot"),
    gauge("limit_bytes", "max_slot_wal_keep_size in bytes (-1: unlimited)"),
    "",
  ].join("\n");
}

export interface ReplicationSlotAlertOptions {
  /** Minutes a slot may stay without its replica before warning. @default 10 */
  readonly inactiveMinutes?: number;
  /** Share of max_slot_wal_keep_size retained for one slot that pages. @default 0.8 */
  readonly retainedRatio?: number;
}

/**
 * Rules for the replicas' slots: a replica away (its slot holds WAL and, with
 * hot_standby_feedback, VACUUM's cleanup), a slot about to be invalidated, and one that was.
 */
export function replicationSlotAlertRules(o: ReplicationSlotAlertOptions = {}): PostgresAlertRule[] {
  const inactive = o.inactiveMinutes ?? 10;
  const ratio = o.retainedRatio ?? 0.8;
  const pod = "the replica pod is the slot's name with - for _";
  return [
    {
      alert: "PostgresReplicaSlotInactive",
      expr: `${SLOT_ACTIVE_METRIC} == 0`,
      for: `${inactive}m`,
      labels: { severity: "warning" },
      annotations: {
        summary: `No replica has streamed on slot {{ $labels.slot_name }} of {{ $labels.instance }} for ${inactive} minutes`,
        runbook: `While its replica is away the primary keeps WAL for it (up to max_slot_wal_keep_size) and VACUUM keeps the rows it may read. Check the replica (${pod}); a slot of a replica scaled away stays until dropped: SELECT pg_drop_replication_slot('{{ $labels.slot_name }}') on the primary.`,
      },
    },
    {
      alert: "PostgresReplicaSlotRetainingWal",
      expr: `${SLOT_RETAINED_METRIC} / (${SLOT_LIMIT_METRIC} > 0) > ${ratio}`,
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary: `Slot {{ $labels.slot_name }} of {{ $labels.instance }} holds more than ${ratio * 100}% of max_slot_wal_keep_size`,
        runbook: `When it passes the bound the slot is invalidated and its replica is copied again from the primary at its next start. Bring the replica back (${pod}) or raise maxSlotWalKeepSize if the volume has room.`,
      },
    },
    {
      alert: "PostgresReplicaSlotLost",
      expr: `${SLOT_LOST_METRIC} == 1`,
      for: "1m",
      labels: { severity: "critical" },
      annotations: {
        summary: `Slot {{ $labels.slot_name }} of {{ $labels.instance }} was invalidated: its replica cannot catch up and serves stale reads`,
        runbook: `The WAL the replica needs is gone. Restart it (kubectl delete pod; ${pod}): its bootstrap drops the slot and copies the primary again.`,
      },
    },
  ];
}

/** The declared shape of PostgresCluster.alertRules' options (a helper's options are not constructor args, so the generator does not see them). */
const ALERT_OPTIONS_SHAPE = { o: { maxAgeMinutes: "n", fullRatio: "n", silentMinutes: "n", inactiveMinutes: "n", retainedRatio: "n" } } as const;
const ALERT_OPTION_RANGES: Readonly<Record<keyof (WalSpoolAlertOptions & ReplicationSlotAlertOptions), readonly [number, number, boolean, string]>> = {
  maxAgeMinutes: [1, 10080, true, "whole minutes from 1 to 10080, such as 15"],
  fullRatio: [0, 1, false, "a ratio above 0 and at most 1, such as 0.8"],
  silentMinutes: [1, 10080, true, "whole minutes from 1 to 10080, such as 10"],
  inactiveMinutes: [1, 10080, true, "whole minutes from 1 to 10080, such as 10"],
  retainedRatio: [0, 1, false, "a ratio above 0 and at most 1, such as 0.8"],
};

/**
 * Checks PostgresCluster.alertRules' options: unknown keys (with a "did you mean"), types and
 * ranges (the numbers go into PromQL). Throws one KeelValidationError naming the helper.
 */
export function validatePostgresAlertOptions(options: unknown): void {
  const problems = options === undefined ? [] : shapeProblems(options, ALERT_OPTIONS_SHAPE, "options");
  if (problems.length === 0 && typeof options === "object" && options !== null) {
    for (const [key, value] of Object.entries(options)) {
      if (!Object.hasOwn(ALERT_OPTION_RANGES, key) || value === undefined) continue;
      const [min, max, integer, allowed] = ALERT_OPTION_RANGES[key as keyof typeof ALERT_OPTION_RANGES];
      const ok = typeof value === "number" && Number.isFinite(value) && (integer ? value >= min : value > min) && value <= max && (!integer || Number.isInteger(value));
      if (!ok) problems.push(`options.${key} is ${describeValue(value)}; expected ${allowed}`);
    }
  }
  if (problems.length === 0) return;
  const err = new KeelValidationError("PostgresCluster", "alertRules", problems);
  err.message = problems.map((p) => `PostgresCluster.alertRules: ${p}`).join("\n");
  throw err;
}
