/** The composerp blueprint (seed 004): the seed's numbers on the recorded objects, in dev and prod. */
import { COMPOSERP_SERVICES, HOSTS } from "../../stacks/composerp";
import { BlueprintStack, synthStacks } from "../helpers/blueprint";
import { integrityProblems } from "../helpers/integrity";
import { schemaProblems } from "../helpers/schema";
import { at } from "../helpers/synth";

let stacks: Record<string, BlueprintStack>;
const dev = () => stacks["composerp-dev"];
const prod = () => stacks["composerp-prod"];
const deployment = (s: BlueprintStack, service: string) => s.find("Deployment", `composerp-${service}`);

beforeAll(async () => {
  stacks = await synthStacks(["composerp-dev", "composerp-prod"]);
});

describe.each(["composerp-dev", "composerp-prod"])("%s", (name) => {
  it("runs each service on 3000 behind a Service on 80 with the seed's resources and probes", () => {
    for (const service of COMPOSERP_SERVICES) {
      const c = at(deployment(stacks[name], service), "spec.template.spec.containers.0") as Record<string, unknown>;
      expect([service, at(c, "ports.0.containerPort"), at(stacks[name].find("Service", `composerp-${service}`), "spec.ports.0.port")]).toEqual([service, 3000, 80]);
      expect(at(c, "resources")).toMatchObject({ requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
      expect(at(c, "livenessProbe")).toMatchObject({ httpGet: { path: "/health", port: 3000 }, initialDelaySeconds: 30, periodSeconds: 10 });
      expect(at(c, "readinessProbe")).toMatchObject({ httpGet: { path: "/ready", port: 3000 }, initialDelaySeconds: 5, periodSeconds: 5 });
    }
  });

  it("gives every service DATABASE_URL from a Secret and KAFKA_BROKERS (in the cluster the brokers' bootstrap Service; on MSK its SASL/SCRAM bootstrap brokers)", () => {
    for (const service of COMPOSERP_SERVICES) {
      const d = deployment(stacks[name], service);
      expect(stacks[name].env(d).find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef).toBeDefined();
      const brokers = stacks[name].plainEnv(d, "KAFKA_BROKERS") ?? "";
      if (name === "composerp-prod") {
        expect(brokers.split(",")).toEqual([1, 2, 3].map((b) => `b-${b}.composerp-kafka.lbk2x0.c2.kafka.eu-west-1.amazonaws.com:9096`));
        expect(stacks[name].plainEnv(d, "KAFKA_SECURITY_PROTOCOL")).toBe("SASL_SSL");
        expect(stacks[name].env(d).find((e) => e.name === "KAFKA_PASSWORD")?.valueFrom?.secretKeyRef).toBeDefined();
      } else {
        expect(brokers).toBe("composerp-kafka.composerp-data.svc.cluster.local:9092");
        expect(at(stacks[name].find("Service", "composerp-kafka"), "spec.ports.0.port")).toBe(9092);
      }
    }
  });

  it("routes each service through its own Ingress with cert-manager TLS, and admits only the ingress controller and Prometheus (no api-gateway)", () => {
    for (const service of COMPOSERP_SERVICES) {
      const ingress = stacks[name].find("Ingress", `composerp-${service}`);
      const host = at(ingress, "spec.rules.0.host") as string;
      expect(host.startsWith(`${HOSTS[service]}.`)).toBe(true);
      expect(at(ingress, "spec.tls.0.hosts")).toEqual([host]);
      expect(Object.keys(ingress.metadata.annotations ?? {}).some((k) => k.startsWith("cert-manager.io/"))).toBe(true);
      const from = (at(stacks[name].find("NetworkPolicy", `composerp-${service}-netpol`), "spec.ingress") as { from: { namespaceSelector: { matchLabels: Record<string, string> } }[] }[]).map((r) => r.from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]);
      expect(from).toEqual(["ingress-nginx", "composerp-monitoring"]);
    }
  });

  it("runs Kafka as 3 brokers (KRaft in the cluster, MSK in prod) with replication factor 3 and 2 in sync", () => {
    const msk = stacks[name].result.run.resources.filter((r) => r.type === "aws:msk/cluster:Cluster");
    const properties =
      name === "composerp-prod"
        ? String(stacks[name].result.run.resources.find((r) => r.type === "aws:msk/configuration:Configuration")?.inputs.serverProperties)
        : Object.values(stacks[name].objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("composerp-kafka-config"))?.data as Record<string, string>).join("\n");
    expect(name === "composerp-prod" ? msk[0].inputs.numberOfBrokerNodes : at(stacks[name].find("StatefulSet", "composerp-kafka"), "spec.replicas")).toBe(3);
    expect(properties).toMatch(/^default\.replication\.factor=3$/m);
    expect(properties).toMatch(/^min\.insync\.replicas=2$/m);
  });

  it("is schema-valid and every reference resolves", () => {
    expect(stacks[name].objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(stacks[name].objects)).toEqual([]);
  });
});

describe("composerp prod: the seed's production figures", () => {
  it("scales each service 3-10 at 70 % CPU, spread over zones and nodes", () => {
    for (const service of COMPOSERP_SERVICES) {
      const hpa = prod().find("HorizontalPodAutoscaler", `composerp-${service}`);
      expect(at(hpa, "spec")).toMatchObject({ minReplicas: 3, maxReplicas: 10, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }] });
      const spread = at(deployment(prod(), service), "spec.template.spec.topologySpreadConstraints") as { topologyKey: string }[];
      expect(spread.map((t) => t.topologyKey).sort()).toEqual(["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
    }
  });

  it("runs PostgreSQL on RDS at the seed's size (db.r5.xlarge: 4 vCPU, 32 GiB; its Graviton successor db.r7g.xlarge) with 500Gi, a replica, and automated backups kept 7 days", () => {
    const rds = prod().result.run.resources.filter((r) => r.type === "aws:rds/instance:Instance");
    expect(rds.map((r) => [r.name, r.inputs.instanceClass])).toEqual([
      ["composerp-db", "db.r7g.xlarge"],
      ["composerp-db-replica-1", "db.r7g.xlarge"],
    ]);
    expect(rds[0].inputs).toMatchObject({ allocatedStorage: 500, storageType: "gp3", multiAz: true, backupRetentionPeriod: 7, backupWindow: "03:00-03:30" });
    // No in-cluster backup (RDS keeps its own): no CronJob, no bucket for it.
    expect(prod().objects.filter((o) => o.kind === "CronJob")).toEqual([]);
    expect(prod().result.run.resources.filter((r) => r.type === "aws:s3/bucket:Bucket")).toEqual([]);
  });

  it("keeps logs 30 days and traces with Tempo", () => {
    const loki = Object.values(prod().objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("composerp-obs-loki-config"))?.data as Record<string, string>).join("\n");
    expect(loki).toMatch(/retention_period: 720h/);
    expect(prod().find("StatefulSet", "composerp-obs-tempo").metadata.namespace).toBe("composerp-monitoring");
  });
});

describe("composerp dev", () => {
  it("runs one pod per service, no HPA, the same 3-broker Kafka, no backups", () => {
    expect(COMPOSERP_SERVICES.map((s) => at(deployment(dev(), s), "spec.replicas"))).toEqual([1, 1, 1]);
    expect(dev().objects.filter((o) => o.kind === "HorizontalPodAutoscaler" || o.kind === "CronJob")).toEqual([]);
  });
});
