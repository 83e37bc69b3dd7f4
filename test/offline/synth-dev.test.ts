import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SynthResult, synth } from "../../offline/synth";
import { ROOT } from "../helpers/cli";
import { integrityProblems } from "../helpers/integrity";
import { schemaProblems } from "../helpers/schema";

const SECRET = "oidc-client-secret-that-must-not-leak";
let result: SynthResult;
let out: string;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-dev-"));
  result = await synth({ stack: "dev", dir: ROOT, out, config: { "keel:req1OidcClientSecret": SECRET }, secretKeys: ["keel:req1OidcClientSecret"] });
});

function readAll(dir: string): string {
  return fs.readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? readAll(path.join(dir, e.name)) : fs.readFileSync(path.join(dir, e.name), "utf8"))).join("\n");
}

describe("keel synth --stack dev", () => {
  it("writes manifests, plan, topology, capacity and the pack config with the cluster facts", () => {
    const dir = path.join(out, "dev");
    expect(fs.readdirSync(dir).sort()).toEqual([".keel-synth", "capacity.md", "manifests", "plan.json", "policy-pack-config.json", "topology.mmd"]);
    const config = JSON.parse(fs.readFileSync(path.join(dir, "policy-pack-config.json"), "utf8"));
    expect(config["stack-flows"].enforcementLevel).toBe("mandatory");
    expect(config["stack-flows"].cluster.ingressController).toEqual({ className: "nginx", namespace: "ingress-nginx", podLabels: { "app.kubernetes.io/name": "ingress-nginx" } });
    expect(config["image-contents"].images.map((i: { reference: string }) => i.reference)).toContain("postgres:16.4-alpine");
    expect(config["container-probes"]).toBe("mandatory");
    expect(fs.readdirSync(path.join(dir, "manifests"))).toEqual(expect.arrayContaining(["40-deployment-req1-req1-api.yaml", "30-service-req1-req1-api.yaml", "60-ingress-req1-req1-api.yaml"]));
    const plan = JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8"));
    expect(plan.stack).toBe("dev");
    expect(Object.keys(plan.resources[0]).sort()).toEqual(["dependencies", "inputs", "name", "parent", "type", "urn"]);
  });

  it("writes only schema-valid Kubernetes objects", () => {
    expect(result.manifests.length).toBeGreaterThan(8);
    expect(result.manifests.map((m) => schemaProblems(m.object)).filter(Boolean)).toEqual([]);
  });

  it("points only at objects that exist, with no value built from undefined", () => {
    expect(integrityProblems(result.manifests.map((m) => m.object))).toEqual([]);
  });

  it("never writes a secret", () => {
    const written = readAll(out);
    expect(written).not.toContain(SECRET);
    const secret = result.manifests.find((m) => m.object.kind === "Secret" && m.object.metadata.name.startsWith("req1-api-env-"));
    expect(secret?.object.stringData).toEqual({ OIDC_CLIENT_SECRET: "[secret]", DATABASE_URL: "[secret]", REDIS_URL: "[secret]", AWS_ACCESS_KEY_ID: "[secret]", AWS_SECRET_ACCESS_KEY: "[secret]" });
    for (const m of result.manifests.filter((x) => x.object.kind === "Secret")) {
      for (const value of Object.values((m.object.stringData ?? {}) as Record<string, string>)) expect([m.object.metadata.name, value]).toEqual([m.object.metadata.name, expect.not.stringMatching(/[A-Za-z0-9]{32}/)]);
    }
  });

  it("draws the monitoring namespace and its flows", () => {
    expect(result.topology).toContain('subgraph ns_monitoring["namespace monitoring"]');
    expect(result.topology).toContain('w_monitoring_req1_obs_prometheus[("req1-obs-prometheus<br/>StatefulSet x1")]');
    expect(result.topology).toContain('w_req1_req1_api -->|"TCP 4317, TCP 4318"| w_monitoring_req1_obs_otel_collector');
    // Metrics on their own port: Prometheus reaches 9100, the ingress controller only the API's 8080.
    expect(result.topology).toContain('w_monitoring_req1_obs_prometheus -->|"TCP 9100"| w_req1_req1_api');
  });

  it("draws the API behind its ingress and its allowed flows", () => {
    expect(result.topology).toContain('internet -->|"HTTPS req1.dev.example.com"| ing_req1_req1_api');
    expect(result.topology).toContain('w_req1_req1_api -->|"TCP 443"| cidr_0_0_0_0_0');
    expect(result.topology).toContain('x_ingress_nginx_name_ingress_nginx -->|"TCP 8080"| w_req1_req1_api');
    const ingress = result.manifests.map((m) => m.object).find((o) => o.kind === "Ingress" && o.metadata.name === "req1-api");
    expect(JSON.stringify(ingress?.spec)).toContain('"port":{"number":80}');
  });

  it("loads PostgreSQL's own alert rules into Prometheus with the defaults", () => {
    const config = result.manifests.map((m) => m.object).find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("req1-obs-prometheus-config"));
    const rules = String((config as unknown as { data: Record<string, string> }).data["rules.yml"]);
    for (const alert of ["TargetDown", "WalSpoolAlmostFull", "PostgresReplicaSlotLost"]) expect(rules).toContain(`alert: ${alert}`);
  });

  it("lets Redis evict expiring keys at maxmemory rather than fail every write (sessions, cache, rate limits)", () => {
    const config = result.manifests.map((m) => m.object).find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("req1-redis-config"));
    expect(String((config as unknown as { data: Record<string, string> }).data["redis.conf"])).toContain("maxmemory-policy volatile-lru");
  });

  it("draws req1's data stores and the API's flows to them (seed 000)", () => {
    expect(result.topology).toContain('w_data_req1_db_primary[("req1-db-primary<br/>StatefulSet x1")]');
    expect(result.topology).toContain('w_data_req1_redis[("req1-redis<br/>StatefulSet x1")]');
    expect(result.topology).toContain('subgraph ns_storage["namespace storage"]');
    expect(result.topology).toContain('w_req1_req1_api -->|"TCP 5432"| w_data_req1_db_primary');
    expect(result.topology).toContain('w_req1_req1_api -->|"TCP 6379"| w_data_req1_redis');
    expect(result.topology).toContain('w_req1_req1_api -->|"TCP 8333"| w_storage_req1_files_s3');
    expect(result.topology).toContain('w_data_req1_db_backup -->|"TCP 8333"| w_storage_req1_files_s3');
    expect(result.topology).toContain('w_data_req1_db_primary -->|"TCP 8333"| w_storage_req1_files_s3');
    // The API reaches the database servers, not the backup job's pods.
    expect(result.topology).not.toContain("w_req1_req1_api -->|\"TCP 5432\"| w_data_req1_db_backup");
  });

  it("sums capacity per namespace", () => {
    expect(result.capacity).toContain("| req1 | req1-api | Deployment | 1 | 100m | 500m | 128Mi | 256Mi | - |");
    expect(result.capacity).toContain("| monitoring | req1-obs-prometheus | StatefulSet | 1 | 250m | 1 | 1Gi | 2Gi | 10Gi |");
    expect(result.capacity).toContain("| **monitoring** | **subtotal** |  |  | **800m** | **4.5** | **2.03Gi** | **5.44Gi** | **50Gi** |");
    expect(result.capacity).toContain("| data | req1-db-primary | StatefulSet | 1 | 350m | 1.5 | 640Mi | 1.25Gi | 5Gi |");
    expect(result.capacity).toContain("| data | req1-redis | StatefulSet | 1 | 100m | 450m | 160Mi | 384Mi | 1Gi |");
    expect(result.capacity).toContain("| storage | req1-files-volume | StatefulSet | 1 | 100m | 1 | 256Mi | 1Gi | 10Gi |");
    // SeaweedFS: master 1Gi + volume 10Gi + filer 5Gi + the filer's metadata backups 5Gi.
    expect(result.capacity).toContain("| storage | req1-files-filer-backup | PersistentVolumeClaim |  | 0 | 0 | - | - | 5Gi |");
    expect(result.capacity).toContain("| **storage** | **subtotal** |  |  | **400m** | **3.5** | **768Mi** | **3Gi** | **21Gi** |");
    expect(result.capacity).toContain("| **all** | **total** |  |  | **1.8** | **10.95** | **3.75Gi** | **10.56Gi** | **77Gi** |");
  });
});
