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
