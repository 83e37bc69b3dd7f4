import type { ResourceValidationPolicy } from "@pulumi/policy";
import { noHostPorts } from "../../policies/kubernetes/host";
import { appArmorProfile, noProbeHost, noWindowsHostProcess, procMountDefault, restrictedVolumeTypes, safeSysctls, seLinuxOptions } from "../../policies/kubernetes/pod-security";
import { containerProbes } from "../../policies/kubernetes/probes";
import { containerResources } from "../../policies/kubernetes/resources";
import { dropAllCapabilities, noPrivileged, noPrivilegeEscalation, runAsNonRoot, seccompRuntimeDefault } from "../../policies/kubernetes/security-context";
import { DEPLOYMENT, DeploymentCase, POD, deployment, firstContainer, initContainer, judgesDeployments, pod, violations } from "./harness";

type Props = Record<string, unknown>;
const where = 'Deployment shop/api, container "api"';
const init = 'Deployment shop/api, init container "migrate"';
const sc = (c: Props) => c.securityContext as Props;
const podSc = (d: Props) => pod(d).securityContext as Props;
const annotate = (d: Props, annotations: Record<string, string>) => Object.assign(((d.spec as Props).template as Props).metadata as Props, { annotations });
const sysctls = (d: Props, ...names: string[]) => (podSc(d).sysctls = names.map((name) => ({ name, value: "1" })));
const UNSET_OR = "container_t, container_init_t, container_kvm_t, container_engine_t";
const APPARMOR_FIX = "set securityContext.appArmorProfile.type: RuntimeDefault (or Localhost)";
const ALLOWED_VOLUMES = "configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret";
const HOST_PROCESS = "sets securityContext.windowsOptions.hostProcess: true (a HostProcess container runs on the Windows node with its privileges); remove it.";

