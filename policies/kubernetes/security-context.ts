/** Container security contexts: non-root, unprivileged, no escalation, read-only root, no capabilities, seccomp. */
import { resourcePolicy } from "../lib/define";
import { containersOf, describeContainer, isWorkload, podSpecOf } from "../lib/kubernetes";
import { Obj, arr, at, clone, obj, str } from "../lib/props";

function effective(pod: Obj, container: Obj, key: string): unknown {
  return at(container, `securityContext.${key}`) ?? at(pod, `securityContext.${key}`);
}

export const runAsNonRoot = resourcePolicy({
  name: "run-as-non-root",
  description: "Containers run as a non-root user (runAsNonRoot or a non-zero runAsUser).",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    const pod = podSpecOf(target);
    for (const ref of containersOf(target)) {
      const where = describeContainer(target, ref);
      const user = effective(pod, ref.container, "runAsUser");
      if (user === 0) report(`${where}: runs as root (runAsUser 0); set a non-zero runAsUser.`);
      else if (effective(pod, ref.container, "runAsNonRoot") !== true && !(typeof user === "number" && user > 0)) {
        report(`${where}: may run as root; set securityContext.runAsNonRoot: true and a non-zero runAsUser.`);
      }
    }
  },
});

export const noPrivileged = resourcePolicy({
  name: "no-privileged",
  description: "No container runs privileged.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    for (const ref of containersOf(target)) {
      if (at(ref.container, "securityContext.privileged") === true) {
        report(`${describeContainer(target, ref)}: runs privileged; remove securityContext.privileged (it grants every host capability and device).`);
      }
    }
  },
});

export const noPrivilegeEscalation = resourcePolicy({
  name: "no-privilege-escalation",
  description: "Containers set allowPrivilegeEscalation to false.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    for (const ref of containersOf(target)) {
      if (at(ref.container, "securityContext.allowPrivilegeEscalation") !== false) {
        report(`${describeContainer(target, ref)}: allowPrivilegeEscalation is not false; set securityContext.allowPrivilegeEscalation: false.`);
      }
    }
  },
});

export const readOnlyRootFilesystem = resourcePolicy({
  name: "read-only-root-filesystem",
  description: "Containers mount their root filesystem read-only.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    for (const ref of containersOf(target)) {
      if (at(ref.container, "securityContext.readOnlyRootFilesystem") !== true) {
        report(`${describeContainer(target, ref)}: root filesystem is writable; set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes (e.g. /tmp).`);
      }
    }
  },
});

export const dropAllCapabilities = resourcePolicy({
  name: "drop-all-capabilities",
  description: "Containers drop ALL capabilities and add back none but the allowed ones.",
  enforcementLevel: "mandatory",
  config: { allowedCapabilities: { type: "array", items: { type: "string" }, default: ["NET_BIND_SERVICE"], description: "Capabilities a container may add." } },
  appliesTo: isWorkload,
  check(target, report, config) {
    const allowed = arr(config.allowedCapabilities).map(String);
    for (const ref of containersOf(target)) {
      const where = describeContainer(target, ref);
      const caps = obj(at(ref.container, "securityContext.capabilities"));
      if (!arr(caps.drop).includes("ALL")) report(`${where}: capabilities are not dropped; set securityContext.capabilities.drop: ["ALL"].`);
      for (const cap of arr(caps.add).map(String)) {
        if (!allowed.includes(cap)) report(`${where}: adds capability ${cap}; remove it (allowed: ${allowed.join(", ") || "none"}).`);
      }
    }
  },
});

const SECCOMP_OK = ["RuntimeDefault", "Localhost"];

export const seccompRuntimeDefault = resourcePolicy({
  name: "seccomp-runtime-default",
  description: "Pods run with the RuntimeDefault (or a Localhost) seccomp profile.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    const pod = podSpecOf(target);
    for (const ref of containersOf(target)) {
      const type = str(effective(pod, ref.container, "seccompProfile.type"));
      if (type === undefined || !SECCOMP_OK.includes(type)) {
        report(`${describeContainer(target, ref)}: ${type ? `seccomp profile is ${type}` : "no seccomp profile"}; set securityContext.seccompProfile.type: RuntimeDefault on the pod.`);
      }
    }
  },
  remediate(target) {
    const pod = podSpecOf(target);
    if (at(pod, "securityContext.seccompProfile") !== undefined) return undefined;
    if (containersOf(target).some((ref) => at(ref.container, "securityContext.seccompProfile") !== undefined)) return undefined;
    const props = clone(target.props);
    const spec = podSpecPath(target.type);
    const podSpec = obj(at(props, spec));
    podSpec.securityContext = { ...obj(podSpec.securityContext), seccompProfile: { type: "RuntimeDefault" } };
    return props;
  },
});

function podSpecPath(type: string): string {
  if (type.endsWith(":Pod")) return "spec";
  if (type.endsWith(":CronJob")) return "spec.jobTemplate.spec.template.spec";
  return "spec.template.spec";
}


