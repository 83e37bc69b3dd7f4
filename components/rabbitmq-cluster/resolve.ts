/** Validation and defaults for RabbitMqCluster: pure, every problem at once, before any resource. */
import type * as pulumi from "@pulumi/pulumi";
import { checkArgShape } from "../core/arg-shape";
import { Validator } from "../core/errors";
import type { NetworkPort, NetworkRule } from "../core/network";
import { EmptyDirWrite, ResolvedResources, checkEphemeralStorage, resolveResources } from "../core/resources";
import { internetPeerProblems } from "../platform/cluster-facts";
import { DataStoreBase, ResolvedStorage, checkCount, checkImage, checkRules, resolveDataStoreBase, resolveStorage, serverWrites } from "../workload/data-store";
import { ResolvedDisruptionBudget, resolveDisruptionBudget } from "../workload/disruption";
import { checkPeerPlatforms } from "../workload/network-access";
import { RABBITMQ_PORTS } from "./config";
import type { RabbitMqClusterArgs } from "./index";

export const RABBITMQ_DEFAULTS = {
  /**
   * The official image (docker-library/rabbitmq 4.1/alpine): 4.1 for its Kubernetes peer discovery
   * (only pod 0 may form a cluster), Mnesia still the default metadata store (4.2 makes it Khepri,
   * under which cluster_partition_handling no longer applies). rabbitmq_prometheus,
   * rabbitmq_management and rabbitmq_peer_discovery_k8s ship in it; keel's enabled_plugins file picks.
   */
  image: "rabbitmq:4.1.8-alpine",
  /** The image's rabbitmq user (adduser -u 100) and group (addgroup -g 101). */
  uid: 100,
  gid: 101,
  resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
  storage: "8Gi",
  /** vm_memory_high_watermark as a share of the memory limit: the rest absorbs garbage-collection peaks and the CLI tools' VMs. */
  watermarkShare: 0.6,
  /** Below this, the watermark would sit near what an idle node with its plugins uses. */
  minMemoryLimit: 512 * 1024 ** 2,
  terminationGracePeriodSeconds: 60,
  /** What the log directory holds: the upgrade log and, after a crash, a dump cut to ERL_CRASH_DUMP_BYTES. */
  logVolume: { name: "log", sizeLimit: "64Mi", crashDumpBytes: 32 * 1024 ** 2 },
} as const;

/**
 * The RabbitMQ versions keel's rabbitmq.conf is written for: its keys exist from 3.10 to 4.x; the
 * seed asks for 3.12+. A cluster needs 4.1+: rabbitmq_peer_discovery_k8s v2 (rabbitmq-server#13050)
 * is the first peer discovery that lets one node only (pod 0) form a cluster.
 */
const VERSIONS = { min: [3, 12], maxMajor: 4, cluster: [4, 1] } as const;
const VHOST = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const USERNAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

export interface ResolvedRabbitMq extends DataStoreBase {
  readonly image: pulumi.Input<string>;
  readonly replicas: number;
  readonly vhost: string;
  readonly username: string;
  readonly resources: ResolvedResources;
  readonly storage?: ResolvedStorage;
  readonly memoryHighWatermarkBytes: number;
  readonly diskFreeLimitBytes: number;
  readonly metrics: boolean;
  readonly perObjectMetrics: boolean;
  readonly management: boolean;
  readonly allowFrom: readonly NetworkRule[];
  readonly singleNodeReason?: string;
  readonly disruptionBudget?: ResolvedDisruptionBudget;
  readonly protect: boolean;
  readonly terminationGracePeriodSeconds: number;
}

