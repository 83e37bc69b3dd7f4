import type { Target } from "../../policies/lib/define";
import { noAutomountedToken, noDefaultServiceAccount } from "../../policies/kubernetes/service-accounts";
import { kubernetesPolicies } from "../../policies/kubernetes";
import { stackPolicies } from "../../policies/stack";
import { exemptionAudit } from "../../policies/stack/exemptions";
import { CRONJOB, DEPLOYMENT, POD, deployment, pod, stackViolations, target, violations } from "./harness";

type Props = Record<string, unknown>;

const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
/** The policy SDK's unknown string during preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const EXEMPT = "or exempt the workload with a reason if it calls the Kubernetes API.";

function serviceAccount(name: string, automount?: unknown, namespace = "shop"): Props {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace }, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }) };
}

/** The Deployment (its pod spec without automountServiceAccountToken) and a ServiceAccount that disables the token. */
function stack(): { workload: Props; account: Props } {
  const workload = deployment();
  delete pod(workload).automountServiceAccountToken;
  return { workload, account: serviceAccount("api", false) };
}

function judge(workload: Props, ...others: [string, Props][]): string[] {
  const targets: Target[] = [target(DEPLOYMENT, workload, "api"), ...others.map(([type, props], i) => target(type, props, `other-${i}`))];
  return stackViolations(noAutomountedToken, targets).map((f) => f.message);
}

const accountOf = (account: Props): [string, Props] => [SERVICE_ACCOUNT, account];
const W = "Deployment shop/api";

describe("no-automounted-token (a stack policy: the pod spec, else its ServiceAccount)", () => {
  it("passes a pod whose ServiceAccount disables the token, and a pod that disables it itself", () => {
    const { workload, account } = stack();
    expect(judge(workload, accountOf(account))).toEqual([]);
    expect(judge(deployment())).toEqual([]);
    expect(judge(deployment(), accountOf(serviceAccount("api", true)))).toEqual([]);
  });

  it.each<[string, (w: Props, a: Props) => void, string[]]>([
    ["the pod spec setting true over the ServiceAccount's false", (w) => (pod(w).automountServiceAccountToken = true), [
      `${W}: its pod spec sets automountServiceAccountToken: true, so the pods mount a service account token whatever the ServiceAccount says; set it to false, ${EXEMPT}`,
    ]],
    ["neither side setting false", (_w, a) => delete a.automountServiceAccountToken, [
      `${W}: neither the pod spec nor ServiceAccount shop/api sets automountServiceAccountToken: false, so the pods mount its token; set automountServiceAccountToken: false on the ServiceAccount or the pod spec, ${EXEMPT}`,
    ]],
    ["the ServiceAccount setting true", (_w, a) => (a.automountServiceAccountToken = true), [
      `${W}: ServiceAccount shop/api sets automountServiceAccountToken: true and the pod spec does not override it, so the pods mount its token; set automountServiceAccountToken: false on the ServiceAccount or the pod spec, ${EXEMPT}`,
    ]],
    ["a ServiceAccount of that name in another namespace only", (_w, a) => ((a.metadata as Props).namespace = "data"), [
      `${W}: its pod spec does not set automountServiceAccountToken and ServiceAccount shop/api is not in the stack, so nothing here keeps the token from being mounted; set automountServiceAccountToken: false on the pod spec, ${EXEMPT}`,
    ]],
    ["the namespace's default account, not in the stack", (w) => delete pod(w).serviceAccountName, [
      `${W}: its pod spec does not set automountServiceAccountToken and ServiceAccount shop/default is not in the stack, so nothing here keeps the token from being mounted; set automountServiceAccountToken: false on the pod spec, ${EXEMPT}`,
    ]],
  ])("reports %s", (_name, mutate, expected) => {
    const { workload, account } = stack();
    mutate(workload, account);
    expect(judge(workload, accountOf(account))).toEqual(expected);
  });

  it("finds the account through the deprecated serviceAccount field, and the default account when it is in the stack", () => {
    const { workload, account } = stack();
    delete pod(workload).serviceAccountName;
    pod(workload).serviceAccount = "api";
    expect(judge(workload, accountOf(account))).toEqual([]);
    delete pod(workload).serviceAccount;
    expect(judge(workload, accountOf(serviceAccount("default", false)))).toEqual([]);
  });

  it("reads the pod spec of a CronJob and of a bare Pod", () => {
    const spec = pod(stack().workload);
    const cronJob = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "report", namespace: "shop" }, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: { ...spec, automountServiceAccountToken: true } } } } } };
    const bare = { apiVersion: "v1", kind: "Pod", metadata: { name: "debug", namespace: "shop" }, spec: { ...spec } };
    const found = stackViolations(noAutomountedToken, [target(CRONJOB, cronJob, "report"), target(POD, bare, "debug"), target(SERVICE_ACCOUNT, serviceAccount("api"), "sa")]).map((f) => f.message);
    expect(found).toEqual([
      `CronJob shop/report: its pod spec sets automountServiceAccountToken: true, so the pods mount a service account token whatever the ServiceAccount says; set it to false, ${EXEMPT}`,
      `Pod shop/debug: neither the pod spec nor ServiceAccount shop/api sets automountServiceAccountToken: false, so the pods mount its token; set automountServiceAccountToken: false on the ServiceAccount or the pod spec, ${EXEMPT}`,
    ]);
  });

  it("cannot decide on values unknown during preview", () => {
    const { workload, account } = stack();
    pod(workload).serviceAccountName = UNKNOWN;
    expect(judge(workload, accountOf(serviceAccount("api")))).toEqual([]);
    const other = stack();
    expect(judge(other.workload, accountOf({ ...account, automountServiceAccountToken: UNKNOWN }))).toEqual([]);
    const third = stack();
    pod(third.workload).automountServiceAccountToken = UNKNOWN;
    expect(judge(third.workload)).toEqual([]);
  });

  it("reports on the workload, which an exemption with a reason suppresses and the audit lists", () => {
    const { workload, account } = stack();
    pod(workload).automountServiceAccountToken = true;
    (workload.metadata as Props).annotations = { "exempt.keel.dev/no-automounted-token": "the operator watches its CRDs through the API" };
    const targets = [target(DEPLOYMENT, workload, "api"), target(SERVICE_ACCOUNT, account, "sa")];
    expect(stackViolations(noAutomountedToken, targets)).toEqual([]);
    expect(stackViolations(exemptionAudit, targets)).toEqual([
      { urn: targets[0].urn, message: "exemption used: no-automounted-token on Deployment shop/api: the operator watches its CRDs through the API (suppresses 1 violation)" },
    ]);
  });

  it("is listed with the stack policies, no longer with the per-resource ones", () => {
    expect(stackPolicies).toContain(noAutomountedToken);
    expect(kubernetesPolicies.map((p) => p.name)).not.toContain("no-automounted-token");
  });
});

