/** SeaweedStorage on Kubernetes: master, volume and filer StatefulSets, the S3 gateway, buckets, the filer's metadata backup. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { childName } from "../core/naming";
import type { NetworkRule } from "../core/network";
import { shellQuote } from "../core/quoting";
import { resolveSecurity } from "../core/security";
import { ClientAccess, memberLabels, spreadMembers, statefulOptions } from "../workload/data-store";
import { createJob } from "../workload/job";
import { mirrorRules } from "../workload/network-access";
import { ContainerSpec, CreatedWorkload, createWorkload, scrapedBy } from "../workload/workload";
import { GRPC_OFFSET, SEAWEED_PORTS, filerFlags, filerToml, masterFlags, masterToml, s3Flags, toArgs, volumeFlags } from "./config";
import { FilerBackup, createFilerBackup } from "./filer-backup";
import { SeaweedCredentials, SeaweedIdentities } from "./identities";
import { ResolvedSeaweed, SEAWEED_DEFAULTS, SeaweedRole } from "./resolve";
import { bucketScript } from "./scripts";

export interface SeaweedDeployment {
  readonly parts: Readonly<Record<SeaweedRole, CreatedWorkload>>;
  readonly clients: ClientAccess;
  readonly s3Url: pulumi.Output<string>;
  readonly admin: SeaweedCredentials;
  readonly readOnly: SeaweedCredentials;
  /** Adds writer and client identities until the constructing block has run. */
  readonly identities: SeaweedIdentities;
  readonly filerBackup?: FilerBackup;
}

/** Stands for the rack in the volume server's flags; the shell fills it in. */
const RACK = "\u0001rack";
const INTERNAL_PORTS = [SEAWEED_PORTS.master, SEAWEED_PORTS.volume, SEAWEED_PORTS.filer].flatMap((p) => [{ port: p }, { port: p + GRPC_OFFSET }]);