describe.each<[ResourceValidationPolicy, DeploymentCase[]]>([
  [
    procMountDefault,
    [
      ["an unmasked /proc", (d) => (sc(initContainer(d)).procMount = "Unmasked"), [`${init}: securityContext.procMount is Unmasked, which leaves /proc paths the runtime masks visible; remove it (or set Default).`]],
      ["an unmasked /proc beside a null one (null is unset)", (d) => {
        sc(initContainer(d)).procMount = null;
        sc(firstContainer(d)).procMount = "Unmasked";
      }, [`${where}: securityContext.procMount is Unmasked, which leaves /proc paths the runtime masks visible; remove it (or set Default).`]],
    ],
  ],
  [
    seLinuxOptions,
    [
      ["a privileged type on the pod", (d) => (podSc(d).seLinuxOptions = { type: "spc_t", level: "s0:c1,c2" }), [
        `Deployment shop/api: the pod sets securityContext.seLinuxOptions type "spc_t"; leave user and role unset and the type unset or one of ${UNSET_OR}.`,
      ]],
      ["a user and a role on a container", (d) => (sc(firstContainer(d)).seLinuxOptions = { type: "container_t", user: "system_u", role: "system_r" }), [
        `${where}: sets securityContext.seLinuxOptions user "system_u", role "system_r"; leave user and role unset and the type unset or one of ${UNSET_OR}.`,
      ]],
    ],
  ],
  [
    appArmorProfile,
    [
      ["an unconfined pod", (d) => (podSc(d).appArmorProfile = { type: "Unconfined" }), [`Deployment shop/api: the pod's securityContext.appArmorProfile.type is Unconfined; ${APPARMOR_FIX}.`]],
      ["an unconfined container", (d) => (sc(initContainer(d)).appArmorProfile = { type: "Unconfined" }), [`${init}: securityContext.appArmorProfile.type is Unconfined; ${APPARMOR_FIX} or remove it.`]],
      ["an unconfined container beside null types (null is unset)", (d) => {
        podSc(d).appArmorProfile = { type: null };
        sc(initContainer(d)).appArmorProfile = { type: null };
        sc(firstContainer(d)).appArmorProfile = { type: "Unconfined" };
      }, [`${where}: securityContext.appArmorProfile.type is Unconfined; ${APPARMOR_FIX} or remove it.`]],
      ["an unconfined annotation over a null container profile (null is unset)", (d) => {
        sc(firstContainer(d)).appArmorProfile = null;
        annotate(d, { "container.apparmor.security.beta.kubernetes.io/api": "unconfined" });
      }, [
        `${where}: annotation container.apparmor.security.beta.kubernetes.io/api is "unconfined", which turns AppArmor off for the container (the API server copies it into the container's unset appArmorProfile, over the pod's); remove the annotation and ${APPARMOR_FIX}.`,
      ]],
      ["an unconfined annotation", (d) => {
        podSc(d).appArmorProfile = { type: "RuntimeDefault" };
        annotate(d, { "container.apparmor.security.beta.kubernetes.io/api": "unconfined", "container.apparmor.security.beta.kubernetes.io/migrate": "localhost/k8s-migrate" });
      }, [
        `${where}: annotation container.apparmor.security.beta.kubernetes.io/api is "unconfined", which turns AppArmor off for the container (the API server copies it into the container's unset appArmorProfile, over the pod's); remove the annotation and ${APPARMOR_FIX}.`,
      ]],
      ["an unconfined annotation the container's field overrides", (d) => {
        sc(firstContainer(d)).appArmorProfile = { type: "RuntimeDefault" };
        annotate(d, { "container.apparmor.security.beta.kubernetes.io/api": "unconfined" });
      }, [
        `${where}: annotation container.apparmor.security.beta.kubernetes.io/api is "unconfined", which is ignored at run time (the container sets appArmorProfile), but Pod Security baseline rejects the pod; remove the annotation and ${APPARMOR_FIX}.`,
      ]],
      ["an unconfined annotation for no container", (d) => annotate(d, { "container.apparmor.security.beta.kubernetes.io/sidecar": "unconfined" }), [
        `Deployment shop/api: annotation container.apparmor.security.beta.kubernetes.io/sidecar is "unconfined", which names no container of the pod, and Pod Security baseline rejects it all the same; remove the annotation and ${APPARMOR_FIX}.`,
      ]],
    ],
  ],
  [
    safeSysctls,
    [
      ["an unsafe sysctl", (d) => sysctls(d, "net.ipv4.tcp_syncookies", "kernel.msgmax"), [
        "Deployment shop/api: sets sysctl kernel.msgmax, outside the Pod Security safe set (it is not isolated to the pod); remove it from securityContext.sysctls and tune the nodes instead.",
      ]],
      ["a safe sysctl with slashes", (d) => sysctls(d, "net/ipv4/ip_local_port_range"), [
        "Deployment shop/api: sets sysctl net/ipv4/ip_local_port_range, which Pod Security admission compares exactly with its safe names and rejects; write net.ipv4.ip_local_port_range.",
      ]],
      ["an unsafe sysctl among items that are no sysctls (well-formed-objects reports them)", (d) => (podSc(d).sysctls = [null, "kernel.msgmax", { value: "1" }, { name: "kernel.sem", value: "1" }]), [
        "Deployment shop/api: sets sysctl kernel.sem, outside the Pod Security safe set (it is not isolated to the pod); remove it from securityContext.sysctls and tune the nodes instead.",
      ]],
      ["a sysctl safe only in a later release", (d) => sysctls(d, "net.ipv4.tcp_rmem", "net.ipv4.tcp_notsent_lowat"), [
        "Deployment shop/api: sets sysctl net.ipv4.tcp_notsent_lowat, safe only from Kubernetes 1.37 (Pod Security admission of older clusters rejects it); remove it, or raise kubernetesVersion once every cluster runs 1.37.",
      ]],
    ],
  ],
  [
    restrictedVolumeTypes,
    [
      ["an nfs volume", (d) => (pod(d).volumes = [{ name: "tmp", emptyDir: {} }, { name: "shared", nfs: { server: "10.0.0.5", path: "/exports" } }]), [
        `Deployment shop/api: volume "shared" is of type nfs, which Pod Security restricted forbids; mount it through a PersistentVolumeClaim or use one of ${ALLOWED_VOLUMES}.`,
      ]],
    ],
  ],
  [
    noWindowsHostProcess,
    [
      ["a HostProcess pod", (d) => (podSc(d).windowsOptions = { hostProcess: true }), [`Deployment shop/api: the pod ${HOST_PROCESS}`]],
      ["a HostProcess init container", (d) => (sc(initContainer(d)).windowsOptions = { hostProcess: true, runAsUserName: "NT AUTHORITY\\SYSTEM" }), [`${init}: ${HOST_PROCESS}`]],
    ],
  ],
  [
    noProbeHost,
    [
      ["a probe with a host", (d) => ((firstContainer(d).livenessProbe as Props).httpGet = { host: "10.0.0.1", path: "/health/live", port: 8080 }), [
        `${where}: livenessProbe.httpGet.host is "10.0.0.1", so the kubelet connects to that address instead of the pod; remove it (send a Host header through httpHeaders instead).`,
      ]],
      ["a probe with a host beside a null one (null is unset)", (d) => {
        (firstContainer(d).readinessProbe as Props).httpGet = { host: null, path: "/health/ready", port: 8080 };
        ((firstContainer(d).livenessProbe as Props).httpGet as Props).host = "10.0.0.1";
      }, [
        `${where}: livenessProbe.httpGet.host is "10.0.0.1", so the kubelet connects to that address instead of the pod; remove it (send a Host header through httpHeaders instead).`,
      ]],
      ["a hook with a host", (d) => (initContainer(d).lifecycle = { preStop: { tcpSocket: { host: "metadata.internal", port: 80 } } }), [
        `${init}: lifecycle.preStop.tcpSocket.host is "metadata.internal", so the kubelet connects to that address instead of the pod; remove it.`,
      ]],
    ],
  ],
])("%s", (policy, cases) => {
  judgesDeployments(policy, cases);
});