/** The RabbitMQ version of a `rabbitmq:X.Y[.Z][-suffix]` image; undefined for other images. */
function rabbitmqImageVersion(image: unknown): [number, number] | undefined {
  const m = typeof image === "string" ? /^(?:.*\/)?rabbitmq:(\d+)\.(\d+)(?:\.\d+)?(?:-[^@]*)?(?:@.*)?$/.exec(image) : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export const LOG_WRITE: EmptyDirWrite = { volume: RABBITMQ_DEFAULTS.logVolume.name, sizeLimit: RABBITMQ_DEFAULTS.logVolume.sizeLimit };

export function resolveRabbitMqArgs(name: string, args: RabbitMqClusterArgs): ResolvedRabbitMq {
  const v = new Validator("RabbitMqCluster", name);
  checkArgShape(v, "RabbitMqClusterArgs", args, () => resolveRabbitMqArgs(name, args)); // unknown keys and wrong shapes, before anything reads them
  v.throwIfInvalid();
  const base = resolveDataStoreBase(v, name, args, "data", true);
  const image = args.image ?? RABBITMQ_DEFAULTS.image;
  checkImage(v, "image", image);
  const version = rabbitmqImageVersion(image);
  const atLeast = (ver: readonly [number, number], min: readonly [number, number]) => ver[0] > min[0] || (ver[0] === min[0] && ver[1] >= min[1]);
  if (version) {
    const ok = atLeast(version, VERSIONS.min) && version[0] <= VERSIONS.maxMajor;
    v.require(ok, "image", image, `expected RabbitMQ ${VERSIONS.min.join(".")} to ${VERSIONS.maxMajor}.x (keel's rabbitmq.conf uses keys valid from 3.10 to 4.x; the seed asks for 3.12 or later)`);
  }
  const replicas = args.replicas ?? 1;
  const validReplicas = Number.isInteger(replicas) && (replicas === 1 || (replicas >= 3 && replicas <= 9 && replicas % 2 === 1));
  v.require(
    validReplicas,
    "replicas",
    replicas,
    "expected 1, or an odd number from 3 to 9: quorum queues and pause_minority need a majority of the nodes up (an even count tolerates no more failures than one node fewer)",
  );
  if (version && replicas > 1 && atLeast(version, VERSIONS.min) && version[0] <= VERSIONS.maxMajor && !atLeast(version, VERSIONS.cluster)) {
    v.require(
      false,
      "image",
      image,
      `expected RabbitMQ ${VERSIONS.cluster.join(".")} or later with more than one node: its Kubernetes peer discovery lets only pod 0 form the cluster (before 4.1, nodes that boot together can form more than one)`,
    );
  }
  const vhost = args.vhost ?? name;
  v.require(vhost === "/" || (typeof vhost === "string" && VHOST.test(vhost)), "vhost", vhost, "expected \"/\" or 1 to 64 letters, digits, '.', '_' and '-' starting with a letter or digit (it is written into rabbitmq.conf and the URL)");
  const username = args.username ?? name;
  if (v.require(typeof username === "string" && USERNAME.test(username), "username", username, "expected 1 to 64 letters, digits, '.', '_' and '-' starting with a letter (it is written into rabbitmq.conf and the URL)")) {
    v.require(username !== "guest", "username", username, "expected a user other than \"guest\" (RabbitMQ's default user, which keel confines to localhost)");
  }
  const resources = resolveResources(v, "resources", args.resources, RABBITMQ_DEFAULTS.resources);
  if (resources.limitMemoryBytes > 0 && resources.limitMemoryBytes < RABBITMQ_DEFAULTS.minMemoryLimit) {
    v.require(false, "resources.limits.memory", resources.limits.memory, `expected at least "512Mi": RabbitMQ blocks publishers above its memory watermark (${RABBITMQ_DEFAULTS.watermarkShare * 100}% of the limit), which must sit well above what an idle node uses`);
  }
  const memoryHighWatermarkBytes = Math.floor(resources.limitMemoryBytes * RABBITMQ_DEFAULTS.watermarkShare);
  // RabbitMQ's production advice: keep at least as much disk free as the node may hold in memory.
  const diskFreeLimitBytes = resources.limitMemoryBytes;
  const storage = resolveStorage(v, "storage", args.storage, RABBITMQ_DEFAULTS.storage, base.target.storageClasses);
  if (storage && storage.bytes > 0 && diskFreeLimitBytes > 0 && storage.bytes < 2 * diskFreeLimitBytes) {
    v.require(false, "storage.size", storage.size, `expected at least twice the memory limit ${JSON.stringify(resources.limits.memory)}: publishers are blocked when less than the memory limit is free on the volume (disk_free_limit)`);
  }
  if (!storage && replicas > 1) {
    v.require(false, "storage", args.storage, "expected a volume with more than one node: a node restarted on an empty disk keeps its name but has forgotten the cluster, and its peers refuse it");
  }
  checkEphemeralStorage(v, resources, serverWrites(storage, [LOG_WRITE]));
  const metrics = args.metrics ?? true;
  const perObjectMetrics = args.perObjectMetrics ?? false;
  if (perObjectMetrics) {
    v.require(metrics, "perObjectMetrics", perObjectMetrics, "expected metrics: true (per-queue series are served by rabbitmq_prometheus, which metrics: false leaves off)");
  }
  const management = args.management ?? false;
  checkRules(v, "allowFrom", args.allowFrom);
  for (const [field, value, allowed] of internetPeerProblems("allowFrom", args.allowFrom)) v.require(false, field, value, allowed);
  checkPeerPlatforms(v, { name: args.platform.name, kubernetes: base.target }, { allowFrom: args.allowFrom });
  const served: number[] = [RABBITMQ_PORTS.amqp, ...(management ? [RABBITMQ_PORTS.management] : [])];
  const rules: readonly NetworkRule[] = Array.isArray(args.allowFrom) ? args.allowFrom : [];
  rules.forEach((rule, i) => {
    const rulePorts: readonly NetworkPort[] = Array.isArray(rule?.ports) ? rule.ports : [];
    rulePorts.forEach((p, j) => {
      if (typeof p?.port === "number" && !served.includes(p.port)) {
        v.require(false, `allowFrom[${i}].ports[${j}].port`, p.port, `expected a port the cluster serves to clients: ${RABBITMQ_PORTS.amqp} (AMQP)${management ? ` or ${RABBITMQ_PORTS.management} (management)` : `, and ${RABBITMQ_PORTS.management} with management: true`}`);
      }
    });
  });
  if (args.singleNodeReason !== undefined) {
    v.require(replicas === 1, "singleNodeReason", args.singleNodeReason, "expected none with more than one node");
    v.require(typeof args.singleNodeReason === "string" && args.singleNodeReason.trim().length >= 10, "singleNodeReason", args.singleNodeReason, "expected why one node is enough (10 characters at least); it becomes the policy exemption");
  }
  const disruptionBudget = validReplicas ? resolveDisruptionBudget(v, args.disruptionBudget, replicas) : undefined;
  const majority = Math.floor(replicas / 2) + 1;
  if (disruptionBudget && "maxUnavailable" in disruptionBudget && typeof disruptionBudget.maxUnavailable === "number" && disruptionBudget.maxUnavailable > replicas - majority) {
    v.require(false, "disruptionBudget.maxUnavailable", disruptionBudget.maxUnavailable, `expected at most ${replicas - majority}: with fewer than ${majority} of the ${replicas} nodes up, the rest pause (pause_minority) and quorum queues stop`);
  }
  if (disruptionBudget && "minAvailable" in disruptionBudget && typeof disruptionBudget.minAvailable === "number" && disruptionBudget.minAvailable < majority) {
    v.require(false, "disruptionBudget.minAvailable", disruptionBudget.minAvailable, `expected at least ${majority}, a majority of the ${replicas} nodes (pause_minority and quorum queues need it)`);
  }
  const grace = args.terminationGracePeriodSeconds ?? RABBITMQ_DEFAULTS.terminationGracePeriodSeconds;
  checkCount(v, "terminationGracePeriodSeconds", grace, 10, 3600, " (RabbitMQ closes connections and flushes queues on SIGTERM)");
  v.throwIfInvalid();
  return {
    ...base,
    image,
    replicas,
    vhost,
    username,
    resources,
    storage,
    memoryHighWatermarkBytes,
    diskFreeLimitBytes,
    metrics,
    perObjectMetrics,
    management,
    allowFrom: args.allowFrom ?? [],
    singleNodeReason: args.singleNodeReason,
    disruptionBudget,
    protect: args.protect ?? false,
    terminationGracePeriodSeconds: grace,
  };
}
