/**
 * The Pod Security Standards' remaining controls: /proc mount, SELinux, AppArmor, sysctls,
 * volume types, Windows HostProcess, probe and lifecycle hosts. Each follows Pod Security
 * admission's check of the same name (k8s.io/pod-security-admission, policy/check_*.go), at the
 * restricted level (which keeps every baseline control), for init, regular and ephemeral
 * containers. Where the safe set grew with Kubernetes versions, `kubernetesVersion` (the oldest
 * cluster the stacks run on) decides what counts.
 */
import { resourcePolicy } from "../lib/define";
import type { ConfigSchema, Target } from "../lib/define";
import { ContainerRef, allContainersOf, describe, describeContainer, isUnset, isWorkload, objectsIn, podAnnotationsOf, podSpecOf } from "../lib/kubernetes";
import { Obj, at, obj, str } from "../lib/props";

/** The latest Kubernetes release when written (pod-security-admission v0.36.x). */
const KUBERNETES_VERSION = "1.36";

const versionConfig = (what: string): ConfigSchema => ({
  kubernetesVersion: {
    type: "string",
    pattern: "^1\\.[0-9]+$",
    default: KUBERNETES_VERSION,
    description: `The oldest Kubernetes minor version the workloads run on ("1.32"): Pod Security admission accepts ${what} only from the version that added it.`,
  },
});

/** `"1.32"` -> 32 (the default's minor for anything else). */
function minorOf(config: Record<string, unknown>): number {
  const m = /^1\.(\d+)$/.exec(str(config.kubernetesVersion) ?? KUBERNETES_VERSION) ?? /^1\.(\d+)$/.exec(KUBERNETES_VERSION);
  return Number(m?.[1]);
}

/** `Deployment shop/api: the pod` for the pod's own setting, `Deployment shop/api, container "api":` for a container's. */
function setter(target: Target, ref: ContainerRef | undefined): string {
  return ref ? `${describeContainer(target, ref)}:` : `${describe(target)}: the pod`;
}

/** check_procMount_baseline.go / check_procMount_restricted.go: restricted allows only Default, user namespaces or not. */
export const procMountDefault = resourcePolicy({
  name: "proc-mount-default",
  description: "Containers keep the runtime's default /proc masks (procMount unset or Default).",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    for (const ref of allContainersOf(target)) {
      const procMount = at(ref.container, "securityContext.procMount");
      if (!isUnset(procMount) && procMount !== "Default") {
        report(`${describeContainer(target, ref)}: securityContext.procMount is ${String(procMount)}, which leaves /proc paths the runtime masks visible; remove it (or set Default).`);
      }
    }
  },
});

/** check_seLinuxOptions.go: container_engine_t since policy version 1.31 (pod-security-admission 9833ddf). */
const SELINUX_TYPES: readonly [string, number][] = [
  ["container_t", 0],
  ["container_init_t", 0],
  ["container_kvm_t", 0],
  ["container_engine_t", 31],
];

function seLinuxProblems(options: Obj, minor: number): string[] {
  const problems: string[] = [];
  const type = str(options.type) ?? "";
  const known = SELINUX_TYPES.find(([t]) => t === type);
  if (type !== "" && !known) problems.push(`type "${type}"`);
  else if (known && known[1] > minor) problems.push(`type "${type}" (allowed only from Kubernetes 1.${known[1]})`);
  for (const key of ["user", "role"]) {
    const value = str(options[key]) ?? "";
    if (value !== "") problems.push(`${key} "${value}"`);
  }
  return problems;
}

export const seLinuxOptions = resourcePolicy({
  name: "selinux-options",
  description: "SELinux options name only a container type (container_t, container_init_t, container_kvm_t, container_engine_t) and no user or role.",
  enforcementLevel: "mandatory",
  config: versionConfig("container_engine_t (1.31)"),
  appliesTo: isWorkload,
  check(target, report, config) {
    const minor = minorOf(config);
    const types = SELINUX_TYPES.filter(([, since]) => since <= minor).map(([t]) => t).join(", ");
    const setters: [ContainerRef | undefined, unknown][] = [[undefined, at(podSpecOf(target), "securityContext.seLinuxOptions")]];
    for (const ref of allContainersOf(target)) setters.push([ref, at(ref.container, "securityContext.seLinuxOptions")]);
    for (const [ref, options] of setters) {
      if (isUnset(options)) continue;
      const problems = seLinuxProblems(obj(options), minor);
      if (problems.length === 0) continue;
      report(`${setter(target, ref)} sets securityContext.seLinuxOptions ${problems.join(", ")}; leave user and role unset and the type unset or one of ${types}.`);
    }
  },
});

