import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { noHostNamespaces, noHostPath, noHostPorts } from "../../policies/kubernetes/host";
import { dropAllCapabilities, noPrivileged, noPrivilegeEscalation, readOnlyRootFilesystem, runAsNonRoot, seccompRuntimeDefault } from "../../policies/kubernetes/security-context";
import { noDefaultServiceAccount } from "../../policies/kubernetes/service-accounts";
import { DEPLOYMENT, DeploymentCase, POD, deployment, firstContainer, initContainer, judgesDeployments, pod, violations } from "./harness";

type Props = Record<string, unknown>;
const where = 'Deployment shop/api, container "api"';
const init = 'Deployment shop/api, init container "migrate"';
const RC = "kubernetes:core/v1:ReplicationController";
const POD_TEMPLATE = "kubernetes:core/v1:PodTemplate";
const sc = (c: Props) => c.securityContext as Props;
const annotate = (d: Props, annotations: Record<string, string>) => Object.assign(((d.spec as Props).template as Props).metadata as Props, { annotations });
/** 15 capabilities by name (containerd's 14 defaults and SYS_ADMIN), one of them twice in another spelling. */
const SOME_CAPABILITIES = ["CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE", "SYS_ADMIN", "cap_sys_admin"];

describe.each<[ResourceValidationPolicy, DeploymentCase[]]>([
  [
    runAsNonRoot,
    [
      ["no non-root setting anywhere", (d) => {
        delete sc(firstContainer(d)).runAsNonRoot;
        delete sc(firstContainer(d)).runAsUser;
        delete (pod(d).securityContext as Props).runAsNonRoot;
        delete (pod(d).securityContext as Props).runAsUser;
      }, [`${where}: may run as root; set securityContext.runAsNonRoot: true and a non-zero runAsUser.`]],
      ["user 0 on an init container", (d) => {
        sc(initContainer(d)).runAsUser = 0;
        sc(initContainer(d)).runAsNonRoot = false;
      }, [`${init}: runs as root (runAsUser 0); set a non-zero runAsUser.`, `${init}: runAsNonRoot is false, overriding the pod's true; set securityContext.runAsNonRoot: true.`]],
      ["user 0 against runAsNonRoot", (d) => (sc(initContainer(d)).runAsUser = 0), [
        `${init}: runAsUser 0 contradicts runAsNonRoot: true, so the kubelet refuses to start it; set a non-zero runAsUser.`,
      ]],
      ["user 0 inherited from the pod", (d) => {
        (pod(d).securityContext as Props).runAsUser = 0;
        delete sc(firstContainer(d)).runAsUser;
        delete sc(firstContainer(d)).runAsNonRoot;
        delete (pod(d).securityContext as Props).runAsNonRoot;
      }, [`${where}: runs as root (runAsUser 0 on the pod); set a non-zero runAsUser.`]],
      ["user 0 on the pod against runAsNonRoot", (d) => {
        (pod(d).securityContext as Props).runAsUser = 0;
        delete sc(firstContainer(d)).runAsUser;
      }, [`${where}: runAsUser 0 on the pod contradicts runAsNonRoot: true, so the kubelet refuses to start it; set a non-zero runAsUser.`]],
      ["user 0 on the pod that every container overrides", (d) => ((pod(d).securityContext as Props).runAsUser = 0), [
        "Deployment shop/api: the pod sets runAsUser 0, which every container overrides but Pod Security restricted still rejects; set a non-zero runAsUser on the pod or remove it.",
      ]],
      ["runAsNonRoot false on the pod that every container overrides", (d) => ((pod(d).securityContext as Props).runAsNonRoot = false), [
        "Deployment shop/api: the pod sets runAsNonRoot: false, which every container overrides but Pod Security restricted still rejects; set it to true or remove it.",
      ]],
      ["user 0 inherited over a null container runAsUser (null is unset)", (d) => {
        (pod(d).securityContext as Props).runAsUser = 0;
        sc(firstContainer(d)).runAsUser = null;
      }, [`${where}: runAsUser 0 on the pod contradicts runAsNonRoot: true, so the kubelet refuses to start it; set a non-zero runAsUser.`]],
      ["runAsNonRoot false inherited with a non-zero user", (d) => {
        (pod(d).securityContext as Props).runAsNonRoot = false;
        delete sc(firstContainer(d)).runAsNonRoot;
      }, [`${where}: runAsNonRoot is false on the pod; set securityContext.runAsNonRoot: true.`]],
    ],
  ],
  [noPrivileged, [["a privileged container", (d) => (sc(firstContainer(d)).privileged = true), [`${where}: runs privileged; remove securityContext.privileged (it grants every host capability and device).`]]]],
  [noPrivilegeEscalation, [["escalation left on", (d) => delete sc(firstContainer(d)).allowPrivilegeEscalation, [`${where}: allowPrivilegeEscalation is not false; set securityContext.allowPrivilegeEscalation: false.`]]]],
  [
    readOnlyRootFilesystem,
    [["a writable root", (d) => (sc(initContainer(d)).readOnlyRootFilesystem = false), [`${init}: root filesystem is writable; set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes (e.g. /tmp).`]]],
  ],
  [
    dropAllCapabilities,
    [
      ["capabilities kept", (d) => (sc(firstContainer(d)).capabilities = {}), [`${where}: capabilities are not dropped; set securityContext.capabilities.drop: ["ALL"].`]],
      ["some dropped, not ALL", (d) => (sc(firstContainer(d)).capabilities = { drop: SOME_CAPABILITIES }), [
        `${where}: drops 15 capabilities but not ALL; set securityContext.capabilities.drop: ["ALL"].`,
      ]],
      ["ALL in lower case", (d) => (sc(initContainer(d)).capabilities = { drop: ["all"] }), [
        `${init}: drops "all": containerd and CRI-O drop every capability, but Pod Security restricted accepts only "ALL" and rejects the pod; write drop: ["ALL"].`,
      ]],
      ["CAP_ALL", (d) => (sc(firstContainer(d)).capabilities = { drop: ["CAP_ALL", "NET_RAW"] }), [
        `${where}: drops "CAP_ALL", which is no capability (only ALL drops them all) and 1 other capability; set securityContext.capabilities.drop: ["ALL"].`,
      ]],
      ["a dangerous add", (d) => (sc(firstContainer(d)).capabilities = { drop: ["ALL"], add: ["SYS_ADMIN"] }), [`${where}: adds capability SYS_ADMIN; remove it (allowed: NET_BIND_SERVICE).`]],
      ["a dangerous add among items that are no names (well-formed-objects reports them)", (d) => (sc(firstContainer(d)).capabilities = { drop: [null, "ALL"], add: [null, 7, "NET_ADMIN"] }), [
        `${where}: adds capability NET_ADMIN; remove it (allowed: NET_BIND_SERVICE).`,
      ]],
      ["a dangerous add in other spellings", (d) => (sc(firstContainer(d)).capabilities = { drop: ["ALL"], add: ["sys_admin", "cap_sys_ptrace", "All"] }), [
        `${where}: adds capability sys_admin (SYS_ADMIN); remove it (allowed: NET_BIND_SERVICE).`,
        `${where}: adds capability cap_sys_ptrace (SYS_PTRACE); remove it (allowed: NET_BIND_SERVICE).`,
        `${where}: adds capability All (ALL: every capability); remove it (allowed: NET_BIND_SERVICE).`,
      ]],
      ["an allowed add in other spellings", (d) => (sc(firstContainer(d)).capabilities = { drop: ["ALL"], add: ["net_bind_service", "CAP_NET_BIND_SERVICE"] }), [
        `${where}: adds capability net_bind_service: containerd and CRI-O grant NET_BIND_SERVICE, but Pod Security restricted compares names exactly and rejects it; write NET_BIND_SERVICE.`,
        `${where}: adds capability CAP_NET_BIND_SERVICE: Kubernetes names capabilities without CAP_ (containerd makes it CAP_CAP_NET_BIND_SERVICE, and Pod Security restricted rejects it); write NET_BIND_SERVICE.`,
      ]],
    ],
  ],
  [
    seccompRuntimeDefault,
    [
      ["no profile", (d) => {
        delete (pod(d).securityContext as Props).seccompProfile;
        delete sc(firstContainer(d)).seccompProfile;
      }, [`${where}: no seccomp profile; set securityContext.seccompProfile.type: RuntimeDefault on the pod.`]],
      ["an unconfined container", (d) => (sc(firstContainer(d)).seccompProfile = { type: "Unconfined" }), [
        `${where}: seccomp profile is Unconfined, overriding the pod's RuntimeDefault; remove the container's securityContext.seccompProfile, or set its type to RuntimeDefault.`,
      ]],
      ["an unconfined container in a pod without a profile", (d) => {
        delete (pod(d).securityContext as Props).seccompProfile;
        sc(firstContainer(d)).seccompProfile = { type: "Unconfined" };
      }, [`${where}: seccomp profile is Unconfined; set the container's own securityContext.seccompProfile.type: RuntimeDefault (it overrides any profile on the pod).`]],
      ["an unconfined pod that a null container profile does not override (null is unset)", (d) => {
        (pod(d).securityContext as Props).seccompProfile = { type: "Unconfined" };
        sc(firstContainer(d)).seccompProfile = null;
      }, [`${where}: seccomp profile is Unconfined; set securityContext.seccompProfile.type: RuntimeDefault on the pod.`]],
      ["an unconfined pod that every container overrides", (d) => ((pod(d).securityContext as Props).seccompProfile = { type: "Unconfined" }), [
        "Deployment shop/api: the pod's seccomp profile is Unconfined, which every container overrides but Pod Security baseline still rejects; set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
      ]],
      ["only the deprecated annotation", (d) => {
        delete (pod(d).securityContext as Props).seccompProfile;
        for (const c of [initContainer(d), firstContainer(d)]) delete sc(c).seccompProfile;
        annotate(d, { "seccomp.security.alpha.kubernetes.io/pod": "runtime/default" });
      }, [init, where].map((w) => `${w}: no seccomp profile (annotation seccomp.security.alpha.kubernetes.io/pod: runtime/default is ignored since Kubernetes 1.27); set securityContext.seccompProfile.type: RuntimeDefault on the pod.`)],
      ["an unconfined container annotation", (d) => {
        delete sc(firstContainer(d)).seccompProfile;
        annotate(d, { "container.seccomp.security.alpha.kubernetes.io/api": "unconfined" });
      }, [`${where}: annotation container.seccomp.security.alpha.kubernetes.io/api is "unconfined", which Kubernetes up to 1.26 copies into the container's unset seccompProfile (no seccomp filter); remove it.`]],
      ["a pod annotation contradicting the field", (d) => annotate(d, { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" }), [
        "Deployment shop/api: annotation seccomp.security.alpha.kubernetes.io/pod: unconfined contradicts the pod's securityContext.seccompProfile (RuntimeDefault), so the API server rejects the pod; remove the annotation.",
      ]],
      ["an invalid container annotation", (d) => {
        delete sc(initContainer(d)).seccompProfile;
        annotate(d, { "container.seccomp.security.alpha.kubernetes.io/migrate": "runtime/strict" });
      }, [`${init}: annotation container.seccomp.security.alpha.kubernetes.io/migrate is "runtime/strict", not a seccomp profile (runtime/default, docker/default, localhost/<profile>), so the API server rejects the pod; remove it.`]],
      ["a container annotation contradicting its field", (d) => annotate(d, { "container.seccomp.security.alpha.kubernetes.io/migrate": "localhost/strict.json" }), [
        `${init}: annotation container.seccomp.security.alpha.kubernetes.io/migrate: localhost/strict.json contradicts the container's securityContext.seccompProfile (RuntimeDefault), so the API server rejects the pod; remove the annotation.`,
      ]],
    ],
  ],
  [
    noHostNamespaces,
    [
      ["host network", (d) => (pod(d).hostNetwork = true), ["Deployment shop/api: uses the host's network namespace (hostNetwork: true); remove hostNetwork."]],
      ["host PID and IPC", (d) => Object.assign(pod(d), { hostPID: true, hostIPC: true }), [
        "Deployment shop/api: uses the host's PID namespace (hostPID: true); remove hostPID.",
        "Deployment shop/api: uses the host's IPC namespace (hostIPC: true); remove hostIPC.",
      ]],
    ],
  ],
  [
    noHostPorts,
    [
      ["a host port", (d) => (firstContainer(d).ports = [{ containerPort: 8080, hostPort: 8080 }]), [`${where}: binds host port 8080; remove hostPort and expose the port through a Service.`]],
      ["a host port after a null one and a null item", (d) => (firstContainer(d).ports = [{ containerPort: 8080, hostPort: null }, null, { containerPort: 9090, hostPort: 9090 }]), [
        `${where}: binds host port 9090; remove hostPort and expose the port through a Service.`,
      ]],
    ],
  ],
  [
    noHostPath,
    [
      ["a host path", (d) => (pod(d).volumes = [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }]), [
        'Deployment shop/api: mounts host path /var/run/docker.sock (volume "docker"); use a PersistentVolumeClaim, configMap, secret or emptyDir instead.',
      ]],
      ["a host path after a null hostPath and a null volume", (d) => (pod(d).volumes = [{ name: "tmp", emptyDir: {}, hostPath: null }, null, { name: "logs", hostPath: { path: "/var/log" } }]), [
        'Deployment shop/api: mounts host path /var/log (volume "logs"); use a PersistentVolumeClaim, configMap, secret or emptyDir instead.',
      ]],
    ],
  ],
  [
    noDefaultServiceAccount,
    [
      ["no service account", (d) => delete pod(d).serviceAccountName, ["Deployment shop/api: runs as the namespace's default service account; create a ServiceAccount for it and set serviceAccountName."]],
      ["the default account", (d) => (pod(d).serviceAccountName = "default"), ["Deployment shop/api: runs as the namespace's default service account; create a ServiceAccount for it and set serviceAccountName."]],
    ],
  ],
])("%s", (policy, cases) => {
  judgesDeployments(policy, cases);
});

