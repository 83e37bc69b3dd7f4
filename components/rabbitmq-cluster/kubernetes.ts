/** RabbitMqCluster on Kubernetes: one StatefulSet of nodes that cluster around pod 0 and reach each other by their stable names. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { clusterHost } from "../core/connection";
import { Validator } from "../core/errors";
import { childName } from "../core/naming";
import type { NetworkPort, NetworkRule } from "../core/network";
import { resolveSecurity } from "../core/security";
import { ClientAccess, DATA_EMPTY_DIR, generatedPassword, memberLabels, namedSecret, memberSet, statefulOptions } from "../workload/data-store";
import { mirrorRules } from "../workload/network-access";
import { ContainerSpec, CreatedWorkload, createWorkload, scrapedBy } from "../workload/workload";
import { RABBITMQ_PORTS, enabledPlugins, rabbitmqConf, rabbitmqNodeName, rabbitmqStartScript } from "./config";
import { RABBITMQ_DEFAULTS, ResolvedRabbitMq } from "./resolve";

const DATA_DIR = "/var/lib/rabbitmq";
const CONFIG_DIR = "/etc/rabbitmq";
const COOKIE_DIR = "/etc/rabbitmq-cookie";
const LOG_DIR = "/var/log/rabbitmq";

export interface RabbitMqDeployment {
  readonly nodes: CreatedWorkload;
  readonly clients: ClientAccess;
  readonly password: pulumi.Output<string>;
  readonly credentials: k8s.core.v1.Secret;
  readonly cookie: k8s.core.v1.Secret;
  /** The client Service's host. */
  readonly host: pulumi.Output<string>;
  /** Every node's name, `rabbit@<pod>.<headless>.<namespace>.svc.cluster.local`. */
  readonly nodeNames: pulumi.Output<string[]>;
}

