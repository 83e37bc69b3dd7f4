/**
 * What an RBAC PolicyRule grants, decided the way the Kubernetes RBAC authorizer decides it:
 * RuleAllows (plugin/pkg/auth/authorizer/rbac/rbac.go) with the helpers of
 * pkg/apis/rbac/v1/evaluation_helpers.go, reproduced here rule for rule:
 * - VerbMatches: a rule verb is "*" or equals the request's verb. Plain string equality, so
 *   verbs are case-sensitive: a rule with "GET" or "Get" grants nothing (requests say "get").
 * - APIGroupMatches: "*" or the exact group ("" is the core group).
 * - ResourceMatches: "*" (every resource and subresource), the exact `resource/subresource`,
 *   or `*` + `/subresource` for that subresource of every resource. Nothing else is a pattern:
 *   "pods/*" is a literal that matches no request. Case-sensitive, like verbs.
 * - ResourceNameMatches: no resourceNames allows every object; otherwise only the listed names,
 *   compared exactly ("*" there is a name, not a wildcard). resourceNames only narrow a rule.
 *   A request carries no name for `create` of a top-level resource or for `deletecollection`
 *   (pkg/endpoints/request/requestinfo.go), so a rule with resourceNames never grants those;
 *   list and watch carry one when they select metadata.name (same file), so they can be granted.
 * - NonResourceURLMatches: "*", the exact path, or a prefix ending in "*".
 * A request is allowed when one rule allows it; rules never subtract.
 */
import type { Obj } from "./props";
import { arr, obj } from "./props";

export interface PolicyRule {
  /** Position in `rules`, for messages (`rules[0]`). */
  readonly index: number;
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

/** A question about resources: may any of `verbs` be done on any of `resources` (`pods/exec` for a subresource) in any of `apiGroups`? */
export interface ResourceRequest {
  /** Default: the core group only ([""]). */
  readonly apiGroups?: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /** Ask about one named object; without it, about any object (rules with resourceNames then grant on their names). */
  readonly name?: string;
}

export interface NonResourceRequest {
  readonly nonResourceURLs: readonly string[];
  readonly verbs: readonly string[];
}

export interface Wildcard {
  /** The entry as written: "*", or "*" + "/exec" for one subresource of every resource. */
  readonly entry: string;
  readonly field: "verbs" | "resources" | "apiGroups" | "nonResourceURLs";
}

/** What one rule grants of a request. */
export interface Grant {
  readonly rule: PolicyRule;
  /** The requested verbs it grants, in request order. */
  readonly verbs: readonly string[];
  /** The requested resources (or URLs) it grants them on, in request order. */
  readonly resources: readonly string[];
  /** The requested API groups it grants them in. */
  readonly apiGroups: readonly string[];
  /** Wildcard entries without which some of this would not be granted (an exact entry wins). */
  readonly wildcards: readonly Wildcard[];
  /** Non-empty: granted only on the objects of these names. */
  readonly resourceNames: readonly string[];
}

const strings = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === "string");

/** The rules of a Role or ClusterRole (an aggregated ClusterRole's are filled in by the controller: see rbac-roles.ts). */
export function rulesOf(props: Obj): PolicyRule[] {
  return arr(props.rules).map((r, index) => {
    const rule = obj(r);
    return {
      index,
      apiGroups: strings(rule.apiGroups),
      resources: strings(rule.resources),
      verbs: strings(rule.verbs),
      resourceNames: strings(rule.resourceNames),
      nonResourceURLs: strings(rule.nonResourceURLs),
    };
  });
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === "*" || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((g) => g === "*" || g === group);
}

/** `combined` is `resource` or `resource/subresource`. */
export function resourceMatches(rule: PolicyRule, combined: string): boolean {
  return rule.resources.some((r) => resourceEntryMatches(r, combined));
}

function resourceEntryMatches(entry: string, combined: string): boolean {
  if (entry === "*" || entry === combined) return true;
  const slash = combined.indexOf("/");
  return slash >= 0 && entry === `*/${combined.slice(slash + 1)}`;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, url: string): boolean {
  return rule.nonResourceURLs.some((u) => nonResourceEntryMatches(u, url));
}

function nonResourceEntryMatches(entry: string, url: string): boolean {
  return entry === "*" || entry === url || (entry.endsWith("*") && url.startsWith(entry.replace(/\*+$/, "")));
}

/** Whether a request with this verb on this resource names an object (see the file comment). */
function carriesName(verb: string, combined: string): boolean {
  return verb !== "deletecollection" && !(verb === "create" && !combined.includes("/"));
}

class GrantBuilder {
  readonly verbs = new Set<string>();
  readonly resources = new Set<string>();
  readonly apiGroups = new Set<string>();
  readonly wildcards = new Map<string, Wildcard>();

