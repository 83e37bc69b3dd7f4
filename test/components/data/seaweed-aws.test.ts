/**
 * SeaweedStorage on the aws platform: S3 buckets with every protection the pack's
 * s3-bucket-protection checks, clients reaching them through IRSA with exactly their actions on
 * exactly their buckets, and no static key anywhere.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, Connection, ObjectStoreTarget, SeaweedStorage, SeaweedStorageArgs, s3BucketName } from "../../../components";
import { PolicyStatement, leastPrivilegeProblems } from "../../../components/aws/iam";
import { isS3BucketName } from "../../../components/core/s3-bucket";
import type { AwsPlatformShape } from "../../../components/platform/aws-shape";
import type { Target } from "../../../policies/lib/define";
import { s3Buckets } from "../../../policies/aws/s3";
import { stackViolations } from "../../policies/harness";
import { platformProdShape, testAwsSystem } from "../../helpers/aws-system";
import { testPlatform } from "../../helpers/platform";
import { Synthesized, at, synthesize, unwrap } from "../../helpers/synth";

type Obj = Record<string, unknown>;
const ACCOUNT = "123456789012";
const UPLOADS = `shop-files-uploads-${ACCOUNT}-eu-west-1`;
const BACKUPS = `shop-files-backups-${ACCOUNT}-eu-west-1`;
const ARN = (b: string) => `arn:aws:s3:::${b}`;
const KEY = /^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f-]{36}$/;
const VIA_S3 = { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } };

/** The value of an Output (the mock runtime resolves them all). */
function known<T>(x: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve) => pulumi.output(x).apply((v) => resolve(v as pulumi.Unwrap<T>)));
}

interface Made {
  files: SeaweedStorage;
  clients: Record<string, Connection>;
  target: ObjectStoreTarget;
}

async function deploy(args: Partial<SeaweedStorageArgs> = {}, extra: (files: SeaweedStorage) => Record<string, Connection> = () => ({})): Promise<{ s: Synthesized; made: Made }> {
  let made: Made | undefined;
  const s = await synthesize(() => {
    const platform = testAwsSystem();
    const files = new SeaweedStorage("shop-files", { platform, buckets: ["uploads", "backups"], protect: true, ...args });
    const clients = { api: files.clientConnection({ name: "api", buckets: ["uploads"], actions: ["Read", "Write", "List", "Tagging"] }), ...extra(files) };
    new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [clients.api] });
    made = { files, clients, target: files.bucketTarget("backups") };
  });
  return { s, made: made as Made };
}

const inputs = (s: Synthesized, name: string, type?: string) => unwrap(s.resource(name, type).inputs) as Obj;
const statementsOf = async (c: { awsAccess?: { statements: readonly PolicyStatement[] } } | { aws?: { statements: readonly PolicyStatement[] } }) =>
  known(("awsAccess" in c ? c.awsAccess?.statements : (c as ObjectStoreTarget).aws?.statements) as PolicyStatement[]) as Promise<PolicyStatement[]>;

