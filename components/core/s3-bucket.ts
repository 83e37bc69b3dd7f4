/**
 * S3 bucket names, one rule for every component that names a bucket (SeaweedFS buckets, the
 * backup targets of PostgreSQL): the character set, then S3's reserved forms.
 */

/** 3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit. */
export const S3_BUCKET_CHARSET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The message for a name outside the character set. */
export const S3_BUCKET_SYNTAX = "expected an S3 bucket name (3-63 lowercase letters, digits, '.', '-')";

/** The character set, and no empty dot-separated part. */
export function isS3BucketSyntax(name: string): boolean {
  return S3_BUCKET_CHARSET.test(name) && !name.includes("..");
}

/**
 * S3's bucket naming rules beyond the character set (AWS "Bucket naming rules"; SeaweedFS'
 * VerifyS3BucketName): not an IP address, no "xn--"/"sthree-" prefix, no "-s3alias"/"--ol-s3"
 * suffix, no '.' next to '-' (not a DNS name). Undefined when `name` keeps them.
 */
export function s3BucketRuleProblem(name: string): string | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "expected a bucket name that is not formatted as an IP address";
  const prefix = ["xn--", "sthree-"].find((p) => name.startsWith(p));
  if (prefix) return `expected a bucket name that does not begin with "${prefix}" (reserved by S3)`;
  const suffix = ["-s3alias", "--ol-s3"].find((p) => name.endsWith(p));
  if (suffix) return `expected a bucket name that does not end with "${suffix}" (reserved by S3)`;
  if (/\.-|-\./.test(name)) return "expected no '.' next to '-' (each dot-separated part of a bucket name is a DNS label)";
  return undefined;
}

/** A bucket name S3 (and SeaweedFS) accepts: the syntax and none of the reserved forms. */
export function isS3BucketName(value: unknown): boolean {
  return typeof value === "string" && isS3BucketSyntax(value) && s3BucketRuleProblem(value) === undefined;
}
