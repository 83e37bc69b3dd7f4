/** IAM least privilege: no policy document grants every action on every resource. */
import { resourcePolicy } from "../lib/define";
import type { Target } from "../lib/define";
import { arr, obj, str } from "../lib/props";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const POLICY = "aws:iam/policy:Policy";
const ROLE = "aws:iam/role:Role";
const TYPES = [ROLE_POLICY, POLICY, ROLE];

const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/**
 * Why a policy document (JSON text or object) is broader than least privilege, one line per
 * statement: an Allow of "*" (or a whole service, "iam:*") on resource "*", or an Allow through
 * NotAction/NotResource. undefined when the document cannot be read (not JSON, e.g. unknown
 * during preview): the policy cannot decide, so it reports nothing.
 */
export function statementProblems(document: unknown): string[] | undefined {
  let doc: unknown = document;
  if (typeof document === "string") {
    try {
      doc = JSON.parse(document);
    } catch {
      return undefined;
    }
  }
  if (typeof doc !== "object" || doc === null) return undefined;
  const problems: string[] = [];
  list((doc as Record<string, unknown>).Statement).forEach((raw, i) => {
    const s = obj(raw);
    if (s.Effect !== "Allow") return;
    if (s.NotAction !== undefined || s.NotResource !== undefined) problems.push(`statement ${i} allows through NotAction/NotResource; list the actions and resources it needs`);
    const resources = list(s.Resource).map(String);
    const everyResource = resources.includes("*");
    for (const action of list(s.Action).map(String)) {
      if (action === "*" && (everyResource || resources.length === 0)) problems.push(`statement ${i} allows action "*" on resource "*"; name the actions and resources it needs`);
      else if (/^[A-Za-z0-9-]+:\*$/.test(action) && everyResource) problems.push(`statement ${i} allows every ${action.split(":")[0]} action ("${action}") on resource "*"; name the actions it needs`);
    }
  });
  return problems;
}

function documentsOf(t: Target): { label: string; document: unknown }[] {
  const name = str(t.props.name) ?? t.name;
  if (t.type === ROLE) {
    return arr(t.props.inlinePolicies).map((p) => ({ label: `IAM role ${name} inline policy ${str(obj(p).name) ?? "?"}`, document: obj(p).policy }));
  }
  return [{ label: `${t.type === POLICY ? "IAM policy" : "IAM role policy"} ${name}`, document: t.props.policy }];
}

export const iamLeastPrivilege = resourcePolicy({
  name: "iam-least-privilege",
  description: "No IAM policy allows every action on every resource.",
  enforcementLevel: "mandatory",
  appliesTo: (type) => TYPES.includes(type),
  check(t, report) {
    for (const { label, document } of documentsOf(t)) {
      for (const problem of statementProblems(document) ?? []) report(`${label}: ${problem}.`);
    }
  },
});
