/**
 * Credentials in plain text: one detector for env values, command lines and ConfigMap data.
 *
 * Formats come from the vendors' own descriptions of their credentials (PEM labels of RFC 7468,
 * RFC 5915, PKCS #1, OpenSSH's PROTOCOL.key and RFC 4880; AWS IAM identifier prefixes; Google
 * Cloud service account key files and API keys; Azure Storage connection strings and SAS;
 * GitHub, GitLab, Slack, Stripe, npm, OpenAI and Anthropic token prefixes; RFC 7519 JWTs), plus
 * `key=value` pairs whose key says password, secret, token or API key. A finding says what
 * was found, never the value. Every pattern is linear: bounded repetitions, character classes
 * that cannot overlap their delimiters, and candidates that start only at a word boundary.
 */
import { programPasswords, shellPasswords } from "./command-line-passwords";
import { pointsElsewhere, unquote } from "./secret-names";

export interface Credential {
  /** What was found, for a message: `a PEM private key`, `a password ("smtp_auth_password")`. */
  readonly what: string;
}

interface Format {
  readonly what: string;
  /** Literal substrings one of which must occur (a fast skip); case-sensitive. */
  readonly hints: readonly string[];
  readonly pattern: RegExp;
  /** Tested once per text: what else the text must hold for a match to count. */
  readonly requires?: RegExp;
  /** Rejects a match (a placeholder, a malformed token). */
  readonly valid?: (match: RegExpMatchArray) => boolean;
}

/** Masks, the vendors' documented examples and other values that are not a live credential. */
function isPlaceholderToken(token: string): boolean {
  if (/example|dummy|placeholder|redacted|x{6}|\*{3}|0{10}|1234567890|abcdefghij/i.test(token)) return true;
  return new Set(token).size < Math.min(8, token.length / 2);
}

const tokenBody = (prefixLength: number) => (m: RegExpMatchArray) => !isPlaceholderToken(m[0].slice(prefixLength));

/** Decodes base64 or base64url; undefined when the text is not that. */
export function decodeBase64(text: string, url = false): string | undefined {
  const compact = text.replace(/\s+/g, "");
  if (!(url ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/).test(compact)) return undefined;
  return Buffer.from(compact, url ? "base64url" : "base64").toString("latin1");
}

function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || !text.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 7519: a JWS compact serialization whose header is JSON naming its `alg`, carrying JSON claims. */
function isJwt(m: RegExpMatchArray): boolean {
  const [header, payload, signature] = m[0].split(".");
  const alg = jsonObject(decodeBase64(header, true))?.alg;
  if (typeof alg !== "string" || jsonObject(decodeBase64(payload, true)) === undefined) return false;
  return signature !== "" || alg === "none";
}

/** Random-looking: mixed case and digits, not hex (a git SHA-1 is 40 hex digits). */
const looksRandom = (s: string) => /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s) && !isPlaceholderToken(s);

// AWS IAM unique ID prefixes that are credentials: AKIA (access key), ASIA (STS temporary), ABIA (STS bearer), ACCA (context-specific).
const AWS_ACCESS_KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;

