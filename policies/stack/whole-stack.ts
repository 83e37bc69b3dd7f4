/** What every whole-stack ("would it come up") policy starts from: settled resources, the stack's objects, the facts. */
import { ClusterFacts, readFacts } from "../lib/cluster-facts";
import type { Config, Target } from "../lib/define";
import { labelsOf } from "../lib/kubernetes";
import { NetworkModel, parsePolicy } from "../lib/network-model";
import { at } from "../lib/props";
import { settle } from "../lib/settle";
import { StackObjects } from "../lib/stack-objects";

export interface WholeStack {
  readonly stack: StackObjects;
  readonly facts: ClusterFacts;
  /** Unknown values (preview) by URN. */
  readonly unknown: ReadonlyMap<string, readonly string[]>;
}

export function wholeStack(resources: readonly Target[], config: Config): WholeStack {
  const settled = settle(resources);
  return { stack: new StackObjects(settled.targets), facts: readFacts(config.cluster), unknown: settled.unknown };
}

/** The stack's NetworkPolicies, with the labels of namespaces in the stack and from the facts. */
export function networkModel(w: WholeStack): NetworkModel {
  const namespaceLabels = new Map<string, Record<string, string>>(Object.entries(w.facts.namespaceLabels ?? {}));
  for (const ns of w.stack.ofKind("Namespace")) namespaceLabels.set(ns.name, { ...(namespaceLabels.get(ns.name) ?? {}), ...labelsOf(at(ns.props, "metadata.labels")) });
  return new NetworkModel(w.stack.ofKind("NetworkPolicy").map((o) => parsePolicy(o.props)), { namespaceLabels });
}

/** `3 values unknown during preview (Deployment a/b: spec.template...)`: what a check could not see. */
export function unknownSummary(w: WholeStack): string | undefined {
  if (w.unknown.size === 0) return undefined;
  const count = [...w.unknown.values()].reduce((n, paths) => n + paths.length, 0);
  const examples = [...w.unknown.entries()].slice(0, 3).map(([urn, paths]) => `${urn.split("::").pop()}: ${paths.slice(0, 2).join(", ")}`);
  return `${count} value${count === 1 ? "" : "s"} in ${w.unknown.size} resource${w.unknown.size === 1 ? "" : "s"} unknown during preview (${examples.join("; ")}${w.unknown.size > 3 ? "; ..." : ""}): checks that need them could not decide`;
}
