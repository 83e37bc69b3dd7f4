/**
 * SeaweedStorage on the aws platform: a set of S3 buckets instead of SeaweedFS. Per declared
 * bucket: a bucket with a global name of its own (s3BucketName), versioning, default encryption
 * with the store's customer-managed KMS key (bucket keys on), every public access blocked,
 * ownership enforced (no ACLs), a bucket policy refusing anything but TLS 1.2+, and a lifecycle
 * (incomplete multipart uploads aborted after 7 days, previous versions expired after
 * `aws.noncurrentVersionDays`, objects after `aws.expireAfterDays` when set).
 *
 * Clients get no keys: a connection carries IAM statements (`awsAccess`) that the client's own
 * IAM role for its ServiceAccount (IRSA) holds, exactly its actions on exactly its buckets.
 */
import type * as kms from "@pulumi/aws/kms";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../aws/iam";
import { dataKmsKey, managedDataContext } from "../aws/managed-data";
import type { Connection, ObjectStoreTarget } from "../core/connection";
import { Validator } from "../core/errors";
import { childName, isDnsLabel } from "../core/naming";
import type { Platform } from "../platform/types";
import type { ManagedEndpoint } from "../workload/data-store";
import { S3_CLIENT_ACTIONS } from "./config";
import type { SeaweedClientArgs } from "./identities";
import type { ResolvedSeaweed, ResolvedSeaweedAws } from "./resolve";
import { S3AwsAction, S3_ADMIN_ACTIONS, S3_READ_ONLY_ACTIONS, S3_WRITER_ACTIONS, bucketArn, bucketEnvName, s3Endpoint, s3NetworkEndpoint, s3Statements, tlsOnlyStatements } from "./s3-access";

export interface S3Deployment {
  /** Each declared bucket's S3 bucket. */
  readonly buckets: Readonly<Record<string, s3.Bucket>>;
  /** The store's customer-managed key (default encryption of every bucket). */
  readonly key: kms.Key;
  /** `https://s3.<region>.amazonaws.com` */
  readonly url: string;
  readonly endpoint: ManagedEndpoint;
  readonly admin: Connection;
  readonly readOnly: Connection;
  /** A client's connection (`clientConnection`, `bucketConnection`); `field` names the call in messages. */
  client(c: SeaweedClientArgs, field: string): Connection;
  /** The backup writer's target of a declared bucket. */
  target(bucket: string): ObjectStoreTarget;
}

const RESERVED = ["admin", "readonly"];

export function deployS3(parent: pulumi.ComponentResource, r: ResolvedSeaweed, platform: Platform): S3Deployment {
  const a = r.aws as ResolvedSeaweedAws;
  const ctx = managedDataContext(parent, r, platform, r.protect);
  const key = dataKmsKey(ctx, "s3-key", `${r.system}/${r.name}: default encryption of the S3 buckets ${r.buckets.join(", ")}`);
  const buckets: Record<string, s3.Bucket> = {};
  for (const declared of r.buckets) buckets[declared] = bucketWithSettings(ctx, a, declared, key);

  const url = s3Endpoint(a.region);
  const endpoint = s3NetworkEndpoint(r.name);
  const arnOf = (b: string) => bucketArn(a.region, a.bucketNames[b]);
  const connection = (actions: readonly S3AwsAction[], reach: readonly string[]): Connection => ({
    kind: "s3",
    host: pulumi.output(new URL(url).hostname),
    port: 443,
    tls: true,
    url: pulumi.output(url),
    env: {
      SEAWEEDFS_URL: url,
      S3_ENDPOINT: url,
      S3_REGION: a.region,
      S3_FORCE_PATH_STYLE: "false",
      ...Object.fromEntries(reach.map((b) => [bucketEnvName(b), a.bucketNames[b]])),
    },
    secretEnv: [],
    endpoint,
    awsAccess: { statements: s3Statements(actions, reach.map(arnOf), key.arn, a.region) },
  });

  const clients = new Map<string, string>();
  return {
    buckets,
    key,
    url,
    endpoint,
    admin: connection(S3_ADMIN_ACTIONS, r.buckets),
    readOnly: connection(S3_READ_ONLY_ACTIONS, r.buckets),
    client(c, field) {
      const { buckets: reach, actions, definition } = checkClient(r, c, field);
      const v = new Validator("SeaweedStorage", r.name);
      const earlier = clients.get(c.name);
      v.require(earlier === undefined || earlier === definition, `${field}.name`, c.name, "expected one definition per identity: this name was already given other buckets or actions");
      v.throwIfInvalid();
      clients.set(c.name, definition);
      return connection(actions, reach);
    },
    target(bucket) {
      return {
        endpoint: url,
        bucket: a.bucketNames[bucket],
        region: a.region,
        aws: { bucketArn: arnOf(bucket), kmsKeyArn: key.arn, statements: s3Statements(S3_WRITER_ACTIONS, [arnOf(bucket)], key.arn, a.region) },
        network: endpoint,
        ports: [{ port: 443 }],
      };
    },
  };
}

