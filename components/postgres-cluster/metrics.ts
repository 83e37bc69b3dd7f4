/**
 * The WAL spool's metrics, pushed to the Pushgateway (`backup.metrics`) by the primary's
 * wal-upload helper every round, and the alert rules that watch them. The grouping labels:
 * `backup` (`<cluster>-backup`) and `backup_namespace`, as on the backup metrics, and `cluster`.
 */

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

/** An alert rule in Prometheus' rule-file shape (the same shape as ObservabilityStack's `AlertRule`). */
export interface WalSpoolAlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: "critical" | "warning" };
  readonly annotations: { readonly summary: string; readonly runbook: string };
}

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
export function walSpoolAlertRules(o: WalSpoolAlertOptions = {}): WalSpoolAlertRule[] {
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
