/**
 * RBAC: what a Role or ClusterRole grants, judged through the one evaluator of lib/rbac.ts, so
 * a wildcard grants what Kubernetes would let it grant (a rule with verbs ["*"] also grants
 * escalate; resources ["*"] also pods/exec) and a message then says "through the wildcard".
 *
 * Scope. A Role's rules apply only to requests in its namespace: rules on cluster-scoped
 * resources (nodes, certificatesigningrequests, signers, webhook configurations) grant nothing
 * there, so the policies about those judge ClusterRoles only. rbac-no-secret-reads judges
 * ClusterRoles only too: a Role reading its own namespace's Secrets is the way to do it.
 *
 * Aggregated ClusterRoles (aggregationRule): the controller replaces their rules with the union
 * of every ClusterRole its selectors match, now and later, including roles outside the stack;
 * their own rules say nothing about that. Each policy judges the rules that are present (the
 * ClusterRoles that aggregate into it are judged on their own when they are in the stack), and
 * rbac-no-wildcards reports the aggregation itself, as an open-ended grant, so it never passes
 * silently; exempt it with a reason when the selected roles are known and reviewed.
 */
import { resourcePolicy } from "../lib/define";
import { describe, isKind, selectorTerms } from "../lib/kubernetes";
import { arr, at } from "../lib/props";
import type { PolicyRule, ResourceRequest } from "../lib/rbac";
import { grantText, grants, listText, rulesOf } from "../lib/rbac";

const isRole = (type: string): boolean => isKind(type, "Role", "ClusterRole");
const isClusterRole = (type: string): boolean => isKind(type, "ClusterRole");

/** Requests a policy refuses, with what a grant of them lets holders do and the fix. */
interface Refused {
  readonly requests: readonly ResourceRequest[];
  readonly consequence: string;
  readonly fix: string;
  /** Only the requests together make the power: report when the role grants every one of them. */
  readonly together?: boolean;
}

/** A policy that reports one message per rule granting some of its requests: `<role>: <grant>, <consequence>; <fix>.` */
function grantPolicy(spec: { name: string; description: string; appliesTo: (type: string) => boolean; refused: readonly Refused[] }) {
  return resourcePolicy({
    name: spec.name,
    description: spec.description,
    enforcementLevel: "mandatory",
    appliesTo: spec.appliesTo,
    check(target, report) {
      const rules = rulesOf(target.props);
      for (const { requests, consequence, fix, together } of spec.refused) {
        const granted = requests.map((request) => grants(rules, request));
        if (together && granted.some((g) => g.length === 0)) continue;
        for (const g of granted.flat()) report(`${describe(target)}: ${grantText(g)}, ${consequence}; ${fix}.`);
      }
    },
  });
}

// --- rbac-no-wildcards -------------------------------------------------------------------------

/** The wildcard entries of a rule in verbs, resources and nonResourceURLs (prefix paths such as /api/* are not reported). */
function wildcardsOf(rule: PolicyRule): string[] {
  const found: string[] = [];
  if (rule.verbs.includes("*")) found.push('"*" in verbs');
  for (const r of rule.resources.filter((x) => x === "*" || x.startsWith("*/"))) found.push(`"${r}" in resources`);
  if (rule.nonResourceURLs.includes("*")) found.push('"*" in nonResourceURLs');
  return found;
}

function scopeOf(rule: PolicyRule): string {
  const verbs = rule.verbs.includes("*") ? "every verb" : listText(rule.verbs);
  if (rule.nonResourceURLs.length > 0) return `${verbs} on ${rule.nonResourceURLs.includes("*") ? "every non-resource URL" : listText(rule.nonResourceURLs)}`;
  const resources = rule.resources.includes("*") ? "every resource and subresource" : listText(rule.resources.map((r) => (r.startsWith("*/") ? `the ${r.slice(2)} subresource of every resource` : r)));
  const groups = rule.apiGroups.includes("*") ? "every API group" : `API group${rule.apiGroups.length === 1 ? "" : "s"} ${rule.apiGroups.map((g) => (g === "" ? '"" (core)' : g)).join(", ")}`;
  return `${verbs} on ${resources} in ${groups}`;
}


