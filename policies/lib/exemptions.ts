/**
 * Exemptions: a resource opts out of one policy with an annotation (Kubernetes) or a tag (AWS)
 * `exempt.keel.dev/<policy>: <reason>`. The reason is required: an exemption without one does
 * not apply, and is itself a violation (policy `exemption-reason`).
 */
import type { Target } from "./target";
import { at, obj } from "./props";

export const EXEMPTION_PREFIX = "exempt.keel.dev/";

const PLACEHOLDERS = new Set(["", "-", "n/a", "na", "none", "todo", "tbd", "because", "reason", "exempt", "yes", "true", "ok", "needed", "required"]);

/** The exemptions a resource declares, by policy name, with their reasons as written. */
export function exemptionsOf(target: Target): Map<string, string> {
  const source = target.type.startsWith("kubernetes:") ? obj(at(target.props, "metadata.annotations")) : obj(target.props.tags);
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith(EXEMPTION_PREFIX)) found.set(key.slice(EXEMPTION_PREFIX.length), typeof value === "string" ? value : "");
  }
  return found;
}

/** Why a reason is not a real one, or undefined when it is. */
export function reasonProblem(reason: string): string | undefined {
  const text = reason.trim();
  if (PLACEHOLDERS.has(text.toLowerCase())) return text ? `"${text}" is not a reason` : "it gives no reason";
  if (text.length < 10) return `"${text}" is too short to be a reason (10 characters at least)`;
  return undefined;
}

/** The reason of a valid exemption from `policy`, or undefined. */
export function validExemption(target: Target, policy: string): string | undefined {
  const reason = exemptionsOf(target).get(policy);
  return reason !== undefined && reasonProblem(reason) === undefined ? reason.trim() : undefined;
}