const FORMATS: readonly Format[] = [
  { what: "an AWS access key id", hints: ["AKIA", "ASIA", "ABIA", "ACCA"], pattern: AWS_ACCESS_KEY_ID, valid: tokenBody(4) },
  // GitHub's 2021 formats: ghp_ (personal), gho_ (OAuth), ghu_/ghs_ (GitHub App user/server), ghr_ (refresh), github_pat_ (fine-grained); up to 255 characters.
  { what: "a GitHub token", hints: ["gh", "github_pat_"], pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9_]{36,251}|github_pat_[A-Za-z0-9_]{40,244})(?![A-Za-z0-9_])/g, valid: tokenBody(4) },
  // GitLab token prefixes (personal/project/group access, OAuth app secret, deploy, runner, CI job, trigger, feed, incoming mail, agent, SCIM, feature flags).
  {
    what: "a GitLab token",
    hints: ["gl", "GR1348941"],
    pattern: /(?<![A-Za-z0-9_-])(?:(?:glpat|gloas|gldt|glrt|glrtr|glcbt|glptt|glft|glimt|glagent|glsoat|glffct)-|GR1348941)[A-Za-z0-9_-]{20,}/g,
    valid: (m) => !isPlaceholderToken(m[0].slice(m[0].indexOf("-") + 1)),
  },
  // Slack: xoxb- (bot), xoxp- (user), xoxa-/xoxr-/xoxs-/xoxo- (legacy app, refresh, session), xoxe- (rotating), xapp- (app-level).
  { what: "a Slack token", hints: ["xox", "xapp-"], pattern: /(?<![A-Za-z0-9])(?:xox[abeoprs]|xapp)-[A-Za-z0-9-]{20,}/g, valid: (m) => /[0-9]/.test(m[0]) && tokenBody(5)(m) },
  // Slack incoming webhooks: /services/T<team>/B<hook>/<secret>; workflow and trigger webhooks.
  {
    what: "a Slack webhook URL",
    hints: ["hooks.slack.com/"],
    pattern: /https:\/\/hooks\.slack\.com\/(?:services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{20,}|(?:workflows|triggers)\/T[A-Z0-9]{6,12}\/[A-Za-z0-9/]{20,})/g,
    valid: (m) => !isPlaceholderToken(m[0].slice(m[0].lastIndexOf("/") + 1)),
  },
  // Stripe: only live-mode secret (sk_live_) and restricted (rk_live_) keys move money; pk_ keys are public.
  { what: "a Stripe live secret key", hints: ["k_live_"], pattern: /(?<![A-Za-z0-9_])[sr]k_live_[A-Za-z0-9]{20,247}(?![A-Za-z0-9])/g, valid: tokenBody(8) },
  { what: "a Stripe webhook signing secret", hints: ["whsec_"], pattern: /(?<![A-Za-z0-9_])whsec_[A-Za-z0-9+/]{24,}/g, valid: tokenBody(6) },
  // Google Cloud API keys: "AIza" and 35 more characters.
  { what: "a Google API key", hints: ["AIza"], pattern: /(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/g, valid: tokenBody(4) },
  // npm access tokens since 2021: npm_ and 36 characters (with a CRC32 checksum).
  { what: "an npm access token", hints: ["npm_"], pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g, valid: tokenBody(4) },
  // OpenAI project, service account and admin keys; Anthropic keys (sk-ant-).
  { what: "an OpenAI API key", hints: ["sk-"], pattern: /(?<![A-Za-z0-9_-])sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}/g, valid: tokenBody(8) },
  { what: "an Anthropic API key", hints: ["sk-ant-"], pattern: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/g, valid: tokenBody(7) },
  // Azure Storage connection strings (AccountKey=), Service Bus / Event Hubs (SharedAccessKey=), and SAS query strings (sv=...&sig=...).
  { what: "an Azure storage account key", hints: ["ccountKey="], pattern: /(?<![A-Za-z0-9])AccountKey=[A-Za-z0-9+/]{20,}={0,2}/g, valid: (m) => !isPlaceholderToken(m[0].slice(11)) },
  { what: "an Azure shared access key", hints: ["haredAccessKey="], pattern: /(?<![A-Za-z0-9])SharedAccessKey=[A-Za-z0-9+/]{20,}={0,2}/g, valid: (m) => !isPlaceholderToken(m[0].slice(16)) },
  { what: "an Azure shared access signature", hints: ["sig="], pattern: /[?&;]sig=[A-Za-z0-9%+/]{20,}/g, requires: /[?&;]sv=\d{4}-\d\d-\d\d/, valid: (m) => !isPlaceholderToken(m[0].slice(5)) },
  { what: "a JSON Web Token", hints: ["eyJ"], pattern: /(?<![A-Za-z0-9_.-])eyJ[A-Za-z0-9_-]{2,}={0,2}\.[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]*/g, valid: isJwt },
  { what: "a PuTTY private key", hints: ["PuTTY-User-Key-File-"], pattern: /PuTTY-User-Key-File-\d:/g, requires: /Private-Lines:/ },
];

