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
  return neverFiresProblem(fields);
}

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values a (valid) field lists: `*`, values, ranges, steps, lists, names. */
function fieldValues(field: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const item of field.split(",")) {
    const [base, stepText] = item.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    const bounds = base === "*" || base === "?" ? [spec.min, spec.max] : base.split("-").map((b) => valueOf(b, spec) as number);
    const [from, to] = bounds.length === 2 ? bounds : [bounds[0], stepText === undefined ? bounds[0] : spec.max];
    for (let x = from; x <= to; x += step) out.add(x);
  }
  return out;
}

/**
 * A valid schedule that never fires: a day of month none of its months has (`0 3 30 2 *`,
 * 30 February; 29 February fires in leap years). With the day of week restricted too, cron fires
 * on either, so such a schedule does fire.
 */
function neverFiresProblem(fields: readonly string[]): string | undefined {
  if (!["*", "?"].includes(fields[4])) return undefined;
  const days = fieldValues(fields[2], FIELDS[2]);
  const months = fieldValues(fields[3], FIELDS[3]);
  if ([...months].some((m) => [...days].some((d) => d <= MONTH_DAYS[m - 1]))) return undefined;
  const monthList = [...months].map((m) => FIELDS[3].names?.[m - 1] ?? String(m)).join(", ");
  return `expected a schedule that fires: no month it lists (${monthList}) has the day of month it lists (${fields[2]}), so the job would never run`;
}

/** True when `schedule` is a CronJob schedule (5 fields or a macro). */
export function isCronSchedule(schedule: string): boolean {
  return cronProblem(schedule) === undefined;
}
