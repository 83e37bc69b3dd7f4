/** PodDisruptionBudgets that protect availability without blocking node drains. */
import { defaults } from "../core/defaults";
import { Validator } from "../core/errors";

export interface DisruptionBudgetArgs {
  /** Pods that may be down at once during voluntary disruptions (`1` or `"25%"`). Never 0. @default 1 */
  readonly maxUnavailable?: number | string;
  /** Pods that must stay up; must be below the replica count. Use instead of `maxUnavailable`. */
  readonly minAvailable?: number | string;
}

export type ResolvedDisruptionBudget = { readonly maxUnavailable: number | string } | { readonly minAvailable: number | string };

const PERCENT = /^(\d{1,3})%$/;

/**
 * Resolves the PDB for a workload running at least `minReplicas` pods: none for fewer than two
 * (a PDB there would block drains or protect nothing; asking for one there is an error),
 * `maxUnavailable: 1` by default.
 */
export function resolveDisruptionBudget(
  v: Validator,
  args: DisruptionBudgetArgs | false | undefined,
  minReplicas: number,
  field = "disruptionBudget",
): ResolvedDisruptionBudget | undefined {
  // With fewer than 2 pods there is nothing to budget (and a budget would block drains): keel
  // creates none, and a budget the user asked for is an error rather than silently dropped.
  if (args === false || args === undefined && minReplicas < 2) return undefined;
  // A replica count that is not a plain integer is reported where it is given (an Output cannot be compared or shown).
  if (typeof minReplicas !== "number" || !Number.isInteger(minReplicas)) return undefined;
  if (minReplicas < 2) {
    v.require(false, field, args, `expected false or no ${field} with fewer than 2 replicas (${minReplicas}): keel creates no PodDisruptionBudget there, since it would block node drains`);
    return undefined;
  }
  const budget = args ?? {};
  if (budget.maxUnavailable !== undefined && budget.minAvailable !== undefined) {
    v.fail(`${field} sets both maxUnavailable and minAvailable; expected one of them`);
    return undefined;
  }
  if (budget.minAvailable !== undefined) {
    const value = budget.minAvailable;
    const pct = typeof value === "string" ? PERCENT.exec(value) : null;
    const ok = typeof value === "number" ? Number.isInteger(value) && value >= 1 && value < minReplicas : !!pct && Number(pct[1]) >= 1 && Number(pct[1]) < 100;
    v.require(ok, `${field}.minAvailable`, value, `expected fewer pods than the ${minReplicas} replicas (or a percentage below 100%), so nodes can still be drained`);
    return { minAvailable: value };
  }
  const value = budget.maxUnavailable ?? defaults.disruptionBudget.maxUnavailable;
  const pct = typeof value === "string" ? PERCENT.exec(value) : null;
  const ok = typeof value === "number" ? Number.isInteger(value) && value >= 1 : !!pct && Number(pct[1]) >= 1 && Number(pct[1]) <= 100;
  const over = !!pct && Number(pct[1]) > 100;
  if (over) v.require(false, `${field}.maxUnavailable`, value, "expected a percentage of at most 100%");
  else if (v.require(ok, `${field}.maxUnavailable`, value, "expected at least 1 (or a percentage of at least 1%); 0 blocks node drains")) {
    const protects = typeof value === "number" ? value < minReplicas : Number((pct as RegExpExecArray)[1]) < 100;
    v.require(protects, `${field}.maxUnavailable`, value, `expected fewer pods than the ${minReplicas} replicas (or a percentage below 100%); a budget that lets every pod go protects nothing`);
  }
  return { maxUnavailable: value };
}
