import { ApiService, PostgresCluster, SeaweedStorage, SeaweedStorageArgs, filerFlags, masterFlags, masterToml, placementProblem, s3Config, s3Flags, volumeFlags } from "../../../components";
import { integrityProblems } from "../../helpers/integrity";
import { testPlatform } from "../../helpers/platform";
import { schemaProblems } from "../../helpers/schema";
import { at, synthesize, unwrap } from "../../helpers/synth";

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
  it("erasure-codes full volumes in the master's maintenance loop when asked", () => {
    expect(masterToml({ quietFor: "1h", fullPercent: 95, sleepMinutes: 17 })).toMatch(/\[master\.maintenance\]\nscripts = """\n  lock\n  ec\.encode -fullPercent=95 -quietFor=1h\n[\s\S]*unlock\n"""\nsleep_minutes = 17/);
    expect(masterToml(undefined)).not.toMatch(/ec\.encode/);
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

describe("SeaweedStorage on Kubernetes", () => {
  const deploy = (args: Partial<SeaweedStorageArgs> = {}) =>
    synthesize(() => {
      const platform = testPlatform();
      const files = new SeaweedStorage("files", { platform, masters: 3, volumeServers: 2, replication: "001", buckets: ["uploads", "backups"], ...args });
      new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [files.connection] });
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
    const masterArgs = master.args;
    expect(at(s.object("Deployment", "files-s3"), "spec.template.spec.containers.0.args.0")).toBe("s3");
    expect(at(s.object("StatefulSet", "files-filer"), "spec.template.spec.containers.0.args.0")).toBe("filer");
    expect(String(at(s.object("StatefulSet", "files-volume"), "spec.template.spec.containers.0.args.0"))).toMatch(/^exec weed -logtostderr=true volume -port=8080 /);
    expect(masterArgs).toContain("-peers=files-master-0.files-master-headless.storage.svc.cluster.local:9333,files-master-1.files-master-headless.storage.svc.cluster.local:9333,files-master-2.files-master-headless.storage.svc.cluster.local:9333");
    expect(masterArgs).toContain("-ip=$(POD_NAME).files-master-headless.storage.svc.cluster.local");
    expect(masterArgs).toContain("-defaultReplication=001");
    for (const sts of s.all("StatefulSet").filter((o) => o.metadata.name.startsWith("files-"))) {
      expect(at(sts, "spec.volumeClaimTemplates.0.spec.accessModes")).toEqual(["ReadWriteOnce"]);
      expect(JSON.stringify(sts)).not.toMatch(/hostPath/);
    }
  });

  it("generates admin, read-only and per-bucket writer identities as secrets, and creates the buckets", async () => {
    const s = await deploy();
    const recorded = s.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "files-s3-config");
    const config = JSON.parse(String((unwrap((recorded?.inputs as Obj).stringData) as Obj)["s3.json"])) as { identities: { name: string; actions: string[] }[] };
    expect(config.identities.map((i) => [i.name, i.actions])).toEqual([
      ["admin", ["Admin", "Read", "Write", "List", "Tagging"]],
      ["readonly", ["Read", "List"]],
      ["uploads-writer", ["Read:uploads", "Write:uploads", "List:uploads", "Tagging:uploads"]],
      ["backups-writer", ["Read:backups", "Write:backups", "List:backups", "Tagging:backups"]],
    ]);
    expect(s.written()).not.toContain((config.identities[0] as unknown as { credentials: { secretKey: string }[] }).credentials[0].secretKey);
    const script = String((s.all("ConfigMap").find((c) => c.metadata.name.startsWith("files-buckets"))?.data as Obj)["create-buckets.sh"]);
    expect(script).toContain("for bucket in uploads backups; do");
    expect(script).toContain("weed shell -master=files-master-0.files-master-headless.storage.svc.cluster.local:9333 -filer=files-filer.storage.svc.cluster.local:8888");
    expect(s.all("Job")).toHaveLength(1);
  });

  it("wires the API (SEAWEEDFS_URL, S3 keys as secrets) and the database backups to the gateway", async () => {
    const s = await deploy();
    expect(s.all("ConfigMap").find((c) => c.metadata.name.startsWith("api-env"))?.data).toMatchObject({ SEAWEEDFS_URL: "http://files-s3.storage.svc.cluster.local:8333", S3_ENDPOINT: "http://files-s3.storage.svc.cluster.local:8333" });
    const secret = s.all("Secret").find((c) => c.metadata.name.startsWith("api-env"));
    expect(Object.keys(secret?.stringData as Obj).sort()).toEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    const admitted = s.all("NetworkPolicy").filter((p) => p.metadata.name.startsWith("files-clients-from")).map((p) => p.metadata.name).sort();
    expect(admitted).toEqual(["files-clients-from-api", "files-clients-from-db-backup", "files-clients-from-db-primary"]);
    const backupEnv = Object.fromEntries((at(s.object("CronJob", "db-backup"), "spec.jobTemplate.spec.template.spec.containers.0.env") as Obj[]).map((e) => [e.name, e.value]));
    expect(backupEnv.S3_ENDPOINT).toBe("http://files-s3.storage.svc.cluster.local:8333");
    expect(backupEnv.S3_BUCKET).toBe("backups");
  });

  it("rejects an impossible placement, naming the field", async () => {
    await synthesize(() => {
      expect(() => new SeaweedStorage("files", { platform: testPlatform(), volumeServers: 2, replication: "002" })).toThrow(
        'SeaweedStorage "files": replication is "002"; expected z at most 1: 3 copies in one rack need 3 volume servers per rack, there are 2 (2 volume servers over 1 rack)',
      );
    });
  });

  it("rejects an even number of masters and a bucket target that was not declared", async () => {
    await synthesize(() => {
      const platform = testPlatform();
      expect(() => new SeaweedStorage("a", { platform, masters: 2 })).toThrow('SeaweedStorage "a": masters is 2; expected 1, 3 or 5 (masters elect a leader by Raft: an odd count, 3 to survive a lost master)');
      expect(() => new SeaweedStorage("c", { platform, storage: { volume: false as never } })).toThrow('SeaweedStorage "c": storage.volume is false; expected a volume size such as { size: "20Gi" } (SeaweedFS keeps its data and metadata on PersistentVolumeClaims only)');
      const files = new SeaweedStorage("b", { platform, buckets: ["files"] });
      expect(() => files.bucketTarget("backups")).toThrow('SeaweedStorage "b": bucketTarget("backups") names a bucket not in buckets; expected one of "files"');
    });
  });
});