/**
 * A rule with "*" (or "*" + "/x") in verbs or resources, "*" in nonResourceURLs, or "*" in
 * apiGroups (what Checkov's CKV_K8S_49 fails on too). apiGroups "*" on its own has a message of
 * its own: it grants the named resources in every API group that serves a resource of that name,
 * present and future (APIGroupMatches: "*" matches any group), so ["*"] with resources ["pods"]
 * also grants metrics.k8s.io's pods; with the other wildcards it is named in their message,
 * which keeps its wording. A rule that names no verb or no resource grants nothing through its
 * apiGroups (the API server rejects it; well-formed-objects judges that).
 */
export const rbacNoWildcards = resourcePolicy({
  name: "rbac-no-wildcards",
  description: "Roles and ClusterRoles name their verbs and resources instead of using wildcards.",
  enforcementLevel: "mandatory",
  appliesTo: isRole,
  check(target, report) {
    for (const rule of rulesOf(target.props)) {
      const wild = wildcardsOf(rule);
      const everyGroup = rule.apiGroups.includes("*");
      if (wild.length === 0) {
        if (everyGroup && rule.verbs.length > 0 && rule.resources.length > 0) {
          const names = rule.resources.length === 1 ? "that name" : "those names";
          report(`${describe(target)}: rules[${rule.index}] uses the wildcard "*" in apiGroups, so it grants ${scopeOf(rule)}, present and future: any group that serves a resource by ${names}, not only the one meant; list the API groups the role needs instead of "*".`);
        }
        continue;
      }
      if (everyGroup) wild.push('"*" in apiGroups');
      report(`${describe(target)}: rules[${rule.index}] uses the wildcard ${listText(wild)}, so it grants ${scopeOf(rule)}, including any added later; list the exact verbs and resources the role needs.`);
    }
    // No selector aggregates nothing: the controller then empties the rules.
    const selectors = arr(at(target.props, "aggregationRule.clusterRoleSelectors"));
    if (selectors.length > 0) {
      const matched = selectors.map((s) => `[${selectorTerms(s) || "anything (an empty selector)"}]`).join(" or ");
      report(`${describe(target)}: aggregationRule fills its rules with those of every ClusterRole matching ${matched}, now and later, which no policy can see from this role; list its rules instead, or exempt it with a reason naming the roles it aggregates.`);
    }
  },
});

// --- rbac-no-escalation ------------------------------------------------------------------------

/**
 * escalate and bind on roles/clusterroles (checked by the RBAC escalation checks when a role is
 * written or bound); impersonate on users, groups and serviceaccounts of the core group, as the
 * impersonation filter asks (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go).
 * Not asked: uids and userextras (authentication.k8s.io), which Kubernetes accepts only along
 * with an impersonated user (docs: user-impersonation, "Requires Impersonate-User"), itself
 * reported; nor the constrained-impersonation verbs of KEP-5284 (impersonate:user-info,
 * impersonate:serviceaccount, ...; alpha in 1.35), which act only together with
 * impersonate-on:<verb> grants; a "*" verb that would grant them is reported here anyway.
 */
export const rbacNoEscalation = grantPolicy({
  name: "rbac-no-escalation",
  description: "Roles do not grant escalate, bind or impersonate, which let holders exceed their own permissions.",
  appliesTo: isRole,
  refused: [
    {
      requests: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "clusterroles"], verbs: ["escalate", "bind"] }],
      consequence: "so holders can write or bind roles with permissions they do not hold",
      fix: "remove escalate and bind, or exempt the role with a reason",
    },
    {
      requests: [{ apiGroups: [""], resources: ["users", "groups", "serviceaccounts"], verbs: ["impersonate"] }],
      consequence: "so holders can act as those identities with all their permissions",
      fix: "remove impersonate, or exempt the role with a reason",
    },
  ],
});

// --- rbac-no-secret-reads ----------------------------------------------------------------------

export const rbacNoSecretReads = grantPolicy({
  name: "rbac-no-secret-reads",
  description: "ClusterRoles do not read Secrets, which a cluster-wide binding extends to every namespace.",
  appliesTo: isClusterRole,
  refused: [
    {
      requests: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
      consequence: "so a ClusterRoleBinding to it reads the Secrets of every namespace",
      fix: "grant Secret reads in a Role in the namespace that holds them, or exempt the role with a reason",
    },
  ],
});

// --- rbac-no-pod-exec --------------------------------------------------------------------------

