/** The prod stack of req1 (seed 000): HA data stores, backups, protection. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synth } from "../../offline/synth";
import type { KubernetesObject } from "../../offline/manifests";
import { ROOT } from "../helpers/cli";
import { at } from "../helpers/synth";

let objects: KubernetesObject[];
let resources: Awaited<ReturnType<typeof synth>>["run"]["resources"];
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as KubernetesObject;

beforeAll(async () => {
  const result = await synth({ stack: "prod", dir: ROOT, out: fs.mkdtempSync(path.join(os.tmpdir(), "keel-prod-")) });
  objects = result.manifests.map((m) => m.object);
  resources = result.run.resources;
});

describe("keel synth --stack prod (req1)", () => {
  it("runs PostgreSQL as a primary and a streaming replica with 50Gi each, backups kept 30 days", () => {
    expect(at(find("StatefulSet", "req1-db-primary"), "spec.replicas")).toBe(1);
    expect(at(find("StatefulSet", "req1-db-replica"), "spec.replicas")).toBe(1);
    expect(at(find("StatefulSet", "req1-db-replica"), "spec.volumeClaimTemplates.0.spec")).toMatchObject({ storageClassName: "gp3", resources: { requests: { storage: "50Gi" } } });
    const env = (at(find("CronJob", "req1-db-backup"), "spec.jobTemplate.spec.template.spec.containers.0.env") as { name: string; value?: string }[]).find((e) => e.name === "RETENTION_DAYS");
    expect(env?.value).toBe("30");
    expect(at(find("CronJob", "req1-db-backup"), "spec.schedule")).toBe("0 3 * * *");
  });

  it("runs SeaweedFS with 3 masters, 4 volume servers, placement 001 and erasure coding", () => {
    expect(at(find("StatefulSet", "req1-files-master"), "spec.replicas")).toBe(3);
    expect(at(find("StatefulSet", "req1-files-volume"), "spec.replicas")).toBe(4);
    expect(at(find("StatefulSet", "req1-files-master"), "spec.template.spec.containers.0.args")).toContain("-defaultReplication=001");
    const toml = objects.find((o) => o.kind === "ConfigMap" && (o.data as Record<string, string> | undefined)?.["master.toml"])?.data as Record<string, string>;
    expect(toml["master.toml"]).toContain("ec.encode -fullPercent=95 -quietFor=1h");
    expect(at(find("Deployment", "req1-files-s3"), "spec.replicas")).toBe(2);
  });

  it("protects the data stores' StatefulSets and credentials against deletion", () => {
    for (const name of ["req1-db-primary-statefulset", "req1-db-replica-statefulset", "req1-redis-statefulset", "req1-files-volume-statefulset", "req1-db-credentials", "req1-db-backup-passphrase-password"]) {
      const r = resources.find((x) => x.name === name);
      expect([name, r?.protect]).toEqual([name, true]);
    }
  });
});
