/**
 * The upload and fetch scripts of a PostgresCluster whose backups go to an S3 bucket on AWS
 * (`irsa`), run for real with `sh` and curl against a stub STS and S3 (one local HTTP server):
 * they trade the ServiceAccount token for temporary credentials (AssumeRoleWithWebIdentity), sign
 * with them (SigV4, checked here) and send the session token; they keep the credentials until 5
 * minutes before they expire, and never print them. Also: shellcheck.
 */
import { execFile, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { backupUploadScript, walUploadScript } from "../../../components/postgres-cluster/backup-scripts";
import { restoreFetchScript } from "../../../components/postgres-cluster/restore-scripts";

const KEY = "ASIASTUBACCESSKEY123";
const SECRET = "stub/Secret+Access=Key0123456789abcdef";
const SESSION = "FwoGZXIvYXdzEStub+Session/Token==";
const ROLE = "arn:aws:iam::123456789012:role/shop-db-wal-aws-role-5d882df";
const WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcC1kYXRhOnNob3AtZGItcHJpbWFyeSJ9.c2lnbmF0dXJl";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** STS at /sts, S3 (path-style, bucket "backups") elsewhere; `sts` says how STS answers next. */
class Stub {
  public readonly seen: Seen[] = [];
  public readonly objects = new Map<string, Buffer>();
  public sts: { expiresIn: number } | { status: number; code: string; message: string } = { expiresIn: 3600 };
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => this.answer({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) }, res));
  });
  public port = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
  stsCalls(): Seen[] {
    return this.seen.filter((r) => r.url.startsWith("/sts"));
  }
  s3Calls(): Seen[] {
    return this.seen.filter((r) => !r.url.startsWith("/sts"));
  }

  private answer(r: Seen, res: http.ServerResponse): void {
    this.seen.push(r);
    if (r.url.startsWith("/sts")) {
      const a = this.sts;
      if ("status" in a) {
        res.writeHead(a.status, { "content-type": "text/xml" });
        res.end(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${a.code}</Code><Message>${a.message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`);
        return;
      }
      const expiration = new Date(Date.now() + a.expiresIn * 1000).toISOString().replace(/\.\d+Z$/, "Z");
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(
        `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>` +
          `<SubjectFromWebIdentityToken>system:serviceaccount:shop-data:shop-db-primary</SubjectFromWebIdentityToken>` +
          `<Credentials><SessionToken>${SESSION}</SessionToken><SecretAccessKey>${SECRET}</SecretAccessKey><Expiration>${expiration}</Expiration><AccessKeyId>${KEY}</AccessKeyId></Credentials>` +
          `</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`,
      );
      return;
    }
    if (r.headers["x-amz-security-token"] !== SESSION || !String(r.headers.authorization ?? "").startsWith(`AWS4-HMAC-SHA256 Credential=${KEY}/`)) {
      res.writeHead(403).end("<Error><Code>InvalidToken</Code></Error>");
      return;
    }
    const url = new URL(r.url, "http://stub");
    const key = decodeURIComponent(url.pathname.replace(/^\/backups\/?/, ""));
    if (r.method === "PUT") this.objects.set(key, r.body);
    else if (r.method === "DELETE") this.objects.delete(key);
    else if (key === "") {
      const prefix = url.searchParams.get("prefix") ?? "";
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      res.end(`<ListBucketResult><IsTruncated>false</IsTruncated>${keys.map((k) => `<Contents><Key>${k}</Key></Contents>`).join("")}</ListBucketResult>`);
      return;
    } else if (!this.objects.has(key)) {
      res.writeHead(404).end("<Error><Code>NoSuchKey</Code></Error>");
      return;
    } else {
      res.end(this.objects.get(key));
      return;
    }
    res.end();
  }
}

/** Checks a request's SigV4 signature (header auth, signed headers as sent, payload hash as curl sends it) with the session's secret. */
function signatureValid(r: Seen): boolean {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(String(r.headers.authorization));
  if (!m) return false;
  const [, , day, region, signed, signature] = m;
  const url = new URL(r.url, "http://stub");
  const payload = String(r.headers["x-amz-content-sha256"] ?? crypto.createHash("sha256").update("").digest("hex"));
  const canonical = [r.method, url.pathname, "", ...signed.split(";").map((h) => `${h}:${String(r.headers[h]).trim()}`), "", signed, payload].join("\n");
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", String(r.headers["x-amz-date"]), scope, crypto.createHash("sha256").update(canonical).digest("hex")].join("\n");
  const hmac = (k: crypto.BinaryLike, data: string) => crypto.createHmac("sha256", k).update(data).digest();
  const signingKey = ["eu-west-1", "s3", "aws4_request"].reduce((k, part) => hmac(k, part), hmac(`AWS4${SECRET}`, day));
  return region === "eu-west-1" && crypto.createHmac("sha256", signingKey).update(toSign).digest("hex") === signature;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-irsa-"));
const scripts = { "wal-upload.sh": walUploadScript({ irsa: true }), "backup-upload.sh": backupUploadScript({ irsa: true }), "restore-fetch.sh": restoreFetchScript({ irsa: true }) };
for (const [name, text] of Object.entries(scripts)) fs.writeFileSync(path.join(dir, name), text);
const tokenFile = path.join(dir, "token");
fs.writeFileSync(tokenFile, WEB_TOKEN);
/** curl shims first in PATH: `logged` records every command line, then runs the real curl; `offline` records it and fails as an unresolvable host does. */
const realCurl = spawnSync("sh", ["-c", "command -v curl"], { encoding: "utf8" }).stdout.trim();
const argvLog = path.join(dir, "curl-argv.log");
const shim = (name: string, body: string) => {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, "curl"), `#!/bin/sh\nprintf '%s\\n' "$@" >> "${argvLog}"\n${body}\n`, { mode: 0o755 });
  return path.join(dir, name);
};
const logged = shim("logged", `exec "${realCurl}" "$@"`);
const offline = shim("offline", "printf 000\nexit 6");

const stub = new Stub();
beforeAll(() => stub.start());
afterAll(() => stub.stop());

interface Ran {
  readonly code: number;
  readonly output: string;
}
/** Runs a script with sh (asynchronously: the stub answers from this process). */
function runScript(script: keyof typeof scripts, env: Record<string, string>, args: string[] = []): Promise<Ran> {
  const base: Record<string, string> = {
    PATH: `${logged}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    S3_ENDPOINT: `http://127.0.0.1:${stub.port}`,
    S3_BUCKET: "backups",
    S3_REGION: "eu-west-1",
    S3_PREFIX: "shop-db",
    AWS_ROLE_ARN: ROLE,
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_STS_ENDPOINT: `http://127.0.0.1:${stub.port}/sts`,
  };
  return new Promise((resolve) => {
    execFile("sh", [path.join(dir, script), ...args], { env: { ...base, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** A fresh spool with segment `name` and its encrypted copy, and a fresh TMPDIR unless given. */
function spool(name: string): string {
  const d = fs.mkdtempSync(path.join(dir, "spool-"));
  fs.writeFileSync(path.join(d, name), "segment");
  fs.writeFileSync(path.join(d, `${name}.gz.enc`), `encrypted ${name}`);
  return d;
}
const walEnv = (spoolDir: string, tmp: string) => ({ WAL_SPOOL_DIR: spoolDir, WAL_SPOOL_LIMIT_BYTES: String(1024 ** 3), WAL_SHIP_ONCE: "1", TMPDIR: tmp });
const freshTmp = () => fs.mkdtempSync(path.join(dir, "tmp-"));
const leaked = (output: string) => [KEY, SECRET, SESSION, WEB_TOKEN].filter((s) => output.includes(s));

beforeEach(() => {
  fs.writeFileSync(argvLog, "");
  stub.seen.length = 0;
  stub.objects.clear();
  stub.sts = { expiresIn: 3600 };
});

describe("IRSA upload scripts against a stub STS and S3", () => {
  it("wal-upload assumes the role with the ServiceAccount token, then signs the upload with the session", async () => {
    const tmp = freshTmp();
    const segment = "000000010000000000000001";
    const s = spool(segment);
    const r = await runScript("wal-upload.sh", walEnv(s, tmp));
    expect(r.code).toBe(0);
    expect(leaked(r.output)).toEqual([]);
    // Neither the token nor the credentials are ever on a command line (curl reads them from files).
    expect(fs.readFileSync(argvLog, "utf8")).toContain(`WebIdentityToken@${tokenFile}`);
    expect(leaked(fs.readFileSync(argvLog, "utf8"))).toEqual([]);
    const [sts, ...rest] = stub.stsCalls();
    expect(rest).toEqual([]);
    expect(sts.method).toBe("POST");
    expect(sts.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(sts.headers.authorization).toBeUndefined();
    const form = Object.fromEntries(new URLSearchParams(sts.body.toString()));
    expect(form).toEqual({ Action: "AssumeRoleWithWebIdentity", Version: "2011-06-15", RoleArn: ROLE, RoleSessionName: expect.stringMatching(/^keel-wal-upload-\d+$/), DurationSeconds: "3600", WebIdentityToken: WEB_TOKEN });
    const [put] = stub.s3Calls();
    expect(put.method).toBe("PUT");
    expect(put.url).toMatch(new RegExp(`^/backups/shop-db/wal/\\d{8}/${segment}\\.gz\\.enc$`));
    expect(put.headers["x-amz-security-token"]).toBe(SESSION);
    expect(String(put.headers.authorization)).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY}/\\d{8}/eu-west-1/s3/aws4_request, SignedHeaders=[^,]*x-amz-security-token[^,]*, Signature=[0-9a-f]{64}$`));
    expect(signatureValid(put)).toBe(true);
    expect(signatureValid({ ...put, headers: { ...put.headers, "x-amz-security-token": "another" } })).toBe(false);
    expect(put.body.toString()).toBe(`encrypted ${segment}`);
    expect(fs.readdirSync(s)).toEqual([]);
    // Cached for the next segments: a curl config readable by the shipper only, with the expiry.
    const cache = path.join(tmp, "keel-aws-session", "curl-config");
    expect(fs.statSync(cache).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(cache, "utf8")).toMatch(/^# expires \d+\nuser = "/);
    expect(fs.readdirSync(path.join(tmp, "keel-aws-session"))).toEqual(["curl-config"]);
  });

  it("keeps the credentials while more than 5 minutes are left, and renews them after", async () => {
    const session = fs.mkdtempSync(path.join(dir, "session-"));
    for (const n of [1, 2, 3]) expect((await runScript("wal-upload.sh", { ...walEnv(spool(`00000001000000000000000${n}`), freshTmp()), AWS_SESSION_DIR: session })).code).toBe(0);
    expect(stub.stsCalls()).toHaveLength(1);
    expect(fs.readdirSync(session)).toEqual(["curl-config"]);
    expect(stub.s3Calls().map((r) => r.method)).toEqual(["PUT", "PUT", "PUT"]);

    stub.seen.length = 0;
    stub.sts = { expiresIn: 240 };
    const short = freshTmp();
    for (const n of [4, 5]) expect((await runScript("wal-upload.sh", walEnv(spool(`00000001000000000000000${n}`), short))).code).toBe(0);
    expect(stub.stsCalls()).toHaveLength(2);
  });

  it("reports a refused AssumeRoleWithWebIdentity and keeps the segment for the next round", async () => {
    stub.sts = { status: 403, code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity" };
    const segment = "000000010000000000000009";
    const s = spool(segment);
    const r = await runScript("wal-upload.sh", walEnv(s, freshTmp()));
    expect(r.code).toBe(1);
    expect(r.output).toContain(`wal-upload: STS AssumeRoleWithWebIdentity as ${ROLE} at http://127.0.0.1:${stub.port}/sts failed (HTTP 403) AccessDenied Not authorized to perform sts:AssumeRoleWithWebIdentity`);
    expect(r.output).toContain(`wal-upload: uploading ${segment} failed`);
    expect(stub.s3Calls()).toEqual([]);
    expect(fs.readdirSync(s).sort()).toEqual([segment, `${segment}.gz.enc`]);
  });

  it("fails at once without the role or the token file", async () => {
    const r = await runScript("wal-upload.sh", { ...walEnv(spool("00000001000000000000000A"), freshTmp()), AWS_ROLE_ARN: "" });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("AWS_ROLE_ARN: is not set: the IAM role of the ServiceAccount of this pod");
    const missing = await runScript("wal-upload.sh", { ...walEnv(spool("00000001000000000000000B"), freshTmp()), AWS_WEB_IDENTITY_TOKEN_FILE: path.join(dir, "no-token") });
    expect(missing.code).toBe(1);
    expect(missing.output).toContain(`wal-upload: cannot read the ServiceAccount token ${path.join(dir, "no-token")}`);
    expect(stub.seen).toEqual([]);
  });

  it("asks STS of the cluster's region (AWS_REGION), else of the bucket's, unless AWS_STS_ENDPOINT says otherwise", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ AWS_REGION: "xx-keel-1" }, "https://sts.xx-keel-1.amazonaws.com"],
      [{ AWS_REGION: "cn-keel-1" }, "https://sts.cn-keel-1.amazonaws.com.cn"],
      [{ S3_REGION: "xx-keel-2" }, "https://sts.xx-keel-2.amazonaws.com"],
    ];
    for (const [env, endpoint] of cases) {
      fs.writeFileSync(argvLog, "");
      const r = await runScript("wal-upload.sh", { ...walEnv(spool("00000001000000000000000C"), freshTmp()), PATH: `${offline}:${process.env.PATH}`, AWS_STS_ENDPOINT: "", ...env });
      expect(r.code).toBe(1);
      expect(r.output).toContain(`wal-upload: STS AssumeRoleWithWebIdentity as ${ROLE} at ${endpoint} failed (HTTP 000)`);
      expect(fs.readFileSync(argvLog, "utf8").trim().split("\n").pop()).toBe(endpoint);
    }
  });

  it("backup-upload uploads, lists and expires as the role; restore-fetch downloads as the role", async () => {
    const work = fs.mkdtempSync(path.join(dir, "work-"));
    fs.mkdirSync(path.join(work, "out", "dumps"), { recursive: true });
    fs.mkdirSync(path.join(work, "out", "base", "20261201T030000Z"), { recursive: true });
    fs.writeFileSync(path.join(work, "out", "dumps", "shop_db-20261201T030000Z.dump.gz.enc"), "dump");
    fs.writeFileSync(path.join(work, "out", "base", "20261201T030000Z", "base.tar.gz.enc"), "base");
    stub.objects.set("shop-db/dumps/shop_db-20200101T030000Z.dump.gz.enc", Buffer.from("old"));
    const tmp = freshTmp();
    const up = await runScript("backup-upload.sh", { BACKUP_WORK_DIR: work, RETENTION_DAYS: "30", TMPDIR: tmp });
    expect(up.code).toBe(0);
    expect(leaked(up.output)).toEqual([]);
    expect(leaked(fs.readFileSync(argvLog, "utf8"))).toEqual([]);
    expect(stub.stsCalls()).toHaveLength(1);
    expect(new URLSearchParams(stub.stsCalls()[0].body.toString()).get("RoleSessionName")).toMatch(/^keel-backup-upload-\d+$/);
    expect([...stub.objects.keys()].sort()).toEqual(["shop-db/base/20261201T030000Z/base.tar.gz.enc", "shop-db/dumps/shop_db-20261201T030000Z.dump.gz.enc"]);
    const s3 = stub.s3Calls();
    expect(new Set(s3.map((r) => r.method))).toEqual(new Set(["PUT", "GET", "DELETE"]));
    expect(s3.every((r) => r.headers["x-amz-security-token"] === SESSION)).toBe(true);
    expect(s3.filter((r) => r.method !== "GET").every(signatureValid)).toBe(true);

    stub.seen.length = 0;
    const restore = fs.mkdtempSync(path.join(dir, "restore-"));
    const fetched = await runScript("restore-fetch.sh", { RESTORE_WORK_DIR: restore, TMPDIR: freshTmp() }, ["dump"]);
    expect(fetched.code).toBe(0);
    expect(fetched.output).toContain("restore-fetch: shop-db/dumps/shop_db-20261201T030000Z.dump.gz.enc");
    expect(fs.readFileSync(path.join(restore, "dump.gz.enc"), "utf8")).toBe("dump");
    expect(stub.stsCalls()).toHaveLength(1);
    expect(stub.s3Calls().every((r) => r.headers["x-amz-security-token"] === SESSION)).toBe(true);
  });

  it("pass shellcheck (POSIX sh)", () => {
    const r = spawnSync("shellcheck", ["--shell=sh", ...Object.keys(scripts).map((n) => path.join(dir, n))], { encoding: "utf8" });
    if (r.error) throw new Error(`shellcheck is not installed (.ci/run installs it): ${r.error.message}`);
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
  });
});
