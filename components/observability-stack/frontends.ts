/** Prometheus, Alertmanager and Grafana. */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { stringify } from "yaml";
import { selectorLabels } from "../core/labels";
import { childName } from "../core/naming";
import { NetworkRule, peers } from "../core/network";
import type { NetworkAccess } from "../workload/network-access";
import { createIngress } from "../workload/ingress";
import { CreatedWorkload, createWorkload, scrapedBy } from "../workload/workload";
import { alertRulesOf, ruleGroups } from "./alert-rules";
import { alertmanagerConfig } from "./alertmanager-config";
import { PORTS } from "./backend-configs";
import type { Backends } from "./backends";
import { dashboardProvider, dashboards, grafanaDatasources } from "./grafana-config";
import { API_READER_REASON, IMAGES, NODE_PROXY_EXEMPTION, Parts, endpoint, httpProbe, singleReplica } from "./parts";
import { operatorPrometheus } from "./operator";
import { prometheusConfig } from "./prometheus-config";
import { PART_EMPTY_DIRS } from "./resolve";

/** Why Grafana runs one replica (the resolver refuses more). */
export const GRAFANA_SINGLE_REPLICA =
  "Grafana keeps users, sessions and preferences in a SQLite file of its own, so a second replica behind the Service would log users out at random; dashboards and datasources are provisioned from ConfigMaps and come back with the pod";

export interface Frontends {
  readonly prometheus?: CreatedWorkload;
  /** The NetworkPolicy admitting Prometheus' clients (its own StatefulSet's, or the operator's Prometheus'). */
  readonly prometheusAccess?: NetworkAccess;
  readonly grafana?: CreatedWorkload;
  readonly grafanaAdminPassword?: pulumi.Output<string>;
}


function alertmanager(p: Parts): CreatedWorkload | undefined {
  const part = p.r.alertmanager;
  if (!part) return undefined;
  const { slack, pagerduty } = part;
  const config = pulumi
    .all([slack?.webhookUrl ?? "", pagerduty?.routingKey ?? ""])
    .apply(([webhookUrl, routingKey]) => {
      // resolve.ts checked the URL (a string at once, an Output when it resolves: checkedWebhook).
      return stringify(alertmanagerConfig({ slack: slack ? { webhookUrl, channel: slack.channel } : undefined, pagerduty: pagerduty ? { routingKey } : undefined }));
    });
  const secretName = p.secret("alertmanager", { "alertmanager.yml": pulumi.secret(config) });
  const instance = childName(p.r.name, "alertmanager");
  const peersArgs = Array.from({ length: part.replicas }, (_, i) => `--cluster.peer=${instance}-${i}.${instance}-headless:${PORTS.alertmanagerCluster}`);
  // Alertmanager advertises a private (RFC 1918) address by default and refuses to start without
  // one: pods on 100.64.0.0/10 (EKS custom networking) or IPv6 advertise their own address instead.
  const ipv6 = p.r.target.podCidrs.length > 0 && p.r.target.podCidrs.every((c) => c.includes(":"));
  const advertise = `--cluster.advertise-address=${ipv6 ? "[$(POD_IP)]" : "$(POD_IP)"}:${PORTS.alertmanagerCluster}`;
  const cluster = part.replicas > 1 ? [...peersArgs, advertise] : ["--cluster.listen-address="];
  const selfPeer = { kind: "namespace" as const, namespace: p.r.namespace, podLabels: { "app.kubernetes.io/name": "alertmanager", "app.kubernetes.io/instance": instance } };
  const gossip: NetworkRule[] = part.replicas > 1 ? [{ peer: selfPeer, ports: [{ port: PORTS.alertmanagerCluster }, { port: PORTS.alertmanagerCluster, protocol: "UDP" }] }] : [];
  return createWorkload(p.parent, p.r.target, p.spec("alertmanager", 65534, {
    kind: "StatefulSet",
    replicas: part.replicas,
    annotations: singleReplica(part.replicas, "a single Alertmanager is enough where nobody is paged (dev); production runs a cluster"),
    containers: [
      p.container("alertmanager", part, {
        image: IMAGES.alertmanager,
        args: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager", ...cluster],
        env: part.replicas > 1 ? [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }] : undefined,
        ports: [{ name: "http", containerPort: PORTS.alertmanager }, ...(part.replicas > 1 ? [{ name: "cluster", containerPort: PORTS.alertmanagerCluster }] : [])],
        liveness: httpProbe("/-/healthy", PORTS.alertmanager, 10),
        readiness: httpProbe("/-/ready", PORTS.alertmanager, 5),
        volumeMounts: [{ name: "config", mountPath: "/etc/alertmanager" }, { name: "data", mountPath: "/alertmanager" }],
      }),
    ],
    volumes: [{ name: "config", secret: { secretName } }, { name: "data", emptyDir: { sizeLimit: PART_EMPTY_DIRS.alertmanager.data.sizeLimit } }],
    servicePorts: [{ name: "http", port: PORTS.alertmanager }],
    metrics: { port: PORTS.alertmanager, path: "/metrics" },
    allowFrom: [{ peer: p.prometheusPeer, ports: [{ port: PORTS.alertmanager }] }, ...gossip],
    // Slack and PagerDuty are on the internet, over HTTPS.
    allowTo: [{ peer: peers.internet(), ports: [{ port: 443 }] }, ...gossip],
  }));
}

