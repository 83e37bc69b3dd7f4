/** The prod stack of req1 (seed 000) on the aws platform: HA data on RDS, ElastiCache and S3, backups, protection. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synth } from "../../offline/synth";
import type { KubernetesObject } from "../../offline/manifests";
import { ROOT } from "../helpers/cli";
import { at } from "../helpers/synth";

let objects: KubernetesObject[];
let resources: Awaited<ReturnType<typeof synth>>["run"]["resources"];
const resource = (name: string, type: string) => {
  const found = resources.filter((r) => r.name === name && r.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} ${name}, found ${found.length}`);
  return found[0];
};

beforeAll(async () => {
  const result = await synth({ stack: "prod", dir: ROOT, out: fs.mkdtempSync(path.join(os.tmpdir(), "keel-prod-")) });
  objects = result.manifests.map((m) => m.object);
  resources = result.run.resources;
});

describe("keel synth --stack prod (req1)", () => {
  it("runs PostgreSQL on RDS: a Multi-AZ primary and a read replica with 50Gi gp3, automated backups kept 30 days from 03:00 UTC", () => {
    const primary = resource("req1-db", "aws:rds/instance:Instance").inputs;
    expect(primary).toMatchObject({ multiAz: true, allocatedStorage: 50, storageType: "gp3", backupRetentionPeriod: 30, backupWindow: "03:00-03:30", instanceClass: "db.m7g.large" });
    expect(resource("req1-db-replica-1", "aws:rds/instance:Instance").inputs).toMatchObject({ replicateSourceDb: "req1-db", multiAz: false });
    // No in-cluster backup: RDS keeps its own, and nothing waits for a backup Job's metrics.
    expect(objects.filter((o) => o.kind === "CronJob" || (o.kind === "StatefulSet" && String(o.metadata.name).startsWith("req1-db")))).toEqual([]);
    expect(objects.some((o) => o.kind === "Deployment" && o.metadata.name === "req1-obs-pushgateway")).toBe(false);
  });

  it("keeps files in an S3 bucket the API reaches with a role of its own, without keys", () => {
    expect(resources.filter((r) => r.type === "aws:s3/bucket:Bucket").map((b) => b.inputs.bucket)).toEqual(["req1-files-123456789012-eu-west-1"]);
    const env = at(objects.find((o) => o.kind === "Deployment" && o.metadata.name === "req1-api") as KubernetesObject, "spec.template.spec.containers.0.env") as { name: string }[];
    expect(env.map((e) => e.name)).toEqual(expect.arrayContaining(["DATABASE_URL", "DATABASE_READ_URL", "REDIS_URL", "S3_ENDPOINT", "S3_BUCKET_REQ1_FILES"]));
    expect(env.map((e) => e.name)).not.toContain("AWS_SECRET_ACCESS_KEY");
    const policy = JSON.parse(String(resource("req1-api-aws-role-policy", "aws:iam/rolePolicy:RolePolicy").inputs.policy)) as { Statement: { Resource: string | string[] }[] };
    expect(JSON.stringify(policy.Statement.map((s) => s.Resource))).toContain("arn:aws:s3:::req1-files-123456789012-eu-west-1/*");
  });

  it("protects the stateful AWS resources against deletion: the database, its replica (RDS deletion protection), Redis, the bucket and their keys", () => {
    for (const [name, type] of [
      ["req1-db", "aws:rds/instance:Instance"],
      ["req1-db-key", "aws:kms/key:Key"],
      ["req1-redis", "aws:elasticache/replicationGroup:ReplicationGroup"],
      ["req1-files-req1-files", "aws:s3/bucket:Bucket"],
      ["req1-files-s3-key", "aws:kms/key:Key"],
    ]) {
      const r = resource(name, type);
      expect([name, r.protect, r.options.retainOnDelete]).toEqual([name, true, true]);
    }
    expect(resource("req1-db", "aws:rds/instance:Instance").inputs).toMatchObject({ deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "req1-db-final" });
    expect(resource("req1-db-replica-1", "aws:rds/instance:Instance").inputs).toMatchObject({ deletionProtection: true });
  });
});
