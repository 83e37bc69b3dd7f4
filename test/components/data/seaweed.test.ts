import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { gunzipSync, gzipSync } from "zlib";
import { parse } from "yaml";
import {
  ApiService, PostgresCluster, SeaweedStorage, SeaweedStorageArgs, copiesOf, filerFlags, filerMetaBackupScript, filerMetaRestoreScript, masterFlags, masterToml, placementProblem, s3Config, s3Flags, volumeFlags, volumeSlots,
} from "../../../components";
import { integrityProblems } from "../../helpers/integrity";
import { testPlatform } from "../../helpers/platform";
import { schemaProblems } from "../../helpers/schema";
import { Synthesized, at, synthesize, unwrap } from "../../helpers/synth";

type Obj = Record<string, unknown>;
type Kind = "int" | "string" | "bool" | "addresses" | "placement";

/** SeaweedFS' documented flags (`weed <command> -h`, weed/command/*.go) and their value types. */
const DOCUMENTED: Record<string, Record<string, Kind>> = {
  master: { port: "int", mdir: "string", peers: "addresses", ip: "string", "ip.bind": "string", defaultReplication: "placement", volumeSizeLimitMB: "int", metricsPort: "int", volumePreallocate: "bool", garbageThreshold: "string" },
  volume: { port: "int", dir: "string", max: "int", mserver: "addresses", ip: "string", "ip.bind": "string", dataCenter: "string", rack: "string", index: "string", minFreeSpacePercent: "int", preStopSeconds: "int", metricsPort: "int", publicUrl: "string", fileSizeLimitMB: "int" },
  filer: { port: "int", master: "addresses", ip: "string", "ip.bind": "string", defaultReplicaPlacement: "placement", metricsPort: "int", collection: "string", dataCenter: "string", rack: "string" },
  s3: { port: "int", filer: "addresses", config: "string", metricsPort: "int", domainName: "string", "cert.file": "string", "key.file": "string" },
};

function checkFlags(command: string, flags: Obj): string[] {
  const problems: string[] = [];
  for (const [flag, value] of Object.entries(flags)) {
    const kind = DOCUMENTED[command][flag];
    if (!kind) problems.push(`${command}: -${flag} is not a documented option`);
    else if (kind === "int" && !Number.isInteger(value)) problems.push(`${command}: -${flag}=${String(value)} is not an integer`);
    else if (kind === "bool" && typeof value !== "boolean") problems.push(`${command}: -${flag} is not a boolean`);
    else if (kind === "placement" && !/^\d{3}$/.test(String(value))) problems.push(`${command}: -${flag}=${String(value)} is not a placement`);
    else if (kind === "addresses" && !String(value).split(",").every((a) => /^[a-z0-9.-]+:\d+$/.test(a))) problems.push(`${command}: -${flag}=${String(value)} is not a host:port list`);
    else if (kind === "string" && typeof value !== "string") problems.push(`${command}: -${flag} is not a string`);
  }
  return problems;
}

