/**
 * The component modes the blueprints do not use, registered once each so that the contract's URN
 * snapshot (contract/urns/catalogue.txt) covers their resources too: a renamed child in one of
 * them fails `npm run contract:check` like a blueprint's. Never deployed.
 */
import { KafkaCluster, KubernetesPlatform, ObservabilityStack, PostgresCluster, RedisStore, StatefulService } from "../../components";

const platform = new KubernetesPlatform("cat", {
  system: "cat",
  cluster: { distribution: "kind" },
  createIssuer: { type: "self-signed-ca" },
  operators: { certManager: true, prometheusOperator: true, strimzi: true },
});

// The Prometheus operator's resources (Prometheus, ServiceMonitors) instead of a plain StatefulSet.
new ObservabilityStack("cat-obs", { platform, alertmanager: { noReceiverReason: "a catalogue of resources, never deployed" } });
// Redis with a replica behind a -ro Service (the blueprints run standalone and sentinel).
new RedisStore("cat-redis", { platform, persistence: "aof", mode: "replication" });
// Kafka through Strimzi's Kafka, KafkaNodePool and KafkaTopic (the blueprints run KRaft StatefulSets).
new KafkaCluster("cat-kafka", { platform, brokers: 3, strimzi: true, topics: [{ name: "orders" }] });
// PostgreSQL with TLS from the platform's CA.
new PostgresCluster("cat-pg", { platform, replicas: 1, tls: true });
// A generic stateful workload.
new StatefulService("cat-svc", { platform, image: "rabbitmq:3.13.7-management-alpine", ports: [{ name: "amqp", port: 5672 }], volumes: [{ name: "data", mountPath: "/var/lib/rabbitmq", size: "1Gi" }] });
