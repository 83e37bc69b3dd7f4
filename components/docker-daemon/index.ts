/**
 * DockerDaemon: a Docker Engine (`docker:<version>-dind`) on every node, in a namespace of its
 * own, for workloads that start containers through the Docker API (seed 003's sandboxes).
 *
 * A Docker daemon inside a pod needs what keel's other workloads never get: a privileged
 * container running as root (it mounts cgroups and overlay filesystems, creates network
 * namespaces and iptables rules, and runs runc). So, as the node-log collector does
 * (components/observability-stack/node-logs.ts), its namespace's Pod Security level is
 * `privileged` and the DaemonSet carries an `exempt.keel.dev/<policy>` annotation with its reason
 * for each policy it cannot meet ({@link DOCKER_DAEMON_EXEMPTIONS}). Nothing of the host is
 * mounted (no hostPath, no host network or PID namespace).
 *
 * Storage:
 * - Each daemon keeps its data root (`/var/lib/docker`: images, layers, containers) on an
 *   emptyDir of its own, sized by `dataRootSize`. Two daemons cannot share one data root (each
 *   takes a lock on it and owns its layer database), and the overlay2 driver does not run on
 *   NFS (EFS), so a ReadWriteMany volume cannot hold it. An emptyDir sits on the node's own disk
 *   (ext4/xfs, where overlay2 runs), is deleted with the pod (the layer cache is disposable) and
 *   leaks nothing; a generic ephemeral PVC would too, but from a `Retain` class (keel's volumes
 *   are retained) it would leave a volume behind at every restart. The node's disk must hold
 *   it: the kubelet evicts the pod past its sizeLimit, and the container's ephemeral-storage
 *   request and limit include it.
 * - `workspaces`: one PersistentVolumeClaim (ReadWriteMany, e.g. EFS) every daemon mounts at
 *   `/workspaces`, for files shared by the sandboxes (bind-mounted into their containers).
 *
 * The API: dockerd listens on TCP 2375 without TLS (`DOCKER_TLS_CERTDIR` empty; `--tls=false`
 * states it, which newer Docker Engines require before they bind an unauthenticated TCP port).
 * Whoever reaches 2375 is root on the node the daemon runs on: only `allowFrom` peers are
 * admitted, and docs/vibebox.md shows the TLS setup on 2376. The daemons are reached through a
 * Service with `internalTrafficPolicy: Local` (`<name>.<namespace>.svc.cluster.local`): each client
 * pod talks to the daemon on its own node, always the same one (the daemons share no state).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkPort, NetworkRule, WorkloadPeer } from "../core/network";
import type { ResourcesArgs } from "../core/resources";
import type { Platform } from "../platform/types";
import { NetworkAccess, connect, mirrorRules } from "../workload/network-access";
import { deployDockerDaemon } from "./kubernetes";
import { DOCKER_API_PORT, resolveDockerDaemonArgs } from "./resolve";
export type { ResolvedDockerDaemon } from "./resolve";

export interface DockerWorkspacesArgs {
  /** e.g. "500Gi". */
  readonly size: string;
  /** @default the platform's storage class */
  readonly storageClass?: string;
  /** ReadWriteMany when every daemon mounts it from several nodes (EFS, NFS); ReadWriteOnce on a one-node cluster. @default "ReadWriteMany" */
  readonly accessMode?: "ReadWriteMany" | "ReadWriteOnce";
}

export interface DockerDaemonArgs {
  /** Where the daemons run (see `KubernetesPlatform`). */
  readonly platform: Platform;
  /** The namespace keel creates for the daemons (Pod Security `privileged`, deny-all by default). */
  readonly namespace: string;
  /**
   * A pinned Docker Engine image with the dind entrypoint, e.g. `docker:29.7.2-dind`
   * (docker-library/docker `29/dind`: `dockerd-entrypoint.sh`, `VOLUME /var/lib/docker`,
   * `EXPOSE 2375 2376`). Required: keel's image manifest has no entry for it yet, so it is the
   * caller's image (list it in the platform's `userImages` with a reason).
   */
  readonly image: pulumi.Input<string>;
  /** @default requests 2000m/4Gi, limits 8000m/16Gi (seed 003) */
  readonly resources?: ResourcesArgs;
  /** Size of each daemon's own `/var/lib/docker` (an emptyDir on the node's disk). @default "50Gi" */
  readonly dataRootSize?: string;
  /** A volume every daemon mounts at `/workspaces`. @default none */
  readonly workspaces?: DockerWorkspacesArgs;
  /** Who may reach the daemons' API on 2375. */
  readonly allowFrom?: readonly NetworkRule[];
  /** What the daemons, and the containers they run, may reach besides cluster DNS. @default the internet on TCP 443 (image registries) */
  readonly allowTo?: readonly NetworkRule[];
  /** Protect the namespace and the workspaces' claim (prod). @default false */
  readonly protect?: boolean;
}

export interface DockerDaemonKubernetesResources {
  readonly namespace: k8s.core.v1.Namespace;
  readonly daemonSet: k8s.apps.v1.DaemonSet;
  readonly service: k8s.core.v1.Service;
  readonly workspaces?: k8s.core.v1.PersistentVolumeClaim;
}

export class DockerDaemon extends pulumi.ComponentResource {
  /** `tcp://<service>.<namespace>.svc.cluster.local:2375`: DOCKER_HOST for clients. */
  public readonly dockerHost: pulumi.Output<string>;
  public readonly networkPeer: WorkloadPeer;
  public readonly networkPorts: readonly NetworkPort[];
  public readonly networkAccess: NetworkAccess;
  public readonly kubernetes: DockerDaemonKubernetesResources;

  constructor(name: string, args: DockerDaemonArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveDockerDaemonArgs(name, args);
    super("keel:components:DockerDaemon", name, {}, opts);
    const d = deployDockerDaemon(this, r);
    this.networkPeer = d.peer;
    this.networkPorts = [{ port: DOCKER_API_PORT }];
    this.networkAccess = d.networkAccess;
    this.kubernetes = d.resources;
    this.dockerHost = pulumi.interpolate`tcp://${d.resources.service.metadata.name}.${d.resources.namespace.metadata.name}.svc.cluster.local:${DOCKER_API_PORT}`;
    mirrorRules(this, r.allowFrom, r.allowTo);
    this.registerOutputs({ dockerHost: this.dockerHost });
  }

  /** Lets `source` reach the daemons' API (TCP 2375): an ingress rule here, an egress rule on `source` where keel manages its policies. */
  allowFrom(source: Parameters<NetworkAccess["admit"]>[0]): void {
    connect(source, this, this.networkPorts);
  }
}

export { DOCKER_API_PORT, DOCKER_DAEMON_EXEMPTIONS, DOCKER_DAEMON_POD_SECURITY, resolveDockerDaemonArgs } from "./resolve";