describe("SeaweedFS configuration against the documented options", () => {
  const t = { masters: ["m-0.m.storage.svc.cluster.local:9333", "m-1.m.storage.svc.cluster.local:9333"], ip: "v-0.v.storage.svc.cluster.local" };
  it("uses only documented flags with values of the documented types", () => {
    expect([
      ...checkFlags("master", masterFlags({ ...t, replication: "001", volumeSizeLimitMB: 1024 })),
      ...checkFlags("volume", volumeFlags({ ...t, rack: "rack0", dataCenter: "dc1" })),
      ...checkFlags("filer", filerFlags({ ...t, replication: "001" })),
      ...checkFlags("s3", s3Flags("f.storage.svc.cluster.local:8888")),
    ]).toEqual([]);
  });
  it("writes the S3 identities file SeaweedFS reads", () => {
    const parsed = JSON.parse(s3Config([{ name: "admin", accessKey: "AK", secretKey: "SK", actions: ["Admin", "Read"] }]));
    expect(parsed).toEqual({ identities: [{ name: "admin", credentials: [{ accessKey: "AK", secretKey: "SK" }], actions: ["Admin", "Read"] }] });
  });
  it("erasure-codes full volumes in the master's maintenance loop when asked, and grows collections by volumeGrowth", () => {
    expect(masterToml({ quietFor: "1h", fullPercent: 95, sleepMinutes: 17 }, 2)).toMatch(/\[master\.maintenance\]\nscripts = """\n  lock\n  ec\.encode -fullPercent=95 -quietFor=1h\n[\s\S]*unlock\n"""\nsleep_minutes = 17/);
    expect(masterToml(undefined, 2)).not.toMatch(/ec\.encode/);
    expect(masterToml(undefined, 3)).toContain("[master.volume_growth]\ncopy_1 = 3\ncopy_2 = 3\ncopy_3 = 3\ncopy_other = 3\n");
  });
  it("counts volume slots as SeaweedFS does with -max=0 (90% of the disk / limit, less one) and copies as 1 + x + y + z", () => {
    expect([volumeSlots(10 * 2 ** 30, 1024), volumeSlots(100 * 2 ** 30, 1024), volumeSlots(2 * 2 ** 30, 1024), volumeSlots(10 * 2 ** 30, 512)]).toEqual([8, 89, 0, 17]);
    expect(["000", "001", "010", "011", "200"].map(copiesOf)).toEqual([1, 2, 2, 3, 3]);
  });
  it.each([
    ["000", 1, 1, undefined],
    ["001", 2, 1, undefined],
    ["010", 2, 2, undefined],
    ["011", 4, 2, undefined],
    ["001", 1, 1, "expected z at most 0: 2 copies in one rack need 2 volume servers per rack, there is 1 (1 volume servers over 1 rack)"],
    ["010", 3, 1, "expected y at most 0: 1 copies on other racks need 2 racks, there is 1 (set racks)"],
    ["100", 3, 1, "expected x = 0: there is 1 data center, so no copy can go to another one"],
    ["01", 3, 1, 'expected three digits xyz (copies in other data centers, other racks, other servers of the same rack), e.g. "000" or "001"'],
  ])("placement %s on %i servers in %i racks: %s", (placement, servers, racks, problem) => {
    expect(placementProblem(placement as string, servers as number, racks as number)).toBe(problem);
  });
});

/** The recorded (unredacted) string data of the Secret with this Pulumi name (or name prefix). */
function secretData(s: Synthesized, name: string): Record<string, string> {
  const found = s.resources.filter((r) => r.type === "kubernetes:core/v1:Secret" && (r.name === name || r.name.startsWith(`${name}-`)));
  if (found.length !== 1) throw new Error(`expected one Secret ${name}, found ${found.length}`);
  return unwrap((found[0].inputs as Obj).stringData) as Record<string, string>;
}
function identitiesOf(s: Synthesized, store = "files"): { name: string; actions: string[]; credentials: { accessKey: string }[] }[] {
  return (JSON.parse(secretData(s, `${store}-s3-config`)["s3.json"]) as { identities: { name: string; actions: string[]; credentials: { accessKey: string }[] }[] }).identities;
}

