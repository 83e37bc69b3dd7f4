/** CloudWatch Logs' retention periods, in days (keel's log groups always expire: logs kept forever cost forever). */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Why `days` is not a retention keel accepts, or undefined. */
export function logRetentionProblem(days: unknown): string | undefined {
  return typeof days === "number" && LOG_RETENTION_DAYS.includes(days) ? undefined : `expected one of CloudWatch's retention periods in days: ${LOG_RETENTION_DAYS.join(", ")}`;
}
