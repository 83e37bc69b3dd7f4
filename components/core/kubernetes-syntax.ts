/**
 * The syntax Kubernetes (and the tools around it) gives its string values: names, label keys and
 * values, annotations, port names, Ingress hosts and paths, percentages, environment variable
 * names and URLs. Each rule is a pure function returning why a value is wrong (the "what is
 * allowed" half of a validation message) or undefined when it is fine, so every component
 * checks the same thing the same way.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** Longest label value, DNS label and the name part of a label or annotation key. */
export const MAX_LABEL_LENGTH = 63;
/** Longest DNS subdomain (most object names, Ingress hosts, key prefixes). */
export const MAX_SUBDOMAIN_LENGTH = 253;
/** The API server's limit on all annotations of one object together (keys and values, in bytes). */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** True when `value` is a string of printable characters only (no newline, tab, NUL or other control). */
export function hasControlCharacters(value: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(value);
}

/** Why `value` is not a DNS-1123 label (Namespace, Service and port-free object names), or undefined. */
export function dnsLabelProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || !DNS_LABEL.test(value)) return "expected lowercase letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label)";
  if (value.length > MAX_LABEL_LENGTH) return `expected at most ${MAX_LABEL_LENGTH} characters (a DNS-1123 label)`;
  return undefined;
}

/** Why `value` is not a DNS-1123 subdomain (Secret, ConfigMap, StorageClass, IngressClass names, key prefixes), or undefined. */
export function dnsSubdomainProblem(value: unknown): string | undefined {
  const allowed = "expected dot-separated DNS-1123 labels: lowercase letters, digits and '-', each starting and ending with a letter or digit (a DNS-1123 subdomain)";
  if (typeof value !== "string" || value.length === 0) return allowed;
  if (value.length > MAX_SUBDOMAIN_LENGTH) return `expected at most ${MAX_SUBDOMAIN_LENGTH} characters (a DNS-1123 subdomain)`;
  return value.split(".").every((part) => DNS_LABEL.test(part)) ? undefined : allowed;
}

/** Why `value` is not a label value (empty, or up to 63 of letters, digits, '-', '_', '.' with alphanumeric ends), or undefined. */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "expected a string label value";
  if (value.length > MAX_LABEL_LENGTH) return `expected at most ${MAX_LABEL_LENGTH} characters (a label value)`;
  return value === "" || QUALIFIED_NAME.test(value) ? undefined : "expected letters, digits, '-', '_' and '.', starting and ending with a letter or digit (a label value)";
}

/**
 * Why `key` is not a label or annotation key: an optional prefix (a DNS-1123 subdomain of at most
 * 253 characters) and '/', then a name of at most 63 letters, digits, '-', '_', '.' with alphanumeric ends.
 */
export function qualifiedKeyProblem(key: unknown): string | undefined {
  const allowed = "expected [prefix/]name: an optional DNS subdomain prefix (at most 253 characters) and a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  if (typeof key !== "string") return allowed;
  const parts = key.split("/");
  if (parts.length > 2) return allowed;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && dnsSubdomainProblem(parts[0]) !== undefined) return allowed;
  if (name.length === 0 || name.length > MAX_LABEL_LENGTH || !QUALIFIED_NAME.test(name)) return allowed;
  return undefined;
}

/** Problems (`field`, value, allowed) of a label map: every key and value. */
export function labelProblems(field: string, labels: Readonly<Record<string, unknown>> | undefined): [string, unknown, string][] {
  const problems: [string, unknown, string][] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const k = qualifiedKeyProblem(key);
    if (k) problems.push([field, key, k]);
    const val = labelValueProblem(value);
    if (val) problems.push([`${field}.${key}`, value, val]);
  }
  return problems;
}