export function deployRabbitMq(parent: pulumi.ComponentResource, r: ResolvedRabbitMq): RabbitMqDeployment {
  const opts = { parent, provider: r.target.provider };
  const { labels, selector } = memberLabels(r, "node", "message-broker", r.image);
  const password = generatedPassword(parent, r, "rabbitmq");
  // The password only: the username is no secret (a secret's every string is redacted from reports).
  const credentials = namedSecret(parent, r.target, childName(r.name, "credentials"), r.namespace, labels, { password }, r.protect);
  // Shared by every node and the CLI tools: a node with another cookie cannot join or be managed.
  const cookieValue = pulumi.secret(new random.RandomPassword(childName(r.name, "erlang-cookie"), { length: 48, special: false }, { parent, ...statefulOptions(r.protect) }).result);
  const cookie = namedSecret(parent, r.target, childName(r.name, "erlang-cookie"), r.namespace, labels, { cookie: cookieValue }, r.protect);

  const headless = `${r.name}-headless`;
  const nodeNames = pulumi.output(r.namespace).apply((ns) => Array.from({ length: r.replicas }, (_, i) => rabbitmqNodeName(`${r.name}-${i}`, headless, ns)));
  const conf = pulumi.all([password, nodeNames]).apply(([p, nodes]) =>
    rabbitmqConf({
      nodes,
      // Only pod 0 may form the cluster (RabbitMQ 4.1+; resolve refuses older images with more than one node).
      peerDiscovery: "k8s",
      clusterName: r.name,
      amqpPort: RABBITMQ_PORTS.amqp,
      memoryHighWatermarkBytes: r.memoryHighWatermarkBytes,
      diskFreeLimitBytes: r.diskFreeLimitBytes,
      vhost: r.vhost,
      username: r.username,
      password: p,
      prometheusPort: r.metrics ? RABBITMQ_PORTS.prometheus : undefined,
      perObjectMetrics: r.perObjectMetrics,
      managementPort: r.management ? RABBITMQ_PORTS.management : undefined,
    }),
  );
  // rabbitmq.conf holds the password: a Secret, never a ConfigMap. Derived from the args (auto-named,
  // replaced on change, which rolls the nodes onto the new file).
  const config = new k8s.core.v1.Secret(
    childName(r.name, "config"),
    { metadata: { namespace: r.namespace, labels }, type: "Opaque", stringData: { "rabbitmq.conf": pulumi.secret(conf), enabled_plugins: enabledPlugins({ prometheus: r.metrics, management: r.management, k8sPeerDiscovery: r.replicas > 1 }) } },
    opts,
  );

  const v = new Validator("RabbitMqCluster", r.name);
  const security = resolveSecurity(v, "security", { runAsUser: RABBITMQ_DEFAULTS.uid, runAsGroup: RABBITMQ_DEFAULTS.gid, fsGroup: RABBITMQ_DEFAULTS.gid });
  v.throwIfInvalid();
  const memberPorts: NetworkPort[] = [{ port: RABBITMQ_PORTS.epmd }, { port: RABBITMQ_PORTS.distribution }, { port: RABBITMQ_PORTS.amqp }];
  const clientPorts: NetworkPort[] = [{ port: RABBITMQ_PORTS.amqp }];
  const node: ContainerSpec = {
    name: "rabbitmq",
    image: r.image,
    command: ["/bin/sh", "-c", rabbitmqStartScript()],
    ports: [
      { name: "amqp", containerPort: RABBITMQ_PORTS.amqp },
      { name: "epmd", containerPort: RABBITMQ_PORTS.epmd },
      { name: "dist", containerPort: RABBITMQ_PORTS.distribution },
      ...(r.metrics ? [{ name: "prometheus", containerPort: RABBITMQ_PORTS.prometheus }] : []),
      ...(r.management ? [{ name: "management", containerPort: RABBITMQ_PORTS.management }] : []),
    ],
    env: [
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "RABBITMQ_USE_LONGNAME", value: "true" },
      // The name the config's peer list and seed-node logic use, with the kubelet's $(POD_NAME).
      { name: "RABBITMQ_NODENAME", value: pulumi.output(r.namespace).apply((ns) => rabbitmqNodeName("$(POD_NAME)", headless, ns)) },
      { name: "RABBITMQ_CONFIG_FILE", value: `${CONFIG_DIR}/rabbitmq.conf` },
      { name: "RABBITMQ_ENABLED_PLUGINS_FILE", value: `${CONFIG_DIR}/enabled_plugins` },
      { name: "RABBITMQ_MNESIA_BASE", value: `${DATA_DIR}/mnesia` },
      { name: "RABBITMQ_LOG_BASE", value: LOG_DIR },
      // Set here, not left to RabbitMQ: a VM that fails before RabbitMQ sets it dumps into the (read-only) working directory.
      { name: "ERL_CRASH_DUMP", value: `${LOG_DIR}/erl_crash.dump` },
      { name: "ERL_CRASH_DUMP_BYTES", value: String(RABBITMQ_DEFAULTS.logVolume.crashDumpBytes) },
      { name: "HOME", value: DATA_DIR },
      { name: "COOKIE_FILE", value: `${COOKIE_DIR}/cookie` },
    ],
    resources: r.resources,
    // The distribution port opens as soon as the Erlang VM runs (a node waiting for pod 0, or for
    // its peers after a restart, is alive); AMQP opens once the node has booted and joined (and
    // closes while paused as a minority).
    startup: { tcpSocket: { port: RABBITMQ_PORTS.distribution }, periodSeconds: 5, failureThreshold: 60 },
    liveness: { tcpSocket: { port: RABBITMQ_PORTS.distribution }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
    readiness: { tcpSocket: { port: RABBITMQ_PORTS.amqp }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    volumeMounts: [
      { name: "data", mountPath: DATA_DIR },
      { name: "config", mountPath: CONFIG_DIR, readOnly: true },
      { name: "cookie", mountPath: COOKIE_DIR, readOnly: true },
      { name: RABBITMQ_DEFAULTS.logVolume.name, mountPath: LOG_DIR },
    ],
  };
  const single = r.replicas < 2;
  const members: NetworkRule = { peer: { kind: "workload", name: r.name, namespace: r.namespace, podLabels: selector }, ports: memberPorts };
  const nodes = createWorkload(parent, r.target, {
    ...memberSet(r, labels, selector, r.replicas, r.singleNodeReason),
    security,
    terminationGracePeriodSeconds: r.terminationGracePeriodSeconds,
    containers: [node],
    volumes: [
      { name: "config", secret: { secretName: config.metadata.name, defaultMode: 0o440 } },
      { name: "cookie", secret: { secretName: cookie.metadata.name, defaultMode: 0o440 } },
      { name: RABBITMQ_DEFAULTS.logVolume.name, emptyDir: { sizeLimit: RABBITMQ_DEFAULTS.logVolume.sizeLimit } },
      ...(r.storage ? [] : [DATA_EMPTY_DIR]),
    ],
    volumeClaims: r.storage ? [{ name: "data", size: r.storage.size, storageClass: r.storage.storageClass }] : [],
    workloadOptions: statefulOptions(r.protect),
    servicePorts: [{ name: "amqp", port: RABBITMQ_PORTS.amqp }, ...(r.management ? [{ name: "management", port: RABBITMQ_PORTS.management }] : [])],
    disruptionBudget: r.disruptionBudget ?? false,
    metrics: r.metrics ? { port: RABBITMQ_PORTS.prometheus, path: "/metrics" } : undefined,
    allowFrom: [...(single ? [] : [members]), ...(r.metrics ? [scrapedBy(r.target, RABBITMQ_PORTS.prometheus)] : [])],
    allowTo: single ? [] : [members],
  });
  const clients = new ClientAccess(parent, r, clientPorts, r.allowFrom, labels, selector);
  mirrorRules(clients, r.allowFrom, []);
  const host = clusterHost(nodes.service.metadata.name, r.namespace);
  return { nodes, clients, password, credentials, cookie, host, nodeNames };
}
