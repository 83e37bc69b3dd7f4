/** Shell fragments shared by the PostgresCluster scripts (POSIX sh: busybox ash and dash run them). */

export const ENCRYPT = "openssl enc -aes-256-cbc -pbkdf2 -iter 100000 -salt -pass env:BACKUP_PASSPHRASE";
export const DECRYPT = "openssl enc -d -aes-256-cbc -pbkdf2 -iter 100000 -pass env:BACKUP_PASSPHRASE";

/** Fails at once, naming the tool, when the image lacks one: a local problem, so the container may exit. */
export function requireTools(script: string, tools: readonly string[]): string {
  return tools.map((tool) => `command -v ${tool} >/dev/null 2>&1 || { echo "${script}: ${tool} is missing from the image (see docs/postgres.md of keel, Images)" >&2; exit 1; }`).join("\n");
}

/**
 * curl that gives up on a stalled connection (S3 and the Pushgateway): the helpers have no probe
 * that would restart them, so a request must fail (and be retried) rather than hang.
 */
export const BOUNDED_CURL = `curl() { command curl --connect-timeout 10 --speed-limit 1024 --speed-time 60 "$@"; }`;

/** Bytes of the regular files in directory $1 (printf: awk may print large sums in exponent form). */
export const DIR_BYTES = `# shellcheck disable=SC2012 # WAL file names are plain hex: ls is safe
dir_bytes() { ls -ln "$1" | awk '/^-/ { s += $5 } END { printf "%.0f\\n", s }'; }`;

/**
 * Creates the WAL spool $1 if missing, usable by the server (uid 70) and the helpers (their
 * images' users) alike through the pod's group (fsGroup 70): whoever comes first makes it 2770,
 * and files are group-readable and -writable (umask 007).
 */
export function makeSpool(dir: string): string {
  return `umask 007
[ -d "${dir}" ] || { mkdir -p "${dir}"; chmod 2770 "${dir}"; }`;
}

/** Where the pods that reach an AWS bucket (`ObjectStoreTarget.aws`) find their ServiceAccount's projected token, for STS (audience sts.amazonaws.com). */
export const AWS_TOKEN_DIR = "/var/run/secrets/eks.amazonaws.com/serviceaccount";

/**
 * S3 as the pod's own IAM role (IRSA), for a target with `aws` (no keys): redefines s3_curl of
 * S3_SHELL_FUNCTIONS (include it after them). STS trades the ServiceAccount token in
 * AWS_WEB_IDENTITY_TOKEN_FILE for temporary credentials of AWS_ROLE_ARN (AssumeRoleWithWebIdentity,
 * an unauthenticated call to STS of AWS_REGION, else of S3_REGION, or to AWS_STS_ENDPOINT); they are kept in a curl
 * config file in AWS_SESSION_DIR (else under TMPDIR; mode 0600: never printed, never on a command line) with their expiry,
 * and renewed when less than 5 minutes are left, so the long-running WAL shipper keeps going.
 * Requests are signed with them (SigV4) and carry the session token (x-amz-security-token).
 */