/** UTF-8 byte length. */
export function byteLength(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

/**
 * Problems of an annotation map: every key, and all of them together at most 256 KiB (keys and
 * plain string values; values not known yet count as empty).
 */
export function annotationProblems(field: string, annotations: Readonly<Record<string, unknown>> | undefined): [string, unknown, string][] {
  const problems: [string, unknown, string][] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    const k = qualifiedKeyProblem(key);
    if (k) problems.push([field, key, k]);
    total += byteLength(key) + (typeof value === "string" ? byteLength(value) : 0);
  }
  if (total > MAX_ANNOTATIONS_BYTES) problems.push([field, `${total} bytes`, `expected at most ${MAX_ANNOTATIONS_BYTES} bytes (256 KiB) of keys and values together, the API server's limit per object`]);
  return problems;
}

/**
 * Why `name` is not an IANA_SVC_NAME (a container or Service port name): at most 15 lowercase
 * letters, digits and '-', at least one letter, no leading, trailing or double '-'.
 */
export function portNameProblem(name: unknown): string | undefined {
  const ok = typeof name === "string" && name.length >= 1 && name.length <= 15 && /^[a-z0-9-]+$/.test(name) && /[a-z]/.test(name) && !name.startsWith("-") && !name.endsWith("-") && !name.includes("--");
  return ok ? undefined : "expected a port name of at most 15 lowercase letters, digits and '-', with at least one letter and no leading, trailing or double '-' (an IANA service name)";
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Why `host` is not an Ingress host: a DNS-1123 subdomain (each label at most 63 characters,
 * at most 253 in all), optionally with a leading `*.` wildcard, never an IP address or a port.
 */
export function ingressHostProblem(host: unknown): string | undefined {
  if (typeof host !== "string" || host.length === 0) return "expected a lowercase DNS name such as \"api.example.com\"";
  if (/:/.test(host) || host.startsWith("[")) return "expected a DNS name without a port or scheme (Ingress rules match the name only)";
  if (IPV4.test(host)) return "expected a DNS name, not an IP address (Ingress hosts cannot be addresses)";
  const bare = host.startsWith("*.") ? host.slice(2) : host;
  if (bare.includes("*")) return "expected a wildcard only as the whole leftmost label (\"*.example.com\")";
  if (host.length > MAX_SUBDOMAIN_LENGTH) return `expected at most ${MAX_SUBDOMAIN_LENGTH} characters`;
  const labels = bare.split(".");
  const long = labels.find((l) => l.length > MAX_LABEL_LENGTH);
  if (long !== undefined) return `expected each dot-separated label to have at most ${MAX_LABEL_LENGTH} characters ("${long.slice(0, 20)}..." has ${long.length})`;
  if (!labels.every((l) => DNS_LABEL.test(l))) return "expected a lowercase DNS name such as \"api.example.com\" (letters, digits and '-' in dot-separated labels)";
  if (host.startsWith("*.") && labels.length < 2) return "expected a wildcard above a domain, such as \"*.example.com\"";
  return undefined;
}

/** Path sequences the API server refuses in Exact and Prefix Ingress paths. */
const INVALID_PATH_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_PATH_SUFFIXES = ["/..", "/."];
/** What ingress-nginx accepts for Exact and Prefix paths (its strict path validation): no regex characters. */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~/]*$/;

/**
 * Why `path` is not an Ingress path of `pathType`: it starts with '/', has no whitespace or
 * control characters and no `..` segment; an Exact or Prefix path is plain (no `//`, `/./`, `%2f`
 * and, for ingress-nginx, none of the regex characters only ImplementationSpecific paths may have).
 */
