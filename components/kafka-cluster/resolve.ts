/** Validation and defaults for KafkaCluster: pure, every problem at once, before any resource. */
import { checkArgShape } from "../core/arg-shape";
import type * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { checkClientSecurityGroups } from "../aws/managed-data";
import { logRetentionProblem } from "../aws/log-retention";
import { versionProblem } from "../core/labels";
import { dnsSubdomainProblem } from "../core/kubernetes-syntax";
import { internetPeerProblems } from "../platform/cluster-facts";
import { checkPeerPlatforms } from "../workload/network-access";
import type { NetworkRule } from "../core/network";
import { ResolvedResources, checkEphemeralStorage, resolveResources } from "../core/resources";
import { DataStoreBase, ResolvedStorage, checkCount, checkImage, checkRules, resolveDataStoreBase, resolveStorage, serverWrites } from "../workload/data-store";
import { TopicSpec, validateTopicConfig } from "./config";
import type { KafkaAwsArgs, KafkaClusterArgs } from "./index";

export const KAFKA_DEFAULTS = {
  image: "apache/kafka:3.9.0",
  uid: 1000,
  exporterImage: "danielqsj/kafka-exporter:v1.8.0",
  strimziVersion: "4.1.0",
  resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
  /** Strimzi's topic and user operators (JVMs) and its Kafka Exporter, which keel's Kafka resource asks for. */
  operatorResources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  exporterResources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
  storage: "20Gi",
  partitions: 3,
  retentionHours: 168,
} as const;

/**
 * MSK broker types keel picks by default: the smallest whose memory and vCPUs hold the brokers'
 * memory and CPU limits (Graviton m7g, general purpose). Burstable kafka.t3.small is never a
 * default (its CPU credits run out under steady load) but may be set as aws.instanceType.
 */
export const MSK_INSTANCE_TYPES: readonly { readonly instanceType: string; readonly memoryGiB: number; readonly vcpus: number }[] = [
  { instanceType: "kafka.m7g.large", memoryGiB: 8, vcpus: 2 },
  { instanceType: "kafka.m7g.xlarge", memoryGiB: 16, vcpus: 4 },
  { instanceType: "kafka.m7g.2xlarge", memoryGiB: 32, vcpus: 8 },
  { instanceType: "kafka.m7g.4xlarge", memoryGiB: 64, vcpus: 16 },
  { instanceType: "kafka.m7g.8xlarge", memoryGiB: 128, vcpus: 32 },
  { instanceType: "kafka.m7g.12xlarge", memoryGiB: 192, vcpus: 48 },
  { instanceType: "kafka.m7g.16xlarge", memoryGiB: 256, vcpus: 64 },
];

export const MSK_DEFAULTS = {
  /** MSK's version string (a patch wildcard); not checked against what AWS offers offline. */
  kafkaVersion: "3.8.x",
  authentication: "scram" as KafkaAuthentication,
  logRetentionDays: 30,
  /** MSK's EBS volumes: 1 GiB to 16 TiB per broker. */
  maxVolumeGiB: 16384,
  /** The topic APIs (aws.msk.Topic) need Kafka 3.6 or later. */
  topicApiMinVersion: [3, 6] as const,
};

export type KafkaAuthentication = "scram" | "iam";

/** The smallest broker type of the table holding `resources`' limits, or undefined. */
export function defaultInstanceType(resources: Pick<ResolvedResources, "limitMemoryBytes" | "limitMillicores">): string | undefined {
  return MSK_INSTANCE_TYPES.find((t) => t.memoryGiB * 1024 ** 3 >= resources.limitMemoryBytes && t.vcpus * 1000 >= resources.limitMillicores)?.instanceType;
}

export interface ResolvedKafkaAws {
  readonly instanceType: string;
  readonly authentication: KafkaAuthentication;
  readonly kafkaVersion: string;
  /** EBS per broker, GiB. */
  readonly volumeGiB: number;
  readonly logRetentionDays: number;
  readonly clientSecurityGroupIds?: readonly pulumi.Input<string>[];
}

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
/** Topics Kafka creates and owns itself: CreateTopics refuses them. */
const INTERNAL_TOPICS = ["__consumer_offsets", "__transaction_state", "__share_group_state", "__cluster_metadata"];
/** Kafka versions keel's configuration runs: combined KRaft nodes are production-ready from 3.3; 4.x is the newest line. */
export const KAFKA_VERSIONS = { min: [3, 3], maxMajor: 4 } as const;
/** Smallest broker volume: Kafka preallocates a 10MiB offset index and a 10MiB time index per partition (__consumer_offsets alone has 50), and a segment is 1GiB by default. */
const MIN_KAFKA_VOLUME = 1024 ** 3;

