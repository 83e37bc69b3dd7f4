/** A resource as a check sees it (no dependency on the policy SDK: the offline engine shares the evaluator that reads it). */
import type { Obj } from "./props";

export interface Target {
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  readonly props: Obj;
  /** URNs this resource depends on (stack policies only). */
  readonly dependencies?: readonly string[];
}
