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

  it("gives every service DATABASE_URL from a Secret and KAFKA_BROKERS (the brokers' bootstrap Service; clients learn each broker from it)", () => {
    for (const service of COMPOSERP_SERVICES) {
      const d = deployment(stacks[name], service);
      expect(stacks[name].env(d).find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef).toBeDefined();
      const brokers = stacks[name].plainEnv(d, "KAFKA_BROKERS") ?? "";
      expect(brokers).toBe("composerp-kafka.composerp-data.svc.cluster.local:9092");
      expect(at(stacks[name].find("Service", "composerp-kafka"), "spec.ports.0.port")).toBe(9092);
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

  it("runs Kafka as 3 KRaft brokers with replication factor 3 and 2 in sync", () => {
    expect(at(stacks[name].find("StatefulSet", "composerp-kafka"), "spec.replicas")).toBe(3);
    const properties = Object.values(stacks[name].objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("composerp-kafka-config"))?.data as Record<string, string>).join("\n");
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

  it("sizes PostgreSQL like the seed's db.r5.xlarge (4 vCPU, 32 GiB) with 500Gi, a replica, and backups kept 7 days", () => {
    const primary = prod().find("StatefulSet", "composerp-db-primary");
    expect(at(primary, "spec.template.spec.containers.0.resources.limits")).toMatchObject({ cpu: "4", memory: "32Gi" });
    expect(at(primary, "spec.volumeClaimTemplates.0.spec.resources.requests.storage")).toBe("500Gi");
    expect(at(prod().find("StatefulSet", "composerp-db-replica"), "spec.replicas")).toBe(1);
    const backup = prod().find("CronJob", "composerp-db-backup");
    const env = prod().env({ ...backup, spec: at(backup, "spec.jobTemplate.spec") } as typeof backup);
    expect([at(backup, "spec.schedule"), env.find((e) => e.name === "RETENTION_DAYS")?.value]).toEqual(["0 3 * * *", "7"]);
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
