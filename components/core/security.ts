/** Hardened pod and container security contexts built from {@link defaults}. */
import type * as k8s from "@pulumi/kubernetes";
import { defaults } from "./defaults";
import { Validator } from "./errors";

export interface SecurityArgs {
  /**
   * UID the containers run as; must not be 0.
   * @default 10001
   */
  readonly runAsUser?: number;
  /** @default 10001 */
  readonly runAsGroup?: number;
  /** Group that owns mounted volumes. @default 10001 */
  readonly fsGroup?: number;
  /**
   * Mount the root filesystem read-only; a writable emptyDir is mounted at /tmp.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Capabilities added back after dropping ALL. Only `NET_BIND_SERVICE` is allowed.
   * @default []
   */
  readonly addCapabilities?: readonly string[];
}

export interface ResolvedSecurity {
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
  readonly readOnlyRootFilesystem: boolean;
  readonly addCapabilities: readonly string[];
}

/** The largest user or group id Kubernetes accepts (runAsUser, runAsGroup, fsGroup: 0 to 2^31-1). */
export const MAX_ID = 2147483647;

/** Applies defaults and checks a {@link SecurityArgs}; problems go to `v` under `field`. */
export function resolveSecurity(v: Validator, field: string, args: SecurityArgs = {}): ResolvedSecurity {
  const d = defaults.securityContext;
  const resolved: ResolvedSecurity = {
    runAsUser: args.runAsUser ?? d.runAsUser,
    runAsGroup: args.runAsGroup ?? d.runAsGroup,
    fsGroup: args.fsGroup ?? d.fsGroup,
    readOnlyRootFilesystem: args.readOnlyRootFilesystem ?? d.readOnlyRootFilesystem,
    addCapabilities: args.addCapabilities ?? [],
  };
  const inRange = (id: number, min: number) => Number.isInteger(id) && id >= min && id <= MAX_ID;
  v.require(inRange(resolved.runAsUser, 1), `${field}.runAsUser`, resolved.runAsUser, `expected an integer user id from 1 to ${MAX_ID} (containers never run as root; Kubernetes allows at most ${MAX_ID})`);
  v.require(inRange(resolved.runAsGroup, 0), `${field}.runAsGroup`, resolved.runAsGroup, `expected an integer group id from 0 to ${MAX_ID}`);
  v.require(inRange(resolved.fsGroup, 0), `${field}.fsGroup`, resolved.fsGroup, `expected an integer group id from 0 to ${MAX_ID}`);
  if (Array.isArray(resolved.addCapabilities)) {
    for (const cap of resolved.addCapabilities) {
      v.require(d.allowedCapabilities.includes(cap), `${field}.addCapabilities`, cap, `expected one of ${d.allowedCapabilities.join(", ")}`);
    }
  } else {
    v.require(false, `${field}.addCapabilities`, resolved.addCapabilities, "expected a list");
  }
  return resolved;
}

export function podSecurityContext(s: ResolvedSecurity): k8s.types.input.core.v1.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: s.runAsUser,
    runAsGroup: s.runAsGroup,
    fsGroup: s.fsGroup,
    // Re-own a volume only when its root is not the pod's group yet: large volumes start fast.
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function containerSecurityContext(s: ResolvedSecurity): k8s.types.input.core.v1.SecurityContext {
  const capabilities: k8s.types.input.core.v1.Capabilities = { drop: ["ALL"] };
  if (s.addCapabilities.length > 0) capabilities.add = [...s.addCapabilities];
  return {
    runAsNonRoot: true,
    runAsUser: s.runAsUser,
    runAsGroup: s.runAsGroup,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: s.readOnlyRootFilesystem,
    capabilities,
    seccompProfile: { type: "RuntimeDefault" },
  };
}
