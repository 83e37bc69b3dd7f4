/**
 * What the API server's own validation rejects in a well-typed object, for the fields keel's
 * other policies judge: a controller whose selector does not select its pod template, a topology
 * spread constraint the scheduler API refuses, an Ingress backend that names nothing, a
 * PodDisruptionBudget with both budgets. Such an object can never exist, so every other verdict
 * about it is moot. Each rule cites the Kubernetes validation function it follows
 * (kubernetes/kubernetes, pkg/apis/.../validation/validation.go).
 *
 * The rules read only fields whose types are right: a rule is skipped when a type problem lies on
 * or above a path it reads (well-formed-objects reports that problem instead). They read through
 * the value as given, so a value unknown during preview throws @pulumi/policy's UnknownValueError;
 * each rule catches it alone and is skipped (it cannot decide), and the other rules still run.
 */
import { LabelSelector, isEmptySelector, kindOf, labelsOf, labelsText, podSpecPath, selectorOf, selects } from "../lib/kubernetes";
import type { ShapeProblem } from "../lib/object-shape";
import { Obj, arr, at, obj } from "../lib/props";

/** Controllers whose spec.selector is a required, non-empty LabelSelector. */
const SELECTOR_REQUIRED = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);
/** Kinds with a pod spec, and so with topologySpreadConstraints. */
const POD_SPEC_KINDS = new Set([...SELECTOR_REQUIRED, "ReplicationController", "Job", "CronJob", "Pod", "PodTemplate"]);
const OPERATORS = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);
const MAX_QUOTED = 40;

type Rule = (props: Obj, out: string[]) => void;

/** The API-validation problems of an object of `type` (messages without the object's name), skipping rules whose fields have type problems. */
export function apiValidationProblems(type: string, props: unknown, typeProblems: readonly ShapeProblem[]): string[] {
  const kind = kindOf(type);
  if (kind === undefined) return [];
  const rules: [reads: string[], rule: Rule][] = [];
  if (SELECTOR_REQUIRED.has(kind)) rules.push([["spec.selector", "spec.template.metadata.labels"], (p, out) => requiredSelector(kind, p, out)]);
  if (kind === "ReplicationController") rules.push([["spec.selector", "spec.template.metadata.labels"], replicationControllerSelector]);
  if (kind === "Job") rules.push([["spec.selector", "spec.manualSelector", "spec.template.metadata.labels"], manualJobSelector]);
  if (POD_SPEC_KINDS.has(kind)) {
    const path = podSpecPath(type);
    rules.push([[`${path}.topologySpreadConstraints`], (p, out) => topologySpread(path, p, out)]);
  }
  if (kind === "Ingress" && type.startsWith("kubernetes:networking.k8s.io/v1:")) rules.push([["spec.defaultBackend", "spec.rules"], ingressBackends]);
  if (kind === "PodDisruptionBudget") rules.push([["spec.minAvailable", "spec.maxUnavailable"], disruptionBudget]);
  const out: string[] = [];
  for (const [reads, rule] of rules) {
    if (typeProblems.some((p) => reads.some((r) => overlaps(p.path, r)))) continue;
    try {
      rule(obj(props), out);
    } catch (err) {
      if (!(err instanceof Error && err.constructor.name === "UnknownValueError")) throw err;
    }
  }
  return out;
}

/** A type problem at `problem` concerns the field at `read`: the same field, one under it, or one above it. */
function overlaps(problem: string, read: string): boolean {
  if (problem === "the object") return true;
  const [short, long] = problem.length <= read.length ? [problem, read] : [read, problem];
  return long.startsWith(short) && (long.length === short.length || long[short.length] === "." || long[short.length] === "[");
}

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}

/** `app=api, tier in (web, api), !canary`, as kubectl prints a selector. */
function selectorText(s: LabelSelector): string {
  const parts = Object.entries(s.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions) {
    if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === "In" ? "in" : "notin"} (${e.values.join(", ")})`);
  }
  return parts.join(", ");
}

function labelsOrNone(labels: Record<string, string>): string {
  return labelsText(labels) || "none";
}

const MISMATCH_FIX = "the API server rejects it: make the template carry the selector's labels";

function addSelectorFix(labels: Record<string, string>): string {
  return Object.keys(labels).length === 0
    ? "add labels to the pod template and the same labels in spec.selector.matchLabels"
    : `add spec.selector.matchLabels with the pod template's labels (${labelsOrNone(labels)})`;
}

/** A selector the matcher can judge: every expression has a known operator, and In/NotIn have values (else ValidateLabelSelector rejects it otherwise). */
function judgeable(s: LabelSelector): boolean {
  return s.matchExpressions.every((e) => OPERATORS.has(e.operator) && ((e.operator !== "In" && e.operator !== "NotIn") || e.values.length > 0));
}

