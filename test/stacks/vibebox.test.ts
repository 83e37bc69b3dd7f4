/** The vibebox blueprint (seed 003): the seed's numbers on the recorded objects, in dev and prod. */
import * as fs from "fs";
import * as path from "path";
import { DOCKER_DAEMON_EXEMPTIONS } from "../../components";
import { BLUEPRINT_KEYS, VIBEBOX_SECTION } from "../../stacks/config";
import { seedTotals } from "../../stacks/vibebox/capacity";
import { BACKEND_AUTOSCALING, SEED_RESOURCES, VIBEBOX_PROFILES } from "../../stacks/vibebox/profiles";
import { ROOT } from "../helpers/cli";
import { BlueprintStack, synthStacks } from "../helpers/blueprint";
import { integrityProblems } from "../helpers/integrity";
import { schemaProblems } from "../helpers/schema";
import { at } from "../helpers/synth";

let stacks: Record<string, BlueprintStack>;
const dev = () => stacks["vibebox-dev"];
const prod = () => stacks["vibebox-prod"];
type Obj = Record<string, unknown>;
const container = (w: unknown) => at(w, "spec.template.spec.containers.0") as Obj;
const policy = (s: BlueprintStack, namespace: string, name: string) => {
  const found = s.objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === namespace && o.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};
/** The namespaces a policy's rules name (ingress `from` or egress `to`). */
const peersOf = (p: unknown, side: "ingress" | "egress") =>
  ((at(p, `spec.${side}`) ?? []) as Obj[]).flatMap((rule) => ((rule[side === "ingress" ? "from" : "to"] ?? []) as Obj[]).map((peer) => (at(peer, "namespaceSelector.matchLabels") as Obj | undefined)?.["kubernetes.io/metadata.name"] ?? (at(peer, "ipBlock.cidr") as string | undefined)));

beforeAll(async () => {
  stacks = await synthStacks(["vibebox-dev", "vibebox-prod"]);
});

