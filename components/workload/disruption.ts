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
 * (a PDB there would block drains or protect nothing), `maxUnavailable: 1` by default.
 */
export function resolveDisruptionBudget(
  v: Validator,
  args: DisruptionBudgetArgs | false | undefined,
  minReplicas: number,
  field = "disruptionBudget",
): ResolvedDisruptionBudget | undefined {
  // With fewer than 2 pods there is nothing to budget (and a budget would block drains), so the
  // same args work for a 1-replica dev stack and a 3-replica prod stack.
  if (args === false || minReplicas < 2) return undefined;
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
  v.require(ok, `${field}.maxUnavailable`, value, "expected at least 1 (or a percentage of at least 1%); 0 blocks node drains");
  return { maxUnavailable: value };
}
