/**
 * rabbitmq.conf, enabled_plugins and the start command of a RabbitMqCluster's nodes. Pure
 * functions: the component mounts their output (from a Secret: the file holds the password);
 * `npm run test:real` starts three real nodes from it.
 *
 * Every key written here is declared by the cuttlefish schemas of RabbitMQ 3.10 (Debian 12's
 * rabbitmq-server 3.10.8, which the real test runs), 3.12/3.13 (the seed's floor) AND 4.1
 * (keel's image): deps/rabbit/priv/schema/rabbit.schema and the rabbitmq_prometheus,
 * rabbitmq_management and rabbitmq_management_agent schemas at v3.10.8, v3.12.0, v3.13.7, v4.1.8
 * (and v4.2.9) - with ONE deliberate exception: `cluster_formation.k8s.ordinal_start`, which only
 * the Kubernetes peer discovery of 4.1+ declares (rabbitmq_peer_discovery_k8s schema, absent at
 * v3.10.8, v3.13.7 and v4.0.9). A 3.x/4.0 node refuses to boot on it, which is the point: its
 * Kubernetes backend (v1) would query the API server, fail without a token and RBAC, and boot
 * standalone (test-real/rabbitmq.test.ts has Debian's 3.10 refuse the file).
 * Newer keys (`default_queue_type`, `default_users.*`, `loopback_users = none`, ...) are left
 * out on purpose, and so is every key of a plugin that is not enabled: RabbitMQ refuses to boot
 * on a key it does not know.
 */

export const RABBITMQ_PORTS = {
  /** AMQP 0-9-1 and 1.0 clients. */
  amqp: 5672,
  /** epmd, Erlang's port mapper: peers ask it for a node's distribution port. */
  epmd: 4369,
  /** Erlang distribution (inter-node traffic and CLI tools): the AMQP port + 20000. */
  distribution: 25672,
  /** rabbitmq_prometheus. */
  prometheus: 15692,
  /** rabbitmq_management (HTTP API and UI). */
  management: 15672,
} as const;

/**
 * How the nodes of a cluster find each other on their first boot.
 * - `k8s` (keel's choice; RabbitMQ 4.1+): rabbitmq_peer_discovery_k8s v2. It derives the seed
 *   from the node's own name (`rabbit@<statefulset>-<ordinal>.<domain>` -> ordinal 0): only the
 *   seed may form a new cluster, every other node joins it and retries for as long as it takes.
 * - `classic_config`: the list of nodes. From 3.13 each blank node sorts the peers it can reach
 *   (cluster size, start time, name) and the first one boots standalone without a lock, so nodes
 *   started together can form two clusters (rabbitmq-server#12681, still open). Kept because it
 *   is what Debian's 3.10 in the real test can run (its k8s backend queries the API server).
 */
export type RabbitMqPeerDiscovery = "k8s" | "classic_config";

export interface RabbitMqSettings {
  /**
   * Every node of the cluster (`rabbit@<host>`), in order; with `k8s` the first is the seed (the
   * StatefulSet's pod 0), which every node's name must lead to. One node: no peer discovery.
   */
  readonly nodes: readonly string[];
  /** With more than one node. @default "k8s" */
  readonly peerDiscovery?: RabbitMqPeerDiscovery;
  /** Shown by `rabbitmqctl cluster_status` and in the metrics' labels. */
  readonly clusterName: string;
  /** @default 5672 */
  readonly amqpPort?: number;
  /** Publishers are blocked above this (bytes): below the container's memory limit. */
  readonly memoryHighWatermarkBytes: number;
  /** Publishers are blocked when the data volume has less free space than this (bytes). */
  readonly diskFreeLimitBytes: number;
  /** The vhost, user and password the cluster is seeded with on its first boot. */
  readonly vhost: string;
  readonly username: string;
  readonly password: string;
  /** rabbitmq_prometheus on this port; undefined: the plugin is off. */
  readonly prometheusPort?: number;
  /**
   * `prometheus.return_per_object_metrics = true`: the default endpoint (`/metrics`) serves one
   * series per queue, exchange, connection and channel (labels `vhost`, `queue`, ...) instead of
   * node totals. Needs `prometheusPort`. @default false
   */
  readonly perObjectMetrics?: boolean;
  /** rabbitmq_management on this port; undefined: the plugin is off. */
  readonly managementPort?: number;
}