export function deploySeaweed(parent: pulumi.ComponentResource, r: ResolvedSeaweed): SeaweedDeployment {
  const common = memberLabels(r, "cluster", "object-storage", r.image);
  const v = new Validator("SeaweedStorage", r.name);
  const security = resolveSecurity(v, "security", { runAsUser: SEAWEED_DEFAULTS.uid, runAsGroup: SEAWEED_DEFAULTS.uid, fsGroup: SEAWEED_DEFAULTS.uid });
  const host = (role: string, i: number) => pulumi.interpolate`${r.name}-${role}-${i}.${r.name}-${role}-headless.${r.namespace}.svc.cluster.local`;
  const masters = pulumi.all(Array.from({ length: r.masters }, (_, i) => pulumi.interpolate`${host("master", i)}:${SEAWEED_PORTS.master}`));
  // Kubernetes expands $(POD_NAME) in args: each server advertises its own pod DNS name.
  const ipOf = (role: string) => pulumi.interpolate`$(POD_NAME).${r.name}-${role}-headless.${r.namespace}.svc.cluster.local`;
  const filerAddress = pulumi.interpolate`${r.name}-filer.${r.namespace}.svc.cluster.local:${SEAWEED_PORTS.filer}`;

  // admin and read-only (every bucket); writers (bucketTarget) and clients are added on use.
  const identities = new SeaweedIdentities(parent, r, common.labels);
  const admin = identities.add("admin", ["Admin", "Read", "Write", "List", "Tagging"]);
  const readOnly = identities.add("readonly", ["Read", "List"]);
  const config = new k8s.core.v1.ConfigMap(
    childName(r.name, "config"),
    { metadata: { namespace: r.namespace, labels: common.labels }, data: { "master.toml": masterToml(r.erasureCoding, r.volumeGrowth), "filer.toml": filerToml() } },
    { parent, provider: r.target.provider },
  );
  const s3Secret = new k8s.core.v1.Secret(childName(r.name, "s3-config"), { metadata: { namespace: r.namespace, labels: common.labels }, type: "Opaque", stringData: { "s3.json": identities.config } }, { parent, provider: r.target.provider });

  const internal: NetworkRule = { peer: { kind: "workload", name: r.name, namespace: r.namespace, podLabels: r.clusterSelector }, ports: INTERNAL_PORTS };
  const monitoring = scrapedBy(r.target, SEAWEED_PORTS.metrics);
  const podName = { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } };

  const part = (role: SeaweedRole, spec: { replicas: number; args: ContainerSpec["args"]; command?: string[]; port: number; probePath?: string; mounts: k8s.types.input.core.v1.VolumeMount[]; stateful: boolean; reason?: string; podAnnotations?: Record<string, pulumi.Input<string>> }) => {
    const labels = memberLabels(r, role, role === "s3" ? "object-storage-gateway" : `seaweedfs-${role}`, r.image);
    const container: ContainerSpec = {
      name: role,
      image: r.image,
      // glog writes files under /tmp unless told otherwise: log to the container's stderr.
      command: spec.command ?? ["weed", "-logtostderr=true"],
      args: spec.args,
      ports: [{ name: "http", containerPort: spec.port }, ...(role === "s3" ? [] : [{ name: "grpc", containerPort: spec.port + GRPC_OFFSET }]), { name: "metrics", containerPort: SEAWEED_PORTS.metrics }],
      env: [podName],
      resources: r.resources[role],
      startup: { tcpSocket: { port: spec.port }, periodSeconds: 5, failureThreshold: 60 },
      liveness: { tcpSocket: { port: spec.port }, periodSeconds: 15, failureThreshold: 4 },
      readiness: spec.probePath ? { httpGet: { path: spec.probePath, port: spec.port }, periodSeconds: 5 } : { tcpSocket: { port: spec.port }, periodSeconds: 5 },
      volumeMounts: spec.mounts,
    };
    const stored = role === "s3" ? undefined : r.storage[role];
    return createWorkload(parent, r.target, {
      kind: spec.stateful ? "StatefulSet" : "Deployment",
      name: childName(r.name, role),
      namespace: r.namespace,
      labels: labels.labels,
      selector: labels.selector,
      replicas: spec.replicas,
      security,
      affinity: spec.replicas > 1 ? spreadMembers(labels.selector) : undefined,
      annotations: spec.replicas < 2 && spec.reason ? { "exempt.keel.dev/replicas-minimum": spec.reason } : undefined,
      podAnnotations: spec.podAnnotations,
      containers: [container],
      volumes: [
        { name: "config", configMap: { name: config.metadata.name } },
        ...(role === "s3" ? [{ name: "s3-config", secret: { secretName: s3Secret.metadata.name, defaultMode: 0o440 } }] : []),
      ],
      volumeClaims: stored ? [{ name: "data", size: stored.size, storageClass: stored.storageClass }] : [],
      workloadOptions: stored ? statefulOptions(r.protect) : undefined,
      servicePorts: [{ name: "http", port: spec.port }, ...(role === "s3" ? [] : [{ name: "grpc", port: spec.port + GRPC_OFFSET }])],
      metrics: r.metrics ? { port: SEAWEED_PORTS.metrics, path: "/metrics" } : undefined,
      allowFrom: [internal, ...(r.metrics ? [monitoring] : [])],
      allowTo: [internal],
    });
  };
  const dataMount = { name: "data", mountPath: "/data" };
  const withTopology = (role: string, build: (masters: string[], ip: string) => string[]) => pulumi.all([masters, ipOf(role)]).apply(([m, ip]) => build(m, ip));
  const master = part("master", {
    replicas: r.masters,
    args: withTopology("master", (m, ip) => toArgs("master", masterFlags({ masters: m, ip, replication: r.replication, volumeSizeLimitMB: r.volumeSizeLimitMB }))),
    port: SEAWEED_PORTS.master,
    probePath: "/cluster/status",
    mounts: [dataMount, { name: "config", mountPath: "/etc/seaweedfs/master.toml", subPath: "master.toml", readOnly: true }],
    stateful: true,
  });
  // The rack of a volume server follows its ordinal, so racks hold equal numbers of servers.
  const volume = part("volume", {
    replicas: r.volumeServers,
    command: ["/bin/sh", "-c"],
    // Every word is quoted for the shell except the rack, which the shell computes from the ordinal.
    args: withTopology("volume", (m, ip) => [
      `rack="rack$(( \${POD_NAME##*-} % ${r.racks} ))"; exec weed -logtostderr=true ${toArgs("volume", volumeFlags({ masters: m, ip, rack: RACK, dataCenter: "dc1" }))
        .map((word) => (word === `-rack=${RACK}` ? '-rack="$rack"' : shellQuote(word)))
        .join(" ")}`,
    ]),
    port: SEAWEED_PORTS.volume,
    probePath: "/status",
    mounts: [dataMount],
    stateful: true,
  });
  const filer = part("filer", {
    replicas: r.filers,
    args: withTopology("filer", (m, ip) => toArgs("filer", filerFlags({ masters: m, ip, replication: r.replication }))),
    port: SEAWEED_PORTS.filer,
    mounts: [dataMount, { name: "config", mountPath: "/etc/seaweedfs/filer.toml", subPath: "filer.toml", readOnly: true }],
    stateful: true,
    reason: r.metadataBackup
      ? "the filer keeps its metadata in LevelDB on its own volume, saved on a schedule by the filer-backup CronJob; it restarts on that volume, and S3 traffic waits meanwhile"
      : "the filer keeps its metadata in LevelDB on its own volume; it restarts on that volume, and S3 traffic waits meanwhile",
  });
  const gateway = part("s3", {
    replicas: r.gateways,
    args: filerAddress.apply((f) => toArgs("s3", s3Flags(f))),
    port: SEAWEED_PORTS.s3,
    mounts: [{ name: "s3-config", mountPath: "/etc/seaweedfs/s3.json", subPath: "s3.json", readOnly: true }],
    stateful: false,
    // The gateway reads s3.json at start: a new, removed or rescoped identity rolls it (also where
    // the provider updates Secrets in place rather than replacing them).
    podAnnotations: { "keel.dev/s3-identities": identities.digest },
  });
  const clients = new ClientAccess(parent, r, [{ port: SEAWEED_PORTS.s3 }], r.allowFrom, common.labels, memberLabels(r, "s3", "").selector);
  mirrorRules(clients, r.allowFrom, []);

  if (r.buckets.length > 0) {
    const labels = memberLabels(r, "buckets", "object-storage", r.image);
    const script = pulumi.all([masters, filerAddress]).apply(([m, f]) => bucketScript(m[0], f, r.buckets));
    const scripts = new k8s.core.v1.ConfigMap(childName(r.name, "buckets"), { metadata: { namespace: r.namespace, labels: labels.labels }, data: { "create-buckets.sh": script } }, { parent, provider: r.target.provider });
    createJob(parent, r.target, {
      name: childName(r.name, "buckets"),
      namespace: r.namespace,
      labels: labels.labels,
      selector: labels.selector,
      security,
      backoffLimit: 10,
      activeDeadlineSeconds: 1800,
      containers: [{ name: "create-buckets", image: r.image, command: ["/bin/sh", "/scripts/create-buckets.sh"], resources: r.resources.s3, volumeMounts: [{ name: "scripts", mountPath: "/scripts", readOnly: true }] }],
      volumes: [{ name: "scripts", configMap: { name: scripts.metadata.name, defaultMode: 0o555 } }],
      allowTo: [internal],
    });
  }
  const filerBackup = createFilerBackup(parent, r, { security, masters: masters.apply((m) => m.join(",")), filer: filerAddress, internal });
  return {
    parts: { master, volume, filer, s3: gateway },
    clients,
    s3Url: pulumi.interpolate`http://${gateway.service.metadata.name}.${r.namespace}.svc.cluster.local:${SEAWEED_PORTS.s3}`,
    admin,
    readOnly,
    identities,
    filerBackup,
  };
}