describe("details", () => {
  it("accepts a pod-level runAsNonRoot and extra allowed capabilities from config", () => {
    const d = deployment();
    delete sc(firstContainer(d)).runAsNonRoot;
    delete sc(firstContainer(d)).runAsUser;
    expect(violations(runAsNonRoot, DEPLOYMENT, d)).toEqual([]);
    sc(firstContainer(d)).capabilities = { drop: ["ALL"], add: ["NET_RAW"] };
    expect(violations(dropAllCapabilities, DEPLOYMENT, d, { allowedCapabilities: ["NET_RAW"] })).toEqual([]);
  });

  it("remediates a missing seccomp profile on the pod, idempotently", () => {
    const d = deployment();
    delete (pod(d).securityContext as Props).seccompProfile;
    for (const c of [firstContainer(d), initContainer(d)]) delete sc(c).seccompProfile;
    const remediate = seccompRuntimeDefault.remediateResource as (args: ResourceValidationArgs) => Props | undefined;
    const args = (props: Props) => ({ type: DEPLOYMENT, props, urn: "u", name: "api", getConfig: () => ({}) }) as unknown as ResourceValidationArgs;
    const fixed = remediate(args(d)) as Props;
    expect((pod(fixed).securityContext as Props).seccompProfile).toEqual({ type: "RuntimeDefault" });
    expect(violations(seccompRuntimeDefault, DEPLOYMENT, fixed)).toEqual([]);
    expect(remediate(args(fixed))).toBeUndefined();
    expect((pod(d).securityContext as Props).seccompProfile).toBeUndefined();
  });

  it("remediates a null seccomp profile, which is unset, and a PodTemplate's at template.spec", () => {
    const remediate = seccompRuntimeDefault.remediateResource as (args: ResourceValidationArgs) => Props | undefined;
    const args = (type: string, props: Props) => ({ type, props, urn: "u", name: "api", getConfig: () => ({}) }) as unknown as ResourceValidationArgs;
    const d = deployment();
    (pod(d).securityContext as Props).seccompProfile = null;
    for (const c of [firstContainer(d), initContainer(d)]) sc(c).seccompProfile = null;
    expect((pod(remediate(args(DEPLOYMENT, d)) as Props).securityContext as Props).seccompProfile).toEqual({ type: "RuntimeDefault" });
    const template = { metadata: { name: "api", namespace: "shop" }, template: (d.spec as Props).template };
    const fixed = remediate(args(POD_TEMPLATE, template)) as Props;
    expect((((fixed.template as Props).spec as Props).securityContext as Props).seccompProfile).toEqual({ type: "RuntimeDefault" });
    expect(violations(seccompRuntimeDefault, POD_TEMPLATE, fixed)).toEqual([]);
  });

  it("judges ReplicationControllers and PodTemplates", () => {
    for (const [type, kind, make] of [
      [RC, "ReplicationController", () => ({ metadata: { name: "api", namespace: "shop" }, spec: { replicas: 2, selector: { app: "api" }, template: (deployment().spec as Props).template } })],
      [POD_TEMPLATE, "PodTemplate", () => ({ metadata: { name: "api", namespace: "shop" }, template: (deployment().spec as Props).template })],
    ] as const) {
      const o = make() as Props;
      const podSpec = ((type === RC ? (o.spec as Props).template : o.template) as Props).spec as Props;
      for (const policy of [noPrivileged, noHostNamespaces, noHostPath]) expect(violations(policy, type, o)).toEqual([]);
      sc((podSpec.containers as Props[])[0]).privileged = true;
      podSpec.hostPID = true;
      expect(violations(noPrivileged, type, o)).toEqual([`${kind} shop/api, container "api": runs privileged; remove securityContext.privileged (it grants every host capability and device).`]);
      expect(violations(noHostNamespaces, type, o)).toEqual([`${kind} shop/api: uses the host's PID namespace (hostPID: true); remove hostPID.`]);
    }
  });

  it("says nothing of a pod's own runAsUser 0 or seccomp profile when it has no containers (well-formed-objects reports that)", () => {
    const d = deployment();
    Object.assign(pod(d), { containers: [], initContainers: [], securityContext: { runAsUser: 0, runAsNonRoot: false, seccompProfile: { type: "Unconfined" } } });
    expect(violations(runAsNonRoot, DEPLOYMENT, d)).toEqual([]);
    expect(violations(seccompRuntimeDefault, DEPLOYMENT, d)).toEqual([]);
  });

  it("leaves a pod annotation the new seccomp field would contradict to a person", () => {
    const d = deployment();
    delete (pod(d).securityContext as Props).seccompProfile;
    for (const c of [firstContainer(d), initContainer(d)]) delete sc(c).seccompProfile;
    annotate(d, { "seccomp.security.alpha.kubernetes.io/pod": "localhost/strict.json" });
    const remediate = seccompRuntimeDefault.remediateResource as (args: ResourceValidationArgs) => Props | undefined;
    expect(remediate({ type: DEPLOYMENT, props: d, urn: "u", name: "api", getConfig: () => ({}) } as unknown as ResourceValidationArgs)).toBeUndefined();
  });

  it("exempts Windows pods from capabilities, seccomp and allowPrivilegeEscalation, as Pod Security admission does", () => {
    const d = deployment();
    for (const c of [firstContainer(d), initContainer(d)]) c.securityContext = { runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true };
    delete (pod(d).securityContext as Props).seccompProfile;
    pod(d).os = { name: "windows" };
    for (const policy of [dropAllCapabilities, seccompRuntimeDefault, noPrivilegeEscalation]) expect(violations(policy, DEPLOYMENT, d)).toEqual([]);
    pod(d).os = { name: "linux" };
    expect(violations(noPrivilegeEscalation, DEPLOYMENT, d)).toHaveLength(2);
  });

  it("judges a bare Pod's own spec", () => {
    const p = { metadata: { name: "debug", namespace: "shop" }, spec: { ...pod(deployment()), hostNetwork: true } };
    expect(violations(noHostNamespaces, POD, p)).toEqual(["Pod shop/debug: uses the host's network namespace (hostNetwork: true); remove hostNetwork."]);
  });
});
