/**
 * The container image reference grammar (distribution/reference, what the kubelet and every
 * registry client parse):
 *
 * ```
 * reference := name [ ":" tag ] [ "@" digest ]
 * name      := [ domain "/" ] path-component { "/" path-component }     (at most 255 characters)
 * domain    := host [ ":" port ]        host: DNS name, IPv4 or [IPv6]; the first component is a
 *                                        domain when it has '.' or ':' or is "localhost"
 * path-component := [a-z0-9]+ { ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ }
 * tag       := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 * digest    := "sha256:" 64 lowercase hex (or another algorithm: [a-z0-9]+ ":" hex of 32 or more)
 * ```
 */

const DOMAIN_COMPONENT = /^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
const OTHER_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const MAX_NAME_LENGTH = 255;

export interface ImageReference {
  /** Registry host (and port), when the reference names one. */
  readonly domain?: string;
  /** Repository path below the registry, e.g. `acme/api` or `postgres`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

export type ParsedImage = { readonly ok: true; readonly image: ImageReference } | { readonly ok: false; readonly reason: string };

function domainProblem(domain: string): string | undefined {
  const colon = domain.startsWith("[") ? domain.indexOf("]:") + 1 : domain.lastIndexOf(":");
  const host = colon > 0 ? domain.slice(0, colon) : domain;
  const port = colon > 0 ? domain.slice(colon + 1) : undefined;
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) return `expected a registry port from 1 to 65535 after "${host}:"`;
  if (host.startsWith("[") && host.endsWith("]")) return /^\[[0-9a-fA-F:.]+\]$/.test(host) ? undefined : "expected an IPv6 registry address in brackets";
  return host.split(".").every((c) => DOMAIN_COMPONENT.test(c)) ? undefined : `expected a registry host of letters, digits, '-' and '.' (got "${host}")`;
}

/** Parses an image reference, or says which part breaks the grammar. */
export function parseImageReference(reference: unknown): ParsedImage {
  const fail = (reason: string): ParsedImage => ({ ok: false, reason });
  if (typeof reference !== "string" || reference.length === 0) return fail("expected an image reference such as \"ghcr.io/org/app:1.4.2\"");
  if (/[\s\u0000-\u001f\u007f]/.test(reference)) return fail("expected an image reference without spaces, newlines or control characters");
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!SHA256.test(digest) && !(OTHER_DIGEST.test(digest) && !digest.startsWith("sha256:"))) return fail("expected a digest of the form \"sha256:\" and 64 lowercase hex digits after '@'");
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag === "") return fail("expected a tag after ':' (an empty tag is not a tag)");
    if (!TAG.test(tag)) return fail("expected a tag of at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'");
  }
  if (rest.length === 0) return fail("expected a repository name before the tag or digest");
  if (rest.length > MAX_NAME_LENGTH) return fail(`expected a repository name of at most ${MAX_NAME_LENGTH} characters`);
  const components = rest.split("/");
  let domain: string | undefined;
  const first = components[0];
  if (components.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost" || /[A-Z]/.test(first))) {
    domain = components.shift();
    const problem = domainProblem(domain as string);
    if (problem) return fail(problem);
  }
  for (const c of components) {
    if (c === "") return fail("expected no empty path component (\"//\" or a leading or trailing '/')");
    if (/[A-Z]/.test(c)) return fail("expected a lowercase repository path (registries refuse uppercase repository names)");
    if (!PATH_COMPONENT.test(c)) return fail(`expected repository path components of lowercase letters and digits separated by '.', '_', '__' or '-' (got "${c}")`);
  }
  return { ok: true, image: { domain, path: components.join("/"), tag, digest } };
}

/** Why `reference` is not a valid image reference, or undefined. */
export function imageReferenceProblem(reference: unknown): string | undefined {
  const parsed = parseImageReference(reference);
  return parsed.ok ? undefined : parsed.reason;
}
