/** Service accounts: a dedicated one per workload, its token not mounted unless needed. */
import type { Target } from "../lib/define";
import { resourcePolicy, stackPolicy } from "../lib/define";
import { describe, isKind, isWorkload, kindOf, namespaceOf, podSpecOf } from "../lib/kubernetes";
import type { Obj } from "../lib/props";
import { arr, at, obj, str } from "../lib/props";
import { settle } from "../lib/settle";
import { StackObjects, describeObject } from "../lib/stack-objects";

function podSpecPath(kind: string): string {
  if (kind === "Pod") return "spec";
  if (kind === "CronJob") return "spec.jobTemplate.spec.template.spec";
  return "spec.template.spec";
}

/** Whether `path` (or an object holding it) was unknown during preview. */
function unknownAt(paths: readonly string[] | undefined, path: string): boolean {
  return (paths ?? []).some((p) => p === "." || p === path || path.startsWith(`${p}.`));
}

const EXEMPT = "or exempt the workload with a reason if it calls the Kubernetes API";

/**
 * The ServiceAccount a pod runs as, decided as the API server decides it. Converting a v1 pod
 * spec (Convert_v1_PodSpec_To_core_PodSpec, pkg/apis/core/v1/conversion.go) keeps
 * serviceAccountName when it is non-empty and otherwise takes the deprecated serviceAccount
 * field ("If both are specified, ServiceAccountName (the new field) wins"); the ServiceAccount
 * admission plugin then sets "default" when the name is still empty
 * (plugin/pkg/admission/serviceaccount/admission.go). So `serviceAccountName: ""` is unset:
 * alone it means the default account, and with `serviceAccount: api` it means api. Values that
 * are not strings count as unset (well-formed-objects reports them).
 */
export function podServiceAccount(pod: Obj): { account: string; why?: string } {
  const name = pod.serviceAccountName;
  const deprecated = str(pod.serviceAccount);
  if (typeof name === "string" && name !== "") return { account: name };
  const empty = name === "";
  if (deprecated !== undefined && deprecated !== "") {
    return { account: deprecated, why: empty ? `serviceAccountName is "", so Kubernetes takes the deprecated serviceAccount field, which names ${deprecated}` : `the deprecated serviceAccount field names ${deprecated}` };
  }
  return { account: "default", why: empty ? `serviceAccountName is "", which Kubernetes treats as unset` : undefined };
}

/**
 * Whether a pod mounts its ServiceAccount's token is decided as the ServiceAccount admission
 * plugin decides it (shouldAutomount, plugin/pkg/admission/serviceaccount/admission.go): the pod
 * spec's automountServiceAccountToken when set, else the ServiceAccount's, else true. So this is
 * a stack policy: it finds the ServiceAccount (podServiceAccount: a non-empty serviceAccountName,
 * else the deprecated serviceAccount, else "default") among the stack's objects. Values unknown during preview
 * leave the workload undecided.
 */
export const noAutomountedToken = stackPolicy({
  name: "no-automounted-token",
  description: "Pods do not mount a service account token unless they call the Kubernetes API.",
  enforcementLevel: "mandatory",
  check(resources, report) {
    const settled = settle(resources);
    const stack = new StackObjects(settled.targets);
    for (const w of stack.workloads) {
      const o = w.object;
      const unknown = settled.unknown.get(o.urn);
      const path = podSpecPath(o.kind);
      const where = describeObject(o);
      if (unknownAt(unknown, `${path}.automountServiceAccountToken`)) continue;
      const own = w.podSpec.automountServiceAccountToken;
      if (own === false) continue;
      if (own === true) {
        report(o.urn, `${where}: its pod spec sets automountServiceAccountToken: true, so the pods mount a service account token whatever the ServiceAccount says; set it to false, ${EXEMPT}.`);
        continue;
      }
      if (unknownAt(unknown, `${path}.serviceAccountName`) || unknownAt(unknown, `${path}.serviceAccount`)) continue;
      const { account } = podServiceAccount(w.podSpec);
      const sa = stack.get("ServiceAccount", o.namespace, account);
      const named = `ServiceAccount ${o.namespace}/${account}`;
      if (!sa) {
        report(o.urn, `${where}: its pod spec does not set automountServiceAccountToken and ${named} is not in the stack, so nothing here keeps the token from being mounted; set automountServiceAccountToken: false on the pod spec, ${EXEMPT}.`);
        continue;
      }
      if (unknownAt(settled.unknown.get(sa.urn), "automountServiceAccountToken")) continue;
      const accountSetting = sa.props.automountServiceAccountToken;
      if (accountSetting === false) continue;
      const why = accountSetting === true ? `${named} sets automountServiceAccountToken: true and the pod spec does not override it` : `neither the pod spec nor ${named} sets automountServiceAccountToken: false`;
      report(o.urn, `${where}: ${why}, so the pods mount its token; set automountServiceAccountToken: false on the ServiceAccount or the pod spec, ${EXEMPT}.`);
    }
  },
});

