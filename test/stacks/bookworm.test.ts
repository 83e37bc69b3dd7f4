/** The bookworm blueprint (seed 001): the seed's numbers on the recorded objects, in dev and prod. */
import * as fs from "fs";
import * as path from "path";
import { BOOKWORM_PROFILES, SERVICES, SERVICE_NAMES, ServiceName } from "../../stacks/bookworm/profiles";
import { ROOT } from "../helpers/cli";
import { BlueprintStack, synthStacks } from "../helpers/blueprint";
import { integrityProblems } from "../helpers/integrity";
import { schemaProblems } from "../helpers/schema";
import { at } from "../helpers/synth";

let stacks: Record<string, BlueprintStack>;
const dev = () => stacks["bookworm-dev"];
const prod = () => stacks["bookworm-prod"];
const deployment = (s: BlueprintStack, service: ServiceName) => s.find("Deployment", `bookworm-${service}`);

beforeAll(async () => {
  stacks = await synthStacks(["bookworm-dev", "bookworm-prod"]);
});

describe.each(["bookworm-dev", "bookworm-prod"])("%s", (name) => {
  it("puts the services in bookworm-app, the data tier in bookworm-data, observability in bookworm-monitoring", () => {
    const s = stacks[name];
    const ns = (kind: string, n: string) => s.find(kind, n).metadata.namespace;
    expect(SERVICE_NAMES.map((svc) => ns("Deployment", `bookworm-${svc}`))).toEqual(SERVICE_NAMES.map(() => "bookworm-app"));
    // In prod (aws) PostgreSQL and Redis are RDS and ElastiCache: what stays in the cluster is in bookworm-data.
    const inCluster = name === "bookworm-prod" ? ["bookworm-mq", "bookworm-vectors", "bookworm-identity"] : ["bookworm-db-primary", "bookworm-cache", "bookworm-mq", "bookworm-vectors", "bookworm-identity"];
    expect(inCluster.map((n) => ns("StatefulSet", n))).toEqual(inCluster.map(() => "bookworm-data"));
    expect(ns("StatefulSet", "bookworm-obs-prometheus")).toBe("bookworm-monitoring");
    // bookworm-system is the ingress controller's (and Istio's, in the seed): never created here.
    const namespaces = s.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
    expect(namespaces).toEqual(expect.arrayContaining(["bookworm-app", "bookworm-data", "bookworm-monitoring"]));
    expect(namespaces).not.toContain("bookworm-system");
  });

  it("serves each service on 8080 behind a Service on 80, readiness on /health/ready, rolling 1 up / 0 down", () => {
    for (const svc of SERVICE_NAMES) {
      const d = deployment(stacks[name], svc);
      const c = at(d, "spec.template.spec.containers.0") as Record<string, unknown>;
      expect([svc, at(c, "ports.0.containerPort"), at(c, "readinessProbe.httpGet.path"), at(d, "spec.strategy.rollingUpdate")]).toEqual([svc, 8080, "/health/ready", { maxSurge: 1, maxUnavailable: 0 }]);
      expect(at(stacks[name].find("Service", `bookworm-${svc}`), "spec.ports.0.port")).toBe(80);
    }
  });

  it("routes external traffic to the gateway only", () => {
    const ingresses = stacks[name].objects.filter((o) => o.kind === "Ingress" && o.metadata.namespace === "bookworm-app");
    expect(ingresses.map((i) => at(i, "spec.rules.0.http.paths.0.backend.service.name"))).toEqual(["bookworm-gateway"]);
  });

  it("is schema-valid and every reference resolves (prod's mail relay Secret is the team's)", () => {
    // No Istio schema package is installed: PeerAuthentications are asserted field by field below.
    expect(stacks[name].objects.filter((o) => !o.apiVersion.startsWith("security.istio.io/")).map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(stacks[name].objects, ["bookworm-mail-relay"])).toEqual([]);
  });
});

