import type { ResourceValidationPolicy } from "@pulumi/policy";
import { rbacNoPrivilegedBindings } from "../../policies/kubernetes/rbac-bindings";
import { rbacNoCsrApproval, rbacNoEscalation, rbacNoNodeProxy, rbacNoPodExec, rbacNoSecretReads, rbacNoTokenCreation, rbacNoWebhookChanges, rbacNoWildcards } from "../../policies/kubernetes/rbac-roles";
import { grantText, grants, grantsNonResource, rulesOf } from "../../policies/lib/rbac";
import { violations } from "./harness";

type Props = Record<string, unknown>;

const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";

/** A compliant namespaced Role: reads its ConfigMaps and its one Secret, holds a leader lease. */
function role(): Props {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: "api", namespace: "shop" },
    rules: [
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["secrets"], resourceNames: ["api-db"], verbs: ["get"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] },
      { apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] },
    ],
  };
}

/** A compliant ClusterRole, as a metrics scraper would ask for it (nodes/metrics, not nodes/proxy). */
function clusterRole(): Props {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "scraper" },
    rules: [
      { apiGroups: [""], resources: ["pods", "services", "endpoints", "nodes", "nodes/metrics"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations"], verbs: ["get", "list", "watch"] },
      { nonResourceURLs: ["/metrics", "/api/*"], verbs: ["get"] },
    ],
  };
}

const rules = (r: Props) => r.rules as Props[];
const add = (...more: Props[]) => (r: Props) => rules(r).push(...more);

type Kind = "Role" | "ClusterRole";
/** A mutation of the compliant Role or ClusterRole, and the exact messages it must produce. */
type RoleCase = [name: string, kind: Kind, mutate: (r: Props) => void, expected: string[]];

function judgesRoles(policy: ResourceValidationPolicy, cases: readonly RoleCase[]): void {
  it("passes the compliant Role and ClusterRole", () => {
    expect(violations(policy, ROLE, role())).toEqual([]);
    expect(violations(policy, CLUSTER_ROLE, clusterRole())).toEqual([]);
  });
  it.each(cases)("reports %s", (_name, kind, mutate, expected) => {
    const r = kind === "Role" ? role() : clusterRole();
    mutate(r);
    expect(violations(policy, kind === "Role" ? ROLE : CLUSTER_ROLE, r)).toEqual(expected);
  });
}

const ALL = { apiGroups: ["*"], resources: ["*"], verbs: ["*"] };
const R = "Role shop/api";
const CR = "ClusterRole scraper";

