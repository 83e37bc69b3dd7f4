/** KafkaCluster through the Strimzi operator: `Kafka` + `KafkaNodePool` (KRaft) + `KafkaTopic`, kafka.strimzi.io/v1. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { childName } from "../core/naming";
import { resolveResources, toK8sResources } from "../core/resources";
import { ClientAccess, DATA_EMPTY_DIR, memberLabels, statefulOptions } from "../workload/data-store";
import { mirrorRules } from "../workload/network-access";
import { KAFKA_PORTS } from "./config";
import type { KafkaDeployment } from "./kubernetes";
import { KAFKA_DEFAULTS, ResolvedKafka } from "./resolve";

export const STRIMZI_API_VERSION = "kafka.strimzi.io/v1";
/** Where Strimzi's metrics reporter serves Prometheus metrics (container port "tcp-prometheus"). */
const STRIMZI_METRICS_PORT = 9404;

export function deployStrimzi(parent: pulumi.ComponentResource, r: ResolvedKafka): KafkaDeployment {
  const opts = { parent, provider: r.target.provider };
  // The Kafka, its node pool (the volumes) and its topics (deleting a KafkaTopic deletes the topic's data).
  const stateful = { ...opts, ...statefulOptions(r.protect) };
  const { labels } = memberLabels(r, "broker", "kafka");
  const cluster = { "strimzi.io/cluster": r.name };
  const monitored = r.metrics && r.target.operators.prometheusOperator;
  // Every container the operator runs for these resources gets requests and limits, ephemeral storage
  // included: the brokers' counts their data when it is an emptyDir (Strimzi's "ephemeral" storage).
  const v = new Validator("KafkaCluster", r.name);
  const operatorResources = toK8sResources(resolveResources(v, "operators", KAFKA_DEFAULTS.operatorResources), []);
  const data = DATA_EMPTY_DIR.emptyDir.sizeLimit;
  const scrapeAnnotations = r.metrics && !monitored ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(STRIMZI_METRICS_PORT), "prometheus.io/path": "/metrics" } : undefined;
  const kafka = new k8s.apiextensions.CustomResource(
    childName(r.name, "kafka"),
    {
      apiVersion: STRIMZI_API_VERSION,
      kind: "Kafka",
      metadata: { name: r.name, namespace: r.namespace, labels, annotations: { "strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled" } },
      spec: {
        kafka: {
          version: r.version,
          listeners: [
            { name: "plain", port: KAFKA_PORTS.plain, type: "internal", tls: false },
            ...(r.tls === false ? [] : [{ name: "tls", port: KAFKA_PORTS.tls, type: "internal", tls: true }]),
          ],
          config: {
            "default.replication.factor": r.replicationFactor,
            "min.insync.replicas": r.minInsyncReplicas,
            "offsets.topic.replication.factor": r.replicationFactor,
            "transaction.state.log.replication.factor": r.replicationFactor,
            "transaction.state.log.min.isr": r.minInsyncReplicas,
            "num.partitions": r.defaultPartitions,
            "log.retention.hours": r.retentionHours,
            "auto.create.topics.enable": false,
            "unclean.leader.election.enable": false,
          },
          rack: r.brokers > 1 ? { topologyKey: "topology.kubernetes.io/zone" } : undefined,
          metricsConfig: r.metrics ? { type: "strimziMetricsReporter", values: { allowList: ["kafka_server.*", "kafka_controller.*", "kafka_log.*", "kafka_network.*"] } } : undefined,
          // Without the Prometheus operator, Prometheus finds the brokers by their annotations.
          template: scrapeAnnotations ? { pod: { metadata: { annotations: scrapeAnnotations } } } : undefined,
        },
        entityOperator: { topicOperator: { resources: operatorResources }, userOperator: { resources: operatorResources } },
        kafkaExporter: r.metrics ? { topicRegex: ".*", groupRegex: ".*", resources: toK8sResources(resolveResources(v, "exporter", KAFKA_DEFAULTS.exporterResources), []) } : undefined,
      },
    },
    stateful,
  );
  new k8s.apiextensions.CustomResource(
    childName(r.name, "pool"),
    {
      apiVersion: STRIMZI_API_VERSION,
      kind: "KafkaNodePool",
      metadata: { name: "nodes", namespace: r.namespace, labels: { ...labels, ...cluster } },
      spec: {
        replicas: r.brokers,
        roles: ["controller", "broker"],
        storage: r.storage
          ? { type: "jbod", volumes: [{ id: 0, type: "persistent-claim", size: r.storage.size, class: r.storage.storageClass ?? r.target.storageClass, deleteClaim: false, kraftMetadata: "shared" }] }
          : { type: "ephemeral", sizeLimit: data },
        resources: toK8sResources(r.resources, r.storage ? [] : [{ volume: "data", sizeLimit: data }]),
      },
    },
    stateful,
  );
  for (const t of r.topics) {
    new k8s.apiextensions.CustomResource(
      childName(r.name, `topic-${t.name.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`),
      {
        apiVersion: STRIMZI_API_VERSION,
        kind: "KafkaTopic",
        metadata: { name: t.name.toLowerCase().replace(/[^a-z0-9.-]/g, "-"), namespace: r.namespace, labels: { ...labels, ...cluster } },
        spec: { topicName: t.name, partitions: t.partitions, replicas: t.replicationFactor, config: { ...t.config } },
      },
      { ...stateful, dependsOn: [kafka] },
    );
  }
  const pods = { ...cluster, "strimzi.io/kind": "Kafka" };
  if (monitored) {
    new k8s.apiextensions.CustomResource(
      childName(r.name, "pod-monitor"),
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: r.name, namespace: r.namespace, labels: { ...labels, ...r.target.monitoring.serviceMonitorLabels } },
        spec: { selector: { matchLabels: pods }, podMetricsEndpoints: [{ port: "tcp-prometheus", path: "/metrics", interval: "30s" }] },
      },
      opts,
    );
  }
  const clientPorts = [{ port: KAFKA_PORTS.plain }, ...(r.tls === false ? [] : [{ port: KAFKA_PORTS.tls }])];
  const clients = new ClientAccess(parent, r, clientPorts, r.allowFrom, labels, pods);
  mirrorRules(clients, r.allowFrom, []);
  return { clients, bootstrap: pulumi.interpolate`${r.name}-kafka-bootstrap.${r.namespace}.svc.cluster.local:${KAFKA_PORTS.plain}` };
}
