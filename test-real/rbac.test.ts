/**
 * keel's RBAC evaluator (policies/lib/rbac.ts) against Kubernetes' own rule comparison
 * (k8s.io/component-helpers auth/rbac/validation Covers, the matching of the API server's
 * authorizer): every combination of a rule's verbs, groups, resources and names with a request,
 * wildcards, "*\/subresource", case and literal look-alikes included.
 */
import { grants, rulesOf } from "../policies/lib/rbac";
import { RbacQuestion, askKubernetes } from "./kubernetes-reference";

jest.setTimeout(900_000);

const RULE_VERBS = [["get"], ["*"], ["GET"], ["create"], ["list", "watch"], ["escalate", "bind"]];
const RULE_GROUPS = [[""], ["*"], ["apps"], ["rbac.authorization.k8s.io"]];
const RULE_RESOURCES = [["pods"], ["pods/exec"], ["*"], ["*/exec"], ["pods/*"], ["nodes/proxy"], ["Secrets"], ["secrets"], ["*/proxy"], ["clusterroles"]];
const RULE_NAMES: (string[] | undefined)[] = [undefined, ["api"]];

const REQUEST_VERBS = ["get", "create", "list", "escalate"];
const REQUEST_GROUPS = ["", "apps", "rbac.authorization.k8s.io"];
const REQUEST_RESOURCES = ["pods", "pods/exec", "nodes/proxy", "secrets", "deployments", "clusterroles"];

interface Case {
  readonly id: string;
  readonly rule: Record<string, unknown>;
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly name?: string;
}

function cases(): Case[] {
  const all: Case[] = [];
  for (const verbs of RULE_VERBS)
    for (const apiGroups of RULE_GROUPS)
      for (const resources of RULE_RESOURCES)
        for (const resourceNames of RULE_NAMES)
          for (const verb of REQUEST_VERBS)
            for (const group of REQUEST_GROUPS)
              for (const resource of REQUEST_RESOURCES) {
                const rule = { verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) };
                // Named rules are asked about their object (keel asks "any object" otherwise, and
                // then counts a named rule as granting on its names, which Covers does not model).
                // create and deletecollection carry no object name (requestinfo.go), which Covers
                // does not model either; keel is compared on get and list there.
                if (resourceNames && (verb === "create" || verb === "escalate")) continue;
                all.push({ id: `${JSON.stringify(rule)} ${verb} ${group}/${resource}`, rule, verb, group, resource, name: resourceNames ? "api" : undefined });
              }
  return all;
}

describe("keel's RBAC evaluator agrees with Kubernetes' rule matching", () => {
  it("on every combination of rule and request", () => {
    const all = cases();
    const questions: RbacQuestion[] = all.map((c) => ({
      id: c.id,
      rules: [c.rule],
      request: { verbs: [c.verb], apiGroups: [c.group], resources: [c.resource], ...(c.name ? { resourceNames: [c.name] } : {}) },
    }));
    const answers = askKubernetes({ rbac: questions });
    const disagreements = all
      .map((c, i) => ({ id: c.id, kubernetes: answers.rbac[i].allowed, keel: grants(rulesOf({ rules: [c.rule] }), { apiGroups: [c.group], resources: [c.resource], verbs: [c.verb], name: c.name }).length > 0 }))
      .filter((row) => row.kubernetes !== row.keel);
    expect(disagreements).toEqual([]);
    // Both answers are exercised.
    expect(answers.rbac.filter((a) => a.allowed).length).toBeGreaterThan(200);
    expect(answers.rbac.filter((a) => !a.allowed).length).toBeGreaterThan(2000);
  });
});
