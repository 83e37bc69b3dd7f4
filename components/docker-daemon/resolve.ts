/** DockerDaemon's validation and defaults: pure, every problem at once. */
import type * as pulumi from "@pulumi/pulumi";
import { checkArgShape } from "../core/arg-shape";
import { Validator } from "../core/errors";
import { dnsLabelProblem } from "../core/kubernetes-syntax";
import { NetworkRule, peers } from "../core/network";
import { parseStorage } from "../core/quantities";
import { ResolvedResources, resolveResources } from "../core/resources";
import { systemNamespaceProblem } from "../platform/cluster-facts";
import { checkPeerPlatforms } from "../workload/network-access";
import { DataStoreBase, ResolvedStorage, checkImage, checkRules, resolveDataStoreBase, resolveStorage } from "../workload/data-store";
import type { DockerDaemonArgs } from "./index";

/** Docker Engine's unauthenticated API port (the image's EXPOSE 2375 2376: 2376 is the TLS one). */
export const DOCKER_API_PORT = 2375;

/** The seed's figures for the Docker daemon (seed 003: 2000m/8000m, 4Gi/16Gi). */
const DEFAULT_RESOURCES = { requests: { cpu: "2000m", memory: "4Gi" }, limits: { cpu: "8000m", memory: "16Gi" } };

/** The Pod Security level of the daemons' namespace, and why. */
export const DOCKER_DAEMON_POD_SECURITY = "privileged: Docker Engine runs containers itself (cgroups, overlay mounts, network namespaces, iptables), which only a privileged container running as root can do";

/** Each policy the daemon cannot meet, with its reason (the pack honours `exempt.keel.dev/<policy>`). */
export const DOCKER_DAEMON_EXEMPTIONS = {
  "exempt.keel.dev/no-privileged":
    "Docker Engine mounts cgroups and overlay filesystems, creates network namespaces and iptables rules and runs runc for the containers it starts: that takes a privileged container. It runs in its own namespace (Pod Security privileged), mounts nothing of the host and shares none of its namespaces",
  "exempt.keel.dev/no-privilege-escalation": "a privileged container always may escalate (Kubernetes refuses privileged with allowPrivilegeEscalation false); see no-privileged",
  "exempt.keel.dev/run-as-non-root": "dockerd runs as root; its rootless variant (docker:dind-rootless) still needs a privileged container, so another user would buy nothing here; see no-privileged",
  "exempt.keel.dev/no-root-group": "dockerd runs as root, group 0 included; see run-as-non-root",
  "exempt.keel.dev/drop-all-capabilities": "a privileged container has every capability whatever it drops; see no-privileged",
  "exempt.keel.dev/read-only-root-filesystem": "the dind entrypoint writes under /etc/docker, /run and /var/run (sockets, pid files, containerd state) and mounts filesystems of its own; the data root is a volume",
} as const;

export interface ResolvedDockerDaemon extends DataStoreBase {
  /** The namespace the daemons run in (created). */
  readonly daemonNamespace: string;
  readonly image: pulumi.Input<string>;
  readonly resources: ResolvedResources;
  readonly dataRootSize: string;
  readonly workspaces?: ResolvedStorage & { readonly accessMode: "ReadWriteMany" | "ReadWriteOnce" };
  readonly allowFrom: readonly NetworkRule[];
  readonly allowTo: readonly NetworkRule[];
  readonly protect: boolean;
}

const ACCESS_MODES = ["ReadWriteMany", "ReadWriteOnce"];

export function resolveDockerDaemonArgs(name: string, args: DockerDaemonArgs): ResolvedDockerDaemon {
  const v = new Validator("DockerDaemon", name);
  checkArgShape(v, "DockerDaemonArgs", args, () => resolveDockerDaemonArgs(name, args)); // unknown keys and wrong shapes, before anything reads them
  v.throwIfInvalid();
  const base = resolveDataStoreBase(v, name, args, "app", true, [{ kind: "DaemonSet" }]);
  const namespace = args.namespace;
  const nsProblem = dnsLabelProblem(namespace) ?? systemNamespaceProblem(namespace);
  if (nsProblem) v.require(false, "namespace", namespace, nsProblem);
  // The tiers' names: plain strings when the platform did not create them, else the keys of its Namespace resources.
  const created = (args.platform as { readonly namespaceResources?: Readonly<Record<string, unknown>> }).namespaceResources ?? {};
  const tierNamespaces = [...Object.values(base.target.namespaces).filter((n): n is string => typeof n === "string"), ...Object.keys(created)];
  if (tierNamespaces.includes(namespace)) {
    v.require(false, "namespace", namespace, "expected a namespace of the daemons' own: a platform tier's namespace enforces Pod Security restricted, which refuses a privileged pod");
  }
  const image = args.image;
  checkImage(v, "image", image);
  const resources = resolveResources(v, "resources", args.resources, DEFAULT_RESOURCES);
  const dataRootSize = args.dataRootSize ?? "50Gi";
  const parsedRoot = parseStorage(dataRootSize);
  if (!parsedRoot.ok) v.require(false, "dataRootSize", dataRootSize, parsedRoot.reason);
  let workspaces: ResolvedDockerDaemon["workspaces"];
  if (args.workspaces !== undefined) {
    const storage = resolveStorage(v, "workspaces", args.workspaces, args.workspaces.size, base.target.storageClasses);
    const accessMode = args.workspaces.accessMode ?? "ReadWriteMany";
    v.require(ACCESS_MODES.includes(accessMode), "workspaces.accessMode", accessMode, `expected one of ${ACCESS_MODES.join(", ")}`);
    if (storage) workspaces = { ...storage, accessMode };
  }
  checkRules(v, "allowFrom", args.allowFrom);
  checkRules(v, "allowTo", args.allowTo);
  checkPeerPlatforms(v, { name: args.platform.name, kubernetes: base.target }, args);
  v.throwIfInvalid();
  return {
    ...base,
    namespace,
    daemonNamespace: namespace,
    image,
    resources,
    dataRootSize,
    workspaces,
    allowFrom: args.allowFrom ?? [],
    allowTo: args.allowTo ?? [{ peer: peers.internet(), ports: [{ port: 443 }] }],
    protect: args.protect ?? false,
  };
}
