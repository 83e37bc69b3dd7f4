/**
 * Cron schedules as a Kubernetes CronJob accepts them: five fields (minute, hour, day of month,
 * month, day of week), each a list of `*`, values, ranges `a-b` and steps `/n`, month and weekday
 * names (`JAN`, `mon`), `?` for a day field; or one of the macros `@yearly`, `@annually`,
 * `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`. Time zones go in the CronJob's
 * `timeZone`, never in the schedule (`CRON_TZ=`/`TZ=` are refused by the API server).
 */

export const CRON_MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"] as const;

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly question?: boolean;
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31, question: true },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  // 7 is Sunday too (robfig/cron, which Kubernetes uses, accepts 0-7 in ranges).
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], question: true },
];

function valueOf(token: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (index < 0) return undefined;
  return spec.name === "month" ? index + 1 : index;
}

function fieldProblem(field: string, spec: FieldSpec): string | undefined {
  const range = `${spec.min}-${spec.max}${spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : ""}`;
  for (const item of field.split(",")) {
    const [base, step, extra] = item.split("/");
    if (extra !== undefined) return `the ${spec.name} field "${field}" has more than one '/'`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= spec.max - spec.min + 1)) {
      return `the ${spec.name} field "${field}" has the step "/${step}"; a step is an integer from 1 to ${spec.max - spec.min + 1}`;
    }
    if (base === "*" || (base === "?" && spec.question && step === undefined)) continue;
    const bounds = base.split("-");
    if (bounds.length > 2 || bounds.some((b) => b === "")) return `the ${spec.name} field "${field}" is not a value, range or list of ${range}`;
    const values = bounds.map((b) => valueOf(b, spec));
    if (values.some((x) => x === undefined)) return `the ${spec.name} field "${field}" is not a value, range or list of ${range}`;
    if (values.some((x) => (x as number) < spec.min || (x as number) > spec.max)) return `the ${spec.name} field "${field}" is outside ${range}`;
    if (values.length === 2 && (values[0] as number) > (values[1] as number)) return `the ${spec.name} field "${field}" has a range that ends before it starts`;
  }
  return undefined;
}

/** Why `schedule` is not a CronJob schedule, or undefined. */
export function cronProblem(schedule: unknown): string | undefined {
  const example = "expected 5 fields (minute hour day-of-month month day-of-week) such as \"0 3 * * *\", or @hourly, @daily, @weekly, @monthly, @yearly";
  if (typeof schedule !== "string") return example;
  if (/[\u0000-\u001f\u007f]/.test(schedule)) return "expected one line of fields separated by spaces (no newlines, tabs or control characters)";
  const trimmed = schedule.trim();
  if (/\b(CRON_)?TZ=/.test(trimmed)) return "expected no time zone in the schedule (CronJob schedules run in UTC here)";
  if (trimmed.startsWith("@")) return (CRON_MACROS as readonly string[]).includes(trimmed.toLowerCase()) ? undefined : example;
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5 || trimmed === "") return example;
  for (const [i, field] of fields.entries()) {
    const problem = fieldProblem(field, FIELDS[i]);
    if (problem) return `expected a valid cron expression: ${problem}`;
  }
  return undefined;
}

/** True when `schedule` is a CronJob schedule (5 fields or a macro). */
export function isCronSchedule(schedule: string): boolean {
  return cronProblem(schedule) === undefined;
}