// --- no-default-service-account ----------------------------------------------------------------

/** The namespace's default ServiceAccount as a stack declares it: a ServiceAccount or a ServiceAccountPatch named default. */
function judgeDefaultAccount(target: Target, report: (message: string) => void): void {
  if (str(at(target.props, "metadata.name")) !== "default") return;
  const setting = target.props.automountServiceAccountToken;
  // false passes; anything but true or unset (an unknown during preview, a malformed value) cannot be decided here.
  if (setting !== true && setting !== undefined && setting !== null) return;
  const ns = namespaceOf(target);
  const what = setting === true ? "sets automountServiceAccountToken: true" : "does not set automountServiceAccountToken: false";
  const fix =
    kindOf(target.type) === "ServiceAccountPatch"
      ? "set automountServiceAccountToken: false in this patch"
      : "set automountServiceAccountToken: false on it (Kubernetes creates this account in every namespace itself: a ServiceAccountPatch named default sets the field on the existing account without creating or deleting it)";
  report(`${describe(target)}: the namespace's default service account ${what}, so every pod of namespace ${ns} that names no service account mounts its token unless its own spec sets automountServiceAccountToken: false; ${fix}.`);
}

/** `system:serviceaccount:<namespace>:default`, the username the default account authenticates as. */
const DEFAULT_ACCOUNT_USER = /^system:serviceaccount:([^:]+):default$/;

/**
 * Subjects that are the default ServiceAccount: kind ServiceAccount named default (its namespace,
 * when omitted in a RoleBinding, is the binding's: appliesTo in pkg/registry/rbac/validation/rule.go),
 * or kind User named with its username, which the authorizer matches the same way. The groups
 * that contain it (system:serviceaccounts, system:serviceaccounts:<namespace>) are
 * rbac-no-privileged-bindings' to report.
 */
function judgeDefaultAccountBindings(target: Target, report: (message: string) => void): void {
  const roleBinding = kindOf(target.type) === "RoleBinding";
  const roleRef = obj(target.props.roleRef);
  const role = str(roleRef.name) !== undefined ? `${str(roleRef.kind) ?? "role"} ${str(roleRef.name)}` : "its role";
  const scope = roleBinding ? ` in namespace ${namespaceOf(target)}` : " across the cluster";
  arr(target.props.subjects).forEach((s, i) => {
    const subject = obj(s);
    const name = str(subject.name);
    let ns: string | undefined;
    let who: string;
    if (subject.kind === "ServiceAccount" && name === "default") {
      ns = str(subject.namespace) || (roleBinding ? namespaceOf(target) : undefined);
      who = ns !== undefined ? `the ServiceAccount ${ns}/default` : "the ServiceAccount default (no namespace given)";
    } else if (subject.kind === "User" && name !== undefined && DEFAULT_ACCOUNT_USER.test(name)) {
      ns = (DEFAULT_ACCOUNT_USER.exec(name) as RegExpExecArray)[1];
      who = `the User ${name}, the username of ServiceAccount ${ns}/default`;
    } else {
      return;
    }
    const pods = ns !== undefined ? `every pod of namespace ${ns} that names no service account` : "every pod that names no service account";
    report(`${describe(target)}: subjects[${i}] is ${who}, which ${pods} runs as, so all of them hold ${role}${scope}; bind a dedicated ServiceAccount instead and set it as serviceAccountName on the workloads that need the role.`);
  });
}

/**
 * CIS Kubernetes Benchmark 5.1.5, "Ensure that default service accounts are not actively used",
 * judged where a stack can use it, as one policy (one exemption name for one concern): a workload
 * that runs as it (the pod spec, as the API server reads it: see podServiceAccount); the default
 * ServiceAccount itself, declared in the stack without automountServiceAccountToken: false
 * (Checkov CKV_K8S_41); a RoleBinding or ClusterRoleBinding whose subject it is (CKV_K8S_42).
 * Each is reported on its own resource, so an exemption on that resource, with a reason,
 * suppresses it there.
 */
export const noDefaultServiceAccount = resourcePolicy({
  name: "no-default-service-account",
  description: "Workloads run as a service account of their own, and the namespace's default one mounts no token and is bound to no role.",
  enforcementLevel: "mandatory",
  appliesTo: (type) => isWorkload(type) || isKind(type, "ServiceAccount", "ServiceAccountPatch", "RoleBinding", "ClusterRoleBinding"),
  check(target, report) {
    if (isKind(target.type, "ServiceAccount", "ServiceAccountPatch")) return judgeDefaultAccount(target, report);
    if (isKind(target.type, "RoleBinding", "ClusterRoleBinding")) return judgeDefaultAccountBindings(target, report);
    const { account, why } = podServiceAccount(podSpecOf(target));
    if (account === "default") {
      report(`${describe(target)}: runs as the namespace's default service account${why ? ` (${why})` : ""}; create a ServiceAccount for it and set serviceAccountName.`);
    }
  },
});
