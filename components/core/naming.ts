/** Naming rules shared by every component: DNS-1123 names and `${name}-<role>` children. */

/** A DNS-1123 label: what Kubernetes accepts for Service, Deployment and Namespace names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Longest component name: leaves room for `-<role>` suffixes and Pulumi's 8-character auto-name suffix. */
export const MAX_COMPONENT_NAME_LENGTH = 40;

/** Why `name` is not a usable component name, or undefined when it is. */
export function componentNameProblem(name: string): string | undefined {
  if (typeof name !== "string" || !DNS_LABEL.test(name)) {
    return "expected lowercase letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label)";
  }
  if (name.length > MAX_COMPONENT_NAME_LENGTH) {
    return `expected at most ${MAX_COMPONENT_NAME_LENGTH} characters`;
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