/** What a value may hold: cuttlefish reads a value to the end of the line, and `#` may start a comment. */
const SAFE_VALUE = /^[A-Za-z0-9._@/:-]+$/;

function line(key: string, value: string | number): string {
  const text = String(value);
  if (!SAFE_VALUE.test(text)) throw new Error(`rabbitmqConf: ${key} ${JSON.stringify(text)} holds a character rabbitmq.conf cannot carry (expected letters, digits and . _ @ / : -)`);
  return `${key} = ${text}`;
}

function port(key: string, value: number): string {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`rabbitmqConf: ${key} ${value} is not a port`);
  return line(key, value);
}

/**
 * The seed rabbitmq_peer_discovery_k8s (v2, RabbitMQ 4.1+) derives from a node's name, or
 * undefined when the name has no `-<ordinal>` pod suffix (the plugin then refuses to discover).
 * A port of `seed_node/2` in deps/rabbitmq_peer_discovery_k8s/src/rabbit_peer_discovery_k8s.erl at
 * v4.1.8: `re:split(Nodename, "^([^@]+@)([^.]*-)([0-9]+)")`, ordinal replaced by `ordinal_start`.
 */
export function k8sSeedNode(node: string, ordinalStart = 0): string | undefined {
  const m = /^([^@]+@)([^.]*-)([0-9]+)/.exec(node);
  return m ? `${m[1]}${m[2]}${ordinalStart}${node.slice(m[0].length)}` : undefined;
}

/** rabbitmq.conf (it holds the password: mount it from a Secret). */
export function rabbitmqConf(s: RabbitMqSettings): string {
  if (s.nodes.length === 0) throw new Error("rabbitmqConf: expected at least one node");
  const clustered = s.nodes.length > 1;
  const discovery = s.peerDiscovery ?? "k8s";
  if (clustered && discovery === "k8s") {
    const astray = s.nodes.filter((n) => k8sSeedNode(n) !== s.nodes[0]);
    if (astray.length > 0) throw new Error(`rabbitmqConf: with k8s peer discovery every node must lead to the seed ${JSON.stringify(s.nodes[0])} (rabbit@<statefulset>-<ordinal>.<domain>, seed ordinal 0); ${JSON.stringify(astray)} do not`);
  }
  if (s.perObjectMetrics && s.prometheusPort === undefined) throw new Error("rabbitmqConf: perObjectMetrics needs prometheusPort (a key of a plugin that is not enabled stops the node)");
  const bytes = (key: string, value: number) => {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`rabbitmqConf: ${key} ${value} is not a positive number of bytes`);
    return line(key, value);
  };
  const peers =
    discovery === "k8s"
      ? [
          "# Only pod 0 (the seed, derived from each node's own name) may form a new cluster; every other",
          "# blank node joins it, retrying for as long as it takes. A node that was a member rejoins its",
          "# last known peers. ordinal_start exists from RabbitMQ 4.1 only: older nodes refuse this file.",
          line("cluster_formation.peer_discovery_backend", "k8s"),
          line("cluster_formation.k8s.ordinal_start", 0),
        ]
      : [
          "# Peers by their stable names (StatefulSet pods behind the headless Service). A blank node",
          "# joins the first reachable one; a node that was a member rejoins its last known peers.",
          line("cluster_formation.peer_discovery_backend", "classic_config"),
          ...s.nodes.map((n, i) => line(`cluster_formation.classic_config.nodes.${i + 1}`, n)),
        ];
  return [
    `# Generated by keel (RabbitMqCluster). Keys valid in RabbitMQ 3.10 to 4.x${clustered && discovery === "k8s" ? "; k8s peer discovery needs 4.1+" : ""}.`,
    port("listeners.tcp.default", s.amqpPort ?? RABBITMQ_PORTS.amqp),
    line("cluster_name", s.clusterName),
    ...(clustered
      ? [...peers, "# The side of a partition without a majority pauses (as quorum queues need a majority).", line("cluster_partition_handling", "pause_minority")]
      : ["# One node: nothing to discover, no partition to handle.", line("cluster_partition_handling", "ignore")]),
    "# Absolute limits: RabbitMQ 3.x sizes relative ones from the host's memory, not the container's.",
    bytes("vm_memory_high_watermark.absolute", s.memoryHighWatermarkBytes),
    bytes("disk_free_limit.absolute", s.diskFreeLimitBytes),
    "# Seeded on the cluster's first boot only (changing them later changes nothing inside RabbitMQ).",
    line("default_vhost", s.vhost),
    line("default_user", s.username),
    line("default_pass", s.password),
    // Everything in its vhost (the user is the vhost's only one).
    "default_permissions.configure = .*",
    "default_permissions.read = .*",
    "default_permissions.write = .*",
    ...(s.managementPort !== undefined ? [line("default_user_tags.management", "true")] : []),
    "# guest (never created here: default_user is not guest) may only ever log in from localhost.",
    line("loopback_users.guest", "true"),
    line("log.console", "true"),
    line("log.console.level", "info"),
    line("log.file", "false"),
    ...(s.prometheusPort !== undefined ? [port("prometheus.tcp.port", s.prometheusPort)] : []),
    ...(s.perObjectMetrics ? ["# One series per queue, exchange, connection and channel on /metrics (labels vhost, queue, ...).", line("prometheus.return_per_object_metrics", "true")] : []),
    ...(s.managementPort !== undefined ? [port("management.tcp.port", s.managementPort)] : []),
    // Prometheus replaces the management statistics, unless the UI (which shows them) is on.
    ...(s.prometheusPort !== undefined && s.managementPort === undefined ? [line("management_agent.disable_metrics_collector", "true")] : []),
    "",
  ].join("\n");
}

