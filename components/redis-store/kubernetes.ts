/** RedisStore on Kubernetes: one StatefulSet of nodes (with sentinels beside them in sentinel mode). */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { childName } from "../core/naming";
import type { NetworkPort, NetworkRule } from "../core/network";
import { resolveResources } from "../core/resources";
import { resolveSecurity } from "../core/security";
import { ClientAccess, DATA_EMPTY_DIR, generatedPassword, memberLabels, namedSecret, memberSet, statefulOptions } from "../workload/data-store";
import { mirrorRules } from "../workload/network-access";
import { ContainerSpec, CreatedWorkload, createWorkload, scrapedBy } from "../workload/workload";
import { redisConf, redisNodeScript, redisSentinelScript } from "./config";
import { REDIS_DEFAULTS, ResolvedRedis } from "./resolve";

import EnvVar = k8s.types.input.core.v1.EnvVar;

export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;
const EXPORTER_PORT = 9121;
const SIDECAR_RESOURCES = { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

export interface RedisDeployment {
  readonly nodes: CreatedWorkload;
  readonly clients: ClientAccess;
  readonly password: pulumi.Output<string>;
  readonly credentials: k8s.core.v1.Secret;
  /** The read-write host (the primary's Service), or the sentinels' Service in sentinel mode. */
  readonly host: pulumi.Output<string>;
  readonly readOnlyHost?: pulumi.Output<string>;
  /** host:port of every sentinel, in sentinel mode. */
  readonly sentinels?: pulumi.Output<string>;
}

export function deployRedis(parent: pulumi.ComponentResource, r: ResolvedRedis): RedisDeployment {
  const opts = { parent, provider: r.target.provider };
  const { labels, selector } = memberLabels(r, "node", "cache", r.image);
  const password = generatedPassword(parent, r, "redis");
  const credentials = namedSecret(parent, r.target, childName(r.name, "credentials"), r.namespace, labels, { password }, r.protect);
  const creds = credentials.metadata.name;
  const passwordEnv: EnvVar = { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: creds, key: "password" } } };
  const config = new k8s.core.v1.ConfigMap(
    childName(r.name, "config"),
    {
      metadata: { namespace: r.namespace, labels },
      data: {
        "redis.conf": redisConf({ persistence: r.persistence, maxmemoryBytes: r.maxmemoryBytes, evictionPolicy: r.evictionPolicy, dataDir: "/data" }),
        "node.sh": redisNodeScript(),
        ...(r.mode === "sentinel" ? { "sentinel.sh": redisSentinelScript() } : {}),
      },
    },
    opts,
  );
  const v = new Validator("RedisStore", r.name);
  const security = resolveSecurity(v, "security", { runAsUser: REDIS_DEFAULTS.uid, runAsGroup: REDIS_DEFAULTS.gid, fsGroup: REDIS_DEFAULTS.gid });
  const exporterSecurity = resolveSecurity(v, "security", { runAsUser: 59000, runAsGroup: 59000, fsGroup: REDIS_DEFAULTS.gid });
  const sidecarResources = resolveResources(v, "sidecar", SIDECAR_RESOURCES);

  const headless = `${r.name}-headless`;
  const podHost = (pod: pulumi.Input<string>) => pulumi.interpolate`${pod}.${headless}.${r.namespace}.svc.cluster.local`;
  const sentinels = Array.from({ length: r.nodes }, (_, i) => pulumi.interpolate`${podHost(`${r.name}-${i}`)}:${SENTINEL_PORT}`);
  const sentinelList = r.mode === "sentinel" ? pulumi.all(sentinels).apply((s) => s.join(" ")) : undefined;
  const topology: EnvVar[] = [
    { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    { name: "ANNOUNCE_HOST", value: pulumi.interpolate`$(POD_NAME).${headless}.${r.namespace}.svc.cluster.local` },
    { name: "PRIMARY_HOST", value: podHost(`${r.name}-0`) },
    { name: "MASTER_NAME", value: REDIS_DEFAULTS.sentinel.masterName },
    ...(sentinelList ? [{ name: "SENTINELS", value: sentinelList }] : []),
  ];
  const ping = (port: number): k8s.types.input.core.v1.Probe => ({
    exec: { command: ["/bin/sh", "-c", `REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -p ${port} ping | grep -q PONG`] },
    periodSeconds: 5,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  const node: ContainerSpec = {
    name: "redis",
    image: r.image,
    command: ["/bin/sh", "/etc/redis/node.sh"],
    ports: [{ name: "redis", containerPort: REDIS_PORT }],
    env: [passwordEnv, { name: "CONFIG_SOURCE", value: "/etc/redis/redis.conf" }, { name: "RUNTIME_DIR", value: "/run/redis" }, { name: "MODE", value: r.mode }, ...topology],
    resources: r.resources,
    liveness: { tcpSocket: { port: REDIS_PORT }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 },
    readiness: ping(REDIS_PORT),
    volumeMounts: [
      { name: "data", mountPath: "/data" },
      { name: "config", mountPath: "/etc/redis", readOnly: true },
      { name: "run", mountPath: "/run/redis" },
    ],
  };
  const sentinel: ContainerSpec = {
    name: "sentinel",
    image: r.image,
    command: ["/bin/sh", "/etc/redis/sentinel.sh"],
    ports: [{ name: "sentinel", containerPort: SENTINEL_PORT }],
    env: [
      passwordEnv,
      { name: "RUNTIME_DIR", value: "/run/sentinel" },
      { name: "SENTINEL_PORT", value: String(SENTINEL_PORT) },
      { name: "QUORUM", value: String(r.quorum) },
      { name: "DOWN_AFTER_MS", value: String(r.downAfterMilliseconds) },
      { name: "FAILOVER_TIMEOUT_MS", value: String(r.failoverTimeoutMilliseconds) },
      ...topology,
    ],
    resources: sidecarResources,
    liveness: { tcpSocket: { port: SENTINEL_PORT }, initialDelaySeconds: 10, periodSeconds: 10 },
    readiness: ping(SENTINEL_PORT),
    // The image's working directory is /data, where redis-server (sentinel mode too) may write
    // (e.g. a crash report); with a read-only root filesystem it must be a volume: the node's.
    volumeMounts: [{ name: "config", mountPath: "/etc/redis", readOnly: true }, { name: "sentinel-run", mountPath: "/run/sentinel" }, { name: "data", mountPath: "/data" }],
  };
  const exporter: ContainerSpec = {
    name: "exporter",
    image: REDIS_DEFAULTS.exporterImage,
    ports: [{ name: "metrics", containerPort: EXPORTER_PORT }],
    env: [{ name: "REDIS_ADDR", value: `redis://127.0.0.1:${REDIS_PORT}` }, passwordEnv],
    resources: sidecarResources,
    liveness: { tcpSocket: { port: EXPORTER_PORT }, periodSeconds: 20 },
    readiness: { httpGet: { path: "/health", port: EXPORTER_PORT }, periodSeconds: 10 },
    security: exporterSecurity,
  };
  const memberPorts: NetworkPort[] = [{ port: REDIS_PORT }, ...(r.mode === "sentinel" ? [{ port: SENTINEL_PORT }] : [])];
  const members: NetworkRule = { peer: { kind: "workload", name: r.name, namespace: r.namespace, podLabels: selector }, ports: memberPorts };
  const monitoring = scrapedBy(r.target, EXPORTER_PORT);
  const single = r.nodes < 2;
  const nodes = createWorkload(parent, r.target, {
    ...memberSet(r, labels, selector, r.nodes, r.singleNodeReason),
    serviceName: r.mode === "replication" ? `${r.name}-ro` : r.name,
    security,
    terminationGracePeriodSeconds: 30,
    containers: [node, ...(r.mode === "sentinel" ? [sentinel] : []), ...(r.metrics ? [exporter] : [])],
    volumes: [
      { name: "config", configMap: { name: config.metadata.name, defaultMode: 0o555 } },
      { name: "run", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
      ...(r.mode === "sentinel" ? [{ name: "sentinel-run", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }] : []),
      ...(r.storage ? [] : [DATA_EMPTY_DIR]),
    ],
    volumeClaims: r.storage ? [{ name: "data", size: r.storage.size, storageClass: r.storage.storageClass }] : [],
    workloadOptions: statefulOptions(r.protect),
    servicePorts: [{ name: "redis", port: REDIS_PORT }, ...(r.mode === "sentinel" ? [{ name: "sentinel", port: SENTINEL_PORT }] : [])],
    metrics: r.metrics ? { port: EXPORTER_PORT, path: "/metrics" } : undefined,
    allowFrom: [...(single ? [] : [members]), ...(r.metrics ? [monitoring] : [])],
    allowTo: single ? [] : [members],
  });
  let host = pulumi.interpolate`${nodes.service.metadata.name}.${r.namespace}.svc.cluster.local`;
  let readOnlyHost: pulumi.Output<string> | undefined;
  if (r.mode === "replication") {
    readOnlyHost = host;
    const primary = new k8s.core.v1.Service(
      childName(r.name, "primary"),
      {
        metadata: { name: r.name, namespace: r.namespace, labels },
        spec: { type: "ClusterIP", selector: { ...selector, "statefulset.kubernetes.io/pod-name": `${r.name}-0` }, ports: [{ name: "redis", port: REDIS_PORT, targetPort: REDIS_PORT, protocol: "TCP" }] },
      },
      opts,
    );
    host = pulumi.interpolate`${primary.metadata.name}.${r.namespace}.svc.cluster.local`;
  }
  const clients = new ClientAccess(parent, r, memberPorts, r.allowFrom, labels);
  mirrorRules(clients, r.allowFrom, []);
  return { nodes, clients, password, credentials, host, readOnlyHost, sentinels: sentinelList?.apply((s) => s.split(" ").join(",")) };
}
