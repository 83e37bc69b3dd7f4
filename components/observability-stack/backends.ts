/** Loki, Tempo, the OpenTelemetry Collector, the Pushgateway, kube-state-metrics and the node-log collector. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { childName } from "../core/naming";
import { NetworkRule, peers } from "../core/network";
import { CreatedWorkload, createWorkload } from "../workload/workload";
import { PORTS, collectorConfig, lokiConfig, tempoConfig } from "./backend-configs";
import { deployNodeLogs } from "./node-logs";
import { IMAGES, API_READER_REASON, Parts, endpoint, httpProbe, singleReplica } from "./parts";

const MONOLITHIC = "runs as a single monolithic replica on its own volume; scale out with object storage instead";

export interface Backends {
  readonly loki?: CreatedWorkload;
  readonly tempo?: CreatedWorkload;
  readonly collector?: CreatedWorkload;
  readonly pushgateway?: CreatedWorkload;
}

function storeBackend(p: Parts, app: "loki" | "tempo"): CreatedWorkload | undefined {
  const part = p.r[app];
  if (!part) return undefined;
  const isLoki = app === "loki";
  const port = isLoki ? PORTS.loki : PORTS.tempo;
  const file = `${app}.yaml`;
  const cm = p.config(app, { [file]: stringify(isLoki ? lokiConfig(part.retention) : tempoConfig(part.retention)) });
  const dataPath = isLoki ? "/loki" : "/var/tempo";
  const otlp = isLoki ? [] : [{ name: "otlp-grpc", containerPort: PORTS.otlpGrpc }, { name: "otlp-http", containerPort: PORTS.otlpHttp }];
  return createWorkload(p.parent, p.r.target, p.spec(app, 10001, {
    kind: "StatefulSet",
    replicas: 1,
    annotations: singleReplica(1, MONOLITHIC),
    containers: [
      p.container(app, part, {
        image: IMAGES[app],
        args: [`-config.file=/etc/${app}/${file}`],
        ports: [{ name: "http", containerPort: port }, ...otlp],
        liveness: { tcpSocket: { port }, periodSeconds: 10 },
        readiness: httpProbe("/ready", port, 5),
        volumeMounts: [{ name: "config", mountPath: `/etc/${app}` }, { name: "data", mountPath: dataPath }],
      }),
    ],
    volumes: [{ name: "config", configMap: { name: cm } }],
    volumeClaims: [{ name: "data", size: part.storage }],
    workloadOptions: p.stateful,
    servicePorts: [{ name: "http", port }, ...otlp.slice(0, 1).map((o) => ({ name: o.name, port: o.containerPort }))],
    metrics: { port, path: "/metrics" },
    allowFrom: [{ peer: p.prometheusPeer, ports: [{ port }] }],
    allowTo: [],
  }));
}

function collector(p: Parts, loki?: CreatedWorkload, tempo?: CreatedWorkload): CreatedWorkload | undefined {
  const part = p.r.collector;
  if (!part) return undefined;
  const ns = p.r.namespace;
  const config = pulumi
    .all([tempo ? tempo.service.metadata.name : "", loki ? loki.service.metadata.name : "", ns])
    .apply(([t, l, n]) =>
      stringify(collectorConfig({ traces: t ? `${t}.${n}.svc.cluster.local:${PORTS.otlpGrpc}` : undefined, logs: l ? `http://${l}.${n}.svc.cluster.local:${PORTS.loki}/otlp` : undefined })),
    );
  const cm = p.config("otel-collector", { "collector.yaml": config });
  const backends: NetworkRule[] = [];
  if (tempo) backends.push({ peer: endpoint(tempo), ports: [{ port: PORTS.otlpGrpc }] });
  if (loki) backends.push({ peer: endpoint(loki), ports: [{ port: PORTS.loki }] });
  const otlpPorts = [{ port: PORTS.otlpGrpc }, { port: PORTS.otlpHttp }];
  const w = createWorkload(p.parent, p.r.target, p.spec("otel-collector", 10001, {
    kind: "DaemonSet",
    replicas: 1,
    containers: [
      p.container("otel-collector", part, {
        image: IMAGES.collector,
        args: ["--config=/etc/otelcol/collector.yaml"],
        ports: [{ name: "otlp-grpc", containerPort: PORTS.otlpGrpc }, { name: "otlp-http", containerPort: PORTS.otlpHttp }, { name: "metrics", containerPort: PORTS.collectorMetrics }],
        liveness: httpProbe("/", PORTS.collectorHealth, 10),
        readiness: httpProbe("/", PORTS.collectorHealth, 5),
        volumeMounts: [{ name: "config", mountPath: "/etc/otelcol" }],
      }),
    ],
    volumes: [{ name: "config", configMap: { name: cm } }],
    servicePorts: [{ name: "otlp-grpc", port: PORTS.otlpGrpc }, { name: "otlp-http", port: PORTS.otlpHttp }],
    metrics: { port: PORTS.collectorMetrics, path: "/metrics" },
    allowFrom: [...p.platformNamespaces.map((n) => ({ peer: peers.namespace(n), ports: otlpPorts })), { peer: p.prometheusPeer, ports: [{ port: PORTS.collectorMetrics }] }],
    allowTo: backends,
  }));
  // The backends admit the collector on their OTLP/push ports.
  tempo?.networkAccess.admit(w.peer, [{ port: PORTS.otlpGrpc }]);
  loki?.networkAccess.admit(w.peer, [{ port: PORTS.loki }]);
  return w;
}

function pushgateway(p: Parts): CreatedWorkload | undefined {
  const part = p.r.pushgateway;
  if (!part) return undefined;
  const port = PORTS.pushgateway;
  return createWorkload(p.parent, p.r.target, p.spec("pushgateway", 65534, {
    kind: "Deployment",
    replicas: 1,
    annotations: singleReplica(1, "keeps pushed metrics in memory; a second replica would split them between pods"),
    containers: [p.container("pushgateway", part, { image: IMAGES.pushgateway, ports: [{ name: "http", containerPort: port }], liveness: httpProbe("/-/healthy", port, 10), readiness: httpProbe("/-/ready", port, 5) })],
    servicePorts: [{ name: "http", port }],
    metrics: { port, path: "/metrics" },
    allowFrom: [...p.platformNamespaces.map((n) => ({ peer: peers.namespace(n), ports: [{ port }] })), { peer: p.prometheusPeer, ports: [{ port }] }],
    allowTo: [],
  }));
}

function kubeStateMetrics(p: Parts): void {
  const part = p.r.kubeStateMetrics;
  if (!part) return;
  const port = PORTS.kubeStateMetrics;
  const operator = p.r.target.operators.prometheusOperator;
  const spec = p.spec("kube-state-metrics", 65534, {
    kind: "Deployment",
    replicas: 1,
    automountToken: `kube-state-metrics ${API_READER_REASON}`,
    annotations: singleReplica(1, "a second replica would report every object twice"),
    containers: [
      p.container("kube-state-metrics", part, {
        image: IMAGES.kubeStateMetrics,
        args: ["--port=8080", "--telemetry-port=8081", "--resources=pods,deployments,statefulsets,daemonsets,replicasets,jobs,cronjobs,persistentvolumeclaims,persistentvolumes,nodes,namespaces,services,horizontalpodautoscalers,poddisruptionbudgets"],
        ports: [{ name: "http", containerPort: port }, { name: "telemetry", containerPort: 8081 }],
        liveness: { tcpSocket: { port }, periodSeconds: 10 },
        readiness: httpProbe("/metrics", 8081, 5),
      }),
    ],
    servicePorts: [{ name: "http", port }],
    // Without the operator, prometheus.yml's kube-state-metrics job (honor_labels) finds the pod.
    metrics: operator ? undefined : { port, path: "/metrics" },
    allowFrom: [{ peer: p.prometheusPeer, ports: [{ port }] }],
    allowTo: [p.apiServer],
  });
  const w = createWorkload(p.parent, p.r.target, spec);
  if (operator) {
    // Its series name the pods they describe: honorLabels keeps their namespace/pod/container.
    new k8s.apiextensions.CustomResource(
      childName(spec.name, "monitor"),
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: spec.name, namespace: spec.namespace, labels: { ...spec.labels, ...p.r.target.monitoring.serviceMonitorLabels } },
        spec: { selector: { matchLabels: spec.selector }, endpoints: [{ port: "http", path: "/metrics", interval: "30s", honorLabels: true }] },
      },
      { ...p.opts, dependsOn: [w.service] },
    );
  }
  p.clusterReader("kube-state-metrics", w, [
    { apiGroups: [""], resources: ["pods", "nodes", "namespaces", "services", "persistentvolumeclaims", "persistentvolumes"], verbs: ["list", "watch"] },
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets"], verbs: ["list", "watch"] },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ["list", "watch"] },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ["list", "watch"] },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["list", "watch"] },
  ]);
}

export function deployBackends(p: Parts): Backends {
  const loki = storeBackend(p, "loki");
  const tempo = storeBackend(p, "tempo");
  const otel = collector(p, loki, tempo);
  const push = pushgateway(p);
  kubeStateMetrics(p);
  deployNodeLogs(p, loki);
  return { loki, tempo, collector: otel, pushgateway: push };
}
