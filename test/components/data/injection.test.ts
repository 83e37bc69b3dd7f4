/**
 * Hostile values (quotes, substitutions, separators, line breaks, backslashes, NUL, unicode) fed
 * through every generator that writes a value into a script or a configuration file: the generated
 * file must mean what the arguments meant (read back with a reader of the format, scripts run
 * with stub tools and checked by `sh -n` and shellcheck), or the value is refused with a field error.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  KafkaCluster,
  KafkaClusterArgs,
  ObservabilityStack,
  ObservabilityStackArgs,
  PostgresCluster,
  PostgresClusterArgs,
  RedisStore,
  SeaweedStorage,
  TopicSpec,
  pgHbaConf,
  postgresqlConf,
  postgresqlSettings,
  redisConf,
  redisNodeScript,
  redisSentinelScript,
  renderProperties,
  serverProperties,
  topicsScript,
  walRestoreCommand,
} from "../../../components";
import { QuotingError } from "../../../components/core/quoting";
import { bucketScript } from "../../../components/seaweed-storage/scripts";
import { HOSTILE, parsePostgresqlConf, parseProperties, redisSplitArgs } from "../../helpers/config-parsers";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

type Obj = Record<string, unknown>;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "keel-injection-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A stub tool that records each argument it gets, hex-encoded, one per line; "--" ends a call. */
function stub(dir: string, name: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\nfor a in "$@"; do printf 'x'; printf '%s' "$a" | od -An -tx1 | tr -d ' \\n'; echo; done >> "$(dirname "$0")/calls"\necho "--" >> "$(dirname "$0")/calls"\n`, { mode: 0o755 });
  return file;
}

/** The arguments of each call a stub in `dir` recorded. */
function calls(dir: string): string[][] {
  const file = path.join(dir, "calls");
  const out: string[][] = [];
  let current: string[] = [];
  for (const line of fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : []) {
    if (line === "--") {
      out.push(current);
      current = [];
    } else if (line.startsWith("x")) current.push(Buffer.from(line.slice(1), "hex").toString("utf8"));
  }
  return out;
}

function shellcheck(script: string): string {
  const r = spawnSync("shellcheck", ["--shell=sh", "--severity=warning", "-"], { input: script, encoding: "utf8" });
  return r.stdout + r.stderr;
}

function syntaxCheck(script: string): number | null {
  return spawnSync("sh", ["-n"], { input: script }).status;
}

async function errorOf(program: () => void): Promise<string[]> {
  let lines: string[] = [];
  await synthesize(() => {
    try {
      program();
    } catch (e) {
      lines = (e as Error).message.split("\n");
    }
  });
  return lines;
}

// Values with a space in them are not shell-safe words: the stub records them byte for byte.
const NO_SPACE_HOSTILE = HOSTILE.filter((h) => !/[\r\n\t\0]/.test(h));

describe("postgresql.conf", () => {
  const STRING_SETTINGS = ["application_name", "cluster_name", "log_line_prefix", "search_path", "default_tablespace", "temp_tablespaces", "ssl_ciphers", "log_directory"];

  it.each(HOSTILE.map((h, i) => [h, i]))("a setting with %j reads back as itself, with no other setting added", (value, i) => {
    const name = STRING_SETTINGS[Number(i) % STRING_SETTINGS.length];
    const extra = { [name]: value as string, random_page_cost: 1.1, jit: false };
    const s = { memoryBytes: 1024 ** 3, maxConnections: 100, replicas: 1, walKeepSize: "1GB", maxSlotWalKeepSize: "2GB", extra };
    const read = parsePostgresqlConf(postgresqlConf(s));
    const intended = postgresqlSettings(s);
    expect([...read.keys()].sort()).toEqual(Object.keys(intended).sort());
    expect(read.get(name)).toBe(value);
    expect(read.get("jit")).toBe("off");
    expect(read.get("random_page_cost")).toBe("1.1");
  });

  it("carries hostile parameters from the component's args into its ConfigMap unchanged", async () => {
    const parameters = { application_name: "x'\nfsync = off\n#", log_line_prefix: "%m \\' $(id) `id` ; ✓ ", search_path: '"$user", public' };
    const s = await synthesize(() => new PostgresCluster("db", { platform: testPlatform(), parameters }));
    const conf = (s.all("ConfigMap").find((c) => (c.data as Obj)?.["postgresql.conf"])?.data as Record<string, string>)["postgresql.conf"];
    const read = parsePostgresqlConf(conf);
    for (const [k, v] of Object.entries(parameters)) expect(read.get(k)).toBe(v);
    expect(read.get("fsync")).toBeUndefined();
    expect(conf.split("\n").filter((l) => /^application_name/.test(l))).toEqual(["application_name = 'x''\\nfsync = off\\n#'"]);
  });

  it("rejects unknown, misspelled and read-only settings and values PostgreSQL would not read, every one at once", async () => {
    const parameters: PostgresClusterArgs["parameters"] = {
      shared_bufers: "1GB",
      "pg_stat_statements.maxx": 5000,
      force_parallel_mode: "on",
      block_size: 8192,
      enable_seqscan: "maybe",
      work_mem: "4mb",
      statement_timeout: "5 hours",
      log_statement: "everything",
      random_page_cost: "cheap",
      effective_io_concurrency: 1.5,
      application_name: "a\0b",
      // accepted: another extension's own setting, units with blanks, PostgreSQL 16 names, any case of an enum
      "auto_explain.log_min_duration": "1s",
      idle_session_timeout: "10 min",
      vacuum_buffer_usage_limit: "256kB",
      log_min_messages: "WARNING",
      ssl_max_protocol_version: "",
      synchronous_commit: false,
      hot_standby_feedback: "of",
    };
    expect(await errorOf(() => new PostgresCluster("db", { platform: testPlatform(), parameters }))).toEqual([
      'PostgresCluster "db": parameters.shared_bufers is an unknown PostgreSQL 16 setting; expected a name from pg_settings, or extension.name for an extension\'s own (did you mean "shared_buffers"?)',
      'PostgresCluster "db": parameters.pg_stat_statements.maxx is an unknown PostgreSQL 16 setting; expected a name from pg_settings, or extension.name for an extension\'s own (did you mean "pg_stat_statements.max"?)',
      'PostgresCluster "db": parameters.force_parallel_mode is an unknown PostgreSQL 16 setting; expected a name from pg_settings, or extension.name for an extension\'s own',
      'PostgresCluster "db": parameters.block_size is 8192; expected no value: it is a read-only PostgreSQL setting (fixed when the server is built or its data directory initialized)',
      'PostgresCluster "db": parameters.enable_seqscan is "maybe"; expected true or false (or on, off, yes, no, 1, 0) (PostgreSQL bool setting)',
      'PostgresCluster "db": parameters.work_mem is "4mb"; expected an integer with an optional unit (B, kB, MB, GB, TB; case-sensitive; a bare number is in kB) (PostgreSQL integer setting)',
      'PostgresCluster "db": parameters.statement_timeout is "5 hours"; expected an integer with an optional unit (us, ms, s, min, h, d; case-sensitive; a bare number is in ms) (PostgreSQL integer setting)',
      'PostgresCluster "db": parameters.log_statement is "everything"; expected one of "none", "ddl", "mod", "all" (PostgreSQL enum setting)',
      'PostgresCluster "db": parameters.random_page_cost is "cheap"; expected a number (PostgreSQL real setting)',
      'PostgresCluster "db": parameters.effective_io_concurrency is 1.5; expected an integer (PostgreSQL integer setting)',
      'PostgresCluster "db": parameters.application_name is "a\\u0000b"; expected a value postgresql.conf can hold: a NUL character cannot be carried by any configuration file or script (PostgreSQL string setting)',
    ]);
  });
});

describe("commands PostgreSQL runs through the shell", () => {
  // PostgreSQL replaces %p, %f and %% in archive_command/restore_command, then runs it with sh -c.
  const substitute = (command: string, p: string, f: string) => command.replace(/%[pf%]/g, (m) => (m === "%p" ? p : m === "%f" ? f : "%"));

  it.each(NO_SPACE_HOSTILE.filter((h) => h !== "" && !h.includes("/")))("archive_command passes a spool directory named %j as one argument", (value) => {
    const dir = fs.mkdtempSync(path.join(work, "archive-"));
    const spool = path.join(dir, `spool ${value}`);
    const script = stub(path.join(dir, `bin ${value}`), "wal-archive.sh");
    const settings = postgresqlSettings({ memoryBytes: 1024 ** 3, maxConnections: 100, replicas: 0, walKeepSize: "1GB", maxSlotWalKeepSize: "2GB", archive: { script, spoolDir: spool, limitBytes: 1024 } });
    execFileSync("sh", ["-c", substitute(String(settings.archive_command), "pg_wal/0001", "0001")]);
    expect(calls(path.dirname(script))).toEqual([["pg_wal/0001", "0001", spool, "1024"]]);
  });

  it.each(NO_SPACE_HOSTILE.filter((h) => h !== "" && !h.includes("/")))("restore_command copies from a directory named %j", (value) => {
    const dir = fs.mkdtempSync(path.join(work, "restore-"));
    const walDir = path.join(dir, `wal ${value}`);
    fs.mkdirSync(walDir);
    fs.writeFileSync(path.join(walDir, "000000010000000000000001"), "segment");
    execFileSync("sh", ["-c", substitute(walRestoreCommand(walDir), path.join(dir, "out"), "000000010000000000000001")]);
    expect(fs.readFileSync(path.join(dir, "out"), "utf8")).toBe("segment");
  });
});

describe("pg_hba.conf", () => {
  it("quotes a role that is a keyword or holds separators, so each record keeps its five fields", () => {
    const lines = pgHbaConf({ clientCidrs: ["10.0.0.0/8"], replicationUser: 'all, "x" #' }).split("\n");
    expect(lines).toContain('host    replication  "all, ""x"" #"      10.0.0.0/8       scram-sha-256');
    expect(() => pgHbaConf({ clientCidrs: ["10.0.0.0/8\nhost all all 0.0.0.0/0 trust"], replicationUser: "replicator" })).toThrow("pg_hba.conf: cannot write");
  });
});

describe("Kafka", () => {
  it.each(HOSTILE.filter((h) => !/[\r\n\0]/.test(h)))("server.properties with %j in a value reads back as the same properties", (value) => {
    const props = serverProperties({ brokers: 1, hostOf: () => "kafka-0.kafka", replicationFactor: 1, minInsyncReplicas: 1, defaultPartitions: 3, retentionHours: 1, tls: true, logDir: `/data/${value}`, tlsDir: value });
    expect(parseProperties(renderProperties(props))).toEqual(new Map(Object.entries(props)));
  });

  it("the topics script hands kafka-topics.sh every value as one argument, and passes sh -n and shellcheck", () => {
    const hostile = "0:1,$(touch /tmp/keel-pwned);`id` 'x' \"y\" \\z ✓";
    const topics: TopicSpec[] = [
      { name: "orders.v1", partitions: 3, replicationFactor: 1, config: { "retention.ms": "86400000", "leader.replication.throttled.replicas": hostile } },
      { name: "audit_log-2", partitions: 1, replicationFactor: 1, config: { "cleanup.policy": "compact,delete", "message.format.version": "3.0' ; echo pwned '" } },
    ];
    const script = topicsScript(topics);
    expect(syntaxCheck(script)).toBe(0);
    expect(shellcheck(script)).toBe("");
    const home = path.join(work, "kafka");
    stub(path.join(home, "bin"), "kafka-topics.sh");
    execFileSync("sh", ["-c", script], { env: { PATH: process.env.PATH, KAFKA_HOME: home, BOOTSTRAP: "kafka:9092" } });
    const common = ["--bootstrap-server", "kafka:9092", "--create", "--if-not-exists", "--topic"];
    expect(calls(path.join(home, "bin"))).toEqual([
      [...common, "orders.v1", "--partitions", "3", "--replication-factor", "1", "--config", "retention.ms=86400000", "--config", `leader.replication.throttled.replicas=${hostile}`],
      [...common, "audit_log-2", "--partitions", "1", "--replication-factor", "1", "--config", "cleanup.policy=compact,delete", "--config", "message.format.version=3.0' ; echo pwned '"],
    ]);
    expect(fs.existsSync("/tmp/keel-pwned")).toBe(false);
  });

  it("rejects unknown topic configs and values Kafka would not parse", async () => {
    const topics: KafkaClusterArgs["topics"] = [
      {
        name: "orders",
        replicationFactor: 1,
        config: { "retention.msx": 1, "cleanup.policy": "compact;rm", "retention.ms": "7d", preallocate: "yes", "min.cleanable.dirty.ratio": "half", "max.message.bytes": 2 ** 31, "message.timestamp.type": "createtime", "min.insync.replicas": 2, "message.format.version": "3.0\nlog.dirs=/", "segment.ms": 604800000 },
      },
    ];
    expect(await errorOf(() => new KafkaCluster("events", { platform: testPlatform(), topics }))).toEqual([
      'KafkaCluster "events": topics[0].config.retention.msx is an unknown Kafka topic config; expected one of Kafka 3.9\'s topic configs such as "retention.ms" (did you mean "retention.ms"?)',
      'KafkaCluster "events": topics[0].config.cleanup.policy is "compact;rm"; expected a comma-separated list of delete, compact',
      'KafkaCluster "events": topics[0].config.retention.ms is "7d"; expected an integer (Kafka long)',
      'KafkaCluster "events": topics[0].config.preallocate is "yes"; expected true or false',
      'KafkaCluster "events": topics[0].config.min.cleanable.dirty.ratio is "half"; expected a number (Kafka double)',
      'KafkaCluster "events": topics[0].config.max.message.bytes is 2147483648; expected an integer from -2147483648 to 2147483647 (Kafka int)',
      'KafkaCluster "events": topics[0].config.message.timestamp.type is "createtime"; expected one of CreateTime, LogAppendTime',
      "KafkaCluster \"events\": topics[0].config.min.insync.replicas is 2; expected at most the topic's replication factor (1); otherwise no write with acks=all ever succeeds",
      'KafkaCluster "events": topics[0].config.message.format.version is "3.0\\nlog.dirs=/"; expected one line',
    ]);
  });
});

describe("SeaweedFS", () => {
  it("the bucket script creates exactly the declared buckets through weed shell, and passes sh -n and shellcheck", () => {
    const script = bucketScript("files-master-0.files-master:9333", "files-filer:8888", ["uploads", "my.bucket-2"]);
    expect(syntaxCheck(script)).toBe(0);
    expect(shellcheck(script)).toBe("");
    const bin = path.join(work, "weed-bin");
    stub(bin, "weed");
    execFileSync("sh", ["-c", script], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(calls(bin)).toEqual([
      ["shell", "-master=files-master-0.files-master:9333", "-filer=files-filer:8888"],
      ["shell", "-master=files-master-0.files-master:9333", "-filer=files-filer:8888"],
    ]);
  });

  it.each(["a b", "x;rm", "$(id)", "up\nloads", "UP", "a..b", "ab"])("refuses bucket %j in the script and in the component", async (bucket) => {
    expect(() => bucketScript("m:9333", "f:8888", [bucket])).toThrow(`weed shell: cannot write ${JSON.stringify(bucket)}: expected an S3 bucket name`);
    const lines = await errorOf(() => new SeaweedStorage("files", { platform: testPlatform(), buckets: [bucket] }));
    expect(lines).toContain(`SeaweedStorage "files": buckets is ${JSON.stringify(bucket)}; expected an S3 bucket name (3-63 lowercase letters, digits, '.', '-')`);
  });
  it.each([
    ["192.168.1.1", "expected a bucket name that is not formatted as an IP address"],
    ["xn--bucket", 'expected a bucket name that does not begin with "xn--" (reserved by S3)'],
    ["data-s3alias", 'expected a bucket name that does not end with "-s3alias" (reserved by S3)'],
    ["my.-bucket", "expected no '.' next to '-' (each dot-separated part of a bucket name is a DNS label)"],
  ])("refuses bucket %j by S3's naming rules", async (bucket, allowed) => {
    expect(await errorOf(() => new SeaweedStorage("files", { platform: testPlatform(), buckets: [bucket] }))).toEqual([`SeaweedStorage "files": buckets is ${JSON.stringify(bucket)}; ${allowed}`]);
    expect(() => bucketScript("m:9333", "f:8888", [bucket])).toThrow(QuotingError);
  });
});

describe("Redis", () => {
  it.each(HOSTILE)("redis.conf with a data directory %j reads it back as one argument", (value) => {
    const conf = redisConf({ persistence: "aof", maxmemoryBytes: 1000, evictionPolicy: "noeviction", dataDir: value });
    const dirs = conf.split("\n").map(redisSplitArgs).filter((a) => a?.[0] === "dir");
    expect(dirs).toEqual([["dir", value]]);
  });

  it.each(NO_SPACE_HOSTILE.filter((h) => h !== "" && !/[\u0001-\u001f\u007f]/.test(h)))("the node script writes a password %j that redis reads back as itself", (password) => {
    const dir = fs.mkdtempSync(path.join(work, "redis-"));
    fs.writeFileSync(path.join(dir, "base.conf"), "port 6379\n");
    const bin = path.join(dir, "bin");
    stub(bin, "redis-server");
    execFileSync("sh", ["-c", redisNodeScript()], { env: { PATH: `${bin}:${process.env.PATH}`, REDIS_PASSWORD: password, CONFIG_SOURCE: path.join(dir, "base.conf"), RUNTIME_DIR: dir, MODE: "standalone" } });
    const lines = fs.readFileSync(path.join(dir, "redis.conf"), "utf8").split("\n").filter(Boolean).map(redisSplitArgs);
    expect(lines).toEqual([["port", "6379"], ["requirepass", password], ["masterauth", password]]);
  });

  it("the scripts refuse a password with a line break rather than write a second directive", () => {
    const dir = fs.mkdtempSync(path.join(work, "redis-"));
    fs.writeFileSync(path.join(dir, "base.conf"), "port 6379\n");
    const env = { PATH: process.env.PATH, REDIS_PASSWORD: "x\nrename-command CONFIG \"\"", CONFIG_SOURCE: path.join(dir, "base.conf"), RUNTIME_DIR: dir, MODE: "standalone", ANNOUNCE_HOST: "h", PRIMARY_HOST: "h", QUORUM: "2" };
    for (const script of [redisNodeScript(), redisSentinelScript()]) {
      const r = spawnSync("sh", ["-c", script], { env, encoding: "utf8" });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("redis: a setting from the environment holds a control character; refusing to write it into the configuration");
      expect(shellcheck(script)).toBe("");
    }
    expect(fs.existsSync(path.join(dir, "sentinel.conf"))).toBe(false);
  });

  it.each([{ evictionPolicy: "allkeys-lru\nrequirepass x" }, { maxmemory: "100Mi\nrequirepass x" }])("takes no raw configuration from its args: %j is refused", async (args) => {
    const [field, value] = Object.entries(args)[0];
    const lines = await errorOf(() => new RedisStore("cache", { platform: testPlatform(), persistence: "none", ...(args as object) }));
    expect(lines.some((l) => l.startsWith(`RedisStore "cache": ${field} is ${JSON.stringify(value)}; expected`))).toBe(true);
  });
});

describe("ObservabilityStack", () => {
  const stack = (args: Partial<ObservabilityStackArgs>) => errorOf(() => new ObservabilityStack("obs", { platform: testPlatform(), ...args }));

  it("rejects alert thresholds that are not numbers in range (they are written into PromQL)", async () => {
    const alertRules = { errorRatio: 0, latencyP99Seconds: -1, volumeUsageRatio: 1.5, backupMaxAgeHours: 2.5, replicationLagSeconds: Infinity };
    expect(await stack({ prometheus: { alertRules } })).toEqual([
      'ObservabilityStack "obs": prometheus.alertRules.errorRatio is 0; expected a ratio above 0 and at most 1, such as 0.05',
      'ObservabilityStack "obs": prometheus.alertRules.latencyP99Seconds is -1; expected seconds above 0 and at most 3600, such as 1',
      'ObservabilityStack "obs": prometheus.alertRules.volumeUsageRatio is 1.5; expected a ratio above 0 and at most 1, such as 0.85',
      'ObservabilityStack "obs": prometheus.alertRules.backupMaxAgeHours is 2.5; expected whole hours from 1 to 8760, such as 26',
      'ObservabilityStack "obs": prometheus.alertRules.replicationLagSeconds is Infinity; expected seconds above 0 and at most 86400, such as 30',
    ]);
    // A string is refused before it can reach an expression (by the args' shape check, or by this one).
    const lines = await stack({ prometheus: { alertRules: { errorRatio: "0 or vector(1)" as never } } });
    expect(lines.some((l) => l.startsWith('ObservabilityStack "obs": prometheus.alertRules.errorRatio is "0 or vector(1)"; expected a'))).toBe(true);
  });

  it("rejects extra alert rules promtool would not load", async () => {
    const rule = { alert: "Down\nX", expr: " ", for: "5 m", labels: { severity: "warning" as const }, annotations: { summary: "s", runbook: "" } };
    expect(await stack({ prometheus: { extraAlertRules: [rule] } })).toEqual([
      'ObservabilityStack "obs": prometheus.extraAlertRules[0].alert is "Down\\nX"; expected an alert name: one line of text',
      'ObservabilityStack "obs": prometheus.extraAlertRules[0].expr is " "; expected a PromQL expression',
      'ObservabilityStack "obs": prometheus.extraAlertRules[0].for is "5 m"; expected a Prometheus duration such as "5m"',
      'ObservabilityStack "obs": prometheus.extraAlertRules[0].annotations.runbook is ""; expected text',
    ]);
  });

  it.each(["#alerts\nchannel: '#other'", "#Alerts Team", "alerts$(id)"])("rejects Slack channel %j", async (channel) => {
    const lines = await stack({ alertmanager: { slack: { webhookUrl: "https://hooks.slack.com/services/T/B/X", channel } } });
    expect(lines).toContain(`ObservabilityStack "obs": alertmanager.slack.channel is ${JSON.stringify(channel)}; expected a Slack channel such as "#alerts" (lowercase letters, digits, '-', '_', '.'), "@user" or a channel ID`);
  });
});
