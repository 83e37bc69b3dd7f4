/**
 * Credentials in plain text: the detector (policies/lib/credentials.ts) and the two policies
 * that use it. Every credential here is made up at run time from a seeded generator, so the
 * repository holds nothing a secret scanner would take for a live key.
 */
import { commandLineCredentials, findCredentials } from "../../policies/lib/credentials";
import { pointsElsewhere, secretByName, secretName } from "../../policies/lib/secret-names";
import { noSecretEnvValues } from "../../policies/kubernetes/env";
import { noSecretsInConfigMaps } from "../../policies/kubernetes/config-data";
import { DEPLOYMENT, POD, deployment, firstContainer, initContainer, judgesDeployments, pod, violations } from "./harness";

type Props = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, unknownStringValue } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T; unknownStringValue: string };

/** A deterministic generator (mulberry32), so failures reproduce. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = generator(20240611);
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const ALNUM = UPPER + UPPER.toLowerCase() + DIGITS;
const rand = (n: number, alphabet = ALNUM) => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
const b64url = (s: string | Buffer) => Buffer.from(s).toString("base64url");
const lines64 = (b64: string) => b64.match(/.{1,64}/g)?.join("\n") ?? "";
const armor = (label: string, body: string) => ["-----BEGIN ", label, "-----\n", body, "\n-----END ", label, "-----\n"].join("");

const fakes = {
  rsaKey: armor("RSA PRIVATE " + "KEY", lines64(bytes(600).toString("base64"))),
  pkcs8Key: armor("PRIVATE " + "KEY", lines64(bytes(300).toString("base64"))),
  awsId: "AK" + "IA" + rand(16, UPPER + DIGITS),
  awsSecret: "Ab1" + rand(30, ALNUM + "+/") + "z9Q" + rand(4),
  github: "gh" + "p_" + rand(36),
  githubFineGrained: "github" + "_pat_" + rand(22) + "_" + rand(59),
  gitlab: "gl" + "pat-" + rand(20, ALNUM + "_-"),
  slack: "xo" + "xb-" + rand(12, DIGITS) + "-" + rand(13, DIGITS) + "-" + rand(24),
  slackWebhook: "https://hooks.slack.com/services/" + "T" + rand(8, UPPER + DIGITS) + "/B" + rand(10, UPPER + DIGITS) + "/" + rand(24),
  stripe: "sk" + "_live_" + rand(99),
  google: "AI" + "za" + rand(35, ALNUM + "_-"),
  npm: "np" + "m_" + rand(36),
  openai: "sk-" + "proj-" + rand(48, ALNUM + "_-"),
  azure: "DefaultEndpointsProtocol=https;AccountName=shopdata;Account" + "Key=" + bytes(64).toString("base64") + ";EndpointSuffix=core.windows.net",
  sas: "https://shopdata.blob.core.windows.net/exports?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&si" + "g=" + encodeURIComponent(bytes(32).toString("base64")),
  jwt: [b64url(JSON.stringify({ alg: "HS256", typ: "JWT" })), b64url(JSON.stringify({ sub: "svc-orders", iat: 1700000000 })), b64url(bytes(32))].join("."),
};
const gcpServiceAccount = () =>
  JSON.stringify({ type: "service_account", project_id: "shop-prod", private_key_id: rand(40, "0123456789abcdef"), private_key: fakes.pkcs8Key, client_email: "orders@shop-prod.iam.gserviceaccount.com" }, null, 2);

describe("findCredentials", () => {
  const whats = (text: string) => findCredentials(text).map((c) => c.what);

  it.each<[string, () => string, string[]]>([
    ["an RSA key in PEM", () => fakes.rsaKey, ["a PEM private key"]],
    ...["EC PRIVATE", "DSA PRIVATE", "OPENSSH PRIVATE", "ENCRYPTED PRIVATE", "PRIVATE"].map((l): [string, () => string, string[]] => [
      `a ${l} KEY`, () => armor(l + " KEY", lines64(bytes(200).toString("base64"))), ["a PEM private key"]]),
    ["a legacy encrypted PEM with headers", () => armor("RSA PRIVATE KEY", "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D4E5F60718293A4B5C6D7E8F9\n\n" + lines64(bytes(300).toString("base64"))), ["a PEM private key"]],
    ["a PGP private key block", () => armor("PGP PRIVATE KEY BLOCK", "Version: 1\n\n" + lines64(bytes(300).toString("base64")) + "\n=" + rand(4)), ["a PGP private key"]],
    ["a PEM key in a JSON string", () => JSON.stringify({ key: fakes.pkcs8Key }), ["a PEM private key"]],
    ["a GCP service account key file", gcpServiceAccount, ["a Google Cloud service account key"]],
    ["an AWS credentials file", () => `[default]\naws_access_key_id = ${fakes.awsId}\naws_secret_access_key = ${fakes.awsSecret}\n`, ["an AWS access key id", "an AWS secret access key"]],
    ["an AWS secret next to its id", () => `${fakes.awsId}:${fakes.awsSecret}`, ["an AWS access key id", "an AWS secret access key"]],
    ["an AWS secret under its JSON key", () => JSON.stringify({ SecretAccessKey: fakes.awsSecret }), ["an AWS secret access key"]],
    ["a GitHub token on a command line", () => `git clone https://x-access-token@github.com/shop/api --config http.extraHeader=${fakes.github}`, ["a GitHub token"]],
    ["a fine-grained GitHub token", () => fakes.githubFineGrained, ["a GitHub token"]],
    ["a GitLab token", () => `GITLAB=${fakes.gitlab}`, ["a GitLab token"]],
    ["a Slack bot token", () => fakes.slack, ["a Slack token"]],
    ["a Slack webhook", () => `slack_api_url: ${fakes.slackWebhook}`, ["a Slack webhook URL"]],
    ["a Stripe live key", () => fakes.stripe, ["a Stripe live secret key"]],
    ["a Google API key", () => `key=${fakes.google}&q=x`, ["a Google API key"]],
    ["an npm token in .npmrc", () => `//registry.npmjs.org/:_authToken=${fakes.npm}`, ["an npm access token"]],
    ["an OpenAI project key", () => fakes.openai, ["an OpenAI API key"]],
    ["an Azure storage connection string", () => fakes.azure, ["an Azure storage account key"]],
    ["an Azure SAS URL", () => fakes.sas, ["an Azure shared access signature"]],
    ["a JWT", () => `Bearer-ish: ${fakes.jwt}`, ["a JSON Web Token"]],
    ["a URL with a password", () => "amqp://orders:" + rand(12) + "@rabbitmq:5672/", ["a URL with a password"]],
    ["a Redis URL with only a password", () => "redis://:" + rand(12) + "@redis:6379/0", ["a URL with a password"]],
    ["a libpq connection string", () => "host=db user=app password=" + rand(10) + " sslmode=require", ['a password ("password")']],
    ["a JDBC URL", () => "jdbc:postgresql://db/app?user=app&password=" + rand(10), ['a password ("password")']],
    ["an ADO.NET connection string", () => "Server=db;Database=app;User Id=app;Pwd=" + rand(10) + ";", ['a password ("Pwd")']],
    ["a YAML password", () => "global:\n  smtp_auth_username: alerts\n  smtp_auth_password: '" + rand(16) + "'\n", ['a password ("smtp_auth_password")']],
    ["a JSON client secret", () => JSON.stringify({ client_id: "orders", client_secret: rand(32) }), ['a secret ("client_secret")']],
    ["a default password (a value that is used)", () => "spring.datasource.password=changeme", ['a password ("spring.datasource.password")']],
    ["a --password flag", () => "--password=" + rand(12), ['a password ("--password")']],
    ["an API key header", () => `curl -H "X-Api-Key: ${rand(32)}" https://api`, ['an API key ("X-Api-Key")']],
    ["an Authorization header", () => `curl -H "Authorization: Bearer ${rand(40)}" https://api`, ["an HTTP Authorization credential"]],
    ["a token under an API key name (said once)", () => `api_key: ${fakes.google}`, ["a Google API key"]],
    // A BEGIN line naming a private key is the evidence, whatever follows (Polaris' fixtures).
    ["a masked key with a mismatched END line", () => "-----BEGIN PRIVATE KEY-----\nxxxxxxxx\n-----END OPENSSH PRIVATE " + "KEY-----\n", ["a PEM private key"]],
    ["a key armored with 3 dashes", () => "---BEGIN OPENSSH PRIVATE KEY---\nxxxxx\n---END  OPENSSH PRIVATE " + "KEY---\n", ["a PEM private key"]],
    ["a redacted PEM key", () => armor("PRIVATE KEY", "...\nREDACTED\n..."), ["a PEM private key"]],
    ["a truncated key without its END line", () => "-----BEGIN RSA PRIVATE KEY-----\n" + bytes(48).toString("base64"), ["a PEM private key"]],
    ["a PGP key block's BEGIN line alone", () => "-----BEGIN PGP PRIVATE KEY BLOCK-----", ["a PGP private key"]],
    ["a PEM key flattened onto one line", () => "-----BEGIN EC PRIVATE KEY----- " + bytes(48).toString("base64") + " -----END EC PRIVATE KEY-----", ["a PEM private key"]],
    ["mysql's glued -p in a script", () => `#!/bin/sh\nmysql -h db -uroot -p${rand(12)} -e 'select 1'\n`, ['a password ("-p")']],
    ["mysqldump's -p in a pipeline", () => `mysqldump -u root -p'${rand(12)}' shop | gzip > /backup/shop.sql.gz`, ['a password ("-p")']],
    ["mariadb's -p after another command", () => `cd /tmp && mariadb -uapp -p${rand(10)} shop < schema.sql`, ['a password ("-p")']],
    ["redis-cli's -a", () => `redis-cli -h redis -p 6379 -a ${rand(16)} ping`, ['a password ("-a")']],
    ["sshpass's -p", () => `sshpass -p ${rand(12)} scp /backup/x backup@host:/srv`, ['a password ("-p")']],
    ["openssl's -pass pass:", () => `openssl enc -aes-256-cbc -salt -pass pass:${rand(16)} -in a -out a.enc`, ['a password ("-pass")']],
    ["openssl's -passin pass:", () => `openssl pkcs12 -export -passin pass:${rand(12)} -in tls.crt`, ['a password ("-passin")']],
  ])("finds %s", (_name, text, expected) => {
    expect(whats(text())).toEqual(expected);
  });

  it.each<[string, string]>([
    ["a public certificate", armor("CERTIFICATE", lines64(bytes(900).toString("base64")))],
    ["a public key", armor("PUBLIC KEY", lines64(bytes(300).toString("base64")))],
    ["an SSH public key", `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA${bytes(32).toString("base64")} ops@bastion`],
    ["a PEM header quoted in a script", 'case "$(head -n1 "$f")" in "-----BEGIN OPENSSH ' + 'PRIVATE KEY-----") echo key ;; esac'],
    ["a BEGIN line naming a public key", "---BEGIN SSH2 PUBLIC KEY---\nComment: ops\n---END SSH2 PUBLIC KEY---"],
    ["prose about private keys", "Paste the key (its first line reads BEGIN PRIVATE KEY) into the Secret."],
    ["-p after other programs", "redis-cli -p 6379 ping\nssh -p 2222 backup@host\ndocker run -p 8080:80 nginx\nnc -l -p 9000\nmkdir -p /var/lib/mysql"],
    ["program passwords from variables and files", 'mysqladmin ping -uroot -p"$MYSQL_ROOT_PASSWORD"\nmysql -p${MYSQL_PASSWORD} shop\nmysqldump -p$(cat /run/secrets/pw) shop\nsshpass -f /run/secrets/ssh scp a b:\nREDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -p 6379 ping\nredis-cli --no-auth-warning -a "$REDIS_PASSWORD" info'],
    ["mysql prompting for its password", "mysql -uroot -p --execute='select 1'\nmysqldump -p < /dev/null"],
    ["a UUID", "550e8400-e29b-41d4-a716-446655440000"],
    ["a git SHA", "commit=" + rand(40, "0123456789abcdef")],
    ["an image digest", `ghcr.io/shop/api@sha256:${rand(64, "0123456789abcdef")}`],
    ["base64 of plain text", Buffer.from("log_level = info\nlisten = 0.0.0.0:8080\n".repeat(5)).toString("base64")],
    ["AWS's documented example key", "AK" + "IAIOSFODNN7" + "EXAMPLE"],
    ["a masked token", "ghp_" + "x".repeat(36)],
    ["Stripe test and publishable keys", `sk_test_${rand(24)} pk_live_${rand(24)}`],
    ["a JWT-shaped string that is not JSON", "eyJub3QgSlNPTg.eyJub3QgSlNPTg.abc"],
    ["shell references", 'PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup; password=$(conf_quote "$REDIS_PASSWORD"); : "${APP_PASSWORD:?}"'],
    ["env references", "--password=$(DB_PASSWORD) --token=${TOKEN} password=%(pw)s secret_key={{ .Values.key }}"],
    ["file references", "password_file=/run/secrets/db\ncredentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token\npassword: /etc/pw"],
    ["openssl passphrase sources", "openssl enc -aes-256-cbc -pass env:BACKUP_PASSPHRASE -passin file:/run/pw"],
    ["placeholders", "password: <password>\npassword: '********'\npassword: \"\"\napi_key: REDACTED\ntoken: true"],
    ["a psql variable", "CREATE ROLE :\"app_user\" WITH LOGIN PASSWORD :'app_password';"],
    ["settings named like passwords", "password_encryption = 'scram-sha-256'\n--auth-local=scram-sha-256 --no-password"],
    ["a public truststore password", "-Djavax.net.ssl.trustStorePassword=changeit"],
    ["a URL without a password", "https://user@git.example.com/x redis://127.0.0.1:6379 http://host:8080/a@b"],
    ["a URL with a referenced password", "postgres://app:$(DB_PASSWORD)@db:5432/app"],
    ["an Authorization header from a variable", 'curl -H "Authorization: Bearer $TOKEN"'],
    ["code that handles passwords", 'const password = new random.RandomPassword("admin");\npassword: d.password,\n{ "admin-password": password }\npassword = os.environ["DB_PASSWORD"]\nreadonly password: pulumi.Output<string>;\npsql(user: string, password: string)'],
    ["a made-up Slack webhook", "https://hooks.slack.com/services/T000/B000/not-a-real-token"],
    ["prose about passwords", "# Grafana's admin password: protected in prod.\nThe token: see the runbook."],
    ["a documented URL shape", "`postgresql://user:password@host:port/db` with the user and password URL-encoded"],
    ["Kubernetes secret names", "secretName: shop-tls\ntls_secret: shop-tls\n--tls-secret=ingress/shop-tls"],
  ])("ignores %s", (_name, text) => {
    expect(whats(text)).toEqual([]);
  });

  // A pattern that backtracks takes minutes on these inputs; linear ones take 20-200 ms in Jest,
  // so the 5 s bound catches the first with room for a busy machine.
  it("stays linear on 1 MB inputs", () => {
    const mb = 1 << 20;
    const inputs = [
      "a".repeat(mb),
      "password=".repeat(mb / 9),
      'password="'.repeat(mb / 10),
      ("-----BEGIN " + "PRIVATE KEY-----").repeat(mb / 27),
      "eyJhbGci.".repeat(mb / 9),
      "AKIA".repeat(mb / 4),
      "x://a:".repeat(mb / 6),
      "a:b@".repeat(mb / 4),
      "${password:".repeat(mb / 11),
      "api_key_api_key_".repeat(mb / 16),
      "&sig=".repeat(mb / 5) + "?sv=2020-01-01",
      bytes(mb).toString("base64"),
      "-".repeat(mb),
      "---BEGIN ".repeat(mb / 9),
      ("---BEGIN " + "A ".repeat(7)).repeat(mb / 23),
      "mysql -p".repeat(mb / 8),
      "mysql ".repeat(mb / 6) + "-pX",
      "-pass ".repeat(mb / 6),
    ];
    for (const input of inputs) {
      const start = process.hrtime.bigint();
      findCredentials(input);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      expect([input.slice(0, 12), ms < 5000]).toEqual([input.slice(0, 12), true]);
    }
  });
});

describe("secretName", () => {
  it.each<[string, string]>([
    ["DB_PASSWORD", "PASSWORD"], ["my_password", "PASSWORD"], ["password", "PASSWORD"], ["DBPassword", "PASSWORD"], ["PGPASSWORD", "PASSWORD"],
    ["spring.datasource.password", "PASSWORD"], ["db-password.txt", "PASSWORD"], ["ADMIN_PASSWORDS", "PASSWORDS"], ["MYSQL_PASSWD", "PASSWD"],
    ["SMTP_PASS", "PASS"], ["MYSQL_PWD", "PWD"], ["KEY_PASSPHRASE", "PASSPHRASE"], ["SESSION_SECRET", "SECRET"], ["AWS_SECRET_ACCESS_KEY", "SECRET"],
    ["GITHUB_TOKEN", "TOKEN"], ["apiToken", "TOKEN"], ["NGROK_AUTHTOKEN", "TOKEN"], ["GOOGLE_APPLICATION_CREDENTIALS", "CREDENTIALS"], ["DB_CREDENTIAL", "CREDENTIAL"],
    ["SLACK_BEARER", "BEARER"], ["STRIPE_API_KEY", "API KEY"], ["apiKey", "API KEY"], ["APIKey", "API KEY"], ["X-Api-Key", "API KEY"], ["apikey", "API KEY"],
    ["API_KEYS", "API KEY"], ["secretkey", "SECRET KEY"], ["PRIVATE_KEY", "PRIVATE KEY"], ["MINIO_ACCESS_KEY", "ACCESS KEY"], ["clientSecret", "CLIENT SECRET"],
    ["OCI_CLI_KEY_CONTENT", "KEY CONTENT"], ["STORAGE_ACCOUNT_KEY", "ACCOUNT KEY"], ["BLOB_SAS_KEY", "SAS KEY"], ["JWT_SIGNING_KEY", "SIGNING KEY"],
    ["AZURE_BATCH_KEY", "AZURE_*_KEY"], ["AZURE_STORAGE_ACCOUNT_KEY", "AZURE_*_KEY"], ["REDIS_AUTH", "AUTH"], ["BASIC_AUTH", "AUTH"], ["redisAuth", "AUTH"],
  ])("%s is a secret's name (%s)", (name, word) => {
    expect(secretName(name)).toBe(word);
  });

  it.each([
    "MAX_TOKENS", "PASSTHROUGH_MODE", "SECRETS_MANAGER_REGION", "TOKENIZER_MODEL", "JWT_SECRET_ROTATION_DAYS", "OAUTH_ISSUER", "AUTH_PROVIDER", "AUTHOR",
    "DB_PASSWORD_FILE", "passwordFile", "TOKEN_URL", "OIDC_TOKEN_ENDPOINT", "TLS_SECRET_NAME", "SECRET_KEY_REF", "DB_SECRET_ARN", "AWS_ACCESS_KEY_ID", "OIDC_CLIENT_ID",
    "TOKEN_TTL_SECONDS", "PASSWORD_MIN_LENGTH", "API_KEY_HEADER", "AZURE_KEY_VAULT_NAME", "AZURE_KEY", "POSTGRES_HOST_AUTH_METHOD", "CACHE_BYPASS", "OLDPWD",
    "PARTITION_KEY", "rotate-token.sh", "secrets.yaml", "credentials.json", "10-keel-roles.sh", "OTEL_EXPORTER_OTLP_ENDPOINT", "",
  ])("%s is not", (name) => {
    expect(secretName(name)).toBeUndefined();
  });

  it("takes values that point elsewhere, not placeholders", () => {
    const elsewhere = ["", "  ", "true", "yes", "0", "$DB_PASSWORD", "${DB_PASSWORD}", "$(DB_PASSWORD)", "{{ .Values.db.password }}", "$__file{/etc/secrets/pw}", "/run/secrets/db/password",
      "./pw.txt", "../secrets/pw", "~/.pgpass", "secrets/db.txt", "https://vault.example.com/v1/secret/db", "https://user@git.example.com/x", "env:DB_PASSWORD", "file:/run/pw",
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf", "`cat /run/pw`"];
    const held = ["xxxxx", "changeme", "********", "<password>", "REDACTED", "abc123", "hunter2", "none", "/Ab3kQ9z/Zx7Lm2", "https://app:" + rand(10) + "@db/x", rand(40, ALNUM + "+/")];
    expect(elsewhere.filter((v) => !pointsElsewhere(v))).toEqual([]);
    expect(held.filter((v) => pointsElsewhere(v))).toEqual([]);
    expect([secretByName("SMTP_AUTH", "plain"), secretByName("SMTP_AUTH", "true"), secretByName("SMTP_AUTH", rand(12)), secretByName("LOG_LEVEL", "hunter2")]).toEqual([undefined, undefined, "AUTH", undefined]);
  });

  // 128 KiB: a quadratic pattern takes seconds here, and fails rather than hangs.
  it("stays linear on long names and values", () => {
    const mb = 1 << 17;
    for (const [name, value] of [["a".repeat(mb), "x"], ["aB".repeat(mb / 2), "x"], ["A_".repeat(mb / 2) + "PASSWORD", "x"], ["PASSWORD", "/".repeat(mb) + " "], ["PASSWORD", "a://" + "x".repeat(mb) + " x"], ["PASSWORD", "/" + "a".repeat(mb) + " x"],
      ["PASSWORD", "{{".repeat(mb / 2)], ["PASSWORD", "a/".repeat(mb / 2) + "!"], ["PASSWORD", "$".repeat(mb)]]) {
      const start = process.hrtime.bigint();
      secretByName(name, value);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      expect([name.slice(0, 12), value.slice(0, 12), ms < 5000]).toEqual([name.slice(0, 12), value.slice(0, 12), true]);
    }
  });
});

describe("commandLineCredentials", () => {
  const kinds = (argv: string[]) => commandLineCredentials(argv).map(({ index, found }) => [index, ...found.map((c) => c.what)]);

  it("finds passwords given to mysql, sshpass, redis-cli and openssl, by the program", () => {
    const pw = rand(12);
    expect(kinds(["mysql", "-h", "db", "-uroot", `-p${pw}`])).toEqual([[4, 'a password ("-p")']]);
    expect(kinds(["/usr/bin/mysqldump", "-p", pw, "shop"])).toEqual([[2, 'a password ("-p")']]);
    expect(kinds(["mariadb-admin", "-p", "xxxxx", "ping"])).toEqual([[2, 'a password ("-p")']]);
    expect(kinds(["sshpass", "-p", pw, "ssh", "-p", "2222", "host"])).toEqual([[2, 'a password ("-p")']]);
    expect(kinds(["redis-cli", "-p", "6379", "--pass", pw, "ping"])).toEqual([[4, 'a password ("--pass")']]);
    expect(kinds(["openssl", "rsa", "-passout", `pass:${pw}`])).toEqual([[3, 'a password ("-passout")']]);
  });

  it("says nothing of -p after other programs, of flags that switch a password off, or of values from elsewhere", () => {
    expect(kinds(["ssh", "-p", "2222", "host"])).toEqual([]);
    expect(kinds(["sshpass", "-f", "/run/secrets/ssh", "ssh", "-p", "2222", "host"])).toEqual([]);
    expect(kinds(["nginx", "-p", "/etc/nginx", "-g", "daemon off;"])).toEqual([]);
    expect(kinds(["redis-cli", "-p", "6379", "-a", "$(REDIS_PASSWORD)", "ping"])).toEqual([]);
    expect(kinds(["mysql", "-p", "--host", "db"])).toEqual([]);
    expect(kinds(["mysql", "-p$(MYSQL_PWD)"])).toEqual([]);
    expect(kinds(["openssl", "enc", "-pass", "env:BACKUP_PASSPHRASE"])).toEqual([]);
    expect(kinds(["pg_dump", "--no-password", "shop"])).toEqual([]);
  });
});

const where = 'Deployment shop/api, container "api"';
const init = 'Deployment shop/api, init container "migrate"';
const inPlain = "in plain text; put it in a Secret and use valueFrom.secretKeyRef.";
const onCommandLine = "in plain text, readable in the pod spec and in the node's process list; put it in a Secret and have the program read it from an env var (valueFrom.secretKeyRef) or a mounted file.";

describe("no-secret-env-values", () => {
  judgesDeployments(noSecretEnvValues, [
    ["a private key in an env value", (d) => (firstContainer(d).env = [{ name: "TLS_KEY_PEM", value: fakes.rsaKey }]), [`${where}: env TLS_KEY_PEM holds a PEM private key ${inPlain}`]],
    ["AWS keys in one value", (d) => (firstContainer(d).env = [{ name: "AWS_CONFIG", value: `${fakes.awsId}:${fakes.awsSecret}` }]), [`${where}: env AWS_CONFIG holds an AWS access key id and an AWS secret access key ${inPlain}`]],
    ["a JWT in an init container", (d) => (initContainer(d).env = [{ name: "BOOTSTRAP", value: fakes.jwt }]), [`${init}: env BOOTSTRAP holds a JSON Web Token ${inPlain}`]],
    ["a secret-named env with a token", (d) => (firstContainer(d).env = [{ name: "GITHUB_TOKEN", value: fakes.github }]), [`${where}: env GITHUB_TOKEN holds a GitHub token ${inPlain}`]],
    ["a --flag=password argument", (d) => (firstContainer(d).args = ["serve", "--db-password=" + rand(12)]), [`${where}: args[1] holds a password ("--db-password") ${onCommandLine}`]],
    ["a password as the next argument", (d) => (firstContainer(d).args = ["--password", rand(12)]), [`${where}: args[1] holds a password ("--password") ${onCommandLine}`]],
    ["a token as the next argument", (d) => (firstContainer(d).args = ["--token", fakes.slack]), [`${where}: args[1] holds a Slack token ${onCommandLine}`]],
    ["a script with a header in an init container's command", (d) => (initContainer(d).command = ["sh", "-c", `curl -fsS -H "Authorization: Bearer ${rand(40)}" https://api/migrate`]), [`${init}: command[2] holds an HTTP Authorization credential ${onCommandLine}`]],
    // Polaris' failing fixtures: a mask under a secret's name marks where a secret is put in plain text.
    ["a masked AWS secret access key", (d) => (firstContainer(d).env = [{ name: "AWS_SECRET_ACCESS_KEY", value: "xxxxx" }]), [`${where}: env AWS_SECRET_ACCESS_KEY looks like a secret ${inPlain}`]],
    ["a lower-case password name", (d) => (firstContainer(d).env = [{ name: "my_password", value: "abc123" }]), [`${where}: env my_password looks like a secret ${inPlain}`]],
    ["an Azure key", (d) => (firstContainer(d).env = [{ name: "AZURE_BATCH_KEY", value: "xxx" }]), [`${where}: env AZURE_BATCH_KEY looks like a secret ${inPlain}`]],
    ["an OCI CLI key", (d) => (firstContainer(d).env = [{ name: "OCI_CLI_KEY_CONTENT", value: "xxx" }]), [`${where}: env OCI_CLI_KEY_CONTENT looks like a secret ${inPlain}`]],
    ["a default password", (d) => (firstContainer(d).env = [{ name: "DB_PASSWORD", value: "changeme" }]), [`${where}: env DB_PASSWORD looks like a secret ${inPlain}`]],
    ["a camelCase API key", (d) => (firstContainer(d).env = [{ name: "stripeApiKey", value: rand(24) }]), [`${where}: env stripeApiKey looks like a secret ${inPlain}`]],
    ["a name ending in AUTH", (d) => (firstContainer(d).env = [{ name: "REDIS_AUTH", value: rand(16) }]), [`${where}: env REDIS_AUTH looks like a secret ${inPlain}`]],
    ["a masked key armored with 3 dashes", (d) => (firstContainer(d).env = [{ name: "the_good_stuff", value: "---BEGIN OPENSSH PRIVATE KEY---\nxxxxx\n---END  OPENSSH PRIVATE " + "KEY---\n" }]), [
      `${where}: env the_good_stuff holds a PEM private key ${inPlain}`]],
    ["mysql's glued -p in the command", (d) => (firstContainer(d).command = ["mysql", "-h", "db", "-uroot", "-p" + rand(12)]), [`${where}: command[4] holds a password ("-p") ${onCommandLine}`]],
    ["mysql's -p in command, its password in args", (d) => Object.assign(firstContainer(d), { command: ["mysqldump", "-p"], args: [rand(12), "shop"] }), [`${where}: args[0] holds a password ("-p") ${onCommandLine}`]],
    ["mysqldump in a shell line", (d) => (initContainer(d).command = ["sh", "-c", `mysqldump -h db -uroot -p${rand(12)} shop | gzip > /backup/shop.sql.gz`]), [`${init}: command[2] holds a password ("-p") ${onCommandLine}`]],
    ["redis-cli's -a", (d) => Object.assign(firstContainer(d), { command: ["redis-cli"], args: ["-h", "redis", "-a", rand(16), "ping"] }), [`${where}: args[3] holds a password ("-a") ${onCommandLine}`]],
    ["sshpass's -p", (d) => (firstContainer(d).command = ["sshpass", "-p", rand(12), "scp", "/backup/x", "backup@host:/srv"]), [`${where}: command[2] holds a password ("-p") ${onCommandLine}`]],
    ["openssl's -passin pass:", (d) => (firstContainer(d).args = ["openssl", "pkcs12", "-export", "-passin", "pass:" + rand(12)]), [`${where}: args[4] holds a password ("-passin") ${onCommandLine}`]],
  ]);

  it("reads the env and command lines of ephemeral (debug) containers", () => {
    const p = { metadata: { name: "debug", namespace: "shop" }, spec: { ...pod(deployment()), ephemeralContainers: [{ name: "debugger", image: "busybox:1.36", env: [{ name: "LOG_LEVEL", value: "debug" }] }] } };
    expect(violations(noSecretEnvValues, POD, p)).toEqual([]);
    const debugger_ = ((p.spec as Props).ephemeralContainers as Props[])[0];
    debugger_.env = [{ name: "DB_PASSWORD", value: "hunter2" }];
    debugger_.command = ["mysql", "-h", "db", "-p" + rand(10)];
    expect(violations(noSecretEnvValues, POD, p)).toEqual([
      `Pod shop/debug, ephemeral container "debugger": env DB_PASSWORD looks like a secret ${inPlain}`,
      `Pod shop/debug, ephemeral container "debugger": command[3] holds a password ("-p") ${onCommandLine}`,
    ]);
  });

  it("ignores names that describe or point at a secret, switches, and values from elsewhere", () => {
    const d = deployment();
    firstContainer(d).env = [
      { name: "MAX_TOKENS", value: "4096" },
      { name: "PASSTHROUGH_MODE", value: "tcp" },
      { name: "SECRETS_MANAGER_REGION", value: "eu-west-1" },
      { name: "TOKENIZER_MODEL", value: "cl100k_base" },
      { name: "JWT_SECRET_ROTATION_DAYS", value: "30" },
      { name: "OAUTH_ISSUER", value: "https://idp.example.com" },
      { name: "AUTH_PROVIDER", value: "oidc" },
      { name: "AUTHOR", value: "shop-team" },
      { name: "DB_SECRET_ARN", value: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf" },
      { name: "MYSQL_ALLOW_EMPTY_PASSWORD", value: "yes" },
      { name: "SMTP_AUTH", value: "plain" },
      { name: "GOOGLE_APPLICATION_CREDENTIALS", value: "/var/secrets/google/key.json" },
      { name: "DB_PASSWORD", value: "${DB_PASSWORD}" },
      { name: "REDIS_PASSWORD", value: "{{ .Values.redis.password }}" },
      { name: "GF_SECURITY_ADMIN_PASSWORD", value: "$__file{/etc/secrets/admin-password}" },
      { name: "VAULT_TOKEN", value: "file:/vault/token" },
      { name: "API_KEY", value: "" },
    ];
    firstContainer(d).command = ["/bin/sh", "-c", 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -p 6379 ping | grep -q PONG'];
    firstContainer(d).args = ["--port", "6379", "-p", "8080"];
    initContainer(d).command = ["sh", "-c", 'sshpass -e ssh -p 2222 backup@host; ssh -p 2222 -i /run/secrets/ssh/id_ed25519 backup@host'];
    expect(violations(noSecretEnvValues, DEPLOYMENT, d)).toEqual([]);
  });

  it("ignores references, files and non-secret flags on the command line", () => {
    const d = deployment();
    firstContainer(d).env = [
      { name: "DATABASE_URL", value: "postgres://app:$(DB_PASSWORD)@db:5432/app" },
      { name: "JAVA_OPTS", value: "-Djavax.net.ssl.trustStorePassword=changeit -Xmx512m" },
      { name: "OIDC_ISSUER", value: "https://idp.example.com/realms/shop" },
      { name: "OIDC_TOKEN_ENDPOINT", value: "https://idp.example.com/realms/shop/protocol/openid-connect/token" },
      { name: "DB_PASSWORD_FILE", value: "/run/secrets/db/password" },
      { name: "TLS_SECRET_NAME", value: "shop-tls" },
      { name: "API_TOKEN", value: "$(API_TOKEN_FROM_SECRET)" },
    ];
    firstContainer(d).args = ["--password-file", "/run/secrets/db", "--tls-secret", "ingress/shop-tls", "--token", "$(API_TOKEN)", "--config=/etc/api/config.yaml"];
    expect(violations(noSecretEnvValues, DEPLOYMENT, d)).toEqual([]);
  });
});

const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const PROMETHEUS = `global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: kubernetes-pods\n    authorization:\n      credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token\n    tls_config:\n      ca_file: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n`;
const DATASOURCES = `apiVersion: 1\ndatasources:\n  - name: Loki\n    type: loki\n    url: http://loki:3100\n    basicAuthUser: grafana\n    secureJsonData:\n      basicAuthPassword: $__file{/etc/secrets/loki-password}\n`;
const SCRIPT = `#!/bin/sh\nset -eu\n: "\${REPLICATION_USER:?}" "\${REPLICATION_PASSWORD:?}"\nexport PGPASSWORD="$REPLICATION_PASSWORD"\ncurl --user "\${AWS_ACCESS_KEY_ID}:\${AWS_SECRET_ACCESS_KEY}" "$S3_ENDPOINT"\n`;

/** A ConfigMap like keel's own: monitoring configs, a script, a public CA, binary plain text. */
function configMap(): Props {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "observability", namespace: "monitoring" },
    data: {
      "prometheus.yml": PROMETHEUS,
      "datasources.yaml": DATASOURCES,
      "backup.sh": SCRIPT,
      "dashboard.json": JSON.stringify({ title: "Password resets", panels: [{ type: "timeseries", datasource: { uid: "prometheus" }, targets: [{ expr: 'sum(rate(auth_password_reset_total[5m]))' }] }] }),
      "ca.crt": armor("CERTIFICATE", lines64(bytes(900).toString("base64"))),
    },
    binaryData: { "motd.txt": Buffer.from("Welcome to the shop cluster.\n").toString("base64") },
  };
}

