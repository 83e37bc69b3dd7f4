/**
 * RBAC bindings: who gets a role, and which role. A binding is judged on its own (roleRef and
 * subjects); what the bound role grants is judged on the role (rbac-roles.ts).
 *
 * Subjects match by exact kind and name (appliesTo in pkg/registry/rbac/validation/rule.go).
 * Every `system:` group is one Kubernetes fills itself (system:masters, system:authenticated,
 * system:unauthenticated, system:serviceaccounts, system:serviceaccounts:<namespace>,
 * system:nodes, ...), so binding it grants the role to members nobody in the stack chose; the
 * per-namespace system:serviceaccounts:<namespace> groups are reported too (every ServiceAccount
 * of that namespace, present and future). The User system:anonymous is every unauthenticated request.
 */
import { resourcePolicy } from "../lib/define";
import { describe, isKind, kindOf, namespaceOf } from "../lib/kubernetes";
import { arr, at, obj, str } from "../lib/props";

/** The built-in ClusterRoles that grant write access across every namespace when bound cluster-wide (docs: RBAC, user-facing roles). */
const CLUSTER_WIDE_ADMIN = new Map([
  ["admin", "read and write access to most objects of every namespace, Secrets, Roles and RoleBindings included"],
  ["edit", "read and write access to most objects of every namespace, Secrets included, and running pods as any ServiceAccount"],
]);

function groupMembers(name: string): string {
  if (name === "system:masters") return "the cluster's superusers, whom authorization never restricts";
  if (name === "system:authenticated") return "every authenticated user and ServiceAccount";
  if (name === "system:unauthenticated") return "every unauthenticated request";
  if (name === "system:serviceaccounts") return "every ServiceAccount of every namespace";
  if (name.startsWith("system:serviceaccounts:")) return `every ServiceAccount of namespace ${name.slice("system:serviceaccounts:".length)}, present and future`;
  if (name === "system:nodes") return "every node's kubelet";
  return "a group under the system: prefix, which Kubernetes reserves for the groups its authenticators fill";
}

export const rbacNoPrivilegedBindings = resourcePolicy({
  name: "rbac-no-privileged-bindings",
  description: "Bindings grant neither cluster-admin nor cluster-wide admin or edit, and bind no system: group or anonymous user.",
  enforcementLevel: "mandatory",
  appliesTo: (type) => isKind(type, "RoleBinding", "ClusterRoleBinding"),
  check(target, report) {
    const who = describe(target);
    const clusterWide = kindOf(target.type) === "ClusterRoleBinding";
    const roleRef = obj(target.props.roleRef);
    const role = str(roleRef.name);
    if (roleRef.kind === "ClusterRole" && role === "cluster-admin") {
      const scope = clusterWide ? "every resource of the cluster and of every namespace" : `every resource of namespace ${namespaceOf(target)}, Roles, RoleBindings and Secrets included`;
      report(`${who}: roleRef is the ClusterRole cluster-admin, which grants every verb on ${scope}; bind a role that lists only the permissions its subjects need.`);
    } else if (roleRef.kind === "ClusterRole" && clusterWide && role !== undefined && CLUSTER_WIDE_ADMIN.has(role)) {
      report(`${who}: roleRef is the ClusterRole ${role} bound cluster-wide, which grants ${CLUSTER_WIDE_ADMIN.get(role)}; bind it with a RoleBinding in each namespace that needs it, or bind a narrower role.`);
    }
    arr(at(target.props, "subjects")).forEach((s, i) => {
      const subject = obj(s);
      const name = str(subject.name);
      if (name === undefined) return;
      if (subject.kind === "Group" && name.startsWith("system:")) {
        report(`${who}: subjects[${i}] is the Group ${name} (${groupMembers(name)}); bind a dedicated ServiceAccount, User or Group instead.`);
      } else if (subject.kind === "User" && name === "system:anonymous") {
        report(`${who}: subjects[${i}] is the User system:anonymous (every unauthenticated request); bind a dedicated ServiceAccount, User or Group instead.`);
      }
    });
  },
});
