/**
 * Names that say a value is a secret (env variable names, ConfigMap keys), and values that point
 * at a secret kept elsewhere rather than hold one. Shared by the credential detector and the
 * command-line password rules.
 */

/** Words that name a secret on their own (`DB_PASSWORD`, `apiToken`, `SMTP_PASS`). Not TOKENS: `MAX_TOKENS` counts a model's tokens. */
const SECRET_WORDS = new Set(["PASSWORD", "PASSWORDS", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "TOKEN", "CREDENTIAL", "CREDENTIALS", "BEARER"]);
/** Words that also name a secret at the end of a longer word (`PGPASSWORD`, `NGROK_AUTHTOKEN`, `clientsecret`); PASS and PWD do not (`BYPASS`, `OLDPWD`). */
const SECRET_SUFFIXES = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN"];
/** Two words that name a secret together (`STRIPE_API_KEY`, `OCI_CLI_KEY_CONTENT`), also written as one word (`apikey`, `secretkey`); KEYS counts as KEY. */
const SECRET_PAIRS: readonly (readonly [string, string])[] = [
  ["API", "KEY"], ["PRIVATE", "KEY"], ["ACCESS", "KEY"], ["SECRET", "KEY"], ["CLIENT", "SECRET"], ["KEY", "CONTENT"], ["ACCOUNT", "KEY"], ["SAS", "KEY"],
  ["SIGNING", "KEY"], ["ENCRYPTION", "KEY"], ["MASTER", "KEY"], ["HMAC", "KEY"],
];
/**
 * A last word that says the value describes a secret or points at one (`PASSWORD_FILE`,
 * `TOKEN_URL`, `TLS_SECRET_NAME`, `JWT_SECRET_ROTATION_DAYS`, `DB_SECRET_ARN`) rather than holds it.
 */
const ABOUT_A_SECRET = new Set([
  "FILE", "FILES", "PATH", "DIR", "DIRECTORY", "URL", "URI", "ENDPOINT", "HOST", "PORT", "NAME", "REF", "ARN", "ID",
  "TTL", "TIMEOUT", "EXPIRY", "EXPIRES", "LIFETIME", "DAYS", "SECONDS", "INTERVAL", "LENGTH", "COUNT", "LIMIT", "SIZE",
  "ENABLED", "HEADER", "TYPE", "REGION", "MODEL", "MODE", "ALGORITHM", "ISSUER", "AUDIENCE", "VERSION",
  "PROVIDER", "BACKEND", "STORE", "METHOD", "POLICY", "FORMAT", "PREFIX", "SCOPE", "SCOPES",
]);
/** A key that names a file of structured content (`rotate-token.sh`, `secrets.yaml`): that content is judged on its own. */
const STRUCTURED_FILE = /\.(?:sh|bash|zsh|py|js|mjs|cjs|ts|rb|pl|php|lua|sql|json|ya?ml|toml|ini|conf|cfg|cnf|properties|xml|tpl|tmpl|j2|html?|md|rst|env|hcl|tf|rego|cue|csv|tsv|service)$/i;

/** The words of a name, upper-cased: split on anything not a letter or digit, at lower→Upper camelCase and acronym ends (`APIKey`), and before digits. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1 $2")
    .replace(/([A-Za-z])([0-9])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toUpperCase());
}

/**
 * What in a name says its value is a secret (`PASSWORD`, `API KEY`, `AUTH`, `AZURE_*_KEY`), or
 * undefined. Word-based: `MAX_TOKENS`, `PASSTHROUGH_MODE`, `TOKENIZER_MODEL`, `AUTHOR` say nothing;
 * a last word of ABOUT_A_SECRET (`TOKEN_URL`, `SECRETS_MANAGER_REGION`) says the value is not the secret.
 */