describe.each<[ResourceValidationPolicy, RoleCase[]]>([
  [
    rbacNoWildcards,
    [
      ["every verb on every resource", "ClusterRole", add(ALL), [
        `${CR}: rules[5] uses the wildcard "*" in verbs, "*" in resources and "*" in apiGroups, so it grants every verb on every resource and subresource in every API group, including any added later; list the exact verbs and resources the role needs.`,
      ]],
      ["a wildcard verb", "Role", add({ apiGroups: ["apps"], resources: ["deployments"], verbs: ["*"] }), [
        `${R}: rules[4] uses the wildcard "*" in verbs, so it grants every verb on deployments in API group apps, including any added later; list the exact verbs and resources the role needs.`,
      ]],
      ["a wildcard subresource", "Role", add({ apiGroups: [""], resources: ["pods", "*/status"], verbs: ["get"] }), [
        `${R}: rules[4] uses the wildcard "*/status" in resources, so it grants get on pods and the status subresource of every resource in API group "" (core), including any added later; list the exact verbs and resources the role needs.`,
      ]],
      ["every API group (CKV_K8S_49), on its own", "Role", add({ apiGroups: ["*"], resources: ["deployments"], verbs: ["get", "list"] }), [
        `${R}: rules[4] uses the wildcard "*" in apiGroups, so it grants get and list on deployments in every API group, present and future: any group that serves a resource by that name, not only the one meant; list the API groups the role needs instead of "*".`,
      ]],
      ["every API group next to a named one", "ClusterRole", add({ apiGroups: ["apps", "*"], resources: ["pods", "deployments"], verbs: ["watch"] }), [
        `${CR}: rules[5] uses the wildcard "*" in apiGroups, so it grants watch on pods and deployments in every API group, present and future: any group that serves a resource by those names, not only the one meant; list the API groups the role needs instead of "*".`,
      ]],
      ["every non-resource URL", "ClusterRole", add({ nonResourceURLs: ["*"], verbs: ["get"] }), [
        `${CR}: rules[5] uses the wildcard "*" in nonResourceURLs, so it grants get on every non-resource URL, including any added later; list the exact verbs and resources the role needs.`,
      ]],
      ["an aggregated ClusterRole", "ClusterRole", (r) => (r.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/aggregate-to-monitoring": "true" } }] }), [
        `${CR}: aggregationRule fills its rules with those of every ClusterRole matching [rbac.example.com/aggregate-to-monitoring=true], now and later, which no policy can see from this role; list its rules instead, or exempt it with a reason naming the roles it aggregates.`,
      ]],
    ],
  ],
  [
    rbacNoEscalation,
    [
      ["bind on clusterroles", "Role", add({ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["view"] }), [
        `${R}: rules[4] grants bind on clusterroles (rbac.authorization.k8s.io) named view, so holders can write or bind roles with permissions they do not hold; remove escalate and bind, or exempt the role with a reason.`,
      ]],
      ["impersonate", "ClusterRole", add({ apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] }), [
        `${CR}: rules[5] grants impersonate on users and groups, so holders can act as those identities with all their permissions; remove impersonate, or exempt the role with a reason.`,
      ]],
      ["escalation through the wildcard verb", "ClusterRole", add({ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "clusterroles"], verbs: ["*"] }), [
        `${CR}: rules[5] grants escalate and bind on roles and clusterroles (rbac.authorization.k8s.io) through the wildcard "*" in verbs, so holders can write or bind roles with permissions they do not hold; remove escalate and bind, or exempt the role with a reason.`,
      ]],
      ["everything", "ClusterRole", add(ALL), [
        `${CR}: rules[5] grants escalate and bind on roles and clusterroles (rbac.authorization.k8s.io) through the wildcard "*" in verbs, resources and apiGroups, so holders can write or bind roles with permissions they do not hold; remove escalate and bind, or exempt the role with a reason.`,
        `${CR}: rules[5] grants impersonate on users, groups and serviceaccounts through the wildcard "*" in verbs, resources and apiGroups, so holders can act as those identities with all their permissions; remove impersonate, or exempt the role with a reason.`,
      ]],
    ],
  ],
  [
    rbacNoSecretReads,
    [
      ["secret reads", "ClusterRole", add({ apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["get", "list"] }), [
        `${CR}: rules[5] grants get and list on secrets, so a ClusterRoleBinding to it reads the Secrets of every namespace; grant Secret reads in a Role in the namespace that holds them, or exempt the role with a reason.`,
      ]],
      ["secret reads through a resource wildcard", "ClusterRole", add({ apiGroups: [""], resources: ["*"], verbs: ["watch"] }), [
        `${CR}: rules[5] grants watch on secrets through the wildcard "*" in resources, so a ClusterRoleBinding to it reads the Secrets of every namespace; grant Secret reads in a Role in the namespace that holds them, or exempt the role with a reason.`,
      ]],
      ["named secrets, cluster-wide", "ClusterRole", add({ apiGroups: [""], resources: ["secrets"], resourceNames: ["tls"], verbs: ["get", "list", "create"] }), [
        `${CR}: rules[5] grants get and list on secrets named tls, so a ClusterRoleBinding to it reads the Secrets of every namespace; grant Secret reads in a Role in the namespace that holds them, or exempt the role with a reason.`,
      ]],
    ],
  ],
  [
    rbacNoPodExec,
    [
      ["exec", "Role", add({ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }), [
        `${R}: rules[4] grants create on pods/exec, so holders can run commands in, or attach to, the containers of its pods (get alone is enough over WebSockets); remove it, or exempt the role with a reason.`,
      ]],
      ["attach with get (WebSockets)", "ClusterRole", add({ apiGroups: [""], resources: ["pods/attach"], verbs: ["get"] }), [
        `${CR}: rules[5] grants get on pods/attach, so holders can run commands in, or attach to, the containers of its pods (get alone is enough over WebSockets); remove it, or exempt the role with a reason.`,
      ]],
      ["exec through */exec", "Role", add({ apiGroups: [""], resources: ["*/exec"], verbs: ["get", "list"] }), [
        `${R}: rules[4] grants get on pods/exec through the wildcard "*/exec" in resources, so holders can run commands in, or attach to, the containers of its pods (get alone is enough over WebSockets); remove it, or exempt the role with a reason.`,
      ]],
      ["a read-only role over every group (#133515)", "ClusterRole", add({ apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "watch"] }), [
        `${CR}: rules[5] grants get on pods/exec and pods/attach through the wildcard "*" in resources and apiGroups, so holders can run commands in, or attach to, the containers of its pods (get alone is enough over WebSockets); remove it, or exempt the role with a reason.`,
      ]],
    ],
  ],
  [
    rbacNoNodeProxy,
    [
      ["a scraper reading cAdvisor through the API server", "ClusterRole", (r) => (rules(r)[0].resources as string[]).push("nodes/proxy"), [
        `${CR}: rules[0] grants get on nodes/proxy, which reaches every node's kubelet API, where even get runs commands in any pod; read kubelet metrics through nodes/metrics (and nodes/stats) instead, or exempt the role with a reason.`,
      ]],
      ["nodes/proxy through */proxy", "ClusterRole", add({ apiGroups: [""], resources: ["*/proxy"], verbs: ["create", "delete"] }), [
        `${CR}: rules[5] grants create and delete on nodes/proxy through the wildcard "*/proxy" in resources, which reaches every node's kubelet API, where even get runs commands in any pod; read kubelet metrics through nodes/metrics (and nodes/stats) instead, or exempt the role with a reason.`,
      ]],
    ],
  ],
  [
    rbacNoCsrApproval,
    [
      ["approval and signer", "ClusterRole", add(
        { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"] },
        { apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["kubernetes.io/kube-apiserver-client"], verbs: ["approve"] },
      ), [
        `${CR}: rules[5] grants update on certificatesigningrequests/approval (certificates.k8s.io), so holders can approve certificate signing requests, such as a client certificate for any user or group (system:masters included); leave approval to the cluster's approvers, or exempt the role with a reason.`,
        `${CR}: rules[6] grants approve on signers (certificates.k8s.io) named kubernetes.io/kube-apiserver-client, so holders can approve certificate signing requests, such as a client certificate for any user or group (system:masters included); leave approval to the cluster's approvers, or exempt the role with a reason.`,
      ]],
      ["one half is not approval: both, through wildcards", "ClusterRole", add({ apiGroups: ["*"], resources: ["*"], verbs: ["approve", "update"] }), [
        `${CR}: rules[5] grants update on certificatesigningrequests/approval (certificates.k8s.io) through the wildcard "*" in resources and apiGroups, so holders can approve certificate signing requests, such as a client certificate for any user or group (system:masters included); leave approval to the cluster's approvers, or exempt the role with a reason.`,
        `${CR}: rules[5] grants approve on signers (certificates.k8s.io) through the wildcard "*" in resources and apiGroups, so holders can approve certificate signing requests, such as a client certificate for any user or group (system:masters included); leave approval to the cluster's approvers, or exempt the role with a reason.`,
      ]],
      ["approve on signers alone (it approves nothing without the approval subresource)", "ClusterRole", add({ apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"] }), []],
    ],
  ],
  [
    rbacNoWebhookChanges,
    [
      ["webhook writes", "ClusterRole", add({ apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: ["get", "patch"] }), [
        `${CR}: rules[5] grants patch on mutatingwebhookconfigurations (admissionregistration.k8s.io), so holders can switch off the cluster's admission control or rewrite every object it admits; manage admission configuration outside workloads' roles, or exempt the role with a reason.`,
      ]],
      ["admission policy deletes", "ClusterRole", add({ apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingadmissionpolicies", "validatingadmissionpolicybindings"], verbs: ["delete", "deletecollection"] }), [
        `${CR}: rules[5] grants delete and deletecollection on validatingadmissionpolicies and validatingadmissionpolicybindings (admissionregistration.k8s.io), so holders can switch off the cluster's admission control or rewrite every object it admits; manage admission configuration outside workloads' roles, or exempt the role with a reason.`,
      ]],
    ],
  ],
  [
    rbacNoTokenCreation,
    [
      ["token creation", "Role", add({ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"], resourceNames: ["api"] }), [
        `${R}: rules[4] grants create on serviceaccounts/token named api, so holders can mint tokens for those ServiceAccounts and act with their permissions; remove it, or exempt the role with a reason.`,
      ]],
    ],
  ],
])("%s", (policy, cases) => {
  judgesRoles(policy, cases);
});

describe("RBAC evaluation, as Kubernetes matches rules", () => {
  const one = (rule: Props) => rulesOf({ rules: [rule] });
  const granted = (rule: Props, request: Parameters<typeof grants>[1]) => grants(one(rule), request).map(grantText);

  it("matches verbs and resources case-sensitively, exactly", () => {
    expect(granted({ apiGroups: [""], resources: ["secrets"], verbs: ["GET", "List"] }, { resources: ["secrets"], verbs: ["get", "list"] })).toEqual([]);
    expect(granted({ apiGroups: [""], resources: ["Secrets"], verbs: ["get"] }, { resources: ["secrets"], verbs: ["get"] })).toEqual([]);
    expect(granted({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }, { resources: ["secrets"], verbs: ["get"] })).toEqual(["rules[0] grants get on secrets"]);
  });

  it("matches a subresource only by its exact name, * or */subresource", () => {
    const exec = { resources: ["pods/exec"], verbs: ["create"] };
    expect(granted({ apiGroups: [""], resources: ["pods"], verbs: ["create"] }, exec)).toEqual([]);
    expect(granted({ apiGroups: [""], resources: ["pods/*"], verbs: ["create"] }, exec)).toEqual([]);
    expect(granted({ apiGroups: [""], resources: ["*/log"], verbs: ["create"] }, exec)).toEqual([]);
    expect(granted({ apiGroups: [""], resources: ["*/exec"], verbs: ["create"] }, exec)).toEqual(['rules[0] grants create on pods/exec through the wildcard "*/exec" in resources']);
    expect(granted({ apiGroups: [""], resources: ["*/exec"], verbs: ["get"] }, { resources: ["pods"], verbs: ["get"] })).toEqual([]);
    expect(granted({ apiGroups: [""], resources: ["*"], verbs: ["create"] }, exec)).toEqual(['rules[0] grants create on pods/exec through the wildcard "*" in resources']);
  });

  it("needs the API group: the core group by default, * for any, none matches nothing", () => {
    expect(granted({ apiGroups: ["apps"], resources: ["secrets"], verbs: ["get"] }, { resources: ["secrets"], verbs: ["get"] })).toEqual([]);
    expect(granted({ resources: ["secrets"], verbs: ["get"] }, { resources: ["secrets"], verbs: ["get"] })).toEqual([]);
    expect(granted({ apiGroups: ["*"], resources: ["secrets"], verbs: ["get"] }, { resources: ["secrets"], verbs: ["get"] })).toEqual(['rules[0] grants get on secrets through the wildcard "*" in apiGroups']);
  });

  it("names an exact entry before a wildcard", () => {
    expect(granted({ apiGroups: [""], resources: ["secrets", "*"], verbs: ["get", "*"] }, { resources: ["secrets"], verbs: ["get"] })).toEqual(["rules[0] grants get on secrets"]);
    expect(granted({ apiGroups: [""], resources: ["secrets"], verbs: ["get", "*"] }, { resources: ["secrets"], verbs: ["get", "list"] })).toEqual(['rules[0] grants get and list on secrets through the wildcard "*" in verbs']);
  });

  it("never widens through resourceNames: create and deletecollection carry no name; * is a name", () => {
    const named = { apiGroups: [""], resources: ["secrets", "pods/exec"], resourceNames: ["a"], verbs: ["create", "deletecollection", "list", "delete"] };
    expect(granted(named, { resources: ["secrets"], verbs: ["create", "deletecollection"] })).toEqual([]);
    expect(granted(named, { resources: ["secrets"], verbs: ["create", "list", "delete"] })).toEqual(["rules[0] grants list and delete on secrets named a"]);
    expect(granted(named, { resources: ["pods/exec"], verbs: ["create"] })).toEqual(["rules[0] grants create on pods/exec named a"]);
    expect(granted(named, { resources: ["secrets"], verbs: ["delete"], name: "b" })).toEqual([]);
    expect(granted({ ...named, resourceNames: ["*"] }, { resources: ["secrets"], verbs: ["delete"], name: "b" })).toEqual([]);
    expect(granted(named, { resources: ["secrets"], verbs: ["delete"], name: "a" })).toEqual(["rules[0] grants delete on secrets named a"]);
  });

  it("matches non-resource URLs exactly, by * or by a prefix ending in *", () => {
    const urls = (u: string[]) => grantsNonResource(one({ nonResourceURLs: u, verbs: ["get"] }), { nonResourceURLs: ["/logs/kube-apiserver.log"], verbs: ["get"] }).map(grantText);
    expect(urls(["/logs"])).toEqual([]);
    expect(urls(["/logs/*"])).toEqual(['rules[0] grants get on /logs/kube-apiserver.log through the wildcard "/logs/*" in nonResourceURLs']);
    expect(urls(["/lo*"])).toEqual(['rules[0] grants get on /logs/kube-apiserver.log through the wildcard "/lo*" in nonResourceURLs']);
    expect(urls(["*"])).toEqual(['rules[0] grants get on /logs/kube-apiserver.log through the wildcard "*" in nonResourceURLs']);
    expect(grants(one({ nonResourceURLs: ["*"], verbs: ["*"] }), { resources: ["secrets"], verbs: ["get"] })).toEqual([]);
  });
});

describe("one ClusterRole with every permission", () => {
  it("is reported by every role policy, each through the wildcard", () => {
    const r = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "god" }, rules: [ALL] };
    const policies = [rbacNoWildcards, rbacNoEscalation, rbacNoSecretReads, rbacNoPodExec, rbacNoNodeProxy, rbacNoCsrApproval, rbacNoWebhookChanges, rbacNoTokenCreation];
    const counts = policies.map((p) => violations(p, CLUSTER_ROLE, r).length);
    expect(counts).toEqual([1, 2, 1, 1, 1, 2, 1, 1]);
    for (const p of policies.slice(1)) for (const m of violations(p, CLUSTER_ROLE, r)) expect(m).toContain('through the wildcard "*" in verbs, resources and apiGroups');
  });

  it("grants a Role nothing cluster-scoped, so those policies judge ClusterRoles only", () => {
    const r = { ...role(), rules: [ALL] };
    for (const p of [rbacNoSecretReads, rbacNoNodeProxy, rbacNoCsrApproval, rbacNoWebhookChanges]) expect(violations(p, ROLE, r)).toEqual([]);
  });
});

describe("aggregated ClusterRoles", () => {
  it("judge the rules present, and report no aggregation when no selector aggregates anything", () => {
    const r = { ...clusterRole(), aggregationRule: { clusterRoleSelectors: [] } };
    expect(violations(rbacNoWildcards, CLUSTER_ROLE, r)).toEqual([]);
    const empty = { ...clusterRole(), aggregationRule: { clusterRoleSelectors: [{}] }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] };
    expect(violations(rbacNoWildcards, CLUSTER_ROLE, empty)).toEqual([
      `${CR}: aggregationRule fills its rules with those of every ClusterRole matching [anything (an empty selector)], now and later, which no policy can see from this role; list its rules instead, or exempt it with a reason naming the roles it aggregates.`,
    ]);
    expect(violations(rbacNoSecretReads, CLUSTER_ROLE, empty)).toEqual([
      `${CR}: rules[0] grants get on secrets, so a ClusterRoleBinding to it reads the Secrets of every namespace; grant Secret reads in a Role in the namespace that holds them, or exempt the role with a reason.`,
    ]);
  });
});

describe("rbac-no-wildcards near misses", () => {
  it("passes a group whose name only contains * (Kubernetes matches \"*\" alone) and a rule that names no resource", () => {
    for (const rule of [
      { apiGroups: ["*.example.com"], resources: ["widgets"], verbs: ["get"] },
      { apiGroups: ["*"], resources: [], verbs: ["get"] },
    ]) {
      const r = role();
      add(rule)(r);
      expect(violations(rbacNoWildcards, ROLE, r)).toEqual([]);
    }
  });
});

describe("exemptions on roles", () => {
  const exempted = (reason: string) => {
    const r = clusterRole();
    (rules(r)[0].resources as string[]).push("nodes/proxy");
    (r.metadata as Props).annotations = { "exempt.keel.dev/rbac-no-node-proxy": reason };
    return r;
  };

  it("suppress the named policy with a reason, and only with one", () => {
    expect(violations(rbacNoNodeProxy, CLUSTER_ROLE, exempted("Prometheus reads cAdvisor through the API server proxy"))).toEqual([]);
    expect(violations(rbacNoNodeProxy, CLUSTER_ROLE, exempted("todo"))).toHaveLength(1);
  });
});

// --- bindings ----------------------------------------------------------------------------------

function roleBinding(): Props {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "api", namespace: "shop" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "api" },
    subjects: [{ kind: "ServiceAccount", name: "api", namespace: "shop" }],
  };
}