  constructor(readonly rule: PolicyRule) {}

  wildcard(entries: readonly string[], exact: string, field: Wildcard["field"], matches: (entry: string) => boolean): void {
    if (entries.includes(exact)) return;
    const entry = entries.find(matches);
    if (entry !== undefined) this.wildcards.set(`${field}\n${entry}`, { entry, field });
  }

  build(order: { verbs: readonly string[]; resources: readonly string[]; apiGroups: readonly string[] }): Grant | undefined {
    if (this.verbs.size === 0) return undefined;
    return {
      rule: this.rule,
      verbs: order.verbs.filter((v) => this.verbs.has(v)),
      resources: order.resources.filter((r) => this.resources.has(r)),
      apiGroups: order.apiGroups.filter((g) => this.apiGroups.has(g)),
      wildcards: [...this.wildcards.values()],
      resourceNames: this.rule.resourceNames,
    };
  }
}

/** The rules that grant some of the request, and what each grants. */
export function grants(rules: readonly PolicyRule[], request: ResourceRequest): Grant[] {
  const groups = request.apiGroups ?? [""];
  const found: Grant[] = [];
  for (const rule of rules) {
    const b = new GrantBuilder(rule);
    for (const verb of request.verbs) {
      if (!verbMatches(rule, verb)) continue;
      for (const group of groups) {
        if (!apiGroupMatches(rule, group)) continue;
        for (const resource of request.resources) {
          if (!resourceMatches(rule, resource)) continue;
          const named = request.name !== undefined ? resourceNameMatches(rule, request.name) : rule.resourceNames.length === 0 || carriesName(verb, resource);
          if (!named) continue;
          b.verbs.add(verb);
          b.apiGroups.add(group);
          b.resources.add(resource);
          b.wildcard(rule.verbs, verb, "verbs", (v) => v === "*");
          b.wildcard(rule.resources, resource, "resources", (r) => resourceEntryMatches(r, resource));
          b.wildcard(rule.apiGroups, group, "apiGroups", (g) => g === "*");
        }
      }
    }
    const g = b.build({ verbs: request.verbs, resources: request.resources, apiGroups: groups });
    if (g) found.push(g);
  }
  return found;
}

/** The rules that grant some of a non-resource request (paths such as /metrics). */
export function grantsNonResource(rules: readonly PolicyRule[], request: NonResourceRequest): Grant[] {
  const found: Grant[] = [];
  for (const rule of rules) {
    const b = new GrantBuilder(rule);
    for (const verb of request.verbs) {
      if (!verbMatches(rule, verb)) continue;
      for (const url of request.nonResourceURLs) {
        if (!nonResourceURLMatches(rule, url)) continue;
        b.verbs.add(verb);
        b.resources.add(url);
        b.wildcard(rule.verbs, verb, "verbs", (v) => v === "*");
        b.wildcard(rule.nonResourceURLs, url, "nonResourceURLs", (u) => nonResourceEntryMatches(u, url));
      }
    }
    const g = b.build({ verbs: request.verbs, resources: request.nonResourceURLs, apiGroups: [] });
    if (g) found.push(g);
  }
  return found;
}

/** `a`, `a and b`, `a, b and c` */
export function listText(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

const FIELD_ORDER: readonly Wildcard["field"][] = ["verbs", "resources", "apiGroups", "nonResourceURLs"];

/** `the wildcard "*" in verbs and resources`; different entries are each named with their fields. */
export function wildcardText(wildcards: readonly Wildcard[]): string {
  const byEntry = new Map<string, Wildcard["field"][]>();
  for (const field of FIELD_ORDER) {
    for (const w of wildcards.filter((x) => x.field === field)) byEntry.set(w.entry, [...(byEntry.get(w.entry) ?? []), field]);
  }
  return `the wildcard ${listText([...byEntry].map(([entry, fields]) => `"${entry}" in ${listText(fields)}`))}`;
}

/**
 * `rules[0] grants get and list on secrets named a, b through the wildcard "*" in verbs`;
 * resources outside the core group carry their group: `on signers (certificates.k8s.io)`.
 */
export function grantText(g: Grant): string {
  const groups = g.apiGroups.filter((x) => x !== "");
  const where = groups.length > 0 ? ` (${groups.join(", ")})` : "";
  const names = g.resourceNames.length > 0 ? ` named ${g.resourceNames.join(", ")}` : "";
  const through = g.wildcards.length > 0 ? ` through ${wildcardText(g.wildcards)}` : "";
  return `rules[${g.rule.index}] grants ${listText(g.verbs)} on ${listText(g.resources)}${where}${names}${through}`;
}