export function secretName(name: string): string | undefined {
  if (STRUCTURED_FILE.test(name)) return undefined;
  const words = nameWords(name.replace(/\.txt$/i, ""));
  const last = words[words.length - 1];
  if (last === undefined || ABOUT_A_SECRET.has(last)) return undefined;
  // Polaris' well-known credential variables: AZURE_STORAGE_KEY, AZURE_BATCH_KEY, ...
  if (words.length >= 3 && words[0] === "AZURE" && last === "KEY") return "AZURE_*_KEY";
  // REDIS_AUTH, BASIC_AUTH, REDISCLI_AUTH: a name ending in AUTH holds what authenticates.
  if (last === "AUTH") return "AUTH";
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (SECRET_WORDS.has(word)) return word;
    const next = words[i + 1] === "KEYS" ? "KEY" : words[i + 1];
    for (const [a, b] of SECRET_PAIRS) {
      if (word === a && next === b) return `${a} ${b}`;
      if (word.endsWith(a + b) || (b === "KEY" && word.endsWith(a + "KEYS"))) return `${a} ${b}`;
    }
    const suffix = SECRET_SUFFIXES.find((s) => word.endsWith(s));
    if (suffix !== undefined) return suffix;
  }
  return undefined;
}

/** Values of a switch, not of a secret (`MYSQL_ALLOW_EMPTY_PASSWORD=yes`, `SMTP_AUTH=true`). */
const SWITCH = /^(?:true|false|yes|no|on|off|enabled|disabled|0|1)$/i;
/** Under a name ending in AUTH, the name of an authentication scheme (`SMTP_AUTH=plain`) is a setting. */
const AUTH_SCHEME = /^(?:none|basic|bearer|digest|plain|login|cram-md5|oauth2?|oidc|jwt|ldap|md5|trust|scram-sha-(?:1|256)|password|token|api-?key|m?tls|kerberos|ntlm|saml|iam|sasl|anonymous|external)$/i;

/** An absolute, home or relative path (`/run/secrets/db`, `./pw`, `secrets/db.txt`); not a random string that happens to hold a `/`. */
function isPath(v: string): boolean {
  if (/^[A-Za-z]:\\/.test(v)) return true;
  const shaped = /^(?:@?(?:\/|\.{1,2}\/|~\/))[\w.~@%/-]*$/.test(v) || /^[\w.-]+(?:\/[\w.-]+)+\.[A-Za-z0-9]{1,8}$/.test(v);
  // Paths are lower-case words; a base64 secret mixes cases and digits.
  return shaped && !(/[A-Z]/.test(v) && /[a-z]/.test(v) && /[0-9]/.test(v));
}

/**
 * A value that points at a secret kept elsewhere, or is no secret at all: empty, a switch, `$VAR`,
 * `${...}`, `$(VAR)`, `{{ ... }}`, Grafana's `$__file{...}`, a path, a URL without `user:password@`,
 * an AWS ARN, `env:`/`file:` (openssl) and similar references. Placeholders and masks
 * (`xxxxx`, `changeme`, `<password>`) are not: under a secret's name they mark where one is put.
 */
export function pointsElsewhere(value: string): boolean {
  const v = value.trim();
  if (v === "" || SWITCH.test(v)) return true;
  if (/^\$(?:[A-Za-z_]\w*|\d|@|\*)$/.test(v) || v.includes("${") || v.includes("$(") || v.includes("{{") || v.includes("`") || /^\$__\w+\{/.test(v)) return true;
  if (isPath(v)) return true;
  if (/^(?:env|file|fd|vault|secretref|ref|keyring|arn):/i.test(v) || /^stdin$/i.test(v)) return true;
  const url = /^[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/([^/?#\s]*)/.exec(v);
  if (url && !/\s/.test(v)) {
    const at = url[1].lastIndexOf("@");
    return at < 0 || !url[1].slice(0, at).includes(":");
  }
  return false;
}

/**
 * A plain value under a secret's name: what in the name says so, or undefined when the name says
 * nothing or the value points elsewhere.
 */
export function secretByName(name: string, value: string): string | undefined {
  const said = secretName(name);
  if (said === undefined || pointsElsewhere(value) || (said === "AUTH" && AUTH_SCHEME.test(value.trim()))) return undefined;
  return said;
}

/** A value without its surrounding quotes. */
export function unquote(value: string): string {
  const first = value[0];
  return (first === '"' || first === "'") && value.endsWith(first) && value.length >= 2 ? value.slice(1, -1) : value;
}