/**
 * The enabled_plugins file (an Erlang term): exactly the plugins whose keys rabbitmq.conf sets
 * (`k8sPeerDiscovery`: a cluster with `k8s` peer discovery, whose backend lives in
 * rabbitmq_peer_discovery_k8s).
 */
export function enabledPlugins(p: { readonly prometheus: boolean; readonly management: boolean; readonly k8sPeerDiscovery?: boolean }): string {
  const plugins = [...(p.prometheus ? ["rabbitmq_prometheus"] : []), ...(p.management ? ["rabbitmq_management"] : []), ...(p.k8sPeerDiscovery ? ["rabbitmq_peer_discovery_k8s"] : [])];
  return `[${plugins.join(",")}].\n`;
}

/** `rabbit@<pod>.<headless Service>.<namespace>.svc.cluster.local`: a node's stable long name. */
export function rabbitmqNodeName(pod: string, headless: string, namespace: string): string {
  return `rabbit@${pod}.${headless}.${namespace}.svc.cluster.local`;
}

/**
 * The container's start command. Erlang refuses a cookie file that its group or others may read,
 * and a Secret volume under an fsGroup is group-readable: so the cookie is copied from the
 * mounted Secret to `$HOME/.erlang.cookie` with mode 0400 at every start (the Secret stays the
 * one source; a changed cookie reaches every node on its next start), then rabbitmq-server
 * replaces the shell. Env: COOKIE_FILE (the mounted Secret key), HOME.
 */
export function rabbitmqStartScript(): string {
  return [
    "set -eu",
    "umask 077",
    'rm -f "$HOME/.erlang.cookie"',
    'cp "$COOKIE_FILE" "$HOME/.erlang.cookie"',
    'chmod 0400 "$HOME/.erlang.cookie"',
    'exec rabbitmq-server "$@"',
  ].join("\n");
}
