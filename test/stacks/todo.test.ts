/** The todo blueprint (seed 002): the seed's numbers on the recorded objects, in dev and prod. */
import { BlueprintStack, synthStacks } from "../helpers/blueprint";
import { integrityProblems } from "../helpers/integrity";
import { schemaProblems } from "../helpers/schema";
import { at } from "../helpers/synth";

let stacks: Record<string, BlueprintStack>;
const objectsOf = (stack: string) => stacks[stack].objects;
const find = (stack: string, kind: string, name: string) => stacks[stack].find(kind, name);

beforeAll(async () => {
  stacks = await synthStacks(["todo-dev", "todo-prod"]);
});

describe.each(["todo-dev", "todo-prod"])("%s", (stack) => {
  it("runs the app on port 8000 behind a Service on 80, with the seed's resources and probes", () => {
    const app = find(stack, "Deployment", "todo-app");
    const c = at(app, "spec.template.spec.containers.0") as Record<string, unknown>;
    expect(at(c, "ports.0")).toMatchObject({ name: "http", containerPort: 8000 });
    expect(at(find(stack, "Service", "todo-app"), "spec.ports.0")).toMatchObject({ port: 80, targetPort: "http" });
    expect(at(c, "resources")).toMatchObject({ requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } });
    expect(at(c, "livenessProbe")).toMatchObject({ httpGet: { path: "/health", port: 8000 }, initialDelaySeconds: 30, periodSeconds: 10 });
    expect(at(c, "readinessProbe")).toMatchObject({ httpGet: { path: "/health", port: 8000 }, initialDelaySeconds: 5, periodSeconds: 5 });
    expect(at(c, "startupProbe")).toBeUndefined();
  });

  it("reads DATABASE_URL and a generated JWT_SECRET from Secrets, never from plain values", () => {
    const env = stacks[stack].env(find(stack, "Deployment", "todo-app"));
    for (const name of ["DATABASE_URL", "JWT_SECRET"]) {
      const e = env.find((x) => x.name === name);
      expect([name, e?.value, typeof e?.valueFrom?.secretKeyRef?.name]).toEqual([name, undefined, "string"]);
    }
    expect(objectsOf(stack).map((o) => JSON.stringify(o)).join("\n")).not.toMatch(/postgresql:\/\/todo_app:[^@\s"]+@/);
  });

  it("is schema-valid and every reference resolves", () => {
    expect(objectsOf(stack).map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(objectsOf(stack))).toEqual([]);
  });
});

describe("todo: what differs between dev and prod", () => {
  it("dev: one app pod, RUST_LOG=debug, a primary only", () => {
    expect(at(find("todo-dev", "Deployment", "todo-app"), "spec.replicas")).toBe(1);
    expect(stacks["todo-dev"].plainEnv(find("todo-dev", "Deployment", "todo-app"), "RUST_LOG")).toBe("debug");
    // The app binds ADDRESS (127.0.0.1 by default, which no probe reaches); the seed's table says HOST.
    expect(["ADDRESS", "HOST", "PORT"].map((n) => stacks["todo-dev"].plainEnv(find("todo-dev", "Deployment", "todo-app"), n))).toEqual(["0.0.0.0", "0.0.0.0", "8000"]);
    expect(objectsOf("todo-dev").filter((o) => o.kind === "StatefulSet" && o.metadata.name.startsWith("todo-db")).map((o) => o.metadata.name)).toEqual(["todo-db-primary"]);
  });

  it("prod: 3 app pods, RUST_LOG=info, PostgreSQL on RDS with 2 read replicas, DATABASE_READ_URL on the first", () => {
    const app = find("todo-prod", "Deployment", "todo-app");
    expect(at(app, "spec.replicas")).toBe(3);
    expect(stacks["todo-prod"].plainEnv(app, "RUST_LOG")).toBe("info");
    const replicas = stacks["todo-prod"].result.run.resources.filter((r) => r.type === "aws:rds/instance:Instance" && r.inputs.replicateSourceDb === "todo-db");
    expect(replicas.map((r) => r.name)).toEqual(["todo-db-replica-1", "todo-db-replica-2"]);
    expect(stacks["todo-prod"].env(app).map((e) => e.name)).toEqual(expect.arrayContaining(["DATABASE_URL", "DATABASE_READ_URL"]));
  });

  it("prod: Prometheus and Grafana run, no tracing backend (the seed's app does not trace)", () => {
    const names = objectsOf("todo-prod").filter((o) => ["StatefulSet", "Deployment", "DaemonSet"].includes(o.kind)).map((o) => o.metadata.name);
    expect(names).toEqual(expect.arrayContaining(["todo-obs-prometheus", "todo-obs-grafana", "todo-obs-loki"]));
    expect(names.filter((n) => /tempo|otel-collector|pushgateway/.test(n))).toEqual([]);
  });
});
