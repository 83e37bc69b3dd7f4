/**
 * Container security contexts: non-root, unprivileged, no escalation, read-only root, no
 * capabilities, seccomp. The Pod Security Standards' checks (Pod Security admission, package
 * k8s.io/pod-security-admission/policy) judge init, regular and ephemeral containers alike, so
 * these policies do too; read-only-root-filesystem is keel's own rule and keeps to init and
 * regular containers.
 */
import { resourcePolicy } from "../lib/define";
import { ContainerRef, allContainersOf, containersOf, describe, describeContainer, isUnset, isWindowsPod, isWorkload, podAnnotationsOf, podSpecOf, podSpecPath, stringsIn } from "../lib/kubernetes";
import { Obj, arr, at, clone, obj, str } from "../lib/props";

function effective(pod: Obj, container: Obj, key: string): unknown {
  return at(container, `securityContext.${key}`) ?? at(pod, `securityContext.${key}`);
}

/**
 * keel accepts runAsNonRoot true or a non-zero runAsUser. Beyond that, each contradiction is
 * reported as such: Pod Security restricted rejects runAsUser 0 and runAsNonRoot false wherever
 * they are set, even on a pod whose containers all override them (check_runAsUser.go,
 * check_runAsNonRoot.go); a container's own value overrides the pod's; and the kubelet refuses
 * to start a container whose effective runAsNonRoot is true and runAsUser 0
 * (pkg/kubelet/kuberuntime/security_context_others.go, verifyRunAsNonRoot). Two differences
 * with restricted, on purpose: a non-zero runAsUser without runAsNonRoot passes here (restricted
 * wants runAsNonRoot: true too), and pods with hostUsers: false get no relaxation (restricted
 * relaxes both checks for them from policy version 1.35).
 */
