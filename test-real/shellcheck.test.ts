/** Every shell script keel generates passes shellcheck as POSIX sh (what the images' /bin/sh runs). */
import * as path from "path";
import {
  backupDumpScript,
  backupUploadScript,
  bucketScript,
  filerMetaBackupScript,
  filerMetaRestoreScript,
  initRolesScript,
  kafkaStartScript,
  pitrPrepareScript,
  redisNodeScript,
  redisSentinelScript,
  replicaBootstrapScript,
  restoreFetchScript,
  restoreScript,
  topicsScript,
  walArchiveScript,
  walEncryptScript,
  walUploadScript,
} from "../components";
import { run, workdir } from "./tools";

const scripts: Record<string, string> = {
  "pg-init-roles.sh": initRolesScript(),
  "pg-replica-bootstrap.sh": replicaBootstrapScript(),
  "pg-wal-archive.sh": walArchiveScript(),
  "pg-wal-encrypt.sh": walEncryptScript(),
  "pg-wal-upload.sh": walUploadScript(),
  "pg-backup-dump.sh": backupDumpScript(),
  "pg-backup-upload.sh": backupUploadScript(),
  "pg-restore-fetch.sh": restoreFetchScript(),
  "pg-restore.sh": restoreScript(),
  "pg-pitr-prepare.sh": pitrPrepareScript(),
  "redis-node.sh": redisNodeScript(),
  "redis-sentinel.sh": redisSentinelScript(),
  "kafka-start.sh": kafkaStartScript(),
  "kafka-topics.sh": topicsScript([{ name: "orders", partitions: 3, replicationFactor: 3, config: { "retention.ms": "604800000" } }]),
  "seaweed-buckets.sh": bucketScript("m-0.m.storage.svc.cluster.local:9333", "f.storage.svc.cluster.local:8888", ["files", "backups"]),
  "seaweed-filer-meta-backup.sh": filerMetaBackupScript(),
  "seaweed-filer-meta-restore.sh": filerMetaRestoreScript(),
};

describe("generated shell scripts", () => {
  const dir = workdir(scripts);
  it.each(Object.keys(scripts))("%s passes shellcheck (POSIX sh)", (name) => {
    const r = run("shellcheck", ["--shell=sh", "--severity=warning", path.join(dir, name)], dir);
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });
});