const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";
const APPARMOR_OK = ["RuntimeDefault", "Localhost"];

/**
 * check_appArmorProfile.go judges every setter on its own: the pod's and each container's
 * `securityContext.appArmorProfile.type` (RuntimeDefault or Localhost) and every
 * `container.apparmor.security.beta.kubernetes.io/*` annotation of the pod template (runtime/default,
 * localhost/<profile> or empty). At pod creation the API server copies an annotation into its
 * container's field when that field is unset, even over the pod's profile
 * (pkg/registry/core/pod/strategy.go, applyAppArmorVersionSkew, 1.30+).
 */
export const appArmorProfile = resourcePolicy({
  name: "apparmor-profile",
  description: "No pod or container turns AppArmor off (appArmorProfile Unconfined or an unconfined annotation).",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    const fix = "set securityContext.appArmorProfile.type: RuntimeDefault (or Localhost)";
    const refs = allContainersOf(target);
    const podType = at(podSpecOf(target), "securityContext.appArmorProfile.type");
    if (!isUnset(podType) && !APPARMOR_OK.includes(String(podType))) {
      report(`${describe(target)}: the pod's securityContext.appArmorProfile.type is ${String(podType)}; ${fix}.`);
    }
    for (const ref of refs) {
      const type = at(ref.container, "securityContext.appArmorProfile.type");
      if (!isUnset(type) && !APPARMOR_OK.includes(String(type))) report(`${describeContainer(target, ref)}: securityContext.appArmorProfile.type is ${String(type)}; ${fix} or remove it.`);
    }
    for (const [key, value] of Object.entries(podAnnotationsOf(target)).sort(([a], [b]) => a.localeCompare(b))) {
      if (!key.startsWith(APPARMOR_ANNOTATION) || value === "" || value === "runtime/default" || value.startsWith("localhost/")) continue;
      const ref = refs.find((r) => r.name === key.slice(APPARMOR_ANNOTATION.length));
      const effect = !ref
        ? "names no container of the pod, and Pod Security baseline rejects it all the same"
        : !isUnset(at(ref.container, "securityContext.appArmorProfile"))
          ? "is ignored at run time (the container sets appArmorProfile), but Pod Security baseline rejects the pod"
          : "turns AppArmor off for the container (the API server copies it into the container's unset appArmorProfile, over the pod's)";
      report(`${ref ? describeContainer(target, ref) : describe(target)}: annotation ${key} is "${value}", which ${effect}; remove the annotation and ${fix}.`);
    }
  },
});

/**
 * check_sysctls.go: the safe set, with the policy version that added each entry (1.27
 * ip_local_reserved_ports, 1.29 the tcp_keepalive and tcp_fin_timeout ones, 1.32 tcp_rmem and
 * tcp_wmem, 1.37 tcp_slow_start_after_idle and tcp_notsent_lowat). Names compare exactly.
 */
const SAFE_SYSCTLS: Readonly<Record<string, number>> = {
  "kernel.shm_rmid_forced": 0,
  "net.ipv4.ip_local_port_range": 0,
  "net.ipv4.tcp_syncookies": 0,
  "net.ipv4.ping_group_range": 0,
  "net.ipv4.ip_unprivileged_port_start": 0,
  "net.ipv4.ip_local_reserved_ports": 27,
  "net.ipv4.tcp_keepalive_time": 29,
  "net.ipv4.tcp_fin_timeout": 29,
  "net.ipv4.tcp_keepalive_intvl": 29,
  "net.ipv4.tcp_keepalive_probes": 29,
  "net.ipv4.tcp_rmem": 32,
  "net.ipv4.tcp_wmem": 32,
  "net.ipv4.tcp_slow_start_after_idle": 37,
  "net.ipv4.tcp_notsent_lowat": 37,
};