/**
 * create or get on pods/exec or pods/attach. `kubectl exec` over WebSockets (current kubectl's
 * default) sends a GET, authorized as `get` (kubernetes/kubernetes#78741, #133515); only
 * from Kubernetes 1.35, with the AuthorizePodWebsocketUpgradeCreatePermission gate (beta, on),
 * does the API server also require `create`. Either verb is therefore an exec grant.
 */
export const rbacNoPodExec = grantPolicy({
  name: "rbac-no-pod-exec",
  description: "Roles do not grant exec or attach into pods.",
  appliesTo: isRole,
  refused: [
    {
      requests: [{ apiGroups: [""], resources: ["pods/exec", "pods/attach"], verbs: ["create", "get"] }],
      consequence: "so holders can run commands in, or attach to, the containers of its pods (get alone is enough over WebSockets)",
      fix: "remove it, or exempt the role with a reason",
    },
  ],
});

// --- rbac-no-node-proxy ------------------------------------------------------------------------

/**
 * Every verb a request on nodes/proxy can carry: the HTTP method's (GET and HEAD: get, POST:
 * create, PUT: update, PATCH: patch, DELETE: delete; requestinfo.go). nodes/proxy reaches the
 * whole kubelet API, whose exec, attach and run endpoints accept WebSocket GETs, so even get
 * runs commands in any pod on the node (docs: kubelet-authn-authz, "get nodes/proxy" warning;
 * kubernetes/kubernetes#119640).
 */
export const rbacNoNodeProxy = grantPolicy({
  name: "rbac-no-node-proxy",
  description: "ClusterRoles do not grant nodes/proxy, which reaches the kubelet API and runs commands in pods.",
  appliesTo: isClusterRole,
  refused: [
    {
      requests: [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get", "create", "update", "patch", "delete"] }],
      consequence: "which reaches every node's kubelet API, where even get runs commands in any pod",
      fix: "read kubelet metrics through nodes/metrics (and nodes/stats) instead, or exempt the role with a reason",
    },
  ],
});

// --- rbac-no-csr-approval ----------------------------------------------------------------------

/**
 * Approving a CSR takes both update (or patch) on certificatesigningrequests/approval and approve
 * on its signer (the CSR approval admission plugin checks the second): a role reported grants both.
 */
export const rbacNoCsrApproval = grantPolicy({
  name: "rbac-no-csr-approval",
  description: "ClusterRoles do not approve certificate signing requests.",
  appliesTo: isClusterRole,
  refused: [
    {
      requests: [
        { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update", "patch"] },
        { apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"] },
      ],
      consequence: "so holders can approve certificate signing requests, such as a client certificate for any user or group (system:masters included)",
      fix: "leave approval to the cluster's approvers, or exempt the role with a reason",
      together: true,
    },
  ],
});

// --- rbac-no-webhook-changes -------------------------------------------------------------------

/**
 * Writes to admission webhook configurations, and to the in-process admission policies and
 * their bindings (ValidatingAdmissionPolicy GA in 1.30, MutatingAdmissionPolicy beta in 1.34):
 * deleting either kind turns admission enforcement off, and a new mutating one can rewrite any object.
 */
const ADMISSION_RESOURCES = [
  "mutatingwebhookconfigurations",
  "validatingwebhookconfigurations",
  "validatingadmissionpolicies",
  "validatingadmissionpolicybindings",
  "mutatingadmissionpolicies",
  "mutatingadmissionpolicybindings",
];

export const rbacNoWebhookChanges = grantPolicy({
  name: "rbac-no-webhook-changes",
  description: "ClusterRoles do not change admission webhooks or admission policies.",
  appliesTo: isClusterRole,
  refused: [
    {
      requests: [{ apiGroups: ["admissionregistration.k8s.io"], resources: ADMISSION_RESOURCES, verbs: ["create", "update", "patch", "delete", "deletecollection"] }],
      consequence: "so holders can switch off the cluster's admission control or rewrite every object it admits",
      fix: "manage admission configuration outside workloads' roles, or exempt the role with a reason",
    },
  ],
});

// --- rbac-no-token-creation --------------------------------------------------------------------

export const rbacNoTokenCreation = grantPolicy({
  name: "rbac-no-token-creation",
  description: "Roles do not create ServiceAccount tokens.",
  appliesTo: isRole,
  refused: [
    {
      requests: [{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] }],
      consequence: "so holders can mint tokens for those ServiceAccounts and act with their permissions",
      fix: "remove it, or exempt the role with a reason",
    },
  ],
});