describe("no-secrets-in-configmaps", () => {
  const fix = "anyone who can get ConfigMaps in namespace monitoring can read it; move it to a Secret and mount or reference that Secret instead.";
  const check = (mutate: (c: Props) => void) => {
    const c = configMap();
    mutate(c);
    return violations(noSecretsInConfigMaps, CONFIGMAP, c);
  };
  const data = (c: Props) => c.data as Props;

  it("passes keel-style configuration", () => {
    expect(violations(noSecretsInConfigMaps, CONFIGMAP, configMap())).toEqual([]);
  });

  it("passes env-style keys that describe or point at a secret, and Polaris' passing fixture", () => {
    const c = configMap();
    Object.assign(data(c), {
      message: "This is a test",
      db_user: "postgres",
      OIDC_ISSUER: "https://idp.example.com/realms/shop",
      OIDC_CLIENT_ID: "shop",
      S3_ENDPOINT: "http://files-s3.storage:8333",
      MAX_TOKENS: "4096",
      SECRETS_MANAGER_REGION: "eu-west-1",
      DB_PASSWORD_FILE: "/run/secrets/db/password",
      AUTH_PROVIDER: "oidc",
      REDIS_PASSWORD: "$(REDIS_PASSWORD)",
      "rotate-token.sh": '#!/bin/sh\ncurl -fsS -H "Authorization: Bearer $TOKEN" https://api/rotate\n',
    });
    expect(violations(noSecretsInConfigMaps, CONFIGMAP, c)).toEqual([]);
  });

  it.each<[string, (c: Props) => void, string[]]>([
    ["an Alertmanager SMTP password", (c) => (data(c)["alertmanager.yml"] = `global:\n  smtp_auth_password: '${rand(16)}'\n`), [
      `ConfigMap monitoring/observability: data["alertmanager.yml"] holds a password ("smtp_auth_password"); ${fix}`]],
    ["a Slack webhook in a receiver", (c) => (data(c)["alertmanager.yml"] = `receivers:\n  - name: slack\n    slack_configs:\n      - api_url: ${fakes.slackWebhook}\n`), [
      `ConfigMap monitoring/observability: data["alertmanager.yml"] holds a Slack webhook URL; ${fix}`]],
    ["a service account key file", (c) => (data(c)["gcp.json"] = gcpServiceAccount()), [`ConfigMap monitoring/observability: data["gcp.json"] holds a Google Cloud service account key; ${fix}`]],
    ["a private key in binaryData", (c) => ((c.binaryData as Props)["tls.key"] = Buffer.from(fakes.rsaKey).toString("base64")), [
      `ConfigMap monitoring/observability: binaryData["tls.key"] holds a PEM private key; ${fix}`]],
    ["several kinds in one key", (c) => (data(c)["env"] = `AZURE=${fakes.azure}\nSTRIPE=${fakes.stripe}\n`), [
      `ConfigMap monitoring/observability: data["env"] holds a Stripe live secret key and an Azure storage account key; ${fix}`]],
    // Polaris' failing fixtures: keys named like a secret, whatever the value (a mask included), and a masked key.
    ["a key named like a password", (c) => Object.assign(data(c), { db_username: "postgres", db_password: "abc123" }), [
      `ConfigMap monitoring/observability: data["db_password"] is named like a secret; ${fix}`]],
    ["a masked AWS secret access key", (c) => (data(c).AWS_SECRET_ACCESS_KEY = "xxxxx"), [`ConfigMap monitoring/observability: data["AWS_SECRET_ACCESS_KEY"] is named like a secret; ${fix}`]],
    ["an Azure key", (c) => (data(c).AZURE_BATCH_KEY = "xxxxx"), [`ConfigMap monitoring/observability: data["AZURE_BATCH_KEY"] is named like a secret; ${fix}`]],
    ["an OCI CLI key", (c) => (data(c).OCI_CLI_KEY_CONTENT = "xxxxx"), [`ConfigMap monitoring/observability: data["OCI_CLI_KEY_CONTENT"] is named like a secret; ${fix}`]],
    ["a camelCase client secret", (c) => (data(c).clientSecret = rand(32)), [`ConfigMap monitoring/observability: data["clientSecret"] is named like a secret; ${fix}`]],
    ["a masked private key", (c) => Object.assign(data(c), { a_key: "and value that are ok", ssh_access: "-----BEGIN PRIVATE KEY-----\nxxxxxxxx\n-----END OPENSSH PRIVATE " + "KEY-----\n" }), [
      `ConfigMap monitoring/observability: data["ssh_access"] holds a PEM private key; ${fix}`]],
    ["a secret-named key in binaryData", (c) => ((c.binaryData as Props)["api-key"] = bytes(32).toString("base64")), [
      `ConfigMap monitoring/observability: binaryData["api-key"] is named like a secret; ${fix}`]],
    ["a script that logs in with mysql -p", (c) => (data(c)["dump.sh"] = `#!/bin/sh\nmysqldump -h db -uroot -p${rand(12)} shop > /backup/shop.sql\n`), [
      `ConfigMap monitoring/observability: data["dump.sh"] holds a password ("-p"); ${fix}`]],
  ])("reports %s", (_name, mutate, expected) => {
    expect(check(mutate)).toEqual(expected);
  });

  it("names the object's own namespace, honours exemptions and cannot decide on unknown data", () => {
    const c = configMap();
    (c.metadata as Props).namespace = "shop";
    data(c)["npmrc"] = `//registry.npmjs.org/:_authToken=${fakes.npm}\n`;
    expect(violations(noSecretsInConfigMaps, CONFIGMAP, c)).toEqual([
      'ConfigMap shop/observability: data["npmrc"] holds an npm access token; anyone who can get ConfigMaps in namespace shop can read it; move it to a Secret and mount or reference that Secret instead.',
    ]);
    (c.metadata as Props).annotations = { "exempt.keel.dev/no-secrets-in-configmaps": "a throwaway token for the read-only demo registry" };
    expect(violations(noSecretsInConfigMaps, CONFIGMAP, c)).toEqual([]);
    const unknown = configMap();
    data(unknown)["late.yaml"] = unknownStringValue;
    expect(violations(noSecretsInConfigMaps, CONFIGMAP, unknownCheckingProxy(unknown))).toEqual([]);
    expect(violations(noSecretsInConfigMaps, "kubernetes:core/v1:Secret", { data: { key: Buffer.from(fakes.rsaKey).toString("base64") } })).toEqual([]);
  });
});