export const safeSysctls = resourcePolicy({
  name: "safe-sysctls",
  description: "Pods set only sysctls of the Pod Security safe set (namespaced, isolated from other pods).",
  enforcementLevel: "mandatory",
  config: versionConfig("each safe sysctl"),
  appliesTo: isWorkload,
  check(target, report, config) {
    const minor = minorOf(config);
    for (const sysctl of objectsIn(at(podSpecOf(target), "securityContext.sysctls"))) {
      // A sysctl without a name is no setting (the API server requires one; well-formed-objects reports a wrong type).
      const name = str(sysctl.name);
      if (name === undefined) continue;
      const since = SAFE_SYSCTLS[name];
      const dotted = name.replace(/\//g, ".");
      if (since !== undefined && since <= minor) continue;
      const what =
        since !== undefined
          ? `sets sysctl ${name}, safe only from Kubernetes 1.${since} (Pod Security admission of older clusters rejects it); remove it, or raise kubernetesVersion once every cluster runs 1.${since}`
          : name !== dotted && SAFE_SYSCTLS[dotted] !== undefined
            ? `sets sysctl ${name}, which Pod Security admission compares exactly with its safe names and rejects; write ${dotted}`
            : `sets sysctl ${name}, outside the Pod Security safe set (it is not isolated to the pod); remove it from securityContext.sysctls and tune the nodes instead`;
      report(`${describe(target)}: ${what}.`);
    }
  },
});

/**
 * check_restrictedVolumes.go: restricted allows only these inline sources; `image` since
 * Kubernetes 1.33 (pod-security-admission ca569ec, earlier it counted as an unknown type). hostPath
 * is left to no-host-path (Pod Security admission's restricted check overrides its baseline
 * hostPath check the same way), so each volume is reported once.
 */
const VOLUME_TYPES: Readonly<Record<string, number>> = {
  configMap: 0,
  csi: 0,
  downwardAPI: 0,
  emptyDir: 0,
  ephemeral: 0,
  image: 33,
  persistentVolumeClaim: 0,
  projected: 0,
  secret: 0,
};

export const restrictedVolumeTypes = resourcePolicy({
  name: "restricted-volume-types",
  description: "Pods mount only the volume types Pod Security restricted allows (configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret).",
  enforcementLevel: "mandatory",
  config: versionConfig("image volumes (1.33)"),
  appliesTo: isWorkload,
  check(target, report, config) {
    const minor = minorOf(config);
    const allowed = Object.entries(VOLUME_TYPES).filter(([, since]) => since <= minor).map(([t]) => t).join(", ");
    for (const v of objectsIn(podSpecOf(target).volumes)) {
      // A volume with no source is an emptyDir (the API's default).
      for (const type of Object.keys(v).filter((k) => k !== "name" && k !== "hostPath" && v[k] !== undefined && v[k] !== null)) {
        const since = VOLUME_TYPES[type];
        if (since !== undefined && since <= minor) continue;
        const why = since !== undefined ? `, allowed by Pod Security restricted only from Kubernetes 1.${since}` : ", which Pod Security restricted forbids";
        report(`${describe(target)}: volume "${String(v.name)}" is of type ${type}${why}; mount it through a PersistentVolumeClaim or use one of ${allowed}.`);
      }
    }
  },
});

/** check_windowsHostProcess.go: HostProcess containers run on the Windows node itself. */
export const noWindowsHostProcess = resourcePolicy({
  name: "no-windows-host-process",
  description: "No pod or container runs as a Windows HostProcess container.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    const what = "sets securityContext.windowsOptions.hostProcess: true (a HostProcess container runs on the Windows node with its privileges); remove it";
    if (at(podSpecOf(target), "securityContext.windowsOptions.hostProcess") === true) report(`${describe(target)}: the pod ${what}.`);
    for (const ref of allContainersOf(target)) {
      if (at(ref.container, "securityContext.windowsOptions.hostProcess") === true) report(`${describeContainer(target, ref)}: ${what}.`);
    }
  },
});

const HOST_FIELDS = ["livenessProbe", "readinessProbe", "startupProbe", "lifecycle.postStart", "lifecycle.preStop"].flatMap((handler) =>
  ["httpGet", "tcpSocket"].map((action) => `${handler}.${action}.host`),
);

/** check_hostProbesAndhostLifecycle.go (baseline from 1.34): a probe or hook with a host reaches beyond the pod. */
export const noProbeHost = resourcePolicy({
  name: "no-probe-host",
  description: "Probes and lifecycle hooks set no host, so the kubelet reaches only the pod itself.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    for (const ref of allContainersOf(target)) {
      for (const path of HOST_FIELDS) {
        const host = at(ref.container, path);
        if (isUnset(host) || host === "") continue;
        const header = path.includes("httpGet") ? " (send a Host header through httpHeaders instead)" : "";
        report(`${describeContainer(target, ref)}: ${path} is "${String(host)}", so the kubelet connects to that address instead of the pod; remove it${header}.`);
      }
    }
  },
});