/** One bucket and its settings (each names its bucket and depends on it: the pack's s3-bucket-protection finds them). */
function bucketWithSettings(ctx: ReturnType<typeof managedDataContext>, a: ResolvedSeaweedAws, declared: string, key: kms.Key): s3.Bucket {
  const name = childName(ctx.name, declared);
  const physical = a.bucketNames[declared];
  const bucket = new s3.Bucket(name, { bucket: physical, forceDestroy: false, tags: ctx.tags(name) }, ctx.statefulOpts);
  const owner = { bucket: bucket.bucket, expectedBucketOwner: a.accountId };
  new s3.BucketOwnershipControls(childName(name, "ownership"), { bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, ctx.opts);
  const block = new s3.BucketPublicAccessBlock(childName(name, "public-access-block"), { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, ctx.opts);
  const versioning = new s3.BucketVersioning(childName(name, "versioning"), { ...owner, versioningConfiguration: { status: "Enabled" } }, ctx.opts);
  new s3.BucketServerSideEncryptionConfiguration(childName(name, "encryption"), { ...owner, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] }, ctx.opts);
  // After the public access block: S3 refuses policy changes while the block is being set.
  new s3.BucketPolicy(childName(name, "policy"), { bucket: bucket.bucket, policy: policyJson({ Version: "2012-10-17", Statement: tlsOnlyStatements(bucketArn(a.region, physical)) }) }, { ...ctx.opts, dependsOn: [block] });
  const expire = a.expireAfterDays[declared];
  new s3.BucketLifecycleConfiguration(
    childName(name, "lifecycle"),
    {
      ...owner,
      rules: [
        { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        // Previous versions (overwritten or deleted objects) go after noncurrentVersionDays; then the delete markers left alone.
        { id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: a.noncurrentVersionDays }, expiration: { expiredObjectDeleteMarker: true } },
        ...(expire !== undefined ? [{ id: "expire-objects", status: "Enabled", filter: {}, expiration: { days: expire } }] : []),
      ],
    },
    // Noncurrent-version rules need versioning on first.
    { ...ctx.opts, dependsOn: [versioning] },
  );
  return bucket;
}

/** The same checks as the in-cluster identities (SeaweedIdentities.client), with the same messages. */
function checkClient(r: ResolvedSeaweed, c: SeaweedClientArgs, field: string): { buckets: string[]; actions: S3AwsAction[]; definition: string } {
  const v = new Validator("SeaweedStorage", r.name);
  const name = c?.name;
  const taken = typeof name === "string" && (RESERVED.includes(name) || r.buckets.some((b) => name === `${b}-writer`));
  v.require(typeof name === "string" && isDnsLabel(childName(r.name, `s3-${name}`)) && !taken, `${field}.name`, name, taken ? "expected a name that is not one of keel's identities (admin, readonly, <bucket>-writer)" : "expected lowercase letters, digits and '-' (it names the Secret <store>-s3-<name>, at most 63 characters)");
  const buckets = Array.isArray(c?.buckets) ? [...c.buckets] : [];
  v.require(buckets.length > 0, `${field}.buckets`, c?.buckets, "expected at least one bucket");
  for (const b of buckets) v.require(r.buckets.includes(b), `${field}.buckets`, b, `expected a bucket declared in buckets (${r.buckets.map((x) => JSON.stringify(x)).join(", ") || "none"})`);
  v.require(new Set(buckets).size === buckets.length, `${field}.buckets`, buckets, "expected each bucket once");
  const actions = Array.isArray(c?.actions) ? [...c.actions] : [];
  v.require(actions.length > 0 && actions.every((x) => (S3_CLIENT_ACTIONS as readonly string[]).includes(x)), `${field}.actions`, c?.actions, `expected some of ${S3_CLIENT_ACTIONS.join(", ")} (Admin stays with the store's admin connection)`);
  v.throwIfInvalid();
  return { buckets, actions, definition: JSON.stringify([[...buckets].sort(), [...actions].sort()]) };
}