export const runAsNonRoot = resourcePolicy({
  name: "run-as-non-root",
  description: "Containers run as a non-root user (runAsNonRoot or a non-zero runAsUser).",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    const pod = podSpecOf(target);
    const podUser = at(pod, "securityContext.runAsUser");
    const podNonRoot = at(pod, "securityContext.runAsNonRoot");
    const refs = allContainersOf(target);
    const own = (ref: ContainerRef, key: string) => at(ref.container, `securityContext.${key}`);
    // The pod's own values, where no container inherits them (an inherited one is reported per container).
    if (podUser === 0 && refs.length > 0 && refs.every((ref) => typeof own(ref, "runAsUser") === "number" && own(ref, "runAsUser") !== 0)) {
      report(`${describe(target)}: the pod sets runAsUser 0, which every container overrides but Pod Security restricted still rejects; set a non-zero runAsUser on the pod or remove it.`);
    }
    if (podNonRoot === false && refs.length > 0 && refs.every((ref) => own(ref, "runAsNonRoot") === true)) {
      report(`${describe(target)}: the pod sets runAsNonRoot: false, which every container overrides but Pod Security restricted still rejects; set it to true or remove it.`);
    }
    for (const ref of refs) {
      const where = describeContainer(target, ref);
      const user = effective(pod, ref.container, "runAsUser");
      const nonRoot = effective(pod, ref.container, "runAsNonRoot");
      const userOnPod = isUnset(own(ref, "runAsUser")) ? " on the pod" : "";
      const nonRootOnPod = isUnset(own(ref, "runAsNonRoot")) ? " on the pod" : "";
      if (user === 0 && nonRoot === true) {
        report(`${where}: runAsUser 0${userOnPod} contradicts runAsNonRoot: true${nonRootOnPod}, so the kubelet refuses to start it; set a non-zero runAsUser.`);
        continue;
      }
      if (user === 0) report(userOnPod ? `${where}: runs as root (runAsUser 0 on the pod); set a non-zero runAsUser.` : `${where}: runs as root (runAsUser 0); set a non-zero runAsUser.`);
      if (nonRoot === false) {
        const overrides = own(ref, "runAsNonRoot") === false && podNonRoot === true ? ", overriding the pod's true" : "";
        report(`${where}: runAsNonRoot is false${nonRootOnPod}${overrides}; set securityContext.runAsNonRoot: true.`);
      } else if (user !== 0 && nonRoot !== true && !(typeof user === "number" && user > 0)) {
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
    for (const ref of allContainersOf(target)) {
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
    if (isWindowsPod(target)) return;
    for (const ref of allContainersOf(target)) {
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

/**
 * Capability names as the runtimes read them: containerd (internal/cri/opts, WithCapabilities)
 * and CRI-O (setupCapabilities) match ALL in any case; containerd upper-cases every other name
 * and always prefixes CAP_ (so `cap_sys_admin` becomes CAP_CAP_SYS_ADMIN), CRI-O prefixes CAP_
 * only when absent and accepts the name in any case. keel judges the capability a name can
 * grant (`cap_sys_admin` is SYS_ADMIN). Pod Security admission compares names exactly
 * (check_capabilities_restricted.go: drop must contain "ALL", add only "NET_BIND_SERVICE"), so a
 * name in another spelling is rejected by a namespace enforcing restricted.
 */
const capabilityOf = (raw: string): string => raw.toUpperCase().replace(/^CAP_/, "");

function capabilityProblems(caps: Obj, allowed: readonly string[]): string[] {
  const problems: string[] = [];
  const drops = stringsIn(caps.drop);
  const allowedNames = allowed.map(capabilityOf);
  const fix = 'set securityContext.capabilities.drop: ["ALL"]';
  if (!drops.includes("ALL")) {
    const otherCase = drops.find((d) => d.toUpperCase() === "ALL");
    const prefixed = drops.find((d) => capabilityOf(d) === "ALL" && d.toUpperCase() !== "ALL");
    const names = new Set(drops.map(capabilityOf).filter((d) => d !== "ALL"));
    if (otherCase !== undefined) {
      problems.push(`drops "${otherCase}": containerd and CRI-O drop every capability, but Pod Security restricted accepts only "ALL" and rejects the pod; write drop: ["ALL"].`);
    } else if (prefixed !== undefined) {
      problems.push(`drops "${prefixed}", which is no capability (only ALL drops them all)${names.size > 0 ? ` and ${names.size} other ${names.size === 1 ? "capability" : "capabilities"}` : ""}; ${fix}.`);
    } else if (names.size === 0) {
      problems.push(`capabilities are not dropped; ${fix}.`);
    } else {
      problems.push(`drops ${names.size} ${names.size === 1 ? "capability" : "capabilities"} but not ALL; ${fix}.`);
    }
  }
  for (const raw of stringsIn(caps.add)) {
    const name = capabilityOf(raw);
    const allowedList = allowed.join(", ") || "none";
    if (raw.toUpperCase() === "ALL") {
      problems.push(`adds capability ${raw} (${raw === "ALL" ? "" : "ALL: "}every capability); remove it (allowed: ${allowedList}).`);
    } else if (!allowedNames.includes(name)) {
      problems.push(`adds capability ${raw}${raw === name ? "" : ` (${name})`}; remove it (allowed: ${allowedList}).`);
    } else if (raw !== name && raw.toUpperCase() !== name) {
      problems.push(`adds capability ${raw}: Kubernetes names capabilities without CAP_ (containerd makes it CAP_${raw.toUpperCase()}, and Pod Security restricted rejects it); write ${name}.`);
    } else if (raw !== name) {
      problems.push(`adds capability ${raw}: containerd and CRI-O grant ${name}, but Pod Security restricted compares names exactly and rejects it; write ${name}.`);
    }
  }
  return problems;
}

export const dropAllCapabilities = resourcePolicy({
  name: "drop-all-capabilities",
  description: "Containers drop ALL capabilities and add back none but the allowed ones.",
  enforcementLevel: "mandatory",
  config: { allowedCapabilities: { type: "array", items: { type: "string" }, default: ["NET_BIND_SERVICE"], description: "Capabilities a container may add." } },
  appliesTo: isWorkload,
  check(target, report, config) {
    if (isWindowsPod(target)) return;
    const allowed = arr(config.allowedCapabilities).map(String);
    for (const ref of allContainersOf(target)) {
      const where = describeContainer(target, ref);
      for (const problem of capabilityProblems(obj(at(ref.container, "securityContext.capabilities")), allowed)) report(`${where}: ${problem}`);
    }
  },
});

const SECCOMP_OK = ["RuntimeDefault", "Localhost"];
const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/";

/** What an annotation value asks for, as the field would say it (pkg/api/pod SeccompFieldForAnnotation). */
function seccompAnnotationType(value: string): string | undefined {
  if (value === "runtime/default" || value === "docker/default") return "RuntimeDefault";
  if (value.startsWith("localhost/")) return "Localhost";
  if (value === "unconfined") return "Unconfined";
  return undefined;
}

function seccompAnnotationMatches(value: string, field: Obj): boolean {
  const type = str(field.type);
  if (type === "Localhost") return value === `localhost/${str(field.localhostProfile) ?? ""}`;
  return seccompAnnotationType(value) === type;
}

/**
 * The deprecated annotations `seccomp.security.alpha.kubernetes.io/pod` and
 * `container.seccomp.security.alpha.kubernetes.io/<container>`: since Kubernetes 1.25 the kubelet
 * ignores them (kubernetes#109819); up to 1.26 the API server still copied an annotation into
 * the matching field when that field was unset, at pod creation (applySeccompVersionSkew in
 * pkg/registry/core/pod/strategy.go); 1.27 removed that copy (kubernetes#114947): they are
 * non-functional (the warning in pkg/api/pod/warnings.go), but the API still rejects a pod or
 * template whose annotation contradicts its field (validateSeccompAnnotationsAndFields). So the
 * effective profile is the field (the container's over the pod's); an annotation is a violation
 * when it contradicts its field, or asks for anything but runtime/default, docker/default or
 * localhost/<profile> where its field is unset (a value outside these and unconfined fails
 * validation: ValidateSeccompPodAnnotations).
 */
function seccompAnnotationProblem(key: string, value: string, field: Obj | undefined, whose: string): string | undefined {
  if (field !== undefined) {
    if (seccompAnnotationMatches(value, field)) return undefined;
    return `annotation ${key}: ${value} contradicts ${whose} securityContext.seccompProfile (${String(field.type)}), so the API server rejects the pod; remove the annotation.`;
  }
  if (seccompAnnotationType(value) === "RuntimeDefault" || seccompAnnotationType(value) === "Localhost") return undefined;
  if (seccompAnnotationType(value) === "Unconfined") return `annotation ${key} is "unconfined", which Kubernetes up to 1.26 copies into ${whose} unset seccompProfile (no seccomp filter); remove it.`;
  return `annotation ${key} is "${value}", not a seccomp profile (runtime/default, docker/default, localhost/<profile>), so the API server rejects the pod; remove it.`;
}

export const seccompRuntimeDefault = resourcePolicy({
  name: "seccomp-runtime-default",
  description: "Pods run with the RuntimeDefault (or a Localhost) seccomp profile.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    if (isWindowsPod(target)) return;
    const pod = podSpecOf(target);
    const annotations = podAnnotationsOf(target);
    const podField = at(pod, "securityContext.seccompProfile");
    const podType = str(at(pod, "securityContext.seccompProfile.type"));
    const refs = allContainersOf(target);
    const ownType = (ref: ContainerRef) => at(ref.container, "securityContext.seccompProfile.type");
    // Pod Security admission rejects a bad pod-level type even where every container overrides it (an inherited one is reported per container).
    if (podType !== undefined && !SECCOMP_OK.includes(podType) && refs.length > 0 && refs.every((ref) => !isUnset(ownType(ref)))) {
      report(`${describe(target)}: the pod's seccomp profile is ${podType}, which every container overrides but Pod Security baseline still rejects; set securityContext.seccompProfile.type: RuntimeDefault on the pod.`);
    }
    const podAnnotation = annotations[SECCOMP_POD_ANNOTATION];
    if (podAnnotation !== undefined) {
      const problem = seccompAnnotationProblem(SECCOMP_POD_ANNOTATION, podAnnotation, isUnset(podField) ? undefined : obj(podField), "the pod's");
      if (problem) report(`${describe(target)}: ${problem}`);
    }
    for (const ref of refs) {
      const where = describeContainer(target, ref);
      const type = str(effective(pod, ref.container, "seccompProfile.type"));
      const key = SECCOMP_CONTAINER_ANNOTATION + ref.name;
      const annotation = annotations[key];
      if (type !== undefined && !SECCOMP_OK.includes(type) && !isUnset(ownType(ref))) {
        // The container's own profile overrides the pod's: setting one on the pod changes nothing.
        const fix =
          podType !== undefined && SECCOMP_OK.includes(podType)
            ? `, overriding the pod's ${podType}; remove the container's securityContext.seccompProfile, or set its type to RuntimeDefault`
            : `; set the container's own securityContext.seccompProfile.type: RuntimeDefault (it overrides any profile on the pod)`;
        report(`${where}: seccomp profile is ${type}${fix}.`);
      } else if (type === undefined || !SECCOMP_OK.includes(type)) {
        const ignored = [[key, annotation], [SECCOMP_POD_ANNOTATION, podAnnotation]].find(([, v]) => v !== undefined && seccompAnnotationType(v) !== "Unconfined");
        const note = type === undefined && ignored ? ` (annotation ${ignored[0]}: ${ignored[1]} is ignored since Kubernetes 1.27)` : "";
        report(`${where}: ${type ? `seccomp profile is ${type}` : `no seccomp profile${note}`}; set securityContext.seccompProfile.type: RuntimeDefault on the pod.`);
      }
      if (annotation !== undefined) {
        const own = at(ref.container, "securityContext.seccompProfile");
        const problem = seccompAnnotationProblem(key, annotation, isUnset(own) ? undefined : obj(own), "the container's");
        if (problem) report(`${where}: ${problem}`);
      }
    }
  },
  remediate(target) {
    const pod = podSpecOf(target);
    if (!isUnset(at(pod, "securityContext.seccompProfile"))) return undefined;
    if (allContainersOf(target).some((ref) => !isUnset(at(ref.container, "securityContext.seccompProfile")))) return undefined;
    // A pod annotation that the new field would contradict makes the API reject the pod: leave it to a person.
    const annotation = podAnnotationsOf(target)[SECCOMP_POD_ANNOTATION];
    if (annotation !== undefined && seccompAnnotationType(annotation) !== "RuntimeDefault") return undefined;
    const props = clone(target.props);
    const found = at(props, podSpecPath(target.type));
    if (typeof found !== "object" || found === null || Array.isArray(found)) return undefined;
    const podSpec = found as Obj;
    podSpec.securityContext = { ...obj(podSpec.securityContext), seccompProfile: { type: "RuntimeDefault" } };
    return props;
  },
});