describe("versions of the standard", () => {
  it("takes the safe sets of the oldest Kubernetes version the workloads run on", () => {
    const d = deployment();
    sysctls(d, "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_notsent_lowat");
    expect(violations(safeSysctls, DEPLOYMENT, d, { kubernetesVersion: "1.37" })).toEqual([]);
    expect(violations(safeSysctls, DEPLOYMENT, d, { kubernetesVersion: "1.28" })).toEqual([
      "Deployment shop/api: sets sysctl net.ipv4.tcp_keepalive_time, safe only from Kubernetes 1.29 (Pod Security admission of older clusters rejects it); remove it, or raise kubernetesVersion once every cluster runs 1.29.",
      "Deployment shop/api: sets sysctl net.ipv4.tcp_notsent_lowat, safe only from Kubernetes 1.37 (Pod Security admission of older clusters rejects it); remove it, or raise kubernetesVersion once every cluster runs 1.37.",
    ]);
    const selinux = deployment();
    sc(firstContainer(selinux)).seLinuxOptions = { type: "container_engine_t" };
    expect(violations(seLinuxOptions, DEPLOYMENT, selinux)).toEqual([]);
    expect(violations(seLinuxOptions, DEPLOYMENT, selinux, { kubernetesVersion: "1.30" })).toEqual([
      `${where}: sets securityContext.seLinuxOptions type "container_engine_t" (allowed only from Kubernetes 1.31); leave user and role unset and the type unset or one of container_t, container_init_t, container_kvm_t.`,
    ]);
    const image = deployment();
    pod(image).volumes = [{ name: "model", image: { reference: "ghcr.io/shop/model:1" } }];
    expect(violations(restrictedVolumeTypes, DEPLOYMENT, image)).toEqual([]);
    expect(violations(restrictedVolumeTypes, DEPLOYMENT, image, { kubernetesVersion: "1.32" })).toEqual([
      'Deployment shop/api: volume "model" is of type image, allowed by Pod Security restricted only from Kubernetes 1.33; mount it through a PersistentVolumeClaim or use one of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret.',
    ]);
  });

  it("accepts every allowed volume type, and leaves hostPath to no-host-path", () => {
    const d = deployment();
    pod(d).volumes = [
      { name: "a", configMap: { name: "c" } },
      { name: "b", csi: { driver: "secrets-store.csi.k8s.io" } },
      { name: "c", downwardAPI: { items: [] } },
      { name: "d", emptyDir: {} },
      { name: "e", ephemeral: { volumeClaimTemplate: { spec: {} } } },
      { name: "f", persistentVolumeClaim: { claimName: "data" } },
      { name: "g", projected: { sources: [] } },
      { name: "h", secret: { secretName: "s" } },
      { name: "i" },
      { name: "logs", hostPath: { path: "/var/log/pods" } },
      null,
    ];
    expect(violations(restrictedVolumeTypes, DEPLOYMENT, d)).toEqual([]);
  });
});

