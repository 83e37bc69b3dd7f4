/** Validation and defaults for KafkaCluster: pure, every problem at once, before any resource. */
import { checkArgShape } from "../core/arg-shape";
import type * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { versionProblem } from "../core/labels";
import { checkPeerPlatforms } from "../workload/network-access";
import type { NetworkRule } from "../core/network";
import { ResolvedResources, resolveResources } from "../core/resources";
import { DataStoreBase, ResolvedStorage, checkCount, checkImage, checkRules, resolveDataStoreBase, resolveStorage } from "../workload/data-store";
import { TopicSpec, validateTopicConfig } from "./config";
import type { KafkaClusterArgs } from "./index";

export const KAFKA_DEFAULTS = {
  image: "apache/kafka:3.9.0",
  uid: 1000,
  exporterImage: "danielqsj/kafka-exporter:v1.8.0",
  strimziVersion: "4.1.0",
  resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
  storage: "20Gi",
  partitions: 3,
  retentionHours: 168,
} as const;

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

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
}

export function resolveKafkaArgs(name: string, args: KafkaClusterArgs): ResolvedKafka {
  const v = new Validator("KafkaCluster", name);
  checkArgShape(v, "KafkaClusterArgs", args, () => resolveKafkaArgs(name, args)); // unknown keys and wrong shapes, before anything reads them
  v.throwIfInvalid();
  const base = resolveDataStoreBase(v, name, args, "data");
  const image = args.image ?? KAFKA_DEFAULTS.image;
  checkImage(v, "image", image);
  const brokers = args.brokers ?? 1;
  const brokersOk = checkCount(v, "brokers", brokers, 1, 15);
  // Every node is a KRaft controller too: the quorum needs a majority, so an even count survives no
  // more lost nodes than one fewer and can split evenly.
  if (brokersOk) v.require(brokers % 2 === 1, "brokers", brokers, "expected an odd number (1, 3, 5, ...): every node is also a KRaft controller, and an even quorum tolerates no more failures than one node fewer");
  const replicationFactor = args.replicationFactor ?? Math.min(3, brokersOk ? brokers : 1);
  if (checkCount(v, "replicationFactor", replicationFactor, 1, 15) && brokersOk) {
    v.require(replicationFactor <= brokers, "replicationFactor", replicationFactor, `expected at most ${brokers}, the number of brokers (each replica of a partition lives on a different broker)`);
  }
  const minInsyncReplicas = args.minInsyncReplicas ?? Math.max(1, replicationFactor - 1);
  if (checkCount(v, "minInsyncReplicas", minInsyncReplicas, 1, 15)) {
    v.require(minInsyncReplicas <= replicationFactor, "minInsyncReplicas", minInsyncReplicas, `expected at most replicationFactor (${replicationFactor}); otherwise no write with acks=all ever succeeds`);
  }
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
    validateTopicConfig(v, `${field}.config`, t.config, rf); // Kafka's topic config keys and value types (config.ts)
    topics.push({ name: t.name, partitions, replicationFactor: rf, config });
  });
  const resources = resolveResources(v, "resources", args.resources, KAFKA_DEFAULTS.resources);
  const storage = resolveStorage(v, "storage", args.storage, KAFKA_DEFAULTS.storage);
  const strimzi = args.strimzi ?? false;
  v.require(typeof strimzi === "boolean", "strimzi", strimzi, "expected true or false");
  if (strimzi && !base.target.operators.strimzi) v.require(false, "strimzi", strimzi, "expected false: the platform does not have the Strimzi operator (set operators.strimzi on the platform)");
  const tls: ResolvedKafka["tls"] = args.tls === false ? false : { secretName: args.tls?.secretName };
  if (tls && !strimzi && !tls.secretName && !base.target.operators.certManager) {
    v.require(false, "tls", args.tls, "expected { secretName } of a Secret with keystore.p12/truststore.p12, cert-manager on the platform (operators.certManager), or false for no TLS listener");
  }
  if (strimzi && tls && tls.secretName) v.require(false, "tls.secretName", tls.secretName, "expected none with Strimzi (its cluster CA issues the listener certificates)");
  checkRules(v, "allowFrom", args.allowFrom);
  checkPeerPlatforms(v, { name: args.platform.name, kubernetes: base.target }, { allowFrom: args.allowFrom });
  if (args.version !== undefined) {
    const problem = versionProblem(args.version) ?? (/^\d+\.\d+\.\d+$/.test(args.version) ? undefined : "expected a Kafka version such as \"4.1.0\"");
    if (problem) v.require(false, "version", args.version, problem);
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
  };
}
