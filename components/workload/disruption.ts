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
 * Resolves the PDB for a workload running at least `minReplicas` pods: none for a single pod
 * (a PDB there would block drains or protect nothing), `maxUnavailable: 1` by default.
 */
export function resolveDisruptionBudget(
  v: Validator,
  args: DisruptionBudgetArgs | false | undefined,
  minReplicas: number,
  field = "disruptionBudget",
): ResolvedDisruptionBudget | undefined {
  if (args === false || minReplicas < 2) {
    if (args && minReplicas < 2) v.fail(`${field} is set but the workload runs ${minReplicas} replica(s); a PodDisruptionBudget needs at least 2 replicas`);
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
  v.require(ok, `${field}.maxUnavailable`, value, "expected at least 1 (or a percentage of at least 1%); 0 blocks node drains");
  return { maxUnavailable: value };
}