function parseVersion(value: unknown): [number, number, number] | undefined {
  const m = typeof value === "string" ? /^(\d+)\.(\d+)\.(\d+)$/.exec(value) : null;
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}
/** The version of an apache/kafka (or any .../kafka) image tagged X.Y.Z[-suffix]; undefined for other images. */
function kafkaImageVersion(image: unknown): string | undefined {
  const m = typeof image === "string" ? /^(?:.*\/)?kafka:(\d+\.\d+\.\d+)(?:-[^@]*)?(?:@.*)?$/.exec(image) : null;
  return m ? m[1] : undefined;
}
function versionRangeProblem(version: [number, number, number]): string | undefined {
  const [maj, min] = version;
  const ok = (maj > KAFKA_VERSIONS.min[0] || (maj === KAFKA_VERSIONS.min[0] && min >= KAFKA_VERSIONS.min[1])) && maj <= KAFKA_VERSIONS.maxMajor;
  return ok ? undefined : `expected a Kafka version from ${KAFKA_VERSIONS.min.join(".")}.0 to ${KAFKA_VERSIONS.maxMajor}.x: keel runs combined KRaft nodes (production-ready from 3.3, no ZooKeeper)`;
}
/** Bytes of a Kafka size config value; NaN when it is not an integer. */
function configBytes(value: unknown): number {
  return (typeof value === "number" || (typeof value === "string" && /^-?\d+$/.test(value.trim()))) ? Number(value) : NaN;
}

export interface ResolvedKafka extends DataStoreBase {
  readonly image: pulumi.Input<string>;
  readonly brokers: number;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly defaultPartitions: number;
  readonly retentionHours: number;
  readonly topics: readonly TopicSpec[];
  readonly resources: ResolvedResources;
  readonly storage?: ResolvedStorage;
  /** TLS listener on 9093: a cert-manager Certificate, or an existing Secret. */
  readonly tls: false | { readonly secretName?: string };
  readonly strimzi: boolean;
  readonly version: string;
  readonly metrics: boolean;
  readonly allowFrom: readonly NetworkRule[];
  readonly protect: boolean;
  /** MSK settings, when the cluster is managed (aws platform). */
  readonly aws?: ResolvedKafkaAws;
}