function prometheus(p: Parts, am: CreatedWorkload | undefined): CreatedWorkload | undefined {
  const part = p.r.prometheus;
  if (!part) return undefined;
  const namespaces = pulumi.all(p.scrapeNamespaces.map((n) => pulumi.output(n)));
  const ksm = p.r.kubeStateMetrics ? selectorLabels({ name: "kube-state-metrics", instance: childName(p.r.name, "kube-state-metrics") }) : undefined;
  const config = pulumi.all([namespaces, p.r.namespace]).apply(([names, ns]) =>
    stringify(
      prometheusConfig({
        namespaces: [...new Set(names)],
        scrapeInterval: part.scrapeInterval,
        ruleFiles: ["/etc/prometheus/rules.yml"],
        alertmanager: am ? { namespace: ns, podLabels: { "app.kubernetes.io/name": "alertmanager" } } : undefined,
        kubeStateMetrics: ksm ? { namespace: ns, podLabels: ksm } : undefined,
        externalLabels: { system: p.r.target.system },
      }),
    ),
  );
  const cm = p.config("prometheus", { "prometheus.yml": config, "rules.yml": stringify(ruleGroups(alertRulesOf(part))) });
  const port = PORTS.prometheus;
  const w = createWorkload(p.parent, p.r.target, p.spec("prometheus", 65534, {
    kind: "StatefulSet",
    replicas: part.replicas,
    automountToken: `Prometheus ${API_READER_REASON}`,
    annotations: singleReplica(part.replicas, "a single Prometheus is enough where nobody is paged (dev); production runs an HA pair"),
    containers: [
      p.container("prometheus", part, {
        image: IMAGES.prometheus,
        args: [
          "--config.file=/etc/prometheus/prometheus.yml",
          "--storage.tsdb.path=/prometheus",
          `--storage.tsdb.retention.time=${part.retention}`,
          `--storage.tsdb.retention.size=${part.retentionSize}`,
          "--web.enable-lifecycle",
        ],
        ports: [{ name: "http", containerPort: port }],
        startup: httpProbe("/-/ready", port, 5, 60),
        liveness: httpProbe("/-/healthy", port, 15),
        readiness: httpProbe("/-/ready", port, 5),
        volumeMounts: [{ name: "config", mountPath: "/etc/prometheus" }, { name: "data", mountPath: "/prometheus" }],
      }),
    ],
    volumes: [{ name: "config", configMap: { name: cm } }],
    volumeClaims: [{ name: "data", size: part.storage }],
    workloadOptions: p.stateful,
    servicePorts: [{ name: "http", port }],
    metrics: { port, path: "/metrics" },
    // Grafana is admitted when it is created. Each replica scrapes every replica (its own pod IP
    // included) through the annotations, so the Prometheus pods admit Prometheus.
    allowFrom: [scrapedBy(p.r.target, port)],
    // Scrape every pod of the platform's (and the node-log collector's) namespaces; the kubelets
    // and their cAdvisor through the API server, which also serves discovery.
    allowTo: [...p.scrapeNamespaces.map((n) => ({ peer: peers.namespace(n) })), p.apiServer, ...(am ? [{ peer: endpoint(am), ports: [{ port: PORTS.alertmanager }] }] : [])],
  }));
  p.clusterReader("prometheus", w, [
    { apiGroups: [""], resources: ["pods", "services", "endpoints", "nodes", "nodes/metrics", "nodes/proxy"], verbs: ["get", "list", "watch"] },
    { nonResourceURLs: ["/metrics"], verbs: ["get"] },
  ], NODE_PROXY_EXEMPTION);
  return w;
}

