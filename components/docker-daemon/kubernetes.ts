/** DockerDaemon on Kubernetes: its namespace, the DaemonSet, a node-local Service, the workspaces' claim, NetworkPolicies. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LABEL_MANAGED_BY, LABEL_PART_OF, imageVersion, selectorLabels, standardLabels } from "../core/labels";
import { childName } from "../core/naming";
import { WorkloadPeer, egressRule, ingressRule, peers } from "../core/network";
import { toK8sResources } from "../core/resources";
import { statefulOptions } from "../workload/data-store";
import { NetworkAccess } from "../workload/network-access";
import { createOwnedNamespace } from "../platform/namespaces";
import type { DockerDaemonKubernetesResources } from "./index";
import { DOCKER_API_PORT, DOCKER_DAEMON_EXEMPTIONS, DOCKER_DAEMON_POD_SECURITY, ResolvedDockerDaemon } from "./resolve";

/** Where each daemon keeps its state, and where the shared workspaces are mounted. */
export const DOCKER_PATHS = { dataRoot: "/var/lib/docker", workspaces: "/workspaces" } as const;

export function deployDockerDaemon(parent: pulumi.Resource, r: ResolvedDockerDaemon): { peer: WorkloadPeer; networkAccess: NetworkAccess; resources: DockerDaemonKubernetesResources } {
  const opts: pulumi.CustomResourceOptions = { parent, provider: r.target.provider };
  const owned = { [LABEL_PART_OF]: r.system, [LABEL_MANAGED_BY]: "keel" };
  const info = { name: r.name, instance: r.name, component: "docker", partOf: r.system, version: typeof r.image === "string" ? imageVersion(r.image) : undefined };
  const labels = standardLabels(info);
  const selector = selectorLabels(info);

  const ns = createOwnedNamespace(
    r.name,
    r.daemonNamespace,
    { labels: { ...owned, "pod-security.kubernetes.io/enforce": "privileged" }, annotations: { "keel.dev/pod-security": DOCKER_DAEMON_POD_SECURITY }, denyLabels: owned },
    { ...opts, ...statefulOptions(r.protect) },
    opts,
  );
  const namespace = ns.metadata.name;
  const sa = new k8s.core.v1.ServiceAccount(childName(r.name, "sa"), { metadata: { name: r.name, namespace, labels }, automountServiceAccountToken: false }, opts);

  const workspaces = r.workspaces
    ? new k8s.core.v1.PersistentVolumeClaim(
        childName(r.name, "workspaces"),
        {
          metadata: { name: childName(r.name, "workspaces"), namespace, labels },
          spec: {
            accessModes: [r.workspaces.accessMode],
            storageClassName: r.workspaces.storageClass ?? r.target.storageClass,
            resources: { requests: { storage: r.workspaces.size } },
          },
        },
        { ...opts, ...statefulOptions(r.protect) },
      )
    : undefined;

  const writes = [{ volume: "docker-data", sizeLimit: r.dataRootSize }];
  const volumes = [
    // Each daemon's own data root (see index.ts: why not a shared or network volume).
    { name: "docker-data", emptyDir: { sizeLimit: r.dataRootSize } },
    ...(workspaces ? [{ name: "workspaces", persistentVolumeClaim: { claimName: workspaces.metadata.name } }] : []),
  ];
  const volumeMounts = [{ name: "docker-data", mountPath: DOCKER_PATHS.dataRoot }, ...(workspaces ? [{ name: "workspaces", mountPath: DOCKER_PATHS.workspaces }] : [])];
  const tcpProbe = (periodSeconds: number, failureThreshold: number) => ({ tcpSocket: { port: DOCKER_API_PORT }, periodSeconds, timeoutSeconds: 5, failureThreshold });
  const root = { runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, seccompProfile: { type: "RuntimeDefault" } };

  const daemonSet = new k8s.apps.v1.DaemonSet(
    childName(r.name, "daemonset"),
    {
      metadata: { name: r.name, namespace, labels, annotations: { ...DOCKER_DAEMON_EXEMPTIONS } },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: sa.metadata.name,
            automountServiceAccountToken: false,
            // dockerd stops its containers on SIGTERM (15 s each by default) before it exits.
            terminationGracePeriodSeconds: 60,
            // RuntimeDefault, as every other pod states; containerd applies no seccomp profile to a
            // privileged container, so this does not confine dockerd.
            securityContext: root,
            containers: [
              {
                name: "dockerd",
                image: r.image,
                imagePullPolicy: "IfNotPresent",
                // The dind entrypoint appends these to `dockerd --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2375`.
                args: ["--tls=false"],
                // Empty: no certificates, so the entrypoint listens on 2375 without TLS (docs/vibebox.md: TLS on 2376).
                env: [{ name: "DOCKER_TLS_CERTDIR", value: "" }],
                ports: [{ name: "docker", containerPort: DOCKER_API_PORT, protocol: "TCP" }],
                resources: toK8sResources(r.resources, writes),
                startupProbe: tcpProbe(5, 60),
                livenessProbe: tcpProbe(20, 3),
                readinessProbe: tcpProbe(10, 3),
                securityContext: { ...root, privileged: true, allowPrivilegeEscalation: true, readOnlyRootFilesystem: false },
                volumeMounts,
              },
            ],
            volumes,
          },
        },
      },
    },
    opts,
  );

  // One daemon per client pod: the daemons share no state (a container made on one is unknown to
  // the next), so the Service sends each client to the daemon on its own node
  // (internalTrafficPolicy Local; the DaemonSet runs one on every node), never round-robin.
  const service = new k8s.core.v1.Service(
    childName(r.name, "service"),
    { metadata: { name: r.name, namespace, labels }, spec: { selector, internalTrafficPolicy: "Local", ports: [{ name: "docker", port: DOCKER_API_PORT, targetPort: DOCKER_API_PORT, protocol: "TCP" }] } },
    opts,
  );

  const ports = [{ port: DOCKER_API_PORT }];
  const peer = peers.workload(r.name, namespace, selector);
  const networkAccess = new NetworkAccess(
    { name: r.name, namespace, podSelector: selector, labels, dns: r.target.dns, ports, opts },
    { ingress: r.allowFrom.map((rule) => ingressRule(rule, ports)), egress: r.allowTo.map(egressRule) },
  );
  return { peer, networkAccess, resources: { namespace: ns, daemonSet, service, workspaces } };
}