/**
 * Deployment, StatefulSet, DaemonSet, ReplicaSet: ValidateDeploymentSpec, ValidateStatefulSetSpec,
 * ValidateReplicaSetSpec (apps/validation: `field.Required(selector)`, "empty selector is invalid
 * for ...", then ValidatePodTemplateSpecForReplicaSet / ValidatePodTemplateSpecForStatefulSet:
 * "`selector` does not match template `labels`"); ValidateDaemonSetSpec (a nil selector becomes
 * labels.Nothing(), which matches no template, and "empty selector is invalid for daemonset").
 */
function requiredSelector(kind: string, props: Obj, out: string[]): void {
  const spec = obj(props.spec);
  const labels = labelsOf(at(spec, "template.metadata.labels"));
  if (!isSet(spec.selector)) {
    out.push(`spec.selector is missing; the API server rejects a ${kind} without one: ${addSelectorFix(labels)}.`);
    return;
  }
  const selector = selectorOf(spec.selector);
  if (isEmptySelector(selector)) {
    out.push(`spec.selector is empty; the API server rejects a ${kind} whose selector selects everything: ${addSelectorFix(labels)}.`);
    return;
  }
  if (judgeable(selector) && !selects(selector, labels)) {
    out.push(`spec.selector (${selectorText(selector)}) does not select the pod template's labels (${labelsOrNone(labels)}); ${MISMATCH_FIX}.`);
  }
}

/**
 * ReplicationController: its selector is a map. Empty or absent, SetDefaults_ReplicationController
 * (core/v1/defaults.go) copies the template's labels into it; given, ValidatePodTemplateSpecForRC
 * (core/validation, from ValidateReplicationControllerSpec) requires it to match the labels.
 */
function replicationControllerSelector(props: Obj, out: string[]): void {
  const spec = obj(props.spec);
  const selector = labelsOf(spec.selector);
  if (Object.keys(selector).length === 0) return;
  const labels = labelsOf(at(spec, "template.metadata.labels"));
  if (Object.entries(selector).every(([k, v]) => labels[k] === v)) return;
  out.push(`spec.selector (${labelsOrNone(selector)}) does not select the pod template's labels (${labelsOrNone(labels)}); ${MISMATCH_FIX}.`);
}

/**
 * Job: the API server generates the selector unless spec.manualSelector is true; then
 * ValidateJobSpec (batch/validation) requires it (`field.Required(selector)`) and requires it to
 * match the template's labels ("`selector` does not match template `labels`").
 */
function manualJobSelector(props: Obj, out: string[]): void {
  const spec = obj(props.spec);
  if (spec.manualSelector !== true) return;
  const labels = labelsOf(at(spec, "template.metadata.labels"));
  if (!isSet(spec.selector)) {
    out.push(`spec.selector is missing while spec.manualSelector is true; the API server rejects it: ${addSelectorFix(labels)}, or remove manualSelector to have one generated.`);
    return;
  }
  const selector = selectorOf(spec.selector);
  if (judgeable(selector) && !selects(selector, labels)) {
    out.push(`spec.selector (${selectorText(selector)}) does not select the pod template's labels (${labelsOrNone(labels)}); ${MISMATCH_FIX}.`);
  }
}

/**
 * validateTopologySpreadConstraints (core/validation): ValidateMaxSkew (> 0), ValidateTopologyKey
 * (non-empty), ValidateWhenUnsatisfiable (DoNotSchedule or ScheduleAnyway), validateMinDomains
 * (> 0, and only with DoNotSchedule).
 */
function topologySpread(podSpecAt: string, props: Obj, out: string[]): void {
  const constraints = arr(at(props, `${podSpecAt}.topologySpreadConstraints`));
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i];
    if (typeof c !== "object" || c === null) continue;
    const { maxSkew, topologyKey, whenUnsatisfiable, minDomains } = c as Obj;
    const where = `${podSpecAt}.topologySpreadConstraints[${i}]`;
    if (!isSet(maxSkew)) out.push(`${where}.maxSkew is missing; the API server requires an integer greater than 0: write maxSkew: 1.`);
    else if (typeof maxSkew === "number" && maxSkew <= 0) out.push(`${where}.maxSkew is ${maxSkew}; the API server requires an integer greater than 0: write maxSkew: 1.`);
    if (typeof topologyKey !== "string" || topologyKey === "") {
      out.push(`${where}.topologyKey is ${isSet(topologyKey) ? "empty" : "missing"}; the API server requires the node label to spread over: write e.g. topologyKey: "topology.kubernetes.io/zone".`);
    }
    const validAction = whenUnsatisfiable === "DoNotSchedule" || whenUnsatisfiable === "ScheduleAnyway";
    if (!validAction) {
      const found = typeof whenUnsatisfiable === "string" ? quote(whenUnsatisfiable) : "missing";
      out.push(`${where}.whenUnsatisfiable is ${found}; the API server accepts only DoNotSchedule or ScheduleAnyway: write one of them.`);
    }
    if (typeof minDomains === "number") {
      if (minDomains <= 0) out.push(`${where}.minDomains is ${minDomains}; the API server requires an integer greater than 0: write 1 or more, or remove it.`);
      if (validAction && whenUnsatisfiable !== "DoNotSchedule") {
        out.push(`${where}.minDomains is set with whenUnsatisfiable ScheduleAnyway; the API server allows minDomains only with DoNotSchedule: set whenUnsatisfiable: DoNotSchedule or remove minDomains.`);
      }
    }
  }
}