describe("SeaweedStorage on aws (S3)", () => {
  it("makes each declared bucket an S3 bucket with a global name, protected, versioned, KMS-encrypted, private, TLS only, with a lifecycle", async () => {
    const { s, made } = await deploy({ aws: { expireAfterDays: { uploads: 365 } } });
    for (const [declared, physical] of [["uploads", UPLOADS], ["backups", BACKUPS]]) {
      const name = `shop-files-${declared}`;
      expect(inputs(s, name, "Bucket")).toMatchObject({ bucket: physical, forceDestroy: false, tags: { Name: name, "keel.dev/system": "shop", "keel.dev/component": "shop-files" } });
      expect(s.options(name, "Bucket")).toMatchObject({ protect: true, retainOnDelete: true });
      expect(inputs(s, `${name}-versioning`)).toEqual({ bucket: physical, expectedBucketOwner: ACCOUNT, versioningConfiguration: { status: "Enabled" } });
      const sse = inputs(s, `${name}-encryption`);
      expect(sse).toMatchObject({ bucket: physical, expectedBucketOwner: ACCOUNT, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] });
      expect(at(sse, "rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId")).toMatch(KEY);
      expect(inputs(s, `${name}-public-access-block`)).toEqual({ bucket: physical, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
      expect(inputs(s, `${name}-ownership`)).toEqual({ bucket: physical, rule: { objectOwnership: "BucketOwnerEnforced" } });
      const resources = [ARN(physical), `${ARN(physical)}/*`];
      expect(JSON.parse(String(inputs(s, `${name}-policy`).policy))).toEqual({
        Version: "2012-10-17",
        Statement: [
          { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: resources, Condition: { Bool: { "aws:SecureTransport": "false" } } },
          { Sid: "DenyOutdatedTls", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: resources, Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
        ],
      });
      const rules = [
        { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        { id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 }, expiration: { expiredObjectDeleteMarker: true } },
        ...(declared === "uploads" ? [{ id: "expire-objects", status: "Enabled", filter: {}, expiration: { days: 365 } }] : []),
      ];
      expect(inputs(s, `${name}-lifecycle`)).toEqual({ bucket: physical, expectedBucketOwner: ACCOUNT, rules });
      // Settings wait for what they need: the policy for the public access block, the lifecycle for versioning.
      expect(s.resource(`${name}-policy`).dependencies).toContain(s.resource(`${name}-public-access-block`).urn);
      expect(s.resource(`${name}-lifecycle`).dependencies).toContain(s.resource(`${name}-versioning`).urn);
    }
    // One customer-managed key per store, rotated, protected, with an alias.
    expect(inputs(s, "shop-files-s3-key", "Key")).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(s.options("shop-files-s3-key", "Key")).toMatchObject({ protect: true, retainOnDelete: true });
    expect(inputs(s, "shop-files-s3-key-alias")).toMatchObject({ name: "alias/shop/shop-files-s3-key" });
    expect(s.resources.filter((r) => r.type === "aws:s3/bucket:Bucket")).toHaveLength(2);
    expect(made.files.aws && Object.keys(made.files.aws.buckets)).toEqual(["uploads", "backups"]);
    expect(await known(made.files.aws?.buckets.uploads.bucket as pulumi.Output<string>)).toBe(UPLOADS);
    // Nothing of SeaweedFS on the managed store.
    expect(s.objects.filter((o) => o.metadata.name.startsWith("shop-files"))).toEqual([]);
  });

  it("sets noncurrentVersionDays and a store-wide expireAfterDays on every bucket", async () => {
    const { s } = await deploy({ aws: { noncurrentVersionDays: 90, expireAfterDays: 14 } });
    for (const b of ["uploads", "backups"]) {
      const rules = inputs(s, `shop-files-${b}-lifecycle`).rules as Obj[];
      expect(rules.map((r) => r.id)).toEqual(["abort-incomplete-multipart-uploads", "expire-noncurrent-versions", "expire-objects"]);
      expect([at(rules[1], "noncurrentVersionExpiration.noncurrentDays"), at(rules[2], "expiration.days")]).toEqual([90, 14]);
    }
  });

  it("passes the pack's s3-bucket-protection on the recorded resources, and fails when a setting is missing", async () => {
    const { s } = await deploy();
    const targets: Target[] = s.resources.filter((r) => r.type.startsWith("aws:")).map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: unwrap(r.inputs) as Obj, dependencies: [...r.dependencies] }));
    expect(stackViolations(s3Buckets, targets)).toEqual([]);
    const withoutPolicy = targets.filter((t) => t.type !== "aws:s3/bucketPolicy:BucketPolicy");
    expect(stackViolations(s3Buckets, withoutPolicy).map((v) => v.message)).toEqual([
      `S3 bucket ${UPLOADS}: accepts plain HTTP; add a bucket policy that denies requests where aws:SecureTransport is false.`,
      `S3 bucket ${BACKUPS}: accepts plain HTTP; add a bucket policy that denies requests where aws:SecureTransport is false.`,
    ]);
  });

  it("gives each client exactly its actions on exactly its buckets, through IRSA, each statement least-privilege", async () => {
    const { s, made } = await deploy({}, (files) => ({
      reader: files.clientConnection({ name: "reader", buckets: ["uploads"], actions: ["Read"] }),
      lister: files.bucketConnection("backups", "read"),
      writer: files.bucketConnection("uploads", "readwrite"),
    }));
    const uploads = ARN(UPLOADS);
    const backups = ARN(BACKUPS);
    const kms = (actions: string[]) => ({ Effect: "Allow", Action: actions, Resource: expect.stringMatching(KEY), Condition: VIA_S3 });
    expect(await statementsOf(made.clients.reader)).toEqual([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${uploads}/*`] }, kms(["kms:Decrypt"])]);
    expect(await statementsOf(made.clients.api)).toEqual([
      { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteObjectTagging"], Resource: [`${uploads}/*`] },
      { Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: [uploads] },
      kms(["kms:Decrypt", "kms:GenerateDataKey"]),
    ]);
    expect(await statementsOf(made.clients.writer)).toEqual(await statementsOf(made.clients.api));
    expect(await statementsOf(made.clients.lister)).toEqual([
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${backups}/*`] },
      { Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: [backups] },
      kms(["kms:Decrypt"]),
    ]);
    // A client of bucket "uploads" gets nothing on "backups" (and the reverse).
    for (const c of [made.clients.reader, made.clients.api, made.clients.writer]) expect(JSON.stringify(await statementsOf(c))).not.toContain(BACKUPS);
    expect(JSON.stringify(await statementsOf(made.clients.lister))).not.toContain(UPLOADS);
    // Admin: versions and uploads in progress too, on every bucket; never s3:* nor the buckets' settings.
    const admin = await statementsOf(made.files.connection);
    expect(admin.slice(0, 2)).toEqual([
      {
        Effect: "Allow",
        Action: ["s3:GetObjectVersion", "s3:DeleteObjectVersion", "s3:GetObjectVersionTagging", "s3:PutObjectVersionTagging", "s3:ListMultipartUploadParts", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteObjectTagging"],
        Resource: [`${uploads}/*`, `${backups}/*`],
      },
      { Effect: "Allow", Action: ["s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:ListBucket", "s3:GetBucketLocation"], Resource: [uploads, backups] },
    ]);
    expect(await statementsOf(made.files.readOnlyConnection)).toEqual([
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${uploads}/*`, `${backups}/*`] },
      { Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: [uploads, backups] },
      kms(["kms:Decrypt"]),
    ]);
    const all = [made.files.connection, made.files.readOnlyConnection, ...Object.values(made.clients), made.target];
    for (const c of all) {
      for (const st of await statementsOf(c)) {
        expect(leastPrivilegeProblems({ Version: "2012-10-17", Statement: [st] })).toEqual([]);
        expect(JSON.stringify(st)).not.toMatch(/"s3:\*"|"Resource":"\*"|"\*"\]/);
      }
    }
    // The API's role holds exactly its connection's statements (the workload's IRSA role, for its own ServiceAccount).
    const policy = JSON.parse(String(inputs(s, "api-aws-role-policy").policy)) as { Statement: unknown[] };
    expect(policy.Statement).toEqual(await statementsOf(made.clients.api));
    expect(at(s.object("ServiceAccount", "api"), "metadata.annotations")).toMatchObject({ "eks.amazonaws.com/role-arn": expect.stringMatching(/^arn:aws:iam::123456789012:role\/api-aws-role/) });
  });

  it("keeps the env names of the in-cluster store, adds each bucket's S3 name, and gives no static keys anywhere", async () => {
    const { s, made } = await deploy();
    const url = "https://s3.eu-west-1.amazonaws.com";
    const api = made.clients.api;
    expect(api.env).toEqual({ SEAWEEDFS_URL: url, S3_ENDPOINT: url, S3_REGION: "eu-west-1", S3_FORCE_PATH_STYLE: "false", S3_BUCKET_UPLOADS: UPLOADS });
    expect(made.files.connection.env).toMatchObject({ S3_BUCKET_UPLOADS: UPLOADS, S3_BUCKET_BACKUPS: BACKUPS });
    expect([api.secretEnv, api.tls, api.port, await known(api.host), await known(api.url), await known(made.files.s3Url)]).toEqual([[], true, 443, "s3.eu-west-1.amazonaws.com", url, url]);
    expect([api.username, api.password, api.passwordSecret]).toEqual([undefined, undefined, undefined]);
    expect(s.all("ConfigMap").find((c) => c.metadata.name.startsWith("api-env"))?.data).toEqual(api.env);
    const written = s.written();
    for (const word of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "access-key-id", "secret-access-key", "AKIA"]) expect(written).not.toContain(word);
    expect(s.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword" || (r.type === "kubernetes:core/v1:Secret" && r.name.startsWith("shop-files")))).toEqual([]);
    expect(s.all("Secret").filter((o) => o.metadata.name.startsWith("api"))).toEqual([]);
  });

  it("reaches S3's public addresses on 443 (through the VPC's gateway endpoint): the client's egress, no NetworkPolicy of the store", async () => {
    const { s, made } = await deploy();
    const peer = { kind: "managed", name: "shop-files-s3", cidrs: ["0.0.0.0/0"], except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] };
    expect(made.clients.api.endpoint).toEqual({ networkPeer: peer, networkPorts: [{ port: 443 }] });
    expect([made.files.networkPeer, made.files.networkPorts]).toEqual([peer, [{ port: 443 }]]);
    expect(() => made.files.networkAccess).toThrow(/a managed service has no NetworkPolicy/);
    const egress = at(s.object("NetworkPolicy", "api-netpol"), "spec.egress") as Obj[];
    const s3Egress = { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }], ports: [{ port: 443, protocol: "TCP" }] };
    expect(egress).toContainEqual(s3Egress);
    // allowFrom: the named component gets the same egress rule.
    const w = await synthesize(() => {
      const platform = testAwsSystem();
      const worker = new ApiService("worker", { platform, image: "ghcr.io/acme/worker:1.0.0" });
      new SeaweedStorage("shop-files", { platform, buckets: ["uploads"], allowFrom: [{ peer: worker }] });
    });
    const toS3 = w.all("NetworkPolicy").filter((p) => p.metadata.name.startsWith("worker-to-"));
    expect(toS3.map((p) => at(p, "spec.egress"))).toEqual([[s3Egress]]);
  });

  it("gives a backup writer a target with its bucket's S3 name and IAM statements instead of keys", async () => {
    const { made } = await deploy();
    const t = made.target;
    expect({ ...t, aws: undefined }).toEqual({ endpoint: "https://s3.eu-west-1.amazonaws.com", bucket: BACKUPS, region: "eu-west-1", aws: undefined, network: made.clients.api.endpoint, ports: [{ port: 443 }] });
    expect([t.accessKeyId, t.secretAccessKey]).toEqual([undefined, undefined]);
    expect(await known(t.aws?.bucketArn as string)).toBe(ARN(BACKUPS));
    expect(await known(t.aws?.kmsKeyArn as pulumi.Output<string>)).toMatch(KEY);
    expect(await statementsOf(t)).toEqual([
      { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], Resource: [`${ARN(BACKUPS)}/*`] },
      { Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: [ARN(BACKUPS)] },
      { Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: expect.stringMatching(KEY), Condition: VIA_S3 },
    ]);
  });

  it("names buckets validly and uniquely however long the system, store and bucket names are", () => {
    const long = "a".repeat(40);
    const names = [
      s3BucketName("shop", "shop-files", "uploads", ACCOUNT, "eu-west-1"),
      s3BucketName("req1", "req1-files", "req1-files", ACCOUNT, "eu-west-1"),
      s3BucketName("req1", "req1-files", "req1-backups", ACCOUNT, "eu-west-1"),
      s3BucketName(long, `${long}-store`, `${long}.bucket.one`, ACCOUNT, "ap-southeast-2"),
      s3BucketName(long, `${long}-store`, `${long}.bucket.two`, ACCOUNT, "ap-southeast-2"),
      s3BucketName("x", "9store", "b".repeat(63), ACCOUNT, "us-gov-west-1"),
    ];
    expect(names.slice(0, 3)).toEqual([UPLOADS, `req1-files-${ACCOUNT}-eu-west-1`, `req1-files-backups-${ACCOUNT}-eu-west-1`]);
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(63);
      expect(isS3BucketName(n)).toBe(true);
      expect(n).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
    }
    expect(names[3]).toMatch(new RegExp(`^aaaa[a-z0-9-]+-[a-z0-9]{1,6}-${ACCOUNT}-ap-southeast-2$`));
    expect(new Set(names).size).toBe(names.length);
  });

  it("accepts the in-cluster settings blueprints pass on both platforms, and with managed: false runs SeaweedFS on EKS", async () => {
    // Three buckets do not fit SeaweedFS volumes of 3Gi: no capacity check on S3, which has no volumes.
    const buckets = ["uploads", "exports", "backups"];
    const inCluster = { masters: 3, volumeServers: 4, replication: "001", erasureCoding: true, storage: { volume: { size: "3Gi" } }, s3: { replicas: 2 }, buckets };
    const s = await synthesize(() => {
      new SeaweedStorage("shop-files", { platform: testAwsSystem(), ...inCluster });
    });
    expect(s.resources.filter((r) => r.type === "aws:s3/bucket:Bucket")).toHaveLength(3);
    await synthesize(() => {
      expect(() => new SeaweedStorage("shop-files", { platform: testAwsSystem(), managed: false, ...inCluster })).toThrow(/storage\.volume\.size is "3Gi"; expected room for 16 volumes/);
    });
    const k = await synthesize(() => {
      new SeaweedStorage("shop-files", { platform: testAwsSystem(), managed: false, buckets: ["uploads"] });
    });
    expect(k.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
    expect(k.object("StatefulSet", "shop-files-master")).toBeDefined();
  });

  it("reads the account from aws.accountId when the platform's OIDC provider ARN is not known before deployment", async () => {
    const shape = platformProdShape();
    const unknownArn: AwsPlatformShape = { ...shape, oidc: { ...shape.oidc, providerArn: pulumi.output(shape.oidc.providerArn) } };
    await synthesize(() => {
      const platform = testAwsSystem({}, unknownArn);
      expect(() => new SeaweedStorage("shop-files", { platform, buckets: ["uploads"] })).toThrow(
        'SeaweedStorage "shop-files": aws.accountId is undefined; expected the AWS account id the buckets are created in (12 digits): S3 bucket names are global, so keel names them <system>-<store>-<bucket>-<account>-<region>, and the platform\'s OIDC provider ARN, where keel reads the account otherwise, is not known before deployment',
      );
      const files = new SeaweedStorage("shop-other", { platform, buckets: ["uploads"], aws: { accountId: "210987654321" } });
      expect(files.connection.env.S3_BUCKET_UPLOADS).toBe("shop-other-uploads-210987654321-eu-west-1");
    });
  });

  it("rejects what it cannot do, every problem at once, before any resource", async () => {
    const s = await synthesize(() => {
      const k8s = testPlatform();
      const platform = testAwsSystem();
      expect(() => new SeaweedStorage("k", { platform: k8s, buckets: ["uploads"], aws: { noncurrentVersionDays: 7 } })).toThrow(
        'SeaweedStorage "k": aws is {"noncurrentVersionDays":7}; expected the aws platform: these settings configure S3 buckets, which platform kind "kubernetes" does not have (the store runs in the cluster there)',
      );
      expect(() => new SeaweedStorage("shop-a", { platform, managed: false, buckets: ["uploads"], aws: { expireAfterDays: 7 } })).toThrow(
        'SeaweedStorage "shop-a": aws is {"expireAfterDays":7}; expected no aws settings with managed: false (the store runs in the cluster); they configure the S3 buckets a SeaweedStorage is on the aws platform by default',
      );
      expect(() => new SeaweedStorage("shop-b", { platform, buckets: ["a-b", "a.b"], aws: { noncurrentVersionDays: 0, expireAfterDays: { logs: 3, "a-b": 1.5 }, accountId: "1234" } })).toThrow(
        [
          'SeaweedStorage "shop-b": aws.noncurrentVersionDays is 0; expected an integer from 1 to 36500 (days S3 keeps an overwritten or deleted object\'s previous version)',
          'SeaweedStorage "shop-b": aws.expireAfterDays is "logs"; expected a bucket declared in buckets ("a-b", "a.b")',
          'SeaweedStorage "shop-b": aws.expireAfterDays.a-b is 1.5; expected an integer from 1 to 36500',
          'SeaweedStorage "shop-b": aws.accountId is "1234"; expected the AWS account id the buckets are created in (12 digits)',
          'SeaweedStorage "shop-b": buckets is "a.b"; expected buckets whose variables differ: "a-b" and "a.b" both give S3_BUCKET_A_B (rename one)',
        ].join("\n"),
      );
      expect(() => new SeaweedStorage("shop-c", { platform, buckets: ["x", "shop-c-x"] })).toThrow('SeaweedStorage "shop-c": buckets is "shop-c-x"; expected buckets whose S3 names differ: "x" and "shop-c-x" both become "shop-c-x-123456789012-eu-west-1" (rename one)');
      expect(() => new SeaweedStorage("shop-d", { platform })).toThrow('SeaweedStorage "shop-d": buckets is []; expected at least one bucket on the aws platform (the store is a set of S3 buckets; or set managed: false to run SeaweedFS in the cluster)');
      const files = new SeaweedStorage("shop-e", { platform, buckets: ["files", "backups"] });
      expect(() => files.clientConnection({ name: "api", buckets: ["logs"], actions: ["Admin" as never] })).toThrow(
        'SeaweedStorage "shop-e": clientConnection.buckets is "logs"; expected a bucket declared in buckets ("files", "backups")\nSeaweedStorage "shop-e": clientConnection.actions is ["Admin"]; expected some of Read, Write, List, Tagging (Admin stays with the store\'s admin connection)',
      );
      expect(() => files.clientConnection({ name: "backups-writer", buckets: ["files"], actions: ["Read"] })).toThrow('SeaweedStorage "shop-e": clientConnection.name is "backups-writer"; expected a name that is not one of keel\'s identities (admin, readonly, <bucket>-writer)');
      files.clientConnection({ name: "api", buckets: ["files"], actions: ["Read"] });
      expect(files.clientConnection({ name: "api", buckets: ["files"], actions: ["Read"] }).env).toBeDefined();
      expect(() => files.clientConnection({ name: "api", buckets: ["files"], actions: ["Read", "Write"] })).toThrow('SeaweedStorage "shop-e": clientConnection.name is "api"; expected one definition per identity: this name was already given other buckets or actions');
      expect(() => files.bucketConnection("files", "write" as never)).toThrow('SeaweedStorage "shop-e": bucketConnection("files") access is "write"; expected "read" or "readwrite"');
      expect(() => files.bucketTarget("logs")).toThrow('SeaweedStorage "shop-e": bucketTarget("logs") names a bucket not in buckets; expected one of "files", "backups"');
    });
    // Only shop-e's resources exist: every rejected store failed before registering anything.
    expect(s.resources.filter((r) => r.type.startsWith("aws:s3/bucket:")).map((r) => r.name)).toEqual(["shop-e-files", "shop-e-backups"]);
    expect(s.resources.filter((r) => r.type === "keel:components:SeaweedStorage").map((r) => r.name)).toEqual(["shop-e"]);
  });
});