/** A bare Pod with a hardened ephemeral (debug) container, as `kubectl debug` adds one. */
function debugPod(): Props {
  const debug = { name: "debugger", image: "busybox:1.36", securityContext: { ...sc(firstContainer(deployment())) } };
  return { metadata: { name: "debug", namespace: "shop" }, spec: { ...pod(deployment()), ephemeralContainers: [debug] } };
}
const debugger_ = (p: Props) => ((p.spec as Props).ephemeralContainers as Props[])[0];
const eph = 'Pod shop/debug, ephemeral container "debugger"';

describe("ephemeral containers", () => {
  it.each<[string, ResourceValidationPolicy, (c: Props) => void, string]>([
    ["no-privileged", noPrivileged, (c) => (sc(c).privileged = true), `${eph}: runs privileged; remove securityContext.privileged (it grants every host capability and device).`],
    ["no-privilege-escalation", noPrivilegeEscalation, (c) => delete sc(c).allowPrivilegeEscalation, `${eph}: allowPrivilegeEscalation is not false; set securityContext.allowPrivilegeEscalation: false.`],
    ["run-as-non-root", runAsNonRoot, (c) => (sc(c).runAsNonRoot = false), `${eph}: runAsNonRoot is false, overriding the pod's true; set securityContext.runAsNonRoot: true.`],
    ["drop-all-capabilities", dropAllCapabilities, (c) => (sc(c).capabilities = { drop: ["ALL"], add: ["SYS_PTRACE"] }), `${eph}: adds capability SYS_PTRACE; remove it (allowed: NET_BIND_SERVICE).`],
    ["seccomp-runtime-default", seccompRuntimeDefault, (c) => (sc(c).seccompProfile = { type: "Unconfined" }), `${eph}: seccomp profile is Unconfined, overriding the pod's RuntimeDefault; remove the container's securityContext.seccompProfile, or set its type to RuntimeDefault.`],
    ["no-host-ports", noHostPorts, (c) => (c.ports = [{ containerPort: 9000, hostPort: 9000 }]), `${eph}: binds host port 9000; remove hostPort and expose the port through a Service.`],
    ["proc-mount-default", procMountDefault, (c) => (sc(c).procMount = "Unmasked"), `${eph}: securityContext.procMount is Unmasked, which leaves /proc paths the runtime masks visible; remove it (or set Default).`],
    ["selinux-options", seLinuxOptions, (c) => (sc(c).seLinuxOptions = { type: "spc_t" }), `${eph}: sets securityContext.seLinuxOptions type "spc_t"; leave user and role unset and the type unset or one of ${UNSET_OR}.`],
    ["apparmor-profile", appArmorProfile, (c) => (sc(c).appArmorProfile = { type: "Unconfined" }), `${eph}: securityContext.appArmorProfile.type is Unconfined; ${APPARMOR_FIX} or remove it.`],
    ["no-windows-host-process", noWindowsHostProcess, (c) => (sc(c).windowsOptions = { hostProcess: true }), `${eph}: ${HOST_PROCESS}`],
  ])("%s judges them", (_name, policy, mutate, expected) => {
    expect(violations(policy, POD, debugPod())).toEqual([]);
    const p = debugPod();
    mutate(debugger_(p));
    expect(violations(policy, POD, p)).toEqual([expected]);
  });

  it("judges the Pod's own annotations for them", () => {
    const p = debugPod();
    (p.metadata as Props).annotations = { "container.apparmor.security.beta.kubernetes.io/debugger": "unconfined" };
    expect(violations(appArmorProfile, POD, p)).toEqual([
      `${eph}: annotation container.apparmor.security.beta.kubernetes.io/debugger is "unconfined", which turns AppArmor off for the container (the API server copies it into the container's unset appArmorProfile, over the pod's); remove the annotation and ${APPARMOR_FIX}.`,
    ]);
  });

  it("asks no probes or resources of them", () => {
    const p = debugPod();
    expect(violations(containerResources, POD, p)).toEqual([]);
    expect(violations(containerProbes, POD, p)).toEqual([]);
  });
});