describe("SeaweedStorage on Kubernetes", () => {
  const deploy = (args: Partial<SeaweedStorageArgs> = {}) =>
    synthesize(() => {
      const platform = testPlatform();
      const files = new SeaweedStorage("files", { platform, masters: 3, volumeServers: 2, replication: "001", buckets: ["uploads", "backups"], ...args });
      new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [files.clientConnection({ name: "api", buckets: ["uploads"], actions: ["Read", "Write", "List", "Tagging"] })] });
      new PostgresCluster("db", { platform, backup: { storage: files.bucketTarget("backups"), image: "ghcr.io/acme/pg-backup:16.4" } });
    });

  it("runs masters, volume servers, a filer and the S3 gateway on PVCs, schema-valid", async () => {
    const s = await deploy();
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(s.objects)).toEqual([]);
    expect(at(s.object("StatefulSet", "files-master"), "spec.replicas")).toBe(3);
    expect(at(s.object("StatefulSet", "files-volume"), "spec.replicas")).toBe(2);
    expect(at(s.object("Deployment", "files-s3"), "spec.replicas")).toBe(1);
    const master = at(s.object("StatefulSet", "files-master"), "spec.template.spec.containers.0") as { command: string[]; args: string[] };
    expect([...master.command, master.args[0]]).toEqual(["weed", "-logtostderr=true", "master"]);
    expect(at(s.object("Deployment", "files-s3"), "spec.template.spec.containers.0.args.0")).toBe("s3");
    expect(at(s.object("StatefulSet", "files-filer"), "spec.template.spec.containers.0.args.0")).toBe("filer");
    const volumeArgs = String(at(s.object("StatefulSet", "files-volume"), "spec.template.spec.containers.0.args.0"));
    expect(volumeArgs).toMatch(/^rack="rack\$\(\( \$\{POD_NAME##\*-\} % 1 \)\)"; exec weed -logtostderr=true volume -port=8080 /);
    // As the pod runs it: the kubelet expands $(POD_NAME), the shell computes the rack; every other word arrives as written.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "keel-weed-"));
    fs.writeFileSync(path.join(bin, "weed"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', { mode: 0o755 });
    const ran = execFileSync("/bin/sh", ["-c", volumeArgs.replace(/\$\(POD_NAME\)/g, "files-volume-4")], { env: { PATH: `${bin}:/usr/bin:/bin`, POD_NAME: "files-volume-4" }, encoding: "utf8" }).trim().split("\n");
    expect(ran).toEqual(expect.arrayContaining(["volume", "-rack=rack0", "-dataCenter=dc1", "-ip=files-volume-4.files-volume-headless.storage.svc.cluster.local"]));
    expect(master.args).toContain("-peers=files-master-0.files-master-headless.storage.svc.cluster.local:9333,files-master-1.files-master-headless.storage.svc.cluster.local:9333,files-master-2.files-master-headless.storage.svc.cluster.local:9333");
    expect(master.args).toContain("-ip=$(POD_NAME).files-master-headless.storage.svc.cluster.local");
    expect(master.args).toContain("-defaultReplication=001");
    expect(String((s.all("ConfigMap").find((c) => c.metadata.name.startsWith("files-config"))?.data as Obj)["master.toml"])).toContain("copy_2 = 2");
    for (const sts of s.all("StatefulSet").filter((o) => o.metadata.name.startsWith("files-"))) {
      expect(at(sts, "spec.volumeClaimTemplates.0.spec.accessModes")).toEqual(["ReadWriteOnce"]);
      expect(JSON.stringify(sts)).not.toMatch(/hostPath/);
    }
  });

  it("gives each client and each backup target an identity of its own, scoped to its buckets, in its own Secret", async () => {
    const s = await deploy();
    expect(identitiesOf(s).map((i) => [i.name, i.actions])).toEqual([
      ["admin", ["Admin", "Read", "Write", "List", "Tagging"]],
      ["readonly", ["Read", "List"]],
      ["api", ["Read:uploads", "Write:uploads", "List:uploads", "Tagging:uploads"]],
      ["backups-writer", ["Read:backups", "Write:backups", "List:backups"]],
    ]);
    const api = secretData(s, "files-s3-api");
    expect(identitiesOf(s).find((i) => i.name === "api")?.credentials[0].accessKey).toBe(api["access-key-id"]);
    // The API holds its own keys, not the admin's; the same env names as before.
    const env = secretData(s, "api-env");
    expect(Object.keys(env).sort()).toEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    expect([env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY]).toEqual([api["access-key-id"], api["secret-access-key"]]);
    expect(env.AWS_ACCESS_KEY_ID).not.toBe(secretData(s, "files-s3-admin")["access-key-id"]);
    expect(s.all("ConfigMap").find((c) => c.metadata.name.startsWith("api-env"))?.data).toMatchObject({ SEAWEEDFS_URL: "http://files-s3.storage.svc.cluster.local:8333", S3_ENDPOINT: "http://files-s3.storage.svc.cluster.local:8333", S3_FORCE_PATH_STYLE: "true" });
    // The database's backups use the backups writer.
    const backup = s.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name.startsWith("db-backup"));
    expect(JSON.stringify(unwrap(backup?.inputs))).toContain(secretData(s, "files-s3-backups-writer")["access-key-id"]);
    expect(s.written()).not.toContain(api["secret-access-key"]);
    const script = String((s.all("ConfigMap").find((c) => c.metadata.name.startsWith("files-buckets"))?.data as Obj)["create-buckets.sh"]);
    expect(script).toContain("for bucket in uploads backups; do");
    expect(s.all("Job")).toHaveLength(1);
  });

  it("opens the network path for each client and rolls the gateway when the identities change", async () => {
    const s = await deploy();
    const admitted = s.all("NetworkPolicy").filter((p) => p.metadata.name.startsWith("files-clients-from")).map((p) => p.metadata.name).sort();
    expect(admitted).toEqual(["files-clients-from-api", "files-clients-from-db-backup", "files-clients-from-db-primary"]);
    const backupEnv = Object.fromEntries((at(s.object("CronJob", "db-backup"), "spec.jobTemplate.spec.template.spec.containers.0.env") as Obj[]).map((e) => [e.name, e.value]));
    expect([backupEnv.S3_ENDPOINT, backupEnv.S3_BUCKET]).toEqual(["http://files-s3.storage.svc.cluster.local:8333", "backups"]);
    const annotation = (x: Synthesized) => (at(x.object("Deployment", "files-s3"), "spec.template.metadata.annotations") as Obj)["keel.dev/s3-identities"];
    expect(annotation(s)).toMatch(/^[0-9a-f]{16}$/);
    expect(annotation(await deploy())).toBe(annotation(s));
    const other = await synthesize(() => {
      const files = new SeaweedStorage("files", { platform: testPlatform(), masters: 3, volumeServers: 2, replication: "001", buckets: ["uploads", "backups"] });
      files.bucketConnection("uploads", "read");
    });
    expect(annotation(other)).not.toBe(annotation(s));
    expect(identitiesOf(other).map((i) => [i.name, i.actions])).toContainEqual(["uploads-read", ["Read:uploads", "List:uploads"]]);
  });

  it("returns one identity for one definition and rejects clients it cannot scope", async () => {
    await synthesize(async () => {
      const files = new SeaweedStorage("b", { platform: testPlatform(), buckets: ["files", "backups"] });
      expect(files.bucketConnection("files", "readwrite").username).toBe(files.bucketConnection("files", "readwrite").username);
      expect(() => files.clientConnection({ name: "api", buckets: ["logs"], actions: ["Admin" as never] })).toThrow(
        'SeaweedStorage "b": clientConnection.buckets is "logs"; expected a bucket declared in buckets ("files", "backups")\nSeaweedStorage "b": clientConnection.actions is ["Admin"]; expected some of Read, Write, List, Tagging (Admin stays with the store\'s admin connection)',
      );
      expect(() => files.clientConnection({ name: "admin", buckets: ["files"], actions: ["Read"] })).toThrow('SeaweedStorage "b": clientConnection.name is "admin"; expected a name that is not one of keel\'s identities (admin, readonly, <bucket>-writer)');
      files.clientConnection({ name: "api", buckets: ["files"], actions: ["Read"] });
      expect(() => files.clientConnection({ name: "api", buckets: ["files"], actions: ["Read", "Write"] })).toThrow('SeaweedStorage "b": clientConnection.name is "api"; expected one definition per identity: this name was already given other buckets or actions');
      expect(() => files.bucketConnection("files", "write" as never)).toThrow('SeaweedStorage "b": bucketConnection("files") access is "write"; expected "read" or "readwrite"');
      expect(() => files.bucketTarget("logs")).toThrow('SeaweedStorage "b": bucketTarget("logs") names a bucket not in buckets; expected one of "files", "backups"');
      await new Promise((resolve) => setImmediate(resolve));
      expect(() => files.clientConnection({ name: "late", buckets: ["files"], actions: ["Read"] })).toThrow(
        'SeaweedStorage "b": the S3 identity "late" came after the gateway\'s identities were written; create client connections in the same synchronous block as the store (before any await)',
      );
    });
  });

  it("saves the filer's metadata hourly to a volume of its own, with a ready-made restore Job", async () => {
    const s = await deploy();
    const cron = s.object("CronJob", "files-filer-backup");
    expect(at(cron, "spec.schedule")).toBe("40 * * * *");
    const pod = at(cron, "spec.jobTemplate.spec.template.spec") as Obj;
    const env = Object.fromEntries((at(pod, "containers.0.env") as Obj[]).map((e) => [e.name, e.value]));
    expect(env).toEqual({
      MASTER: "files-master-0.files-master-headless.storage.svc.cluster.local:9333,files-master-1.files-master-headless.storage.svc.cluster.local:9333,files-master-2.files-master-headless.storage.svc.cluster.local:9333",
      FILER: "files-filer.storage.svc.cluster.local:8888",
      BACKUP_DIR: "/backup",
      KEEP: "48",
    });
    expect(at(pod, "containers.0.command")).toEqual(["/bin/sh", "/scripts/filer-meta-backup.sh"]);
    expect((at(pod, "volumes") as Obj[]).find((v) => v.name === "backup")).toEqual({ name: "backup", persistentVolumeClaim: { claimName: "files-filer-backup" } });
    expect(at(s.object("PersistentVolumeClaim", "files-filer-backup"), "spec.resources.requests.storage")).toBe("5Gi");
    const restore = parse(String((s.object("ConfigMap", "files-filer-restore").data as Obj)["restore-job.yaml"])) as Obj;
    expect(at(restore, "metadata.generateName")).toBe("files-filer-restore-");
    expect(at(restore, "spec.template.metadata.labels")).toEqual(at(cron, "spec.jobTemplate.spec.template.metadata.labels"));
    expect(at(restore, "spec.template.spec.serviceAccountName")).toBe("files-filer-backup");
    expect(at(restore, "spec.template.spec.containers.0.command")).toEqual(["/bin/sh", "/scripts/filer-meta-restore.sh"]);
    expect((at(restore, "spec.template.spec.containers.0.env") as Obj[]).find((e) => e.name === "RESTORE_FROM")).toEqual({ name: "RESTORE_FROM", value: "latest" });
    expect(schemaProblems(restore as never)).toBeFalsy();

    const off = await deploy({ filer: { metadataBackup: false } });
    expect(off.all("CronJob").map((c) => c.metadata.name)).toEqual(["db-backup"]);
    expect(off.all("PersistentVolumeClaim")).toEqual([]);
    const custom = await deploy({ filer: { metadataBackup: { schedule: "5 */6 * * *", keep: 8, storage: { size: "2Gi" } } } });
    expect(at(custom.object("CronJob", "files-filer-backup"), "spec.schedule")).toBe("5 */6 * * *");
    expect(at(custom.object("PersistentVolumeClaim", "files-filer-backup"), "spec.resources.requests.storage")).toBe("2Gi");
  });

  it("rejects an impossible placement, too few volume slots and a volume larger than the disk, naming the field", async () => {
    await synthesize(() => {
      const platform = testPlatform();
      expect(() => new SeaweedStorage("files", { platform, volumeServers: 2, replication: "002" })).toThrow(
        'SeaweedStorage "files": replication is "002"; expected z at most 1: 3 copies in one rack need 3 volume servers per rack, there are 2 (2 volume servers over 1 rack)',
      );
      expect(() => new SeaweedStorage("d", { platform, buckets: ["files", "backups"], storage: { volume: { size: "10Gi" } }, volumeGrowth: 7 })).toThrow(
        'SeaweedStorage "d": storage.volume.size is "10Gi"; expected room for 21 volumes of 1024 MB (3 collections: 2 buckets and the filer\'s own, x volumeGrowth 7 x 1 copy); 1 volume server of 10Gi holds 8 (90% of the size / volumeSizeLimitMB, less one per server); raise storage.volume.size or volumeServers, or lower volumeSizeLimitMB or volumeGrowth',
      );
      expect(() => new SeaweedStorage("e", { platform, storage: { volume: { size: "10Gi" } }, volumeSizeLimitMB: 20000 })).toThrow(
        'SeaweedStorage "e": volumeSizeLimitMB is 20000; expected less than storage.volume.size (10Gi = 10240 MB): a volume lives whole on one volume server',
      );
      expect(() => new SeaweedStorage("f", { platform, filer: { metadataBackup: { schedule: "hourly", keep: 0 } } })).toThrow(
        'SeaweedStorage "f": filer.metadataBackup.schedule is "hourly"; expected 5 fields (minute hour day-of-month month day-of-week) such as "0 3 * * *", or @hourly, @daily, @weekly, @monthly, @yearly (UTC)\nSeaweedStorage "f": filer.metadataBackup.keep is 0; expected an integer from 1 to 1000',
      );
      // dev's sizes: 2 buckets on one 10Gi volume server.
      expect(() => new SeaweedStorage("g", { platform, buckets: ["files", "backups"], storage: { volume: { size: "10Gi" } } })).not.toThrow();
    });
  });

  it("rejects an even number of masters and a volume given up", async () => {
    await synthesize(() => {
      const platform = testPlatform();
      expect(() => new SeaweedStorage("a", { platform, masters: 2 })).toThrow('SeaweedStorage "a": masters is 2; expected 1, 3 or 5 (masters elect a leader by Raft: an odd count, 3 to survive a lost master)');
      expect(() => new SeaweedStorage("c", { platform, storage: { volume: false as never } })).toThrow('SeaweedStorage "c": storage.volume is false; expected a volume size such as { size: "20Gi" } (SeaweedFS keeps its data and metadata on PersistentVolumeClaims only)');
      expect(() => new SeaweedStorage("d", { platform, storage: { filer: false as never } })).toThrow('SeaweedStorage "d": storage.filer is false; expected a volume size such as { size: "20Gi" } (SeaweedFS keeps its data and metadata on PersistentVolumeClaims only)');
    });
  });
});

