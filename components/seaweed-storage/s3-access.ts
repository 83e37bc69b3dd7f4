/**
 * SeaweedStorage on aws, the pure half: the buckets' physical names, the regional endpoint, and
 * the IAM statements a client gets for its actions on its buckets (the same action names as
 * the in-cluster identities: Read, Write, List, Tagging; Admin for the store's admin).
 *
 * No static keys: a client's pods assume a role of their own (IRSA) holding exactly these
 * statements. Write deletes by placing a delete marker (versioning keeps the previous version for
 * `noncurrentVersionDays`); removing a version for good is Admin's only.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../aws/iam";
import { awsIdentifier } from "../aws/managed-data";
import type { ManagedEndpoint } from "../workload/data-store";

/** What a client may do on a bucket: the in-cluster actions, and Admin (the store's admin connection). */
export type S3AwsAction = "Read" | "Write" | "List" | "Tagging" | "Admin";

/** S3 actions per keel action, on the bucket's objects (`arn:…:bucket/*`) and on the bucket itself. */
export const S3_IAM_ACTIONS: Readonly<Record<S3AwsAction, { readonly objects: readonly string[]; readonly bucket: readonly string[] }>> = {
  Read: { objects: ["s3:GetObject"], bucket: [] },
  Write: { objects: ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], bucket: [] },
  // GetBucketLocation: SDKs ask for it before their first request when they do not know the region.
  List: { objects: [], bucket: ["s3:ListBucket", "s3:GetBucketLocation"] },
  Tagging: { objects: ["s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteObjectTagging"], bucket: [] },
  // Versions (read, restore by copying, delete for good) and multipart uploads in progress; never
  // the bucket's own settings or its deletion (Pulumi owns the buckets).
  Admin: {
    objects: ["s3:GetObjectVersion", "s3:DeleteObjectVersion", "s3:GetObjectVersionTagging", "s3:PutObjectVersionTagging", "s3:ListMultipartUploadParts"],
    bucket: ["s3:ListBucketVersions", "s3:ListBucketMultipartUploads"],
  },
};

/** The admin connection's actions on every bucket (as in the cluster: Admin, Read, Write, List, Tagging). */
export const S3_ADMIN_ACTIONS: readonly S3AwsAction[] = ["Admin", "Read", "Write", "List", "Tagging"];
/** The read-only connection's. */
export const S3_READ_ONLY_ACTIONS: readonly S3AwsAction[] = ["Read", "List"];
/** A backup writer's (`bucketTarget`): read, write, delete (pruning) and list its one bucket. */
export const S3_WRITER_ACTIONS: readonly S3AwsAction[] = ["Read", "Write", "List"];

/** Where the account and region's S3 is: partition, DNS suffix. */
export function awsPartition(region: string): { readonly partition: string; readonly dnsSuffix: string } {
  if (region.startsWith("cn-")) return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" };
  if (region.startsWith("us-gov-")) return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com" };
  return { partition: "aws", dnsSuffix: "amazonaws.com" };
}

/** S3's regional endpoint: `https://s3.<region>.amazonaws.com`. */
export function s3Endpoint(region: string): string {
  return `https://s3.${region}.${awsPartition(region).dnsSuffix}`;
}

/** `arn:aws:s3:::<bucket>` */
export function bucketArn(region: string, bucket: string): string {
  return `arn:${awsPartition(region).partition}:s3:::${bucket}`;
}

/** The variable a connection gives a bucket's physical name in: `S3_BUCKET_<NAME>` (`req1-files` → `S3_BUCKET_REQ1_FILES`). */
export function bucketEnvName(declared: string): string {
  return `S3_BUCKET_${declared.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`;
}

/**
 * A declared bucket's name in S3, where names are global (every account, every region):
 * `<system>-<store>-<bucket>-<account>-<region>`, the store's or system's name not repeated when
 * the bucket's name starts with it (`req1-files` of store `req1-files` in system `req1`:
 * `req1-files-123456789012-eu-west-1`; `req1-backups`: `req1-files-backups-…`). Lowercase
 * letters, digits and '-' only (no '.': a dotted name breaks TLS for virtual-hosted addresses),
 * at most 63 characters: a longer prefix is cut and ends in a hash of the whole, the account and
 * region always kept.
 */
export function s3BucketName(system: string, store: string, declared: string, accountId: string, region: string): string {
  const base = store === system || store.startsWith(`${system}-`) ? store : `${system}-${store}`;
  const bucket = declared.replace(/\./g, "-");
  const prefix = bucket === base || bucket.startsWith(`${base}-`) ? bucket : bucket.startsWith(`${system}-`) ? `${base}-${bucket.slice(system.length + 1)}` : `${base}-${bucket}`;
  const tail = `-${accountId}-${region}`;
  return `${awsIdentifier({ name: prefix, system: prefix }, "", 63 - tail.length)}${tail}`;
}

/** A client's statements: `actions` on exactly `buckets` (ARNs), and the store's key through S3 only. */
export function s3Statements(actions: readonly S3AwsAction[], bucketArns: readonly string[], kmsKeyArn: pulumi.Input<string>, region: string): PolicyStatement[] {
  const objects = unique(actions.flatMap((a) => S3_IAM_ACTIONS[a].objects));
  const bucket = unique(actions.flatMap((a) => S3_IAM_ACTIONS[a].bucket));
  const kms = [...(actions.some((a) => a === "Read" || a === "Write" || a === "Admin") ? ["kms:Decrypt"] : []), ...(actions.some((a) => a === "Write" || a === "Admin") ? ["kms:GenerateDataKey"] : [])];
  const statements: PolicyStatement[] = [];
  if (objects.length > 0) statements.push({ Effect: "Allow", Action: objects, Resource: bucketArns.map((arn) => `${arn}/*`) });
  if (bucket.length > 0) statements.push({ Effect: "Allow", Action: bucket, Resource: [...bucketArns] });
  // SSE-KMS: reading decrypts, writing generates a data key (a multipart upload decrypts its parts too).
  if (kms.length > 0) statements.push({ Effect: "Allow", Action: kms, Resource: kmsKeyArn, Condition: { StringEquals: { "kms:ViaService": `s3.${region}.${awsPartition(region).dnsSuffix}` } } });
  return statements;
}

/**
 * What clients' NetworkPolicies reach: S3's public addresses on 443 (every address outside the
 * private ranges). Traffic goes through the VPC's S3 gateway endpoint, but a gateway endpoint is
 * a route, not an address: pods still connect to S3's public addresses.
 */
export function s3NetworkEndpoint(store: string): ManagedEndpoint {
  return {
    networkPeer: { kind: "managed", name: `${store}-s3`, cidrs: ["0.0.0.0/0"], except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] },
    networkPorts: [{ port: 443 }],
  };
}

/** The bucket policy: TLS only (and TLS 1.2 at least), for every principal, on the bucket and its objects. */
export function tlsOnlyStatements(arn: string): PolicyStatement[] {
  const resources = [arn, `${arn}/*`];
  return [
    { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: resources, Condition: { Bool: { "aws:SecureTransport": "false" } } },
    { Sid: "DenyOutdatedTls", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: resources, Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
  ];
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
