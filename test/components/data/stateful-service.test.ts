import { ApiService, PostgresCluster, StatefulService, StatefulServiceArgs } from "../../../components";
import { integrityProblems } from "../../helpers/integrity";
import { testPlatform } from "../../helpers/platform";
import { schemaProblems } from "../../helpers/schema";
import { at, synthesize } from "../../helpers/synth";

type Obj = Record<string, unknown>;

const rabbit = (extra: Partial<StatefulServiceArgs> = {}): Omit<StatefulServiceArgs, "platform"> => ({
  image: "rabbitmq:3.13.7-management-alpine",
  ports: [{ name: "amqp", port: 5672 }, { name: "http", port: 15672 }],
  volumes: [{ name: "data", mountPath: "/var/lib/rabbitmq", size: "8Gi" }],
  security: { runAsUser: 100, runAsGroup: 101, fsGroup: 101 },
  clientEnv: { RABBITMQ_URL: "amqp://{host}:{port}" },
  ...extra,
});

describe("StatefulService", () => {
  it("runs one image with a volume per replica, probes on its first port, a PDB and spread when replicated", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      const mq = new StatefulService("mq", { platform, replicas: 3, ...rabbit() });
      new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [mq.connection] });
    });
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(s.objects)).toEqual([]);
    const sts = s.object("StatefulSet", "mq");
    expect(at(sts, "spec.replicas")).toBe(3);
    expect(at(sts, "spec.serviceName")).toBe("mq-headless");
    expect(at(sts, "spec.volumeClaimTemplates.0.spec.resources.requests.storage")).toBe("8Gi");
    expect(at(sts, "spec.template.spec.containers.0.volumeMounts")).toContainEqual({ name: "data", mountPath: "/var/lib/rabbitmq" });
    expect(at(sts, "spec.template.spec.containers.0.livenessProbe")).toMatchObject({ tcpSocket: { port: 5672 }, periodSeconds: 15 });
    expect(at(sts, "spec.template.spec.containers.0.readinessProbe")).toMatchObject({ tcpSocket: { port: 5672 }, periodSeconds: 5 });
    expect(at(sts, "spec.template.spec.affinity.podAntiAffinity")).toBeDefined();
    expect(s.object("PodDisruptionBudget", "mq").spec).toMatchObject({ maxUnavailable: 1 });
    expect(s.all("ConfigMap").find((c) => c.metadata.name.startsWith("api-env"))?.data).toMatchObject({ RABBITMQ_URL: "amqp://mq.data.svc.cluster.local:5672" });
    expect(at(s.object("NetworkPolicy", "mq-clients-from-api"), "spec.ingress.0.ports")).toEqual([{ port: 5672, protocol: "TCP" }, { port: 15672, protocol: "TCP" }]);
  });

  it("takes connections itself (Keycloak on PostgreSQL): secret env and network access both ways", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      const db = new PostgresCluster("kc-db", { platform });
      new StatefulService("keycloak", {
        platform,
        image: "quay.io/keycloak/keycloak:26.0.5",
        args: ["start"],
        ports: [{ name: "http", port: 8080 }],
        connections: [{ connection: db.connection, rename: { DATABASE_URL: "KC_DB_URL" } }],
        probes: { liveness: { path: "/health/live", port: 9000 }, readiness: { path: "/health/ready", port: 9000 } },
        singleReplicaReason: "sessions are kept in the database; one node restarts fast",
      });
    });
    const env = at(s.object("StatefulSet", "keycloak"), "spec.template.spec.containers.0.env") as Obj[];
    expect(env).toContainEqual({ name: "KC_DB_URL", valueFrom: { secretKeyRef: { name: expect.stringMatching(/^keycloak-env-/), key: "KC_DB_URL" } } });
    expect(s.object("StatefulSet", "keycloak").metadata.annotations).toEqual({ "exempt.keel.dev/replicas-minimum": "sessions are kept in the database; one node restarts fast" });
    expect(s.object("NetworkPolicy", "kc-db-clients-from-keycloak")).toBeDefined();
  });

  it("explains bad input per field", async () => {
    await synthesize(() => {
      expect(() => new StatefulService("mq", { platform: testPlatform(), image: "rabbitmq", ports: [], volumes: [{ name: "Data", mountPath: "data", size: "8 GB" }] })).toThrow(
        [
          'StatefulService "mq": image is "rabbitmq"; expected a pinned tag or digest, e.g. "ghcr.io/org/app:1.4.2" or "app@sha256:..."',
          'StatefulService "mq": ports is []; expected at least one port, e.g. [{ name: "http", port: 8080 }]',
          'StatefulService "mq": volumes[0].name is "Data"; expected a DNS-1123 name other than "tmp"',
          'StatefulService "mq": volumes[0].mountPath is "data"; expected an absolute path such as "/var/lib/app"',
          'StatefulService "mq": volumes[0].size is "8 GB"; expected bytes with a unit such as "512Mi", "2Gi" or "500M" (did you mean "8Gi"?)',
        ].join("\n"),
      );
    });
  });
});
