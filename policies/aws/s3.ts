/** S3 buckets: public access blocked, encrypted, versioned, TLS only. Stack-wide: the settings are separate resources. */
import { stackPolicy } from "../lib/define";
import type { Target } from "../lib/define";
import { documentStatements } from "../lib/iam-statements";
import { at, obj, str } from "../lib/props";

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

function bucketName(b: Target): string {
  return str(b.props.bucket) ?? b.name;
}

/** The settings resources of `type` that belong to bucket `b` (by bucket name or dependency). */
function settingsFor(resources: readonly Target[], b: Target, types: readonly string[]): Target[] {
  return resources.filter((r) => types.includes(r.type) && (str(r.props.bucket) === bucketName(b) || str(r.props.bucket) === b.name || dependsOn(r, b)));
}

function dependsOn(r: Target, b: Target): boolean {
  return r.dependencies?.includes(b.urn) ?? false;
}

function tlsOnly(policyJson: unknown): boolean {
  return (documentStatements(policyJson) ?? []).some((s) => obj(s).Effect === "Deny" && String(at(s, "Condition.Bool.aws:SecureTransport")) === "false");
}

export const s3Buckets = stackPolicy({
  name: "s3-bucket-protection",
  description: "S3 buckets block public access, are encrypted and versioned, and accept only TLS.",
  enforcementLevel: "mandatory",
  check(resources, report) {
    for (const b of resources.filter((r) => BUCKETS.includes(r.type))) {
      const what = `S3 bucket ${bucketName(b)}`;
      const block = settingsFor(resources, b, ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"])[0];
      const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
      if (!block || flags.some((f) => block.props[f] !== true)) report(b.urn, `${what}: public access is not fully blocked; add a BucketPublicAccessBlock with ${flags.join(", ")} all true.`);
      const sse = b.props.serverSideEncryptionConfiguration !== undefined || settingsFor(resources, b, ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"]).length > 0;
      if (!sse) report(b.urn, `${what}: no default encryption; add a BucketServerSideEncryptionConfiguration (aws:kms).`);
      const versioning = at(b.props, "versioning.enabled") === true || settingsFor(resources, b, ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"]).some((v) => at(v.props, "versioningConfiguration.status") === "Enabled");
      if (!versioning) report(b.urn, `${what}: versioning is off; add a BucketVersioning with status Enabled so overwrites and deletes can be undone.`);
      const policies = settingsFor(resources, b, ["aws:s3/bucketPolicy:BucketPolicy"]);
      if (!tlsOnly(b.props.policy) && !policies.some((p) => tlsOnly(p.props.policy))) {
        report(b.urn, `${what}: accepts plain HTTP; add a bucket policy that denies requests where aws:SecureTransport is false.`);
      }
    }
  },
});