function grafana(p: Parts, prom: CreatedWorkload | undefined, b: Backends, operator = false): { workload: CreatedWorkload; password: pulumi.Output<string> } | undefined {
  const part = p.r.grafana;
  if (!part) return undefined;
  const password = new random.RandomPassword(childName(p.r.name, "grafana-admin"), { length: 32, special: false }, { parent: p.parent, ...p.stateful }).result;
  const secretName = p.secret("grafana", { "admin-password": password }, true);
  const datasources = pulumi
    .all([prom ? p.url(prom, PORTS.prometheus) : operator ? pulumi.interpolate`http://prometheus-operated.${p.r.namespace}.svc.cluster.local:${PORTS.prometheus}` : "", b.loki ? p.url(b.loki, PORTS.loki) : "", b.tempo ? p.url(b.tempo, PORTS.tempo) : ""])
    .apply(([prometheusUrl, loki, tempo]) => stringify(grafanaDatasources({ prometheus: prometheusUrl || undefined, loki: loki || undefined, tempo: tempo || undefined })));
  const provisioning = p.config("grafana-provisioning", { "datasources.yaml": datasources, "dashboards.yaml": stringify(dashboardProvider("/etc/grafana/dashboards")) });
  const boards = p.config("grafana-dashboards", Object.fromEntries(Object.entries(dashboards()).map(([file, json]) => [file, JSON.stringify(json, null, 2)])));
  const port = PORTS.grafana;
  const reach: NetworkRule[] = [];
  if (prom) reach.push({ peer: endpoint(prom), ports: [{ port: PORTS.prometheus }] });
  if (operator) reach.push({ peer: { kind: "namespace", namespace: p.r.namespace, podLabels: p.r.target.monitoring.podLabels }, ports: [{ port: PORTS.prometheus }] });
  if (b.loki) reach.push({ peer: endpoint(b.loki), ports: [{ port: PORTS.loki }] });
  if (b.tempo) reach.push({ peer: endpoint(b.tempo), ports: [{ port: PORTS.tempo }] });
  const w = createWorkload(p.parent, p.r.target, p.spec("grafana", 472, {
    kind: "Deployment",
    replicas: part.replicas,
    annotations: singleReplica(part.replicas, GRAFANA_SINGLE_REPLICA),
    containers: [
      p.container("grafana", part, {
        image: IMAGES.grafana,
        ports: [{ name: "http", containerPort: port }],
        env: [
          { name: "GF_SECURITY_ADMIN_USER", value: part.adminUser },
          { name: "GF_SECURITY_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: secretName, key: "admin-password" } } },
          { name: "GF_PATHS_PROVISIONING", value: "/etc/grafana/provisioning" },
          { name: "GF_ANALYTICS_REPORTING_ENABLED", value: "false" },
          // Logs go to stdout (collected with every container's); the image's log directory stays writable.
          { name: "GF_LOG_MODE", value: "console" },
        ],
        liveness: httpProbe("/api/health", port, 10),
        readiness: httpProbe("/api/health", port, 5),
        volumeMounts: [
          { name: "data", mountPath: "/var/lib/grafana" },
          { name: "logs", mountPath: "/var/log/grafana" },
          { name: "provisioning", mountPath: "/etc/grafana/provisioning/datasources/datasources.yaml", subPath: "datasources.yaml", readOnly: true },
          { name: "provisioning", mountPath: "/etc/grafana/provisioning/dashboards/dashboards.yaml", subPath: "dashboards.yaml", readOnly: true },
          { name: "dashboards", mountPath: "/etc/grafana/dashboards", readOnly: true },
        ],
      }),
    ],
    volumes: [{ name: "data", emptyDir: { sizeLimit: PART_EMPTY_DIRS.grafana.data.sizeLimit } }, { name: "logs", emptyDir: { sizeLimit: PART_EMPTY_DIRS.grafana.logs.sizeLimit } }, { name: "provisioning", configMap: { name: provisioning } }, { name: "dashboards", configMap: { name: boards } }],
    servicePorts: [{ name: "http", port }],
    metrics: { port, path: "/metrics" },
    allowFrom: [
      ...(part.ingress ? [{ peer: { kind: "namespace" as const, namespace: p.r.target.ingress.namespace, podLabels: p.r.target.ingress.podLabels }, ports: [{ port }] }] : []),
      { peer: p.prometheusPeer, ports: [{ port }] },
    ],
    allowTo: reach,
  }));
  if (part.ingress) {
    const name = childName(p.r.name, "grafana");
    createIngress({ name, namespace: p.r.namespace, labels: { "app.kubernetes.io/part-of": p.r.target.system }, args: part.ingress, serviceName: name, servicePort: port }, p.r.target, { ...p.opts, dependsOn: [w.service] });
  }
  // The datasources admit Grafana.
  if (prom) prom.networkAccess.admit(w.peer, [{ port: PORTS.prometheus }]);
  b.loki?.networkAccess.admit(w.peer, [{ port: PORTS.loki }]);
  b.tempo?.networkAccess.admit(w.peer, [{ port: PORTS.tempo }]);
  return { workload: w, password };
}

export function deployFrontends(p: Parts, b: Backends): Frontends {
  const am = alertmanager(p);
  if (p.r.target.operators.prometheusOperator) {
    const access = operatorPrometheus(p, am);
    const g = grafana(p, undefined, b, true);
    if (g && access) access.admit(g.workload.peer, [{ port: PORTS.prometheus }]);
    return { grafana: g?.workload, grafanaAdminPassword: g?.password, prometheusAccess: access };
  }
  const prom = prometheus(p, am);
  if (am && prom) am.networkAccess.admit(prom.peer, [{ port: PORTS.alertmanager }]);
  const g = grafana(p, prom, b);
  return { prometheus: prom, prometheusAccess: prom?.networkAccess, grafana: g?.workload, grafanaAdminPassword: g?.password };
}
