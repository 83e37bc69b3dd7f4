import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { noHostNamespaces, noHostPath, noHostPorts } from "../../policies/kubernetes/host";
import { dropAllCapabilities, noPrivileged, noPrivilegeEscalation, readOnlyRootFilesystem, runAsNonRoot, seccompRuntimeDefault } from "../../policies/kubernetes/security-context";
import { noAutomountedToken, noDefaultServiceAccount } from "../../policies/kubernetes/service-accounts";
import { DEPLOYMENT, DeploymentCase, POD, deployment, firstContainer, initContainer, judgesDeployments, pod, violations } from "./harness";

type Props = Record<string, unknown>;
const where = 'Deployment shop/api, container "api"';
const init = 'Deployment shop/api, init container "migrate"';
const sc = (c: Props) => c.securityContext as Props;

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
      ["user 0 on an init container", (d) => (sc(initContainer(d)).runAsUser = 0), [`${init}: runs as root (runAsUser 0); set a non-zero runAsUser.`]],
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
      ["a dangerous add", (d) => (sc(firstContainer(d)).capabilities = { drop: ["ALL"], add: ["SYS_ADMIN"] }), [`${where}: adds capability SYS_ADMIN; remove it (allowed: NET_BIND_SERVICE).`]],
    ],
  ],
  [
    seccompRuntimeDefault,
    [
      ["no profile", (d) => {
        delete (pod(d).securityContext as Props).seccompProfile;
        delete sc(firstContainer(d)).seccompProfile;
      }, [`${where}: no seccomp profile; set securityContext.seccompProfile.type: RuntimeDefault on the pod.`]],
      ["an unconfined container", (d) => (sc(firstContainer(d)).seccompProfile = { type: "Unconfined" }), [`${where}: seccomp profile is Unconfined; set securityContext.seccompProfile.type: RuntimeDefault on the pod.`]],
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
  [noHostPorts, [["a host port", (d) => (firstContainer(d).ports = [{ containerPort: 8080, hostPort: 8080 }]), [`${where}: binds host port 8080; remove hostPort and expose the port through a Service.`]]]],
  [
    noHostPath,
    [["a host path", (d) => (pod(d).volumes = [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }]), [
      'Deployment shop/api: mounts host path /var/run/docker.sock (volume "docker"); use a PersistentVolumeClaim, configMap, secret or emptyDir instead.',
    ]]],
  ],
  [
    noAutomountedToken,
    [["a mounted token", (d) => delete pod(d).automountServiceAccountToken, [
      "Deployment shop/api: mounts a service account token; set automountServiceAccountToken: false, or exempt the workload with a reason if it calls the Kubernetes API.",
    ]]],
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

  it("judges a bare Pod's own spec", () => {
    const p = { metadata: { name: "debug", namespace: "shop" }, spec: { ...pod(deployment()), hostNetwork: true } };
    expect(violations(noHostNamespaces, POD, p)).toEqual(["Pod shop/debug: uses the host's network namespace (hostNetwork: true); remove hostNetwork."]);
  });
});
