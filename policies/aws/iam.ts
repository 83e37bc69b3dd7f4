/** IAM least privilege: no policy document grants every action on every resource. */
import { resourcePolicy } from "../lib/define";
import type { Target } from "../lib/define";
import { documentStatements, statementProblems } from "../lib/iam-statements";
import { arr, obj, str } from "../lib/props";

export { statementProblems };

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const POLICY = "aws:iam/policy:Policy";
const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const TYPES = [ROLE_POLICY, POLICY, ROLE, ATTACHMENT];

/** AWS managed policies that grant (nearly) everything: an attachment of one is the same as "*" on "*". */
const ADMIN_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/** Trust statements that let anyone assume the role: Principal "*" or AWS "*" without a Condition. */
function trustProblems(document: unknown): string[] {
  return (documentStatements(document) ?? []).flatMap((st, i) => {
    const principal = st.Principal;
    const aws = obj(principal).AWS;
    const everyone = principal === "*" || aws === "*" || (Array.isArray(aws) && aws.includes("*"));
    return st.Effect === "Allow" && everyone && st.Condition === undefined ? [`trust statement ${i} lets any AWS principal assume the role; name the accounts, roles or services that may`] : [];
  });
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
  description: "No IAM policy allows every action on every resource, no role gets an administrator policy, and no role trusts every AWS principal.",
  enforcementLevel: "mandatory",
  appliesTo: (type) => TYPES.includes(type),
  check(t, report) {
    if (t.type === ATTACHMENT) {
      const arn = str(t.props.policyArn);
      const name = arn?.split("/").pop();
      if (arn?.includes(":iam::aws:policy/") && name && ADMIN_POLICIES.includes(name)) report(`IAM role policy attachment ${t.name}: attaches ${name}, which allows (nearly) every action on every resource; attach a policy naming the actions and resources the role needs.`);
      return;
    }
    if (t.type === ROLE) for (const problem of trustProblems(t.props.assumeRolePolicy)) report(`IAM role ${str(t.props.name) ?? t.name}: ${problem}.`);
    for (const { label, document } of documentsOf(t)) {
      for (const problem of statementProblems(document) ?? []) report(`${label}: ${problem}.`);
    }
  },
});