export function ingressPathProblem(path: unknown, pathType: string = "Prefix", nginx = true): string | undefined {
  if (typeof path !== "string" || !path.startsWith("/")) return "expected a path starting with \"/\"";
  if (/\s/.test(path) || hasControlCharacters(path)) return "expected no spaces, newlines or control characters";
  if (path.split("/").includes("..")) return "expected no \"..\" segment";
  if (pathType === "ImplementationSpecific") {
    // ingress-nginx writes the path into its nginx.conf as a location regex: nginx syntax there is configuration injection.
    if (nginx && (/[;{}'"`\\]/.test(path) || /\$[A-Za-z_{]/.test(path))) return "expected no ; { } quotes, backslash or nginx variable ($name, ${name}) in an ImplementationSpecific path (ingress-nginx writes it into its configuration); a regex end anchor \"$\" is fine";
    return undefined;
  }
  if (INVALID_PATH_SEQUENCES.some((s) => path.includes(s)) || INVALID_PATH_SUFFIXES.some((s) => path.endsWith(s))) {
    return `expected a plain ${pathType} path without "//", "/./", "%2f" or a trailing "/." (the API server refuses them)`;
  }
  if (nginx && !PLAIN_PATH.test(path)) return `expected letters, digits and - . _ ~ / only in a ${pathType} path (regex characters need pathType "ImplementationSpecific")`;
  return undefined;
}

/** Why `value` is not a percentage from `min`% to `max`% (`"25%"`), or undefined. */
export function percentProblem(value: unknown, min = 0, max = 100): string | undefined {
  const m = typeof value === "string" ? /^(\d+)%$/.exec(value) : null;
  const ok = !!m && Number(m[1]) >= min && Number(m[1]) <= max;
  return ok ? undefined : `expected a percentage from ${min}% to ${max}% such as "25%"`;
}

/**
 * Why `name` is not an environment variable name every Kubernetes version accepts: letters,
 * digits, '_', '-' and '.', not starting with a digit.
 */
export function envNameProblem(name: unknown): string | undefined {
  return typeof name === "string" && /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name) ? undefined : "expected an environment variable name: letters, digits, '_', '-' and '.', not starting with a digit";
}

export interface UrlRule {
  /** Allowed schemes without the colon, e.g. ["https"]. */
  readonly schemes: readonly string[];
  /** Refuse `user:password@` (a secret belongs in a Secret, not in a plain URL). @default true */
  readonly noCredentials?: boolean;
}

/** Why `value` is not an absolute URL of one of `rule.schemes` (parsed with the WHATWG URL parser), or undefined. */
export function urlProblem(value: unknown, rule: UrlRule): string | undefined {
  const schemes = rule.schemes.map((s) => `${s}://`).join(" or ");
  if (typeof value !== "string" || /\s/.test(value) || hasControlCharacters(value)) return `expected an absolute ${schemes} URL without spaces or control characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected an absolute ${schemes} URL`;
  }
  if (!rule.schemes.includes(url.protocol.replace(/:$/, ""))) return `expected an ${schemes} URL`;
  if (url.hostname === "") return `expected an ${schemes} URL with a host`;
  if ((rule.noCredentials ?? true) && (url.username !== "" || url.password !== "")) return "expected no user or password in the URL (give credentials as a secret)";
  return undefined;
}

/** The route a Prefix path matches: "/api" and "/api/" are the same prefix (matching is per path element). */
export function ingressRouteKey(path: string, pathType: string): string {
  return pathType === "Prefix" && path.length > 1 ? path.replace(/\/+$/, "") : path;
}

/** The API server's limit on one ConfigMap's (or Secret's) data, keys and values together. */
export const MAX_CONFIG_OBJECT_BYTES = 1024 * 1024;

/**
 * Problems of a ConfigMap's data: each key as the API server allows it (letters, digits, '-',
 * '_' and '.', at most 253 characters, not "." or ".."; unless `checkKeys` is false, for keys
 * checked already) and the plain values together at most 1 MiB (values not known yet count as empty).
 */
export function configDataProblems(field: string, data: Readonly<Record<string, unknown>> | undefined, checkKeys = true): [string, unknown, string][] {
  const problems: [string, unknown, string][] = [];
  let total = 0;
  for (const [key, value] of Object.entries(data ?? {})) {
    if (checkKeys && configKeyProblem(key) !== undefined) problems.push([field, key, CONFIG_KEY_RULE]);
    total += byteLength(key) + (typeof value === "string" ? byteLength(value) : 0);
  }
  if (total > MAX_CONFIG_OBJECT_BYTES) problems.push([field, `${total} bytes`, `expected at most ${MAX_CONFIG_OBJECT_BYTES} bytes (1 MiB) of keys and values together, the API server's limit per ConfigMap; mount large files from an image or a volume`]);
  return problems;
}

/**
 * A container's `command` and `args`: lists of strings, one per argument (a single string is not
 * split into words), and a command that names a program (its first word is not empty).
 */
export function argvProblems(spec: { readonly command?: unknown; readonly args?: unknown }, example: string): [string, unknown, string][] {
  const out: [string, unknown, string][] = [];
  for (const key of ["command", "args"] as const) {
    const list = spec[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) out.push([key, list, `expected a list of strings, one per argument (e.g. ${example}); a single string is not split into words`]);
    else if (key === "command" && list.length > 0 && (typeof list[0] !== "string" || list[0].trim() === "")) out.push(["command[0]", list[0], "expected the program to run (a path or a name on PATH), not an empty string"]);
  }
  return out;
}

const CONFIG_KEY_RULE = "expected a key of at most 253 letters, digits, '-', '_' and '.' (a ConfigMap key)";

/** Why `key` is not a ConfigMap or Secret key: 1 to 253 of letters, digits, '-', '_' and '.', not "." or "..". */
export function configKeyProblem(key: unknown): string | undefined {
  return typeof key === "string" && /^[-._a-zA-Z0-9]{1,253}$/.test(key) && key !== "." && key !== ".." ? undefined : CONFIG_KEY_RULE;
}

/** Longest file or directory name most filesystems (ext4, xfs, overlayfs) accept, in bytes. */
export const MAX_FILE_NAME_BYTES = 255;

/**
 * Why `path` is not a usable container mount path: absolute, no control characters, no `..`
 * segment, no ':' (the API server refuses it), not the root itself, each name at most 255 bytes.
 */
export function mountPathProblem(path: unknown): string | undefined {
  if (typeof path !== "string" || !path.startsWith("/")) return "expected an absolute path such as \"/var/lib/app\"";
  if (hasControlCharacters(path)) return "expected a path without newlines or control characters";
  if (path.split("/").includes("..")) return "expected no \"..\" segment";
  if (path.includes(":")) return "expected no ':' (Kubernetes refuses it in a mount path)";
  if (normalizeMountPath(path) === "/") return "expected a directory below \"/\" (a volume over the root would hide the image's files)";
  const long = path.split("/").find((part) => byteLength(part) > MAX_FILE_NAME_BYTES);
  if (long !== undefined) return `expected each file or directory name to have at most ${MAX_FILE_NAME_BYTES} bytes (one has ${byteLength(long)})`;
  return undefined;
}

/** `/data/` and `/data` (and `/data//x` and `/data/x`) are the same mount point. */
export function normalizeMountPath(path: string): string {
  const collapsed = path.replace(/\/{2,}/g, "/");
  return collapsed.length > 1 ? collapsed.replace(/\/+$/, "") || "/" : collapsed;
}

/** Pod fields an environment variable may read through `fieldRef` (the API server's list). */
export const ENV_FIELD_PATHS = ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"] as const;

/** Why `path` is not a pod field an environment variable can read (`fieldRef.fieldPath`), or undefined. */
export function envFieldPathProblem(path: unknown): string | undefined {
  const allowed = `expected one of ${ENV_FIELD_PATHS.join(", ")}, metadata.labels['<key>'] or metadata.annotations['<key>']`;
  if (typeof path !== "string") return allowed;
  if ((ENV_FIELD_PATHS as readonly string[]).includes(path)) return undefined;
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (!m) return allowed;
  return qualifiedKeyProblem(m[2]) === undefined ? undefined : `expected a valid ${m[1] === "labels" ? "label" : "annotation"} key inside metadata.${m[1]}['...']: ${qualifiedKeyProblem(m[2])!.replace(/^expected /, "")}`;
}