function clusterRoleBinding(): Props {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "scraper" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "scraper" },
    subjects: [{ kind: "ServiceAccount", name: "prometheus", namespace: "monitoring" }],
  };
}

type BindingCase = [name: string, kind: "RoleBinding" | "ClusterRoleBinding", mutate: (b: Props) => void, expected: string[]];
const roleRef = (kind: string, name: string) => (b: Props) => (b.roleRef = { apiGroup: "rbac.authorization.k8s.io", kind, name });
const subject = (kind: string, name: string) => (b: Props) => (b.subjects as Props[]).push({ apiGroup: "rbac.authorization.k8s.io", kind, name });
const RB = "RoleBinding shop/api";
const CRB = "ClusterRoleBinding scraper";
const INSTEAD = "bind a dedicated ServiceAccount, User or Group instead.";

describe("rbac-no-privileged-bindings", () => {
  it("passes the compliant RoleBinding and ClusterRoleBinding, and near misses", () => {
    expect(violations(rbacNoPrivilegedBindings, ROLE_BINDING, roleBinding())).toEqual([]);
    expect(violations(rbacNoPrivilegedBindings, CLUSTER_ROLE_BINDING, clusterRoleBinding())).toEqual([]);
    const nearMisses: [string, (b: Props) => void][] = [
      ["a RoleBinding to edit (namespaced)", roleRef("ClusterRole", "edit")],
      ["a Role that happens to be named cluster-admin", roleRef("Role", "cluster-admin")],
      ["a User named like a ServiceAccount", subject("User", "system:serviceaccount:shop:api")],
      ["a group whose name only looks like system:masters", subject("Group", "System:masters")],
    ];
    for (const [, mutate] of nearMisses) {
      const b = roleBinding();
      mutate(b);
      expect(violations(rbacNoPrivilegedBindings, ROLE_BINDING, b)).toEqual([]);
    }
  });

  it.each<BindingCase>([
    ["cluster-admin cluster-wide", "ClusterRoleBinding", roleRef("ClusterRole", "cluster-admin"), [
      `${CRB}: roleRef is the ClusterRole cluster-admin, which grants every verb on every resource of the cluster and of every namespace; bind a role that lists only the permissions its subjects need.`,
    ]],
    ["cluster-admin in a namespace", "RoleBinding", roleRef("ClusterRole", "cluster-admin"), [
      `${RB}: roleRef is the ClusterRole cluster-admin, which grants every verb on every resource of namespace shop, Roles, RoleBindings and Secrets included; bind a role that lists only the permissions its subjects need.`,
    ]],
    ["admin cluster-wide", "ClusterRoleBinding", roleRef("ClusterRole", "admin"), [
      `${CRB}: roleRef is the ClusterRole admin bound cluster-wide, which grants read and write access to most objects of every namespace, Secrets, Roles and RoleBindings included; bind it with a RoleBinding in each namespace that needs it, or bind a narrower role.`,
    ]],
    ["edit cluster-wide", "ClusterRoleBinding", roleRef("ClusterRole", "edit"), [
      `${CRB}: roleRef is the ClusterRole edit bound cluster-wide, which grants read and write access to most objects of every namespace, Secrets included, and running pods as any ServiceAccount; bind it with a RoleBinding in each namespace that needs it, or bind a narrower role.`,
    ]],
    ["system:masters", "ClusterRoleBinding", subject("Group", "system:masters"), [`${CRB}: subjects[1] is the Group system:masters (the cluster's superusers, whom authorization never restricts); ${INSTEAD}`]],
    ["system:authenticated", "RoleBinding", subject("Group", "system:authenticated"), [`${RB}: subjects[1] is the Group system:authenticated (every authenticated user and ServiceAccount); ${INSTEAD}`]],
    ["system:unauthenticated", "RoleBinding", subject("Group", "system:unauthenticated"), [`${RB}: subjects[1] is the Group system:unauthenticated (every unauthenticated request); ${INSTEAD}`]],
    ["system:serviceaccounts", "ClusterRoleBinding", subject("Group", "system:serviceaccounts"), [`${CRB}: subjects[1] is the Group system:serviceaccounts (every ServiceAccount of every namespace); ${INSTEAD}`]],
    ["a namespace's service accounts", "RoleBinding", subject("Group", "system:serviceaccounts:shop"), [`${RB}: subjects[1] is the Group system:serviceaccounts:shop (every ServiceAccount of namespace shop, present and future); ${INSTEAD}`]],
    ["system:nodes", "ClusterRoleBinding", subject("Group", "system:nodes"), [`${CRB}: subjects[1] is the Group system:nodes (every node's kubelet); ${INSTEAD}`]],
    ["another system: group", "RoleBinding", subject("Group", "system:bootstrappers"), [`${RB}: subjects[1] is the Group system:bootstrappers (a group under the system: prefix, which Kubernetes reserves for the groups its authenticators fill); ${INSTEAD}`]],
    ["the anonymous user", "RoleBinding", subject("User", "system:anonymous"), [`${RB}: subjects[1] is the User system:anonymous (every unauthenticated request); ${INSTEAD}`]],
    ["cluster-admin for everyone", "ClusterRoleBinding", (b) => {
      roleRef("ClusterRole", "cluster-admin")(b);
      b.subjects = [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:unauthenticated" }];
    }, [
      `${CRB}: roleRef is the ClusterRole cluster-admin, which grants every verb on every resource of the cluster and of every namespace; bind a role that lists only the permissions its subjects need.`,
      `${CRB}: subjects[0] is the Group system:unauthenticated (every unauthenticated request); ${INSTEAD}`,
    ]],
  ])("reports %s", (_name, kind, mutate, expected) => {
    const b = kind === "RoleBinding" ? roleBinding() : clusterRoleBinding();
    mutate(b);
    expect(violations(rbacNoPrivilegedBindings, kind === "RoleBinding" ? ROLE_BINDING : CLUSTER_ROLE_BINDING, b)).toEqual(expected);
  });
});