describe("no-default-service-account", () => {
  it("still judges the pod spec alone", () => {
    const { workload } = stack();
    expect(violations(noDefaultServiceAccount, DEPLOYMENT, workload)).toEqual([]);
    delete pod(workload).serviceAccountName;
    expect(violations(noDefaultServiceAccount, DEPLOYMENT, workload)).toEqual([
      "Deployment shop/api: runs as the namespace's default service account; create a ServiceAccount for it and set serviceAccountName.",
    ]);
  });

  describe("the account a pod runs as, as the API server decides it (a non-empty serviceAccountName wins, else serviceAccount, else default)", () => {
    const both = (name: unknown, deprecated: unknown) => (w: Props) => {
      if (name === undefined) delete pod(w).serviceAccountName;
      else pod(w).serviceAccountName = name;
      if (deprecated !== undefined) pod(w).serviceAccount = deprecated;
    };
    const FIX = "create a ServiceAccount for it and set serviceAccountName.";

    it.each<[string, (w: Props) => void]>([
      ['serviceAccountName "" with serviceAccount api', both("", "api")],
      ["serviceAccount api alone", both(undefined, "api")],
      ["serviceAccountName api over serviceAccount default", both("api", "default")],
    ])("passes %s", (_name, mutate) => {
      const { workload } = stack();
      mutate(workload);
      expect(violations(noDefaultServiceAccount, DEPLOYMENT, workload)).toEqual([]);
    });

    it.each<[string, (w: Props) => void, string]>([
      ['serviceAccountName ""', both("", undefined), `${W}: runs as the namespace's default service account (serviceAccountName is "", which Kubernetes treats as unset); ${FIX}`],
      ['serviceAccountName "" and serviceAccount ""', both("", ""), `${W}: runs as the namespace's default service account (serviceAccountName is "", which Kubernetes treats as unset); ${FIX}`],
      ["serviceAccount default alone", both(undefined, "default"), `${W}: runs as the namespace's default service account (the deprecated serviceAccount field names default); ${FIX}`],
      ['serviceAccountName "" with serviceAccount default', both("", "default"), `${W}: runs as the namespace's default service account (serviceAccountName is "", so Kubernetes takes the deprecated serviceAccount field, which names default); ${FIX}`],
      ["serviceAccountName default over serviceAccount api", both("default", "api"), `${W}: runs as the namespace's default service account; ${FIX}`],
    ])("reports %s", (_name, mutate, expected) => {
      const { workload } = stack();
      mutate(workload);
      expect(violations(noDefaultServiceAccount, DEPLOYMENT, workload)).toEqual([expected]);
    });

    it("is the account no-automounted-token looks up", () => {
      const { workload, account } = stack();
      both("", "api")(workload);
      expect(judge(workload, accountOf(account))).toEqual([]);
      both("", undefined)(workload);
      delete pod(workload).serviceAccount;
      expect(judge(workload, accountOf(account), accountOf(serviceAccount("default", false)))).toEqual([]);
      expect(judge(workload, accountOf(account))).toEqual([
        `${W}: its pod spec does not set automountServiceAccountToken and ServiceAccount shop/default is not in the stack, so nothing here keeps the token from being mounted; set automountServiceAccountToken: false on the pod spec, ${EXEMPT}`,
      ]);
    });
  });

  describe("the default ServiceAccount declared in the stack (CKV_K8S_41)", () => {
    const PATCH = "kubernetes:core/v1:ServiceAccountPatch";
    const MOUNTS = "so every pod of namespace shop that names no service account mounts its token unless its own spec sets automountServiceAccountToken: false";
    const ON_IT =
      "set automountServiceAccountToken: false on it (Kubernetes creates this account in every namespace itself: a ServiceAccountPatch named default sets the field on the existing account without creating or deleting it).";

    it("passes one that disables the token, other accounts, and values it cannot decide", () => {
      expect(violations(noDefaultServiceAccount, SERVICE_ACCOUNT, serviceAccount("default", false))).toEqual([]);
      expect(violations(noDefaultServiceAccount, PATCH, serviceAccount("default", false))).toEqual([]);
      expect(violations(noDefaultServiceAccount, SERVICE_ACCOUNT, serviceAccount("api"))).toEqual([]);
      expect(violations(noDefaultServiceAccount, SERVICE_ACCOUNT, serviceAccount("default-reader", true))).toEqual([]);
      expect(violations(noDefaultServiceAccount, SERVICE_ACCOUNT, serviceAccount("default", UNKNOWN))).toEqual([]);
    });

    it.each<[string, string, Props, string]>([
      ["a ServiceAccount default that leaves the token on", SERVICE_ACCOUNT, serviceAccount("default"), `ServiceAccount shop/default: the namespace's default service account does not set automountServiceAccountToken: false, ${MOUNTS}; ${ON_IT}`],
      ["a ServiceAccount default that turns the token on", SERVICE_ACCOUNT, serviceAccount("default", true), `ServiceAccount shop/default: the namespace's default service account sets automountServiceAccountToken: true, ${MOUNTS}; ${ON_IT}`],
      ["a ServiceAccountPatch default that leaves the field alone", PATCH, serviceAccount("default"), `ServiceAccountPatch shop/default: the namespace's default service account does not set automountServiceAccountToken: false, ${MOUNTS}; set automountServiceAccountToken: false in this patch.`],
    ])("reports %s", (_name, type, account, expected) => {
      expect(violations(noDefaultServiceAccount, type, account)).toEqual([expected]);
    });
  });

  describe("bindings to the default ServiceAccount (CKV_K8S_42)", () => {
    const RB_TYPE = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
    const CRB_TYPE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
    const INSTEAD = "bind a dedicated ServiceAccount instead and set it as serviceAccountName on the workloads that need the role.";
    const roleBinding = (...subjects: Props[]): Props => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "api", namespace: "shop" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "api" },
      subjects: [{ kind: "ServiceAccount", name: "api", namespace: "shop" }, ...subjects],
    });
    const clusterRoleBinding = (...subjects: Props[]): Props => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "scraper" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "scraper" },
      subjects: [{ kind: "ServiceAccount", name: "prometheus", namespace: "monitoring" }, ...subjects],
    });

    it("passes bindings of other accounts, and near misses", () => {
      expect(violations(noDefaultServiceAccount, RB_TYPE, roleBinding())).toEqual([]);
      expect(violations(noDefaultServiceAccount, CRB_TYPE, clusterRoleBinding())).toEqual([]);
      for (const near of [
        { kind: "ServiceAccount", name: "default-reader", namespace: "shop" },
        { kind: "ServiceAccount", name: "Default", namespace: "shop" },
        { kind: "User", name: "system:serviceaccount:shop:api" },
        { kind: "User", name: "default" },
        { kind: "Group", name: "default" },
        { kind: "User", name: "system:serviceaccount:shop:default:x" },
      ]) {
        expect(violations(noDefaultServiceAccount, RB_TYPE, roleBinding(near))).toEqual([]);
      }
    });

    it.each<[string, string, Props, string]>([
      ["a RoleBinding's subject in its own namespace (namespace omitted)", RB_TYPE, roleBinding({ kind: "ServiceAccount", name: "default" }),
        `RoleBinding shop/api: subjects[1] is the ServiceAccount shop/default, which every pod of namespace shop that names no service account runs as, so all of them hold Role api in namespace shop; ${INSTEAD}`],
      ["a RoleBinding's subject in another namespace", RB_TYPE, roleBinding({ kind: "ServiceAccount", name: "default", namespace: "data" }),
        `RoleBinding shop/api: subjects[1] is the ServiceAccount data/default, which every pod of namespace data that names no service account runs as, so all of them hold Role api in namespace shop; ${INSTEAD}`],
      ["a ClusterRoleBinding's subject", CRB_TYPE, clusterRoleBinding({ kind: "ServiceAccount", name: "default", namespace: "monitoring" }),
        `ClusterRoleBinding scraper: subjects[1] is the ServiceAccount monitoring/default, which every pod of namespace monitoring that names no service account runs as, so all of them hold ClusterRole scraper across the cluster; ${INSTEAD}`],
      ["a ClusterRoleBinding's subject without a namespace", CRB_TYPE, clusterRoleBinding({ kind: "ServiceAccount", name: "default" }),
        `ClusterRoleBinding scraper: subjects[1] is the ServiceAccount default (no namespace given), which every pod that names no service account runs as, so all of them hold ClusterRole scraper across the cluster; ${INSTEAD}`],
      ["its username as a User subject", RB_TYPE, roleBinding({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "system:serviceaccount:data:default" }),
        `RoleBinding shop/api: subjects[1] is the User system:serviceaccount:data:default, the username of ServiceAccount data/default, which every pod of namespace data that names no service account runs as, so all of them hold Role api in namespace shop; ${INSTEAD}`],
    ])("reports %s", (_name, type, binding, expected) => {
      expect(violations(noDefaultServiceAccount, type, binding)).toEqual([expected]);
    });

    it("is suppressed on the binding by an exemption with a reason, which the audit lists, and only by one", () => {
      const exempted = (reason: string) => ({
        ...roleBinding({ kind: "ServiceAccount", name: "default" }),
        metadata: { name: "api", namespace: "shop", annotations: { "exempt.keel.dev/no-default-service-account": reason } },
      });
      const reason = "the vendor's chart runs its hook pods as the default account";
      expect(violations(noDefaultServiceAccount, RB_TYPE, exempted(reason))).toEqual([]);
      expect(violations(noDefaultServiceAccount, RB_TYPE, exempted("n/a"))).toHaveLength(1);
      const t = target(RB_TYPE, exempted(reason), "api");
      expect(stackViolations(exemptionAudit, [t])).toEqual([{ urn: t.urn, message: `exemption used: no-default-service-account on RoleBinding shop/api: ${reason} (suppresses 1 violation)` }]);
    });
  });
});
