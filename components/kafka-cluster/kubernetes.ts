/** KafkaCluster as plain StatefulSets: KRaft nodes (broker + controller), TLS via cert-manager, topics by a Job. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Validator } from "../core/errors";
import { childName } from "../core/naming";
import type { NetworkRule } from "../core/network";
import { resolveResources } from "../core/resources";
import { resolveSecurity } from "../core/security";
import { ClientAccess, DATA_EMPTY_DIR, generatedPassword, memberLabels, namedSecret, spreadMembers, statefulOptions } from "../workload/data-store";
import { createJob } from "../workload/job";
import { serverCertificate } from "../workload/tls";
import { connect, mirrorRules } from "../workload/network-access";
import { ContainerSpec, createWorkload, scrapedBy } from "../workload/workload";
import { KAFKA_LOG4J, KAFKA_PORTS, kafkaStartScript, renderProperties, serverProperties, topicsScript } from "./config";
import { KAFKA_DEFAULTS, ResolvedKafka } from "./resolve";

const EXPORTER_PORT = 9308;
const TLS_DIR = "/etc/kafka/tls";

export interface KafkaDeployment {
  readonly clients: ClientAccess;
  readonly bootstrap: pulumi.Output<string>;
  readonly statefulSet?: k8s.apps.v1.StatefulSet;
}

export function deployKafka(parent: pulumi.ComponentResource, r: ResolvedKafka): KafkaDeployment {
  const opts = { parent, provider: r.target.provider };
  const { labels, selector } = memberLabels(r, "broker", "kafka", r.image);
  const keystorePassword = generatedPassword(parent, r, "keystore");
  const credentials = namedSecret(parent, r.target, childName(r.name, "credentials"), r.namespace, labels, { "keystore-password": keystorePassword }, r.protect);
  const clusterId = new random.RandomId(childName(r.name, "cluster-id"), { byteLength: 16 }, { parent, ...statefulOptions(r.protect) }).b64Url;
  const headless = `${r.name}-headless`;
  const domain = pulumi.interpolate`${headless}.${r.namespace}.svc.cluster.local`;
  const properties = domain.apply((d) =>
    renderProperties(
      serverProperties({
        brokers: r.brokers,
        hostOf: (i) => `${r.name}-${i}.${d}`,
        replicationFactor: r.replicationFactor,
        minInsyncReplicas: r.minInsyncReplicas,
        defaultPartitions: r.defaultPartitions,
        retentionHours: r.retentionHours,
        tls: r.tls !== false,
        logDir: "/var/lib/kafka/data/logs",
        tlsDir: TLS_DIR,
      }),
    ),
  );
  const config = new k8s.core.v1.ConfigMap(childName(r.name, "config"), { metadata: { namespace: r.namespace, labels }, data: { "server.properties": properties, "start.sh": kafkaStartScript(), "log4j.properties": KAFKA_LOG4J } }, opts);
  const tlsSecret = r.tls === false ? undefined : r.tls.secretName
        ? pulumi.output(r.tls.secretName)
        : serverCertificate(parent, r.target, {
            name: r.name,
            namespace: r.namespace,
            labels,
            dnsNames: [pulumi.interpolate`*.${domain}`, pulumi.interpolate`${r.name}.${r.namespace}.svc.cluster.local`, pulumi.interpolate`${r.name}.${r.namespace}.svc`],
            pkcs12PasswordSecret: credentials.metadata.name,
            protect: r.protect,
          });

  const v = new Validator("KafkaCluster", r.name);
  const security = resolveSecurity(v, "security", { runAsUser: KAFKA_DEFAULTS.uid, runAsGroup: KAFKA_DEFAULTS.uid, fsGroup: KAFKA_DEFAULTS.uid });
  const heapMb = Math.max(256, Math.floor(r.resources.limitMemoryBytes / 2 / 1024 / 1024));
  const clientPorts = [{ port: KAFKA_PORTS.plain }, ...(r.tls === false ? [] : [{ port: KAFKA_PORTS.tls }])];
  const members: NetworkRule = { peer: { kind: "workload", name: r.name, namespace: r.namespace, podLabels: selector }, ports: [{ port: KAFKA_PORTS.plain }, { port: KAFKA_PORTS.controller }] };
  const monitoring = scrapedBy(r.target, EXPORTER_PORT);
  const broker: ContainerSpec = {
    name: "kafka",
    image: r.image,
    command: ["/bin/sh", "/etc/kafka-keel/start.sh"],
    ports: [{ name: "plain", containerPort: KAFKA_PORTS.plain }, ...(r.tls === false ? [] : [{ name: "tls", containerPort: KAFKA_PORTS.tls }]), { name: "controller", containerPort: KAFKA_PORTS.controller }],
    env: [
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "NODE_HOST", value: pulumi.interpolate`$(POD_NAME).${domain}` },
      { name: "CLUSTER_ID", value: clusterId },
      { name: "KEYSTORE_PASSWORD", valueFrom: { secretKeyRef: { name: credentials.metadata.name, key: "keystore-password" } } },
      { name: "CONFIG_SOURCE", value: "/etc/kafka-keel/server.properties" },
      { name: "RUNTIME_DIR", value: "/tmp" },
      { name: "LOG_DIR", value: "/tmp/kafka-logs" },
      { name: "KAFKA_LOG4J_OPTS", value: "-Dlog4j.configuration=file:/etc/kafka-keel/log4j.properties" },
      { name: "KAFKA_HEAP_OPTS", value: `-Xms${heapMb}m -Xmx${heapMb}m` },
    ],
    resources: r.resources,
    startup: { tcpSocket: { port: KAFKA_PORTS.plain }, periodSeconds: 5, failureThreshold: 120 },
    liveness: { tcpSocket: { port: KAFKA_PORTS.controller }, periodSeconds: 15, failureThreshold: 4 },
    readiness: { tcpSocket: { port: KAFKA_PORTS.plain }, periodSeconds: 5 },
    volumeMounts: [{ name: "data", mountPath: "/var/lib/kafka/data" }, { name: "config", mountPath: "/etc/kafka-keel", readOnly: true }, ...(tlsSecret ? [{ name: "tls", mountPath: TLS_DIR, readOnly: true }] : [])],
  };
  const sidecar = resolveResources(v, "exporter", KAFKA_DEFAULTS.exporterResources);
  const exporterSecurity = resolveSecurity(v, "security", { runAsUser: 65534, runAsGroup: 65534, fsGroup: KAFKA_DEFAULTS.uid });
  const exporter: ContainerSpec = {
    name: "exporter",
    image: KAFKA_DEFAULTS.exporterImage,
    // The image's own user (nobody): the broker's uid 1000 does not exist in it.
    security: exporterSecurity,
    args: [`--kafka.server=127.0.0.1:${KAFKA_PORTS.plain}`],
    ports: [{ name: "metrics", containerPort: EXPORTER_PORT }],
    resources: sidecar,
    liveness: { tcpSocket: { port: EXPORTER_PORT }, periodSeconds: 20 },
    readiness: { httpGet: { path: "/metrics", port: EXPORTER_PORT }, periodSeconds: 15, timeoutSeconds: 10 },
  };
  const single = r.brokers < 2;
  const w = createWorkload(parent, r.target, {
    kind: "StatefulSet",
    name: r.name,
    namespace: r.namespace,
    labels,
    selector,
    replicas: r.brokers,
    security,
    affinity: single ? undefined : spreadMembers(selector),
    terminationGracePeriodSeconds: 120,
    containers: [broker, ...(r.metrics ? [exporter] : [])],
    volumes: [
      { name: "config", configMap: { name: config.metadata.name, defaultMode: 0o555 } },
      ...(tlsSecret ? [{ name: "tls", secret: { secretName: tlsSecret, defaultMode: 0o440 } }] : []),
      ...(r.storage ? [] : [DATA_EMPTY_DIR]),
    ],
    volumeClaims: r.storage ? [{ name: "data", size: r.storage.size, storageClass: r.storage.storageClass }] : [],
    workloadOptions: statefulOptions(r.protect),
    servicePorts: [{ name: "plain", port: KAFKA_PORTS.plain }, ...(r.tls === false ? [] : [{ name: "tls", port: KAFKA_PORTS.tls }])],
    metrics: r.metrics ? { port: EXPORTER_PORT, path: "/metrics" } : undefined,
    allowFrom: [...(single ? [] : [members]), ...(r.metrics ? [monitoring] : [])],
    allowTo: single ? [] : [members],
  });
  const clients = new ClientAccess(parent, r, clientPorts, r.allowFrom, labels, selector);
  mirrorRules(clients, r.allowFrom, []);
  const bootstrap = pulumi.interpolate`${w.service.metadata.name}.${r.namespace}.svc.cluster.local:${KAFKA_PORTS.plain}`;

  if (r.topics.length > 0) {
    const jobLabels = memberLabels(r, "topics", "kafka-topics", r.image);
    const scripts = new k8s.core.v1.ConfigMap(childName(r.name, "topics"), { metadata: { namespace: r.namespace, labels: jobLabels.labels }, data: { "create-topics.sh": topicsScript(r.topics) } }, opts);
    const job = createJob(parent, r.target, {
      name: childName(r.name, "topics"),
      namespace: r.namespace,
      labels: jobLabels.labels,
      selector: jobLabels.selector,
      security,
      backoffLimit: 20,
      activeDeadlineSeconds: 1800,
      containers: [
        {
          name: "create-topics",
          image: r.image,
          command: ["/bin/sh", "/scripts/create-topics.sh"],
          env: [{ name: "BOOTSTRAP", value: bootstrap }, { name: "LOG_DIR", value: "/tmp/kafka-logs" }],
          resources: resolveResources(v, "topics", { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } }),
          volumeMounts: [{ name: "scripts", mountPath: "/scripts", readOnly: true }],
        },
      ],
      volumes: [{ name: "scripts", configMap: { name: scripts.metadata.name, defaultMode: 0o555 } }],
      allowTo: [],
    });
    connect(job.endpoint, clients, [{ port: KAFKA_PORTS.plain }]);
  }
  return { clients, bootstrap, statefulSet: w.workload as k8s.apps.v1.StatefulSet };
}