export function resolveKafkaArgs(name: string, args: KafkaClusterArgs): ResolvedKafka {
  const v = new Validator("KafkaCluster", name);
  checkArgShape(v, "KafkaClusterArgs", args, () => resolveKafkaArgs(name, args)); // unknown keys and wrong shapes, before anything reads them
  v.throwIfInvalid();
  const base = resolveDataStoreBase(v, name, args, "data", false, [{ kind: "StatefulSet" }, { kind: "Job", role: "topics" }]);
  const image = args.image ?? KAFKA_DEFAULTS.image;
  checkImage(v, "image", image);
  // MSK puts the same number of brokers in each data subnet (one per zone).
  const zones = base.managed && args.platform.kind === "aws" ? (args.platform.aws.shape?.vpc.dataSubnetIds.length ?? 1) : 1;
  const brokers = args.brokers ?? (base.managed ? zones : 1);
  let brokersOk = checkCount(v, "brokers", brokers, 1, 15);
  if (brokersOk && base.managed) {
    const allowed = Array.from({ length: Math.floor(15 / zones) }, (_, i) => (i + 1) * zones);
    brokersOk = v.require(brokers % zones === 0, "brokers", brokers, `expected a multiple of ${zones} on MSK (${allowed.join(", ")}): MSK places the same number of brokers in each of the platform's ${zones} data subnets`);
  } else if (brokersOk) {
    // Every node is a KRaft controller too: the quorum needs a majority, so an even count survives no
    // more lost nodes than one fewer and can split evenly.
    v.require(brokers % 2 === 1, "brokers", brokers, "expected an odd number (1, 3, 5, ...): every node is also a KRaft controller, and an even quorum tolerates no more failures than one node fewer");
  }
  const replicationFactor = args.replicationFactor ?? Math.min(3, brokersOk ? brokers : 1);
  if (checkCount(v, "replicationFactor", replicationFactor, 1, 15) && brokersOk) {
    v.require(replicationFactor <= brokers, "replicationFactor", replicationFactor, `expected at most ${brokers}, the number of brokers (each replica of a partition lives on a different broker)`);
  }
  const minInsyncReplicas = args.minInsyncReplicas ?? Math.max(1, replicationFactor - 1);
  if (checkCount(v, "minInsyncReplicas", minInsyncReplicas, 1, 15)) {
    v.require(minInsyncReplicas <= replicationFactor, "minInsyncReplicas", minInsyncReplicas, `expected at most replicationFactor (${replicationFactor}); otherwise no write with acks=all ever succeeds`);
  }
  const strimziOn = args.strimzi === true;
  const imageVersion = kafkaImageVersion(image);
  if (imageVersion !== undefined) {
    const problem = versionRangeProblem(parseVersion(imageVersion)!);
    if (problem) v.require(false, "image", image, problem);
  }
  if (args.version !== undefined && parseVersion(args.version)) {
    const problem = versionRangeProblem(parseVersion(args.version)!);
    if (problem) v.require(false, "version", args.version, problem);
    else if (args.image !== undefined && imageVersion !== undefined && imageVersion !== args.version) {
      v.require(false, "version", args.version, `expected the image's version (${imageVersion}, from ${JSON.stringify(args.image)}), or no version: they disagree`);
    }
  }
  // MSK's version (3.8.x), else Strimzi's (version), else the image's (the default image is 3.9).
  const mskVersion = base.managed ? (args.aws?.kafkaVersion ?? MSK_DEFAULTS.kafkaVersion) : undefined;
  const mskMinor = typeof mskVersion === "string" ? /^(\d+)\.(\d+)\./.exec(mskVersion) : null;
  const runningText = strimziOn ? (args.version ?? KAFKA_DEFAULTS.strimziVersion) : imageVersion;
  const running = parseVersion(runningText);
  const runningMinor = mskMinor ? ([Number(mskMinor[1]), Number(mskMinor[2])] as const) : running ? ([running[0], running[1]] as const) : undefined;
  const defaultPartitions = args.defaultPartitions ?? KAFKA_DEFAULTS.partitions;
  checkCount(v, "defaultPartitions", defaultPartitions, 1, 1000);
  const retentionHours = args.retentionHours ?? KAFKA_DEFAULTS.retentionHours;
  checkCount(v, "retentionHours", retentionHours, 1, 87600);
  const topics: TopicSpec[] = [];
  const seen = new Set<string>();
  (args.topics ?? []).forEach((t, i) => {
    const field = `topics[${i}]`;
    v.require(typeof t.name === "string" && TOPIC.test(t.name) && t.name !== "." && t.name !== "..", `${field}.name`, t.name, "expected letters, digits, '.', '_' and '-' (at most 249)");
    v.require(!seen.has(t.name), `${field}.name`, t.name, "expected each topic once");
    if (typeof t.name === "string") {
      v.require(!INTERNAL_TOPICS.includes(t.name), `${field}.name`, t.name, `expected a topic of your own: Kafka creates and owns its internal topics (${INTERNAL_TOPICS.join(", ")})`);
      // Kafka refuses a topic whose name equals another's with '.' and '_' swapped: both become the same metric name.
      const collides = [...seen].find((other) => other !== t.name && other.replace(/\./g, "_") === t.name.replace(/\./g, "_"));
      if (collides !== undefined) v.require(false, `${field}.name`, t.name, `expected a name that does not collide with ${JSON.stringify(collides)}: Kafka treats '.' and '_' as the same in metric names and refuses the second`);
    }
    seen.add(t.name);
    const partitions = t.partitions ?? defaultPartitions;
    checkCount(v, `${field}.partitions`, partitions, 1, 10000);
    const rf = t.replicationFactor ?? replicationFactor;
    if (checkCount(v, `${field}.replicationFactor`, rf, 1, 15) && brokersOk) {
      v.require(rf <= brokers, `${field}.replicationFactor`, rf, `expected at most ${brokers}, the number of brokers`);
    }
    const config: Record<string, string> = {};
    for (const [k, value] of Object.entries(t.config ?? {})) {
      v.require(/^[a-z][a-z0-9.]*$/.test(k), `${field}.config`, k, "expected a topic config name such as \"retention.ms\"");
      config[k] = String(value);
    }
    validateTopicConfig(v, `${field}.config`, t.config, rf, runningMinor); // Kafka's topic config keys, value types and ranges (config.ts)
    // A topic without its own min.insync.replicas gets the cluster's: above its replication factor, every acks=all write fails.
    if (Number.isInteger(rf) && config["min.insync.replicas"] === undefined && Number.isInteger(minInsyncReplicas) && rf < minInsyncReplicas) {
      v.require(false, `${field}.replicationFactor`, rf, `expected at least ${minInsyncReplicas}, the cluster's min.insync.replicas (or the topic's own config "min.insync.replicas" at most ${rf}): otherwise every write with acks=all fails`);
    }
    topics.push({ name: t.name, partitions, replicationFactor: rf, config });
  });
  const resources = resolveResources(v, "resources", args.resources, KAFKA_DEFAULTS.resources);
  const storage = resolveStorage(v, "storage", args.storage, KAFKA_DEFAULTS.storage, base.target.storageClasses);
  if (storage && storage.bytes > 0) {
    if (v.require(storage.bytes >= MIN_KAFKA_VOLUME, "storage.size", storage.size, "expected at least 1Gi: Kafka preallocates a 10MiB offset index and a 10MiB time index per partition (__consumer_offsets alone has 50 partitions), and a segment is 1GiB by default") && brokersOk) {
      // Each broker holds partitions x retention.bytes x replication factor / brokers of every size-bounded topic.
      let total = 0;
      topics.forEach((t, i) => {
        const perPartition = configBytes(t.config["retention.bytes"]);
        if (!(perPartition > 0)) return;
        const share = (t.partitions * perPartition * t.replicationFactor) / brokers;
        total += share;
        if (share > storage.bytes) {
          v.require(false, `topics[${i}].config.retention.bytes`, args.topics?.[i]?.config?.["retention.bytes"], `expected at most ${Math.floor((storage.bytes * brokers) / (t.partitions * t.replicationFactor))}: ${t.partitions} partitions x ${t.replicationFactor} replicas / ${brokers} brokers of it need more than storage.size (${JSON.stringify(storage.size)}) on each broker`);
        }
      });
      if (total > storage.bytes && !topics.some((t) => (t.partitions * configBytes(t.config["retention.bytes"]) * t.replicationFactor) / brokers > storage.bytes)) {
        v.require(false, "storage.size", storage.size, `expected at least ${Math.ceil(total / 1024 ** 3)}Gi: the topics' retention.bytes (partitions x retention.bytes x replicas / brokers) add up to more than the volume`);
      }
    }
  }
  const strimzi = args.strimzi ?? false;
  v.require(typeof strimzi === "boolean", "strimzi", strimzi, "expected true or false");
  if (strimzi && !base.target.operators.strimzi) v.require(false, "strimzi", strimzi, "expected false: the platform does not have the Strimzi operator (set operators.strimzi on the platform)");
  // Strimzi's broker pods have no /tmp of keel's: only an ephemeral data volume counts there.
  checkEphemeralStorage(v, resources, strimzi ? serverWrites(storage).filter((w) => w.volume !== "tmp") : serverWrites(storage));
  const tls: ResolvedKafka["tls"] = args.tls === false ? false : { secretName: args.tls?.secretName };
  if (!base.managed && tls && !strimzi && !tls.secretName && !base.target.operators.certManager) {
    v.require(false, "tls", args.tls, "expected { secretName } of a Secret with keystore.p12/truststore.p12, cert-manager on the platform (operators.certManager), or false for no TLS listener");
  }
  if (tls && tls.secretName !== undefined && dnsSubdomainProblem(tls.secretName)) v.require(false, "tls.secretName", tls.secretName, "expected a Secret name (lowercase letters, digits, '-' and '.', at most 253 characters)");
  if (strimzi && tls && tls.secretName) v.require(false, "tls.secretName", tls.secretName, "expected none with Strimzi (its cluster CA issues the listener certificates)");
  checkRules(v, "allowFrom", args.allowFrom);
  for (const [field, value, allowed] of internetPeerProblems("allowFrom", args.allowFrom)) v.require(false, field, value, allowed);
  checkPeerPlatforms(v, { name: args.platform.name, kubernetes: base.target }, { allowFrom: args.allowFrom });
  if (args.version !== undefined) {
    const problem = versionProblem(args.version) ?? (/^\d+\.\d+\.\d+$/.test(args.version) ? undefined : "expected a Kafka version such as \"4.1.0\"");
    if (problem) v.require(false, "version", args.version, problem);
  }
  let aws: ResolvedKafkaAws | undefined;
  if (base.managed) {
    if (strimzi) v.require(false, "strimzi", strimzi, "expected false or nothing: on the aws platform the cluster is Amazon MSK (set managed: false to run Strimzi on EKS)");
    if (args.storage === false) v.require(false, "storage", false, "expected a volume size such as { size: \"100Gi\" } (or nothing): MSK brokers always keep their logs on EBS volumes");
    aws = resolveKafkaAws(v, args.aws, resources, storage, topics.length > 0);
  } else if (args.aws !== undefined) {
    v.require(false, "aws", args.aws, `expected no aws settings: the cluster runs in Kubernetes (${args.platform.kind === "aws" ? "managed: false" : `the ${args.platform.kind} platform`}); they configure Amazon MSK, which a KafkaCluster is on the aws platform unless managed: false`);
  }
  v.throwIfInvalid();
  return {
    ...base,
    image,
    brokers,
    replicationFactor,
    minInsyncReplicas,
    defaultPartitions,
    retentionHours,
    topics,
    resources,
    storage,
    tls,
    strimzi,
    version: args.version ?? KAFKA_DEFAULTS.strimziVersion,
    metrics: args.metrics ?? true,
    allowFrom: args.allowFrom ?? [],
    protect: args.protect ?? false,
    aws,
  };
}

