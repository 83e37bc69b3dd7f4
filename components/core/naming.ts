/** Naming rules shared by every component: DNS-1035 names and `${name}-<role>` children. */

/** A DNS-1123 label: what Kubernetes accepts for Deployment and Namespace names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1035 label: what Kubernetes accepts for Service names (starts with a letter). */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Longest component name: leaves room for `-<role>` suffixes and Pulumi's 8-character auto-name suffix. */
export const MAX_COMPONENT_NAME_LENGTH = 40;

/** Kinds of the objects a component names after itself, with the longest name Kubernetes lets each work with. */
export const CHILD_NAME_LIMITS = {
  StatefulSet: { max: 52, why: "its pods' controller-revision-hash label is the name, '-' and a hash of up to 10 characters, at most 63 in all" },
  CronJob: { max: 52, why: "Kubernetes refuses longer CronJob names: it appends 11 characters to name each Job" },
  Job: { max: 63, why: "its pods' job-name label is the name, at most 63 characters" },
  Deployment: { max: 63, why: "its Service and label values are at most 63 characters" },
  DaemonSet: { max: 63, why: "its label values are at most 63 characters" },
  Service: { max: 63, why: "a Service name is a DNS-1035 label" },
} as const;

export type ChildKind = keyof typeof CHILD_NAME_LIMITS;

/** An object a component creates: named `<name>-<role>`, or `<name>` without a role. */
export interface ChildObject {
  readonly kind: ChildKind;
  readonly role?: string;
}

/** The longest name `children` allow, and the child that sets it (undefined: no child is stricter than {@link MAX_COMPONENT_NAME_LENGTH}). */
export function maxComponentNameLength(children: readonly ChildObject[] = []): { max: number; child?: ChildObject } {
  let best: { max: number; child?: ChildObject } = { max: MAX_COMPONENT_NAME_LENGTH };
  for (const child of children) {
    const max = CHILD_NAME_LIMITS[child.kind].max - (child.role === undefined ? 0 : child.role.length + 1);
    if (max < best.max) best = { max, child };
  }
  return best;
}

/**
 * Why `name` is not a usable component name, or undefined when it is: a DNS-1035 label (it names
 * Services), short enough that every object in `children` (`<name>-<role>`) stays within its
 * kind's limit ({@link CHILD_NAME_LIMITS}).
 */
export function componentNameProblem(name: string, children: readonly ChildObject[] = []): string | undefined {
  if (typeof name !== "string" || !DNS_1035_LABEL.test(name)) {
    return "expected lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (a DNS-1035 label: it names Services)";
  }
  const { max, child } = maxComponentNameLength(children);
  if (name.length > max) {
    if (!child) return `expected at most ${MAX_COMPONENT_NAME_LENGTH} characters`;
    const limit = CHILD_NAME_LIMITS[child.kind];
    return `expected at most ${max} characters: the ${child.kind} "<name>${child.role === undefined ? "" : `-${child.role}`}" may have at most ${limit.max} (${limit.why})`;
  }
  return undefined;
}

/** True when `value` is a valid DNS-1123 label (Kubernetes object and namespace names). */
export function isDnsLabel(value: string): boolean {
  return typeof value === "string" && value.length <= 63 && DNS_LABEL.test(value);
}

/** The Pulumi resource name (and Kubernetes object name) of a component's child: `${name}-${role}`. */
export function childName(name: string, role: string): string {
  return `${name}-${role}`;
}