describe.each(["vibebox-dev", "vibebox-prod"])("%s", (name) => {
  it("puts the frontend, backend, data layer, Docker daemons and observability in namespaces of their own", () => {
    const s = stacks[name];
    const ns = (kind: string, n: string) => s.find(kind, n).metadata.namespace;
    expect([ns("Deployment", "vibebox-frontend"), ns("Deployment", "vibebox-backend"), ns("DaemonSet", "vibebox-docker"), ns("StatefulSet", "vibebox-obs-prometheus")]).toEqual(["vibebox-frontend", "vibebox-backend", "vibebox-docker", "vibebox-monitoring"]);
    // The data layer: in the cluster in dev; RDS and ElastiCache in prod (aws), in the platform's data subnets.
    if (name === "vibebox-dev") expect([ns("StatefulSet", "vibebox-db-primary"), ns("StatefulSet", "vibebox-cache")]).toEqual(["vibebox-database", "vibebox-database"]);
    else expect(s.objects.filter((o) => o.kind === "StatefulSet" && /^vibebox-(db|cache)/.test(o.metadata.name))).toEqual([]);
    const frontendNs = s.find("Namespace", "vibebox-frontend");
    expect(frontendNs.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
    expect(policy(s, "vibebox-frontend", "default-deny").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  it("serves the frontend from nginx on 8080 behind a Service on 80, unprivileged, with the seed's resources", () => {
    const s = stacks[name];
    const d = s.find("Deployment", "vibebox-frontend");
    const c = container(d);
    expect(at(c, "ports.0.containerPort")).toBe(8080);
    expect(at(s.find("Service", "vibebox-frontend"), "spec.ports.0")).toMatchObject({ port: 80, targetPort: "http" });
    expect(at(c, "resources")).toMatchObject(SEED_RESOURCES.frontend);
    expect(at(c, "securityContext")).toMatchObject({ runAsUser: 101, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(at(d, "spec.replicas")).toBe(VIBEBOX_PROFILES[name === "vibebox-dev" ? "dev" : "prod"].frontendReplicas);
  });

  it("runs the backend (Fastify on 3000) with the seed's resources and probes on /health/startup, /health/live, /health/ready", () => {
    const s = stacks[name];
    const d = s.find("Deployment", "vibebox-backend");
    const c = container(d);
    expect(at(c, "ports.0.containerPort")).toBe(3000);
    expect(at(s.find("Service", "vibebox-backend"), "spec.ports.0.port")).toBe(3000);
    expect(at(c, "resources")).toMatchObject(SEED_RESOURCES.backend);
    expect(at(c, "startupProbe")).toMatchObject({ httpGet: { path: "/health/startup", port: 3000 }, periodSeconds: 3, failureThreshold: 30, timeoutSeconds: 5 });
    expect(at(c, "startupProbe.initialDelaySeconds") ?? 0).toBe(0);
    expect(at(c, "livenessProbe")).toMatchObject({ httpGet: { path: "/health/live", port: 3000 }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 });
    expect(at(c, "readinessProbe")).toMatchObject({ httpGet: { path: "/health/ready", port: 3000 }, initialDelaySeconds: 10, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 });
    // The seed's rolling update: one new pod at a time, none down; 30 s to shut down.
    expect(at(d, "spec.strategy.rollingUpdate")).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(at(d, "spec.template.spec.terminationGracePeriodSeconds")).toBe(30);
    expect(s.plainEnv(d, "DOCKER_HOST")).toBe("tcp://vibebox-docker.vibebox-docker.svc.cluster.local:2375");
    const names = s.env(d).map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(["DATABASE_URL", "REDIS_URL"]));
  });

  it("routes / to the frontend and /api to the backend on one host, WebSockets kept open for an hour", () => {
    const s = stacks[name];
    const route = (ns: string) => s.objects.find((o) => o.kind === "Ingress" && o.metadata.namespace === ns);
    expect(at(route("vibebox-frontend"), "spec.rules.0.http.paths.0")).toMatchObject({ path: "/", backend: { service: { name: "vibebox-frontend" } } });
    expect(at(route("vibebox-backend"), "spec.rules.0.http.paths.0")).toMatchObject({ path: "/api", backend: { service: { name: "vibebox-backend", port: { number: 3000 } } } });
    expect(at(route("vibebox-frontend"), "spec.rules.0.host")).toBe(at(route("vibebox-backend"), "spec.rules.0.host"));
    expect(route("vibebox-backend")?.metadata.annotations).toMatchObject({ "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600", "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600" });
  });

  it("applies the seed's three network policies", () => {
    const s = stacks[name];
    // frontend: from the ingress controller only; out to DNS and the backend, nothing of the data layer or Docker.
    const front = policy(s, "vibebox-frontend", "vibebox-frontend-netpol");
    expect(peersOf(front, "ingress")).toEqual(["ingress-nginx"]);
    const frontOut = s.objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === "vibebox-frontend").flatMap((p) => peersOf(p, "egress"));
    expect(frontOut.sort()).toEqual(["kube-system", "vibebox-backend"]);
    // backend: from the ingress controller and the frontend (and Prometheus); to PostgreSQL, Redis and Docker on 2375.
    const backIn = s.objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === "vibebox-backend" && o.metadata.name.startsWith("vibebox-backend")).flatMap((p) => peersOf(p, "ingress"));
    expect([...new Set(backIn)].sort()).toEqual(["ingress-nginx", "vibebox-frontend", "vibebox-monitoring"]);
    const back = policy(s, "vibebox-backend", "vibebox-backend-netpol");
    const egress = at(back, "spec.egress") as Obj[];
    const portsTo = (ns: string) => egress.filter((r) => peersOf({ spec: { egress: [r] } }, "egress").includes(ns)).flatMap((r) => (r.ports as Obj[]).map((p) => p.port));
    expect(portsTo("vibebox-docker")).toEqual([2375]);
    if (name === "vibebox-dev") {
      expect(portsTo("vibebox-database").sort()).toEqual([5432, 6379]);
      // database: from the backend only (and the backup job, Prometheus' exporters).
      const dbIn = s.objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === "vibebox-database" && /^vibebox-(db|cache)-clients/.test(o.metadata.name)).flatMap((p) => peersOf(p, "ingress"));
      expect(dbIn.filter((n) => n !== "vibebox-database")).toEqual(expect.arrayContaining(["vibebox-backend"]));
      expect(dbIn).not.toContain("vibebox-frontend");
      expect(dbIn).not.toContain("vibebox-docker");
    } else {
      // RDS and ElastiCache: the backend reaches the data subnets on their ports; their security groups admit the cluster there only.
      const toSubnets = (port: number) => egress.filter((r) => JSON.stringify(r.ports) === JSON.stringify([{ port, protocol: "TCP" }]) && JSON.stringify(r.to).includes("ipBlock")).flatMap((r) => (r.to as Obj[]).map((t) => at(t, "ipBlock.cidr")));
      expect([toSubnets(5432), toSubnets(6379)]).toEqual([["10.1.208.0/22", "10.1.212.0/22", "10.1.216.0/22"], ["10.1.208.0/22", "10.1.212.0/22", "10.1.216.0/22"]]);
      const groups = s.result.run.resources.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup").map((g) => (g.inputs.ingress as Obj[]).map((i) => [i.fromPort, i.toPort]));
      expect(groups.sort()).toEqual([[[5432, 5432]], [[6379, 6379]]]);
    }
    // The daemons admit the backend on 2375 and nobody else.
    const dockerIn = s.objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === "vibebox-docker").flatMap((p) => peersOf(p, "ingress"));
    expect(dockerIn).toEqual(["vibebox-backend"]);
    expect(at(policy(s, "vibebox-docker", "vibebox-docker-from-vibebox-backend"), "spec.ingress.0.ports")).toEqual([{ port: 2375, protocol: "TCP" }]);
  });

  it("runs docker:dind privileged in vibebox-docker (Pod Security privileged), each daemon on its own data root, every exemption with its reason", () => {
    const s = stacks[name];
    const ns = s.find("Namespace", "vibebox-docker");
    expect(ns.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "privileged" });
    const ds = s.find("DaemonSet", "vibebox-docker");
    expect(ds.metadata.annotations).toEqual(DOCKER_DAEMON_EXEMPTIONS);
    const c = container(ds);
    expect(c.image).toMatch(/^docker:\d+\.\d+\.\d+-dind$/);
    expect(at(c, "securityContext.privileged")).toBe(true);
    expect(c.env).toEqual([{ name: "DOCKER_TLS_CERTDIR", value: "" }]);
    expect(at(c, "ports.0.containerPort")).toBe(2375);
    expect(at(c, "volumeMounts")).toEqual([{ name: "docker-data", mountPath: "/var/lib/docker" }, { name: "workspaces", mountPath: "/workspaces" }]);
    expect(at(ds, "spec.template.spec.volumes.0.emptyDir.sizeLimit")).toBe(VIBEBOX_PROFILES[name === "vibebox-dev" ? "dev" : "prod"].dockerDataRoot);
  });

  it("is schema-valid and every reference resolves", () => {
    expect(stacks[name].objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(stacks[name].objects)).toEqual([]);
  });
});