/**
 * A BEGIN line naming a private key: RFC 7468 and PKCS #1 labels (`PRIVATE KEY`, `RSA PRIVATE KEY`,
 * `ENCRYPTED PRIVATE KEY`), OpenSSH's and OpenPGP's (`PGP PRIVATE KEY BLOCK`), with 3 or more dashes
 * each side as hand-edited armor has them. The line alone is the evidence: a key whose body is
 * masked (`xxxx`) or whose END line does not match still marks where a key is kept in plain text.
 * The dash run is matched from its first dash only, and the words are bounded: linear.
 */
const PRIVATE_KEY_BEGIN = /(?<!-)-{3,}[ \t]?BEGIN[ \t]{1,4}(?:[A-Z0-9]{1,20}[ \t]{1,4}){0,6}?PRIVATE[ \t]{1,4}KEY(?:[ \t]{1,4}BLOCK)?[ \t]?-{3,}(.?)/gi;

/** Private keys in PEM or OpenPGP armor; a BEGIN line that is the whole of a quoted string (a script testing a file's first line) is not one. */
function pemPrivateKeys(text: string): Credential[] {
  if (!/begin/i.test(text)) return [];
  const found = new Map<string, Credential>();
  for (const m of text.matchAll(PRIVATE_KEY_BEGIN)) {
    if (/["'`]/.test(m[1])) continue;
    const what = /PGP/i.test(m[0]) ? "a PGP private key" : "a PEM private key";
    found.set(what, { what });
  }
  return [...found.values()];
}

/** `user:password@` in a URL (the password not a reference such as `$(DB_PASSWORD)`). */
const URL_WITH_PASSWORD = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^/:@\s"'<>]{0,256}:([^/@\s"'<>]{1,256})@/g;

/** AWS secret access keys: 40 characters, under a key that names them or next to an access key id. */
const AWS_SECRET_UNDER_KEY = /(?<![A-Za-z0-9_])["']?(?:aws[_-]?)?secret[_-]?access[_-]?key["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;
const FORTY = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

/**
 * `key=value`, `key: value`, `"key": "value"` and `--flag=value` where the key says what the
 * value is. The key starts at a word boundary and not inside `${...}` (a shell default).
 */
const KEY_FAMILIES = "[A-Za-z0-9_.-]*?(?:password|passwd|passphrase|client[_-]?secret|secret[_-]?key|(?:api|app|jwt|signing|session|cookie|webhook|shared|consumer|hmac)[_-]?secret|(?:auth|access|api|bearer|refresh|session|private|bot|id)[_-]?token|api[_-]?key|apikey)|-{0,2}(?:pwd|token)";
const PAIR = new RegExp(
  `(?<![A-Za-z0-9_.-])(?<!\\$\\{)(["']?)(-{0,2}${KEY_FAMILIES})\\1([ \\t]*=[ \\t]*|:[ \\t]*)("[^"\\n]{0,512}"|'[^'\\n]{0,512}'|[^\\s;&,"'\`]{1,512})`,
  "gi",
);
const FLAG = new RegExp(`^-{1,2}(?:${KEY_FAMILIES})$`, "i");
const AUTHORIZATION = /(?<![A-Za-z0-9_-])authorization["']?[ \t]*[:=][ \t]*["']?(?:Bearer|Basic|Token)[ \t]+([^\s"'`,;]{8,512})/gi;

/** What a key or flag says its value is; undefined when it says nothing (or names a file, a length, a public truststore). */
export function credentialKind(key: string): string | undefined {
  const k = key.replace(/^-+/, "").toLowerCase();
  if (/truststore[_.-]?pass/.test(k)) return undefined;
  if (/(?:password|passwd|passphrase)$|^pwd$/.test(k)) return "a password";
  if (/secret(?:[_-]?key)?$/.test(k)) return "a secret";
  if (/token$/.test(k)) return "a token";
  if (/api[_-]?key$|^apikey$/.test(k)) return "an API key";
  return undefined;
}

const NOT_A_VALUE = new Set(["true", "false", "yes", "no", "on", "off", "null", "nil", "none", "undefined", "required", "optional", "prompt", "redacted", "masked", "hidden", "empty", "unset", "-", "|", ">", "|-", ">-"]);

/**
 * A reference to a secret kept elsewhere, a placeholder or a non-value: `$VAR`, `${VAR}`,
 * `$(VAR)`, `%(x)s`, `{{ .x }}`, `<password>`, `[REDACTED]`, `@file`, a path, `env:X`/`file:X`
 * (openssl), `****`, a boolean. Literal defaults such as `changeme` are values: they are used.
 */
export function isReference(value: string): boolean {
  const v = value.trim();
  if (v === "" || NOT_A_VALUE.has(v.toLowerCase())) return true;
  if (/^[$%<{[@]|^\.{0,2}\/|^~\//.test(v) || /\$\{|\$\(|\{\{/.test(v)) return true;
  if (/^(?:env|file|fd|stdin|vault|secretref|ref|op|keyring):/i.test(v)) return true;
  return /^[*•.#_x-]+$/i.test(v) || /^(.)\1+$/.test(v);
}

/** Code rather than a value: `d.password`, `generatedPassword(...)`, `Output<string>`, a variable named like the key. */
function isExpression(value: string): boolean {
  return /[()[\]<>{}]/.test(value) || /^(?:new|await|function|lambda|this|self|string|str|number|int|boolean|bool|bytes|any)$/.test(value) || /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value) || credentialKind(value) !== undefined;
}

/** Only indentation, a list dash, a flow-mapping `{`/`,` or an opening quote (`-H "X-Api-Key: ..."`) before `index` on its line (200 characters back at most). */
function startsLine(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 200), index);
  const newline = before.lastIndexOf("\n");
  if (newline < 0 && index > 200) return false;
  return /^[ \t]*(?:- )?$|[{,"'][ \t]*$/.test(before.slice(newline + 1));
}

/** `a, b and c`. */
export function listWhat(found: readonly Credential[]): string {
  const whats = found.map((f) => f.what);
  return whats.length <= 1 ? (whats[0] ?? "") : `${whats.slice(0, -1).join(", ")} and ${whats[whats.length - 1]}`;
}

/** Every kind of credential in a text, once each, in a stable order; never the values themselves. */
export function findCredentials(text: string): Credential[] {
  if (text.length < 8) return [];
  const found = new Map<string, Credential>();
  const add = (what: string) => {
    if (!found.has(what)) found.set(what, { what });
  };
  /** Where format tokens start: a `key=value` pair whose value is one of them says nothing more. */
  const tokenStarts: number[] = [];

  for (const c of pemPrivateKeys(text)) add(c.what);
  if (found.has("a PEM private key") && /"type"\s*:\s*"service_account"/.test(text)) {
    found.delete("a PEM private key");
    add("a Google Cloud service account key");
  }
  for (const f of FORMATS) {
    if (!f.hints.some((h) => text.includes(h)) || (f.requires && !f.requires.test(text))) continue;
    for (const m of text.matchAll(f.pattern)) {
      if (f.valid && !f.valid(m)) continue;
      add(f.what);
      tokenStarts.push(m.index ?? 0);
    }
  }

  for (const m of text.matchAll(AWS_SECRET_UNDER_KEY)) {
    if (looksRandom(m[1])) {
      add("an AWS secret access key");
      tokenStarts.push((m.index ?? 0) + m[0].length - 40);
    }
  }
  if (found.has("an AWS access key id")) {
    const ids: number[] = [];
    for (const m of text.matchAll(AWS_ACCESS_KEY_ID)) if (ids.push(m.index ?? 0) >= 16) break;
    for (const m of text.matchAll(FORTY)) {
      const at = m.index ?? 0;
      if (ids.some((id) => Math.abs(id - at) <= 256) && looksRandom(m[0])) {
        add("an AWS secret access key");
        tokenStarts.push(at);
      }
    }
  }

  if (text.includes("://")) {
    // `user:password@` in documentation is a placeholder, not a value.
    for (const m of text.matchAll(URL_WITH_PASSWORD)) if (!isReference(m[1]) && !/^(?:pass|password|passwd|pwd|secret|token)$/i.test(m[1])) add("a URL with a password");
  }

  tokenStarts.sort((a, b) => a - b);
  const holdsToken = (from: number, to: number) => {
    let lo = 0;
    let hi = tokenStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tokenStarts[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < tokenStarts.length && tokenStarts[lo] < to;
  };
  for (const m of text.matchAll(PAIR)) {
    const [, quote, key, separator, rawValue] = m;
    // An unquoted `key: value` is a YAML mapping: the key starts its line (`user:pass@host`, prose are not).
    if (separator.startsWith(":") && quote === "" && (separator.length === 1 || !startsLine(text, m.index ?? 0))) continue;
    const kind = credentialKind(key);
    const value = unquote(rawValue);
    if (kind === undefined || isReference(value) || value.length < (kind === "a password" ? 3 : 8)) continue;
    if (value === rawValue && isExpression(value)) continue;
    const valueStart = (m.index ?? 0) + m[0].length - rawValue.length;
    if (holdsToken(valueStart, valueStart + rawValue.length)) continue;
    add(`${kind} ("${key}")`);
  }
  for (const m of text.matchAll(AUTHORIZATION)) {
    const start = (m.index ?? 0) + m[0].length - m[1].length;
    if (!isReference(m[1]) && !holdsToken(start, start + m[1].length)) add("an HTTP Authorization credential");
  }
  for (const flag of shellPasswords(text)) add(`a password ("${flag}")`);
  return [...found.values()];
}

/** A switch that turns a credential off (`--no-password`, `--skip-password`): its next argument is not one. */
const NEGATED_FLAG = /^-{1,2}(?:no|skip|without|disable)-/i;

/**
 * A credential given as the element after a flag (`["--password", "s3cret"]`): the flag names
 * it, the next argument is a literal that does not point elsewhere (a mask such as `xxxxx` counts:
 * it marks where the credential is put).
 */
export function flagValueCredential(flag: string, value: string): Credential | undefined {
  if (!FLAG.test(flag) || NEGATED_FLAG.test(flag)) return undefined;
  const kind = credentialKind(flag);
  if (kind === undefined || value.startsWith("-") || pointsElsewhere(value) || (kind !== "a password" && value.length < 8)) return undefined;
  return { what: `${kind} ("${flag}")` };
}

/**
 * The credentials in each argument of a container's command line (`command` then `args`, one
 * list): what each holds as text, `--password <value>` pairs, and passwords given to mysql,
 * sshpass, redis-cli and openssl. Indexes are into the list; each kind is said once per argument.
 */
export function commandLineCredentials(argv: readonly (string | undefined)[]): { index: number; found: Credential[] }[] {
  const byIndex = new Map<number, Map<string, Credential>>();
  const add = (index: number, what: string) => {
    const at = byIndex.get(index) ?? new Map<string, Credential>();
    if (!at.has(what)) at.set(what, { what });
    byIndex.set(index, at);
  };
  argv.forEach((value, index) => {
    if (value === undefined) return;
    const found = findCredentials(value);
    for (const c of found) add(index, c.what);
    const previous = index > 0 ? argv[index - 1] : undefined;
    const flagged = previous === undefined ? undefined : flagValueCredential(previous, value);
    if (flagged && found.length === 0) add(index, flagged.what);
  });
  programPasswords(argv, (index, flag) => add(index, `a password ("${flag}")`));
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([index, found]) => ({ index, found: [...found.values()] }));
}