/** Runs a generated script with a stand-in `weed` that answers like `weed shell` 3.80 does. */
describe("the filer metadata scripts (against a stand-in weed shell)", () => {
  const FAKE_WEED = `#!/bin/sh
read -r cmd
echo "$cmd" >> "$WEED_LOG"
[ "\${WEED_FAIL:-}" = 1 ] && { echo "error: rpc error: connection refused"; exit 0; }
case "$cmd" in
  "fs.meta.save -o "*) f=\${cmd#fs.meta.save -o }; f=\${f% /}; printf 'entries' > "$f"; echo ".> total 8 directories, 5 files"; echo "meta data for http://filer:8888/ is saved to $f" ;;
  "fs.meta.load "*) f=\${cmd##* }; cp "$f" "$WEED_LOADED"; printf '\\ntotal 8 directories, 5 files\\n%s is loaded.\\n' "$f" ;;
esac
`;
  const run = (script: string, env: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-seaweed-"));
    fs.writeFileSync(path.join(dir, "weed"), FAKE_WEED, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "script.sh"), script);
    const r = spawnSync("sh", [path.join(dir, "script.sh")], { encoding: "utf8", env: { PATH: `${dir}:${process.env.PATH}`, MASTER: "m:9333", FILER: "f:8888", WEED_LOG: path.join(dir, "log"), WEED_LOADED: path.join(dir, "loaded"), ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, dir };
  };
  const backupDir = (files: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-filer-backup-"));
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), gzipSync(content));
    return dir;
  };

  it("saves, compresses and keeps the newest KEEP copies", () => {
    const dir = backupDir({ "filer-meta-20200101T000000Z.meta.gz": "a", "filer-meta-20200102T000000Z.meta.gz": "b", "filer-meta-20200103T000000Z.meta.gz": "c" });
    const r = run(filerMetaBackupScript(), { BACKUP_DIR: dir, KEEP: "2" });
    expect(r.code).toBe(0);
    const left = fs.readdirSync(dir).sort();
    expect(left).toHaveLength(2);
    expect(left[0]).toBe("filer-meta-20200103T000000Z.meta.gz");
    expect(left[1]).toMatch(/^filer-meta-\d{8}T\d{6}Z\.meta\.gz$/);
    expect(gunzipSync(fs.readFileSync(path.join(dir, left[1]))).toString()).toBe("entries");
    expect(r.stdout).toContain(`filer-meta-backup: ${left[1]}, `);
    expect(r.stdout).toContain(" bytes, total 8 directories, 5 files\n");
    expect(r.stdout).toContain("filer-meta-backup: expired filer-meta-20200101T000000Z.meta.gz\nfiler-meta-backup: expired filer-meta-20200102T000000Z.meta.gz\n");
    expect(fs.readFileSync(path.join(r.dir, "log"), "utf8")).toMatch(/^fs\.meta\.save -o \S+\/\.filer-meta-\d{8}T\d{6}Z\.meta \/\n$/);
  });

  it("fails, leaving nothing behind, when weed shell reports an error (it exits 0 anyway)", () => {
    const dir = backupDir({ "filer-meta-20200101T000000Z.meta.gz": "a" });
    const r = run(filerMetaBackupScript(), { BACKUP_DIR: dir, KEEP: "1", WEED_FAIL: "1" });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("filer-meta-backup: fs.meta.save failed:\nerror: rpc error: connection refused\n");
    expect(fs.readdirSync(dir)).toEqual(["filer-meta-20200101T000000Z.meta.gz"]);
  });

  it("loads the newest copy, or the one named, and fails clearly without one", () => {
    const dir = backupDir({ "filer-meta-20200101T000000Z.meta.gz": "old", "filer-meta-20200102T000000Z.meta.gz": "new" });
    const latest = run(filerMetaRestoreScript(), { BACKUP_DIR: dir });
    expect([latest.code, latest.stdout]).toEqual([0, "filer-meta-restore: loading filer-meta-20200102T000000Z.meta.gz into f:8888\nfiler-meta-restore: loaded total 8 directories, 5 files\n"]);
    expect(fs.readFileSync(path.join(latest.dir, "loaded"), "utf8")).toBe("new");
    expect(fs.readdirSync(dir).sort()).toEqual(["filer-meta-20200101T000000Z.meta.gz", "filer-meta-20200102T000000Z.meta.gz"]);
    const named = run(filerMetaRestoreScript(), { BACKUP_DIR: dir, RESTORE_FROM: "filer-meta-20200101T000000Z.meta.gz" });
    expect([named.code, fs.readFileSync(path.join(named.dir, "loaded"), "utf8")]).toEqual([0, "old"]);
    const missing = run(filerMetaRestoreScript(), { BACKUP_DIR: dir, RESTORE_FROM: "nope.meta.gz" });
    expect([missing.code, missing.stderr]).toEqual([1, `filer-meta-restore: nope.meta.gz is not in ${dir}\n`]);
    const empty = run(filerMetaRestoreScript(), { BACKUP_DIR: backupDir({}) });
    expect([empty.code, empty.stderr]).toEqual([1, expect.stringMatching(/^filer-meta-restore: no saved metadata in \S+\n$/)]);
    const failed = run(filerMetaRestoreScript(), { BACKUP_DIR: dir, WEED_FAIL: "1" });
    expect([failed.code, failed.stderr]).toEqual([1, "filer-meta-restore: fs.meta.load failed:\nerror: rpc error: connection refused\n"]);
  });
});