describe("vibebox prod: the seed's figures", () => {
  it("scales the backend from 3 to 10 pods on CPU and memory at 70 % and 1000 WebSocket connections a pod, +1 per 30 s, -1 per 5 min", () => {
    const hpa = prod().find("HorizontalPodAutoscaler", "vibebox-backend");
    expect(at(hpa, "spec.minReplicas")).toBe(3);
    expect(at(hpa, "spec.maxReplicas")).toBe(10);
    expect(at(hpa, "spec.metrics")).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
      { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 70 } } },
      { type: "Pods", pods: { metric: { name: BACKEND_AUTOSCALING.customMetrics?.[0].name }, target: { type: "AverageValue", averageValue: "1000" } } },
    ]);
    expect(at(hpa, "spec.behavior.scaleUp.policies")).toEqual([{ type: "Pods", value: 1, periodSeconds: 30 }]);
    expect(at(hpa, "spec.behavior.scaleDown.policies")).toEqual([{ type: "Pods", value: 1, periodSeconds: 300 }]);
    expect(at(prod().find("Deployment", "vibebox-backend"), "spec.replicas")).toBeUndefined();
    // The platform's prometheus-adapter may query Prometheus.
    expect(peersOf(policy(prod(), "vibebox-monitoring", "vibebox-obs-prometheus-from-ns-prometheus-adapter"), "ingress")).toEqual(["prometheus-adapter"]);
  });

  it("keeps PostgreSQL on RDS with 100Gi of gp3 (3000 IOPS, the seed's fast-ssd), Redis on ElastiCache, the 500Gi workspaces ReadWriteMany on the platform's EFS", () => {
    const aws = (type: string) => prod().result.run.resources.filter((r) => r.type === type);
    expect(aws("aws:rds/instance:Instance").map((r) => r.inputs)).toEqual([expect.objectContaining({ allocatedStorage: 100, storageType: "gp3", storageEncrypted: true })]);
    expect(aws("aws:elasticache/replicationGroup:ReplicationGroup").map((r) => r.inputs)).toEqual([expect.objectContaining({ numCacheClusters: 1, atRestEncryptionEnabled: true, transitEncryptionEnabled: true })]);
    expect(at(prod().find("PersistentVolumeClaim", "vibebox-docker-workspaces"), "spec")).toEqual({ accessModes: ["ReadWriteMany"], storageClassName: "efs", resources: { requests: { storage: "500Gi" } } });
    expect(at(container(prod().find("DaemonSet", "vibebox-docker")), "resources")).toMatchObject(SEED_RESOURCES.docker);
  });

  it("backs PostgreSQL up daily from 03:00 UTC and keeps 30 days (RDS's automated backups: no backup Job to watch)", () => {
    const [db] = prod().result.run.resources.filter((r) => r.type === "aws:rds/instance:Instance");
    expect(db.inputs).toMatchObject({ backupWindow: "03:00-03:30", backupRetentionPeriod: 30 });
    expect(prod().objects.filter((o) => o.kind === "CronJob")).toEqual([]);
  });

  it("routes alerts through Alertmanager; prod states why it has no receiver in this example", () => {
    const source = fs.readFileSync(path.join(ROOT, "Pulumi.vibebox-prod.yaml"), "utf8");
    expect(source).toMatch(/noAlertReceiverReason: /);
    expect(prod().find("StatefulSet", "vibebox-obs-alertmanager")).toBeDefined();
  });
});