/** MSK's settings: broker type (given or derived from resources), authentication, version, EBS size, log retention, client security groups. */
function resolveKafkaAws(v: Validator, a: KafkaAwsArgs | undefined, resources: ResolvedResources, storage: ResolvedStorage | undefined, hasTopics: boolean): ResolvedKafkaAws {
  let instanceType = a?.instanceType;
  if (instanceType !== undefined) {
    v.require(typeof instanceType === "string" && /^kafka\.[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(instanceType), "aws.instanceType", instanceType, "expected an MSK broker type such as \"kafka.m7g.large\" (kafka.<family>.<size>)");
  } else {
    instanceType = defaultInstanceType(resources);
    if (instanceType === undefined) {
      const largest = MSK_INSTANCE_TYPES[MSK_INSTANCE_TYPES.length - 1];
      v.require(false, "resources.limits", resources.limits, `expected at most what keel's largest default broker type has (${largest.instanceType}: ${largest.vcpus} vCPUs, ${largest.memoryGiB} GiB), or set aws.instanceType`);
      instanceType = largest.instanceType;
    }
  }
  const authentication = a?.authentication ?? MSK_DEFAULTS.authentication;
  v.require(authentication === "scram" || authentication === "iam", "aws.authentication", authentication, "expected \"scram\" (SASL/SCRAM-SHA-512 with a generated password) or \"iam\" (SASL with each client's IAM role)");
  const kafkaVersion = a?.kafkaVersion ?? MSK_DEFAULTS.kafkaVersion;
  const m = typeof kafkaVersion === "string" ? /^(\d+)\.(\d+)\.(?:\d+|x)(?:\.kraft)?$/.exec(kafkaVersion) : null;
  if (v.require(m !== null, "aws.kafkaVersion", kafkaVersion, "expected an MSK Kafka version such as \"3.8.x\", \"3.7.x.kraft\" or \"3.6.0\"") && m && hasTopics) {
    const [minMajor, minMinor] = MSK_DEFAULTS.topicApiMinVersion;
    const ok = Number(m[1]) > minMajor || (Number(m[1]) === minMajor && Number(m[2]) >= minMinor);
    v.require(ok, "aws.kafkaVersion", kafkaVersion, `expected ${minMajor}.${minMinor}.0 or later with topics: keel creates them through MSK's topic API (aws.msk.Topic), which needs Kafka ${minMajor}.${minMinor}`);
  }
  const volumeGiB = storage && storage.bytes > 0 ? Math.ceil(storage.bytes / 1024 ** 3) : 1;
  if (storage && storage.bytes > 0) v.require(volumeGiB <= MSK_DEFAULTS.maxVolumeGiB, "storage.size", storage.size, `expected at most ${MSK_DEFAULTS.maxVolumeGiB}Gi: MSK's largest broker volume`);
  const logRetentionDays = a?.logRetentionDays ?? MSK_DEFAULTS.logRetentionDays;
  const retention = logRetentionProblem(logRetentionDays);
  if (retention) v.require(false, "aws.logRetentionDays", logRetentionDays, retention);
  checkClientSecurityGroups(v, "aws.clientSecurityGroupIds", a?.clientSecurityGroupIds);
  return { instanceType, authentication, kafkaVersion, volumeGiB, logRetentionDays, clientSecurityGroupIds: a?.clientSecurityGroupIds };
}
