/**
 * PostgresCluster in-cluster on EKS (`managed: false`) backing up to an S3 bucket on AWS (a target
 * with `aws`): every step that talks to S3 (WAL shipping, the backup upload and retention, the
 * restore and PITR fetch) authenticates as an IAM role of its ServiceAccount (IRSA), never with
 * static keys. The scripts themselves: postgres-irsa-scripts.test.ts.
 */
import { parse } from "yaml";
import { PostgresCluster, PostgresClusterArgs, backupUploadScript, restoreFetchScript, walUploadScript } from "../../../components";
import { PolicyDocument, leastPrivilegeProblems } from "../../../components/aws/iam";
import type { ObjectStoreTarget } from "../../../components/core/connection";
import { testAwsSystem } from "../../helpers/aws-system";
import { integrityProblems } from "../../helpers/integrity";
import { backupStore, testPlatform } from "../../helpers/platform";
import { schemaProblems } from "../../helpers/schema";
import { Synthesized, at, synthesize, unwrap } from "../../helpers/synth";

type Obj = Record<string, unknown>;

const BUCKET_ARN = "arn:aws:s3:::shop-backups-3f9a1c";
const STATEMENTS = [
  { Sid: "BackupObjects", Effect: "Allow" as const, Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], Resource: `${BUCKET_ARN}/*` },
  { Sid: "BackupList", Effect: "Allow" as const, Action: "s3:ListBucket", Resource: BUCKET_ARN },
];
const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const OIDC = "oidc.eks.eu-west-1.amazonaws.com/id/80DF88E30BB69E1D746F31DAD76C3756";
const TOKEN_FILE = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

/** What an S3 bucketTarget on aws gives (hand-made: the S3 side is SeaweedStorage's): S3's public addresses on 443. */
function s3Target(over: Partial<ObjectStoreTarget> = {}): ObjectStoreTarget {
  return {
    endpoint: "https://s3.eu-west-1.amazonaws.com",
    bucket: "shop-backups-3f9a1c",
    region: "eu-west-1",
    aws: { bucketArn: BUCKET_ARN, statements: STATEMENTS },
    network: { networkPeer: { kind: "managed", name: "shop-files", cidrs: ["0.0.0.0/0"], except: PRIVATE }, networkPorts: [{ port: 443 }] },
    ...over,
  };
}

function onEks(args: Partial<PostgresClusterArgs> = {}, storage: ObjectStoreTarget = s3Target()): Promise<Synthesized> {
  return synthesize(() => {
    new PostgresCluster("shop-db", { platform: testAwsSystem(), managed: false, backup: { storage }, ...args });
  });
}

async function thrown(args: Partial<PostgresClusterArgs>): Promise<string[]> {
  let lines: string[] = [];
  await synthesize(() => {
    try {
      new PostgresCluster("shop-db", { platform: testAwsSystem(), managed: false, ...args });
    } catch (e) {
      lines = (e as Error).message.split("\n");
    }
  });
  return lines;
}

const json = (value: unknown) => JSON.parse(unwrap(value) as string) as PolicyDocument;
const envOf = (c: unknown) => Object.fromEntries((at(c, "env") as Obj[]).map((e) => [e.name, e.value ?? e.valueFrom]));
const named = (list: unknown, name: string) => (list as Obj[]).find((c) => c.name === name) as Obj;
const mounts = (c: unknown) => ((at(c, "volumeMounts") as Obj[] | undefined) ?? []).map((m) => m.name);
const roleArn = (s: Synthesized, name: string) => unwrap(s.resource(name, "iam/role:Role").state.arn) as string;
/** A ConfigMap by its name's prefix (keel appends a content hash). */
const configMap = (s: Synthesized, prefix: string) => {
  const found = s.all("ConfigMap").filter((c) => String(c.metadata.name).startsWith(`${prefix}-`));
  if (found.length !== 1) throw new Error(`expected one ConfigMap ${prefix}-<hash>, found ${found.length}`);
  return found[0].data as Record<string, string>;
};
/** Every egress rule of the NetworkPolicies that select the pods of `instance` (keel splits them by peer). */
const egressOf = (s: Synthesized, instance: string) =>
  s.all("NetworkPolicy").filter((p) => at(p, "spec.podSelector.matchLabels")?.["app.kubernetes.io/instance" as never] === instance).flatMap((p) => (at(p, "spec.egress") as Obj[] | undefined) ?? []);