describe("vibebox dev: sized for a laptop", () => {
  it("runs one frontend and one backend pod, no HPA, no backups, smaller stores", () => {
    expect(at(dev().find("Deployment", "vibebox-backend"), "spec.replicas")).toBe(1);
    expect(dev().objects.filter((o) => o.kind === "HorizontalPodAutoscaler" || o.kind === "CronJob" || o.kind === "StorageClass")).toEqual([]);
    expect(at(dev().find("StatefulSet", "vibebox-db-primary"), "spec.volumeClaimTemplates.0.spec.resources.requests.storage")).toBe("10Gi");
    expect(at(dev().find("PersistentVolumeClaim", "vibebox-docker-workspaces"), "spec.accessModes")).toEqual(["ReadWriteOnce"]);
  });
});

describe("vibebox: the blueprint's source", () => {
  it("reads exactly the declared section keys and hands its section to the shared observability stack", () => {
    const source = ["index.ts", "profiles.ts", "capacity.ts"].map((f) => fs.readFileSync(path.join(ROOT, "stacks/vibebox", f), "utf8")).join("\n");
    expect(source).toMatch(/blueprintObservability\(stack, platform, \{[^}]*section: settings/);
    const own = new Set([...source.matchAll(/requireString\(settings, "vibebox", "(\w+)"\)/g), ...source.matchAll(/settings\.(\w+)/g)].map((m) => m[1]));
    expect([...own, "grafanaHost", "slackChannel", "noAlertReceiverReason"].sort()).toEqual(Object.keys((VIBEBOX_SECTION as { o: object }).o).sort());
    expect(Object.keys(BLUEPRINT_KEYS.vibebox).sort()).toEqual(["pagerdutyRoutingKey", "slackWebhookUrl", "vibebox"]);
  });

  it("computes the capacity table from the declared figures (the seed's totals do not add up)", () => {
    const t = seedTotals(2);
    expect([t.cpuRequests, t.cpuLimits, t.memoryRequests / 2 ** 30, t.memoryLimits / 2 ** 30, t.storage / 2 ** 30]).toEqual([6900, 28000, 12.125, 48.5, 610]);
    const one = seedTotals(1);
    expect([one.cpuRequests, one.cpuLimits, one.memoryRequests / 2 ** 30, one.memoryLimits / 2 ** 30]).toEqual([4900, 20000, 8.125, 32.5]);
    const doc = fs.readFileSync(path.join(ROOT, "docs/vibebox.md"), "utf8");
    for (const figure of ["6.9", "28", "12.125Gi", "48.5Gi", "610Gi"]) expect(doc).toContain(figure);
  });
});