export function irsaShellFunctions(script: string): string {
  return `# IRSA: S3 as this pod's IAM role, with temporary credentials from STS (no keys anywhere).
: "\${AWS_ROLE_ARN:?is not set: the IAM role of the ServiceAccount of this pod}" "\${AWS_WEB_IDENTITY_TOKEN_FILE:?is not set: the ServiceAccount token projected for STS}"
aws_session_dir="\${AWS_SESSION_DIR:-\${TMPDIR:-/tmp}/keel-aws-session}"
aws_session_file="$aws_session_dir/curl-config"
# aws_field NAME FILE: the text of the first <NAME> element of an STS answer
aws_field() { tr '<' '\\n' < "$2" | sed -n "s/^$1>//p" | head -n 1; }
aws_assume_role() {
  [ -r "$AWS_WEB_IDENTITY_TOKEN_FILE" ] || { echo "${script}: cannot read the ServiceAccount token $AWS_WEB_IDENTITY_TOKEN_FILE" >&2; return 1; }
  (umask 077 && mkdir -p "$aws_session_dir") || return 1
  # STS of the cluster's region (AWS_REGION), else of the bucket's.
  aws_region="\${AWS_REGION:-\${S3_REGION:-us-east-1}}"
  case "$aws_region" in
    cn-*) aws_sts="https://sts.$aws_region.amazonaws.com.cn" ;;
    *) aws_sts="https://sts.$aws_region.amazonaws.com" ;;
  esac
  aws_sts="\${AWS_STS_ENDPOINT:-$aws_sts}"
  aws_answer=$(mktemp "$aws_session_dir/answer.XXXXXX") || return 1
  aws_status=$(curl --silent --show-error --retry 3 --output "$aws_answer" --write-out '%{http_code}' \\
    --data-urlencode "Action=AssumeRoleWithWebIdentity" --data-urlencode "Version=2011-06-15" \\
    --data-urlencode "RoleArn=$AWS_ROLE_ARN" --data-urlencode "RoleSessionName=keel-${script}-$(date +%s)" \\
    --data-urlencode "DurationSeconds=3600" --data-urlencode "WebIdentityToken@$AWS_WEB_IDENTITY_TOKEN_FILE" \\
    "$aws_sts") || :
  if [ "$aws_status" != 200 ]; then
    echo "${script}: STS AssumeRoleWithWebIdentity as $AWS_ROLE_ARN at $aws_sts failed (HTTP \${aws_status:-000}) $(aws_field Code "$aws_answer") $(aws_field Message "$aws_answer")" >&2
    rm -f "$aws_answer"
    return 1
  fi
  aws_key=$(aws_field AccessKeyId "$aws_answer")
  aws_secret=$(aws_field SecretAccessKey "$aws_answer")
  aws_token=$(aws_field SessionToken "$aws_answer")
  aws_expiration=$(aws_field Expiration "$aws_answer")
  rm -f "$aws_answer"
  for aws_value in "$aws_key" "$aws_secret" "$aws_token"; do
    case "$aws_value" in "" | *[!A-Za-z0-9+/=]*) echo "${script}: STS answered AssumeRoleWithWebIdentity as $AWS_ROLE_ARN without usable credentials" >&2; return 1 ;; esac
  done
  # Expiration is UTC (2026-12-01T23:00:00Z); busybox and GNU date both read "2026-12-01 23:00:00". Unreadable: STS's shortest session.
  aws_expires=""
  case "$aws_expiration" in
    [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*) aws_expires=$(date -u -d "$(printf '%s' "$aws_expiration" | cut -c1-19 | tr T ' ')" +%s 2>/dev/null) || aws_expires="" ;;
  esac
  case "$aws_expires" in "" | *[!0-9]*) aws_expires=$(($(date +%s) + 900)) ;; esac
  aws_new=$(mktemp "$aws_session_dir/curl-config.XXXXXX") || return 1
  if ! printf '# expires %s\\nuser = "%s:%s"\\nheader = "x-amz-security-token: %s"\\n' "$aws_expires" "$aws_key" "$aws_secret" "$aws_token" > "$aws_new"; then
    rm -f "$aws_new"
    return 1
  fi
  mv "$aws_new" "$aws_session_file"
  echo "${script}: assumed $AWS_ROLE_ARN until \${aws_expiration:-$aws_expires}" >&2
}
# Credentials with at least 5 minutes left, else new ones.
aws_session() {
  aws_expires=$(sed -n 's/^# expires //p' "$aws_session_file" 2>/dev/null | head -n 1) || aws_expires=""
  case "$aws_expires" in "" | *[!0-9]*) aws_expires=0 ;; esac
  [ "$aws_expires" -gt $(($(date +%s) + 300)) ] || aws_assume_role
}
s3_curl() {
  aws_session || return 1
  curl --config "$aws_session_file" --fail --silent --show-error --retry 3 --aws-sigv4 "aws:amz:\${S3_REGION:-us-east-1}:s3" "$@"
}`;
}
