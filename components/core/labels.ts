/**
 * Standard `app.kubernetes.io/*` labels. Selectors use only name and instance: a selector that
 * includes the version would orphan the old pods on every upgrade (selectors are immutable).
 */

import type { Labels } from "../../policies/lib/network-model";
import { imageReferenceProblem } from "./image-reference";

export const LABEL_NAME = "app.kubernetes.io/name";
export const LABEL_INSTANCE = "app.kubernetes.io/instance";
export const LABEL_VERSION = "app.kubernetes.io/version";
export const LABEL_COMPONENT = "app.kubernetes.io/component";
export const LABEL_PART_OF = "app.kubernetes.io/part-of";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
/** The label Kubernetes puts on every namespace (1.21+); namespace selectors match on it. */
export const LABEL_NAMESPACE_NAME = "kubernetes.io/metadata.name";

/** Kubernetes labels: one type with the policy pack's (cluster facts carry labels too). */
export type { Labels };

export interface LabelInfo {
  /** The application name (`app.kubernetes.io/name`), e.g. the component's name. */
  readonly name: string;
  /** The instance (`app.kubernetes.io/instance`): unique per deployed component. */
  readonly instance: string;
  /** The application version; derived from the image tag when not given. */
  readonly version?: string;
  /** The role inside the application: `api`, `database`, `cache`, ... */
  readonly component?: string;
  /** The system this belongs to (`app.kubernetes.io/part-of`). */
  readonly partOf?: string;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** True when `value` is a valid Kubernetes label value (at most 63 characters, alphanumeric ends). */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** Makes a label value out of anything (a digest, a long tag): invalid characters become '-', trimmed to 63. */
export function toLabelValue(value: string): string {
  const cleaned = value.replace(/[^-A-Za-z0-9_.]/g, "-").slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
}

/** The labels that select a component's pods: never the version. */
export function selectorLabels(info: Pick<LabelInfo, "name" | "instance">): Labels {
  return { [LABEL_NAME]: info.name, [LABEL_INSTANCE]: info.instance };
}

/** The full set of standard labels for a component's objects. */
export function standardLabels(info: LabelInfo): Labels {
  const labels: Labels = { ...selectorLabels(info) };
  if (info.version) labels[LABEL_VERSION] = toLabelValue(info.version);
  if (info.component) labels[LABEL_COMPONENT] = info.component;
  if (info.partOf) labels[LABEL_PART_OF] = info.partOf;
  labels[LABEL_MANAGED_BY] = "keel";
  return labels;
}

/** The version an image reference pins: its tag, or the first 12 hex digits of its digest. */
export function imageVersion(image: string): string | undefined {
  const digest = /@sha256:([0-9a-f]{12})/.exec(image);
  if (digest) return `sha256-${digest[1]}`;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  return colon >= 0 ? lastSegment.slice(colon + 1) : undefined;
}

/** Why an image reference is not pinned (no tag, or `latest`), or undefined when it is. */
export function imagePinProblem(image: string): string | undefined {
  const grammar = imageReferenceProblem(image);
  if (grammar) return grammar;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const version = imageVersion(image);
  if (version === undefined) return "expected a pinned tag or digest, e.g. \"ghcr.io/org/app:1.4.2\" or \"app@sha256:...\"";
  if (isFloatingVersion(version)) return "expected a pinned tag or digest; \"latest\" changes under a running Deployment";
  return undefined;
}

/** True for a version that moves under a running workload: `latest` (any case). */
export function isFloatingVersion(version: string): boolean {
  return version.toLowerCase() === "latest";
}

/** Why `version` is not a pinned version (empty, `latest`, or not a label value), or undefined. */
export function versionProblem(version: unknown): string | undefined {
  if (typeof version !== "string" || version.length === 0) return "expected a pinned version such as \"1.4.2\"";
  if (isFloatingVersion(version)) return "expected a pinned version; \"latest\" changes under a running workload";
  return isLabelValue(version) ? undefined : "expected a label value (63 characters of letters, digits, '-', '_' and '.')";
}