describe("bookworm: what one image needs in both environments", () => {
  it("gives notification one mail connection name: Mailpit in dev, the relay Secret in prod", () => {
    const devMail = dev().plainEnv(deployment(dev(), "notification"), "ConnectionStrings__mail");
    expect(devMail).toMatch(/^Endpoint=smtp:\/\/bookworm-mail\.bookworm-data\.svc\.cluster\.local:1025$/);
    const prodMail = prod().env(deployment(prod(), "notification")).find((e) => e.name === "ConnectionStrings__mail");
    expect(prodMail?.valueFrom?.secretKeyRef).toEqual({ name: "bookworm-mail-relay", key: "connection-string" });
  });

  it("lets ordering call basket and catalog (east-west), and nothing else call a backend but the gateway", () => {
    const from = (svc: string) =>
      prod()
        .objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.name.startsWith(`bookworm-${svc}-from-`))
        .map((o) => o.metadata.name.replace(`bookworm-${svc}-from-`, ""))
        .sort();
    expect(from("basket")).toEqual(["bookworm-gateway", "bookworm-ordering"]);
    expect(from("catalog")).toEqual(["bookworm-gateway", "bookworm-ordering"]);
    expect(from("finance")).toEqual(["bookworm-gateway"]);
  });

  it("builds Keycloak's image with the build-time options the StatefulSet sets at run time (start --optimized refuses a difference)", () => {
    const dockerfile = /```Dockerfile\n([\s\S]*?)```/.exec(fs.readFileSync(path.join(ROOT, "docs/bookworm.md"), "utf8"))?.[1] ?? "";
    const built = Object.fromEntries([...dockerfile.matchAll(/\b(KC_[A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
    const identity = prod().find("StatefulSet", "bookworm-identity");
    expect(at(identity, "spec.template.spec.containers.0.args")).toEqual(["start", "--optimized"]);
    expect(prod().plainEnv(identity, "KC_HTTP_RELATIVE_PATH")).toBe(built.KC_HTTP_RELATIVE_PATH);
    expect(built).toMatchObject({ KC_DB: "postgres", KC_HEALTH_ENABLED: "true", KC_METRICS_ENABLED: "true" });
  });
});

describe("bookworm dev: the seed's development figures", () => {
  it("requests each service's figure (closest sibling's where the seed has none), limits at the staging ratio", () => {
    const figures = Object.fromEntries(SERVICE_NAMES.map((svc) => [svc, at(deployment(dev(), svc), "spec.template.spec.containers.0.resources")]));
    expect(figures.catalog).toMatchObject({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
    expect(figures.ordering).toMatchObject({ requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1024Mi" } });
    expect(figures.basket).toMatchObject({ requests: { cpu: "100m", memory: "128Mi" } });
    expect(figures.gateway).toMatchObject({ requests: { cpu: "200m", memory: "512Mi" } });
    // Siblings: rating <- catalog, chat <- basket, finance and notification <- ordering.
    expect([figures.rating, figures.chat, figures.finance, figures.notification].map((f) => at(f, "requests"))).toEqual([
      expect.objectContaining({ cpu: "100m", memory: "256Mi" }),
      expect.objectContaining({ cpu: "100m", memory: "128Mi" }),
      expect.objectContaining({ cpu: "200m", memory: "512Mi" }),
      expect.objectContaining({ cpu: "200m", memory: "512Mi" }),
    ]);
  });

  it("runs one replica each, no HPA, Mailpit for mail, single-node data stores", () => {
    expect(SERVICE_NAMES.map((svc) => at(deployment(dev(), svc), "spec.replicas"))).toEqual(SERVICE_NAMES.map(() => 1));
    expect(dev().objects.filter((o) => o.kind === "HorizontalPodAutoscaler")).toEqual([]);
    expect(at(dev().find("StatefulSet", "bookworm-mail"), "spec.replicas")).toBe(1);
    expect(["bookworm-mq", "bookworm-cache", "bookworm-identity"].map((n) => at(dev().find("StatefulSet", n), "spec.replicas"))).toEqual([1, 1, 1]);
  });
});

describe("bookworm prod: the seed's production figures", () => {
  it("gives every service catalog's production block and 3 replicas at least", () => {
    for (const svc of SERVICE_NAMES) {
      const d = deployment(prod(), svc);
      expect([svc, at(d, "spec.template.spec.containers.0.resources")]).toEqual([svc, expect.objectContaining({ requests: expect.objectContaining({ cpu: "200m", memory: "512Mi" }), limits: expect.objectContaining({ cpu: "1000m", memory: "1Gi" }) })]);
      const hpa = prod().objects.find((o) => o.kind === "HorizontalPodAutoscaler" && o.metadata.name === `bookworm-${svc}`);
      expect([svc, hpa ? at(hpa, "spec.minReplicas") : at(d, "spec.replicas")]).toEqual([svc, 3]);
    }
  });

  it("scales on the seed's triggers: CPU 70 % and memory 80 %, queue depth 100, sessions 1000, 1000 requests a minute", () => {
    const metrics = (svc: ServiceName) => at(prod().find("HorizontalPodAutoscaler", `bookworm-${svc}`), "spec.metrics");
    expect(metrics("catalog")).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
      { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
    ]);
    expect(metrics("ordering")).toEqual([{ type: "External", external: { metric: { name: "rabbitmq_queue_messages_ready", selector: { matchLabels: { queue: "ordering" } } }, target: { type: "AverageValue", averageValue: "100" } } }]);
    expect(metrics("basket")).toEqual([{ type: "Pods", pods: { metric: { name: "active_sessions" }, target: { type: "AverageValue", averageValue: "1000" } } }]);
    expect(metrics("gateway")).toEqual([{ type: "Pods", pods: { metric: { name: "http_requests_per_minute" }, target: { type: "AverageValue", averageValue: "1000" } } }]);
    const scaled = SERVICE_NAMES.filter((s) => SERVICES[s].scaling);
    expect(prod().objects.filter((o) => o.kind === "HorizontalPodAutoscaler").map((o) => o.metadata.name).sort()).toEqual(scaled.map((s) => `bookworm-${s}`).sort());
    expect(scaled.map((s) => at(prod().find("HorizontalPodAutoscaler", `bookworm-${s}`), "spec.maxReplicas"))).toEqual(scaled.map(() => BOOKWORM_PROFILES.prod.maxReplicas));
  });

  it("lets the platform's prometheus-adapter query Prometheus, for the HPAs' custom and external metrics", () => {
    const policy = prod().find("NetworkPolicy", "bookworm-obs-prometheus-from-ns-prometheus-adapter");
    expect(at(policy, "spec.ingress.0")).toEqual({
      from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "prometheus-adapter" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus-adapter", "app.kubernetes.io/instance": "prometheus-adapter" } } }],
      ports: [{ port: 9090, protocol: "TCP" }],
    });
    expect(dev().objects.filter((o) => String(o.metadata.name).startsWith("bookworm-obs-prometheus-from-ns-"))).toEqual([]);
  });

  it("runs PostgreSQL on RDS (primary + replica, Keycloak's database apart), Redis on ElastiCache with 3 nodes failing over, a 3-node RabbitMQ cluster, Keycloak in HA, no Mailpit", () => {
    const aws = (type: string) => prod().result.run.resources.filter((r) => r.type === type);
    expect(aws("aws:rds/instance:Instance").map((r) => [r.name, r.inputs.replicateSourceDb ?? null, r.inputs.multiAz]).sort()).toEqual([
      ["bookworm-db", null, true],
      ["bookworm-db-replica-1", "bookworm-db", false],
      ["bookworm-identity-db", null, true],
    ]);
    expect(aws("aws:elasticache/replicationGroup:ReplicationGroup").map((r) => r.inputs)).toEqual([expect.objectContaining({ numCacheClusters: 3, automaticFailoverEnabled: true, multiAzEnabled: true })]);
    expect(at(prod().find("StatefulSet", "bookworm-mq"), "spec.replicas")).toBe(3);
    expect(at(prod().find("StatefulSet", "bookworm-identity"), "spec.replicas")).toBe(2);
    expect(prod().objects.filter((o) => o.metadata.name === "bookworm-mail")).toEqual([]);
  });

  it("meshes bookworm-app with Istio: injection label and STRICT mTLS; the gateway's port admits the ingress controller", () => {
    expect(prod().find("Namespace", "bookworm-app").metadata.labels).toMatchObject({ "istio-injection": "enabled" });
    expect(at(prod().find("PeerAuthentication", "default"), "spec.mtls.mode")).toBe("STRICT");
    expect(prod().find("Namespace", "bookworm-data").metadata.labels?.["istio-injection"]).toBeUndefined();
    expect(at(prod().find("PeerAuthentication", "bookworm-gateway-ingress"), "spec.portLevelMtls")).toEqual({ "8080": { mode: "PERMISSIVE" } });
  });
});