/**
 * networking.k8s.io/v1 Ingress: validateIngressBackend (networking/validation), for
 * spec.defaultBackend and every rule path's backend (a required value in v1): exactly one of
 * service and resource ("resource or service backend is required", "cannot set both resource and
 * service backends"); a service with a name and a port number or name ("port name or number is
 * required", "cannot set both port name & port number"; a number of 0 counts as none).
 */
function ingressBackends(props: Obj, out: string[]): void {
  const spec = obj(props.spec);
  if (isSet(spec.defaultBackend)) backend(spec.defaultBackend, "spec.defaultBackend", "defaultBackend", out);
  const rules = arr(spec.rules);
  for (let i = 0; i < rules.length; i++) {
    const paths = arr(at(rules[i], "http.paths"));
    for (let j = 0; j < paths.length; j++) {
      const path = paths[j];
      if (typeof path !== "object" || path === null) continue;
      backend((path as Obj).backend, `spec.rules[${i}].http.paths[${j}].backend`, "backend", out);
    }
  }
}

function backend(value: unknown, where: string, leaf: string, out: string[]): void {
  const write = `write ${leaf}.service.name and ${leaf}.service.port.number`;
  if (!isSet(value)) {
    out.push(`${where} is missing; the API server requires a service or resource backend: ${write}.`);
    return;
  }
  const b = obj(value);
  const hasService = isSet(b.service);
  const hasResource = isSet(b.resource);
  if (hasService && hasResource) {
    out.push(`${where} has both service and resource; the API server accepts exactly one: remove one of them.`);
    return;
  }
  if (!hasService && !hasResource) {
    if (isSet(b.serviceName) || isSet(b.servicePort)) out.push(`${where} uses serviceName/servicePort of networking.k8s.io/v1beta1, which is no backend in networking.k8s.io/v1 (the API server rejects it); ${write}.`);
    else out.push(`${where} has neither service nor resource; the API server requires exactly one: ${write}.`);
    return;
  }
  if (!hasService) return;
  const service = obj(b.service);
  if (typeof service.name !== "string" || service.name === "") {
    out.push(`${where}.service.name is ${isSet(service.name) ? "empty" : "missing"}; the API server requires the Service's name: write ${leaf}.service.name.`);
  }
  const port = obj(service.port);
  const hasNumber = typeof port.number === "number" && port.number !== 0;
  const hasName = typeof port.name === "string" && port.name !== "";
  if (hasNumber && hasName) out.push(`${where}.service.port has both number and name; the API server accepts one: remove one of them.`);
  else if (!hasNumber && !hasName) out.push(`${where}.service.port has neither number nor name; the API server requires one: write ${leaf}.service.port.number (e.g. 80) or ${leaf}.service.port.name.`);
}

/**
 * PodDisruptionBudget: ValidatePodDisruptionBudgetSpec (policy/validation): "minAvailable and
 * maxUnavailable cannot be both set"; each through ValidatePositiveIntOrPercent (an integer >= 0,
 * or a string IsValidPercent accepts: digits then "%") and IsNotMoreThan100Percent
 * (apps/validation).
 */
function disruptionBudget(props: Obj, out: string[]): void {
  const spec = obj(props.spec);
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) {
    out.push("spec sets both minAvailable and maxUnavailable; the API server accepts only one: remove one of them.");
  }
  for (const key of ["minAvailable", "maxUnavailable"]) {
    const v = spec[key];
    const fix = 'write a count such as 1 or a percentage such as "50%"';
    if (typeof v === "number" && v < 0) out.push(`spec.${key} is ${v}; the API server requires a count of 0 or more: ${fix}.`);
    else if (typeof v === "string") {
      const percent = percentValue(v);
      if (percent === undefined) out.push(`spec.${key} is ${quote(v)}, neither a count nor a percentage; the API server rejects it: ${fix}.`);
      else if (percent > 100) out.push(`spec.${key} is ${quote(v)}; the API server accepts at most 100%: write a percentage from "0%" to "100%".`);
    }
  }
}

/** IsValidPercent (`^[0-9]+%$`) without a regex: the number, or undefined when `text` is no percentage. */
function percentValue(text: string): number | undefined {
  if (text.length < 2 || text[text.length - 1] !== "%") return undefined;
  let n = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}