const TOKEN_VOLUME = { name: "aws-iam-token", projected: { sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", expirationSeconds: 86400, path: "token" } }] } };

describe("PostgresCluster on EKS backing up to an S3 bucket through IRSA", () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await onEks();
  });

  it("stays schema-valid and consistent", () => {
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(s.objects)).toEqual([]);
  });

  it("gives each ServiceAccount that talks to S3 a role trusting exactly that ServiceAccount, with exactly the target's statements", () => {
    const roles = s.resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => r.name);
    expect(roles.sort()).toEqual(["shop-db-backup-aws-role", "shop-db-wal-aws-role"]);
    for (const [role, serviceAccount] of [["shop-db-backup-aws-role", "shop-db-backup"], ["shop-db-wal-aws-role", "shop-db-primary"]]) {
      expect(json(s.resource(role, "iam/role:Role").inputs.assumeRolePolicy)).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${OIDC}` },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [`${OIDC}:sub`]: `system:serviceaccount:shop-data:${serviceAccount}`, [`${OIDC}:aud`]: "sts.amazonaws.com" } },
          },
        ],
      });
      const policy = json(s.resource(`${role}-policy`, "iam/rolePolicy:RolePolicy").inputs.policy);
      expect(policy).toEqual({ Version: "2012-10-17", Statement: STATEMENTS });
      expect(leastPrivilegeProblems(policy)).toEqual([]);
      expect(s.object("ServiceAccount", serviceAccount).automountServiceAccountToken).toBe(false);
      expect(unwrap(s.resource(role, "iam/role:Role").inputs.tags)).toMatchObject({ "keel.dev/system": "shop", "keel.dev/component": "shop-db", Name: role });
    }
    expect(s.resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
  });

  it("gives the role and a token projected for STS only to the containers that talk to S3; no key anywhere", () => {
    const primary = at(s.object("StatefulSet", "shop-db-primary"), "spec.template.spec") as Obj;
    const backup = at(s.object("CronJob", "shop-db-backup"), "spec.jobTemplate.spec.template.spec") as Obj;
    for (const [pod, serviceAccount] of [[primary, "shop-db-primary"], [backup, "shop-db-backup"]] as const) {
      expect(pod.serviceAccountName).toBe(serviceAccount);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(named(pod.volumes, "aws-iam-token")).toEqual(TOKEN_VOLUME);
    }
    const walUpload = named(primary.containers, "wal-upload");
    expect(envOf(walUpload)).toEqual(expect.objectContaining({ AWS_ROLE_ARN: roleArn(s, "shop-db-wal-aws-role"), AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE, AWS_REGION: "eu-west-1", S3_REGION: "eu-west-1", S3_BUCKET: "shop-backups-3f9a1c" }));
    expect(named(walUpload.volumeMounts, "aws-iam-token")).toEqual({ name: "aws-iam-token", mountPath: "/var/run/secrets/eks.amazonaws.com/serviceaccount", readOnly: true });
    // The temporary credentials live in memory, mounted only where the token is (not the pod's shared /tmp).
    expect(named(primary.volumes, "aws-session")).toEqual({ name: "aws-session", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } });
    expect(named(walUpload.volumeMounts, "aws-session")).toEqual({ name: "aws-session", mountPath: "/var/run/keel-aws-session" });
    expect(envOf(walUpload).AWS_SESSION_DIR).toBe("/var/run/keel-aws-session");
    const upload = named(backup.containers, "upload");
    expect(envOf(upload)).toEqual(expect.objectContaining({ AWS_ROLE_ARN: roleArn(s, "shop-db-backup-aws-role"), AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE }));
    expect(mounts(upload)).toContain("aws-iam-token");
    // The server, its exporter, the encryption helper and the dump never see the token.
    for (const c of [named(primary.containers, "postgres"), named(primary.containers, "exporter"), named(primary.containers, "wal-encrypt"), named(backup.initContainers, "dump")]) {
      expect(mounts(c).filter((m) => String(m).startsWith("aws-"))).toEqual([]);
      expect(Object.keys(envOf(c)).filter((n) => n.startsWith("AWS_"))).toEqual([]);
    }
    for (const c of [walUpload, upload]) expect(Object.keys(envOf(c)).filter((n) => n.startsWith("AWS_")).sort()).toEqual(["AWS_REGION", "AWS_ROLE_ARN", "AWS_SESSION_DIR", "AWS_WEB_IDENTITY_TOKEN_FILE"]);
    expect(Object.keys(s.object("Secret", "shop-db-backup").stringData as Obj)).toEqual(["passphrase"]);
    const written = s.written();
    // No key in the Secret, no key variable in any pod (the IRSA scripts still hold the static s3_curl, redefined: text, not a variable).
    expect(["access-key-id", "secret-access-key", '"name":"AWS_ACCESS_KEY_ID"', '"name":"AWS_SECRET_ACCESS_KEY"'].filter((key) => written.includes(key))).toEqual([]);
  });

  it("ships the IRSA variants of the upload and fetch scripts", () => {
    const scripts = configMap(s, "shop-db-scripts");
    expect(scripts["wal-upload.sh"]).toBe(walUploadScript({ irsa: true }));
    expect(scripts["backup-upload.sh"]).toBe(backupUploadScript({ irsa: true }));
    expect(scripts["restore-fetch.sh"]).toBe(restoreFetchScript({ irsa: true }));
    expect(scripts["wal-upload.sh"]).toContain("AssumeRoleWithWebIdentity");
    expect(walUploadScript()).not.toContain("AssumeRoleWithWebIdentity");
  });

  it("runs the restore and PITR Jobs' fetch step as the backup's role", () => {
    const manifests = configMap(s, "shop-db-restore");
    for (const file of ["restore-job.yaml", "pitr-job.yaml"]) {
      const pod = at(parse(manifests[file]), "spec.template.spec") as Obj;
      expect([pod.serviceAccountName, pod.automountServiceAccountToken]).toEqual(["shop-db-backup", false]);
      expect(named(pod.volumes, "aws-iam-token")).toEqual(TOKEN_VOLUME);
      const fetch = named(pod.initContainers, "fetch");
      expect(envOf(fetch)).toEqual(expect.objectContaining({ AWS_ROLE_ARN: roleArn(s, "shop-db-backup-aws-role"), AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE }));
      expect(mounts(fetch)).toContain("aws-iam-token");
      expect(mounts((pod.containers as Obj[])[0])).not.toContain("aws-iam-token");
    }
  });

  it("reaches STS through the bucket's rule when that rule covers S3's public addresses on 443", () => {
    for (const instance of ["shop-db-primary", "shop-db-backup"]) {
      expect(egressOf(s, instance).filter((rule) => JSON.stringify(rule).includes('"cidr":"0.0.0.0/0"'))).toEqual([
        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE } }], ports: [{ port: 443, protocol: "TCP" }] },
      ]);
    }
  });

  it("opens STS (public addresses on 443) when the bucket's rule is narrower", async () => {
    const narrow = await onEks({}, s3Target({ network: { networkPeer: { kind: "managed", name: "shop-files", cidrs: ["52.218.0.0/17"] }, networkPorts: [{ port: 443 }] } }));
    for (const instance of ["shop-db-primary", "shop-db-backup"]) {
      const egress = egressOf(narrow, instance);
      expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE } }], ports: [{ port: 443, protocol: "TCP" }] });
      expect(egress).toContainEqual(expect.objectContaining({ to: [{ ipBlock: { cidr: "52.218.0.0/17" } }] }));
    }
  });

  it("without WAL archiving makes the backup's role only", async () => {
    const noWal = await onEks({ backup: { storage: s3Target(), walArchiving: false } });
    expect(noWal.resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => r.name)).toEqual(["shop-db-backup-aws-role"]);
    expect((at(noWal.object("StatefulSet", "shop-db-primary"), "spec.template.spec.volumes") as Obj[]).map((v) => v.name)).not.toContain("aws-iam-token");
  });

  it("keeps static keys for a target without aws, on EKS too", async () => {
    const keys = await onEks({}, backupStore());
    expect(keys.resources.filter((r) => r.type.startsWith("aws:iam/"))).toEqual([]);
    expect(Object.keys(keys.object("Secret", "shop-db-backup").stringData as Obj)).toEqual(["access-key-id", "secret-access-key", "passphrase"]);
    const walUpload = named(at(keys.object("StatefulSet", "shop-db-primary"), "spec.template.spec.containers"), "wal-upload");
    expect(Object.keys(envOf(walUpload)).filter((n) => n.startsWith("AWS_"))).toEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    expect(configMap(keys, "shop-db-scripts")["wal-upload.sh"]).toBe(walUploadScript());
  });

  it("refuses a target without keys or aws, with both, with no statements, and aws on the kubernetes platform", async () => {
    const { accessKeyId: _a, secretAccessKey: _s, ...keyless } = backupStore();
    expect(await thrown({ backup: { storage: { ...keyless, network: s3Target().network } } })).toEqual([
      `PostgresCluster "shop-db": backup.storage.accessKeyId is undefined; expected the access key of the bucket's writer (with secretAccessKey), or aws (an S3 bucket on AWS, written through IAM roles for the backup's ServiceAccounts)`,
      `PostgresCluster "shop-db": backup.storage.secretAccessKey is undefined; expected the secret key of the bucket's writer (with accessKeyId), or aws (an S3 bucket on AWS, written through IAM roles for the backup's ServiceAccounts)`,
    ]);
    expect(await thrown({ backup: { storage: s3Target({ accessKeyId: "AKIAEXAMPLE", aws: { bucketArn: BUCKET_ARN, statements: [] } }) } })).toEqual([
      `PostgresCluster "shop-db": backup.storage has both aws and static keys (accessKeyId, secretAccessKey); expected one of them: with aws the backup writes through IAM roles for its ServiceAccounts (IRSA) and no key is stored`,
      `PostgresCluster "shop-db": backup.storage.aws.statements is []; expected the IAM statements the backup's roles get (at least one: the bucket's object and list permissions)`,
    ]);
    let lines: string[] = [];
    await synthesize(() => {
      try {
        new PostgresCluster("shop-db", { platform: testPlatform(), backup: { storage: s3Target({ network: backupStore().network }) } });
      } catch (e) {
        lines = (e as Error).message.split("\n");
      }
    });
    expect(lines).toEqual([
      `PostgresCluster "shop-db": backup.storage.aws is set on platform kind "kubernetes"; expected the aws platform: IAM roles for service accounts (IRSA) need EKS; give the bucket's accessKeyId and secretAccessKey instead`,
    ]);
  });
});
