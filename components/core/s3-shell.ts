/**
 * S3 from a POSIX shell with curl alone (SigV4, path-style URLs): what keel's backup and
 * WAL-shipping scripts use, so their image needs no AWS CLI. Requires curl >= 7.75.
 * Environment: S3_ENDPOINT (e.g. http://storage-s3.storage.svc.cluster.local:8333),
 * S3_BUCKET, S3_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
 */
export const S3_SHELL_FUNCTIONS = `
s3_curl() {
  curl --fail --silent --show-error --retry 3 --aws-sigv4 "aws:amz:\${S3_REGION:-us-east-1}:s3" \\
    --user "\${AWS_ACCESS_KEY_ID}:\${AWS_SECRET_ACCESS_KEY}" "$@"
}
# s3_put FILE KEY
s3_put() { s3_curl --upload-file "$1" "\${S3_ENDPOINT%/}/\${S3_BUCKET}/$2" >/dev/null; }
# s3_get KEY FILE
s3_get() { s3_curl --output "$2" "\${S3_ENDPOINT%/}/\${S3_BUCKET}/$1"; }
# s3_delete KEY
s3_delete() { s3_curl --request DELETE "\${S3_ENDPOINT%/}/\${S3_BUCKET}/$1" >/dev/null; }
# s3_list PREFIX: every key under PREFIX, one per line (follows truncated listings)
s3_list() {
  s3_list_after=""
  while :; do
    s3_list_page=$(s3_curl "\${S3_ENDPOINT%/}/\${S3_BUCKET}?list-type=2&prefix=$1&start-after=\${s3_list_after}")
    s3_list_keys=$(printf '%s' "$s3_list_page" | tr '<' '\\n' | sed -n 's/^Key>//p')
    if [ -n "$s3_list_keys" ]; then printf '%s\\n' "$s3_list_keys"; fi
    case "$s3_list_page" in
      *"<IsTruncated>true</IsTruncated>"*) s3_list_after=$(printf '%s\\n' "$s3_list_keys" | tail -n 1) ;;
      *) break ;;
    esac
  done
}
`;
