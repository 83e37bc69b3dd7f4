/**
 * keel's manifest of its OWN default container images: who each image runs as, which uids
 * exist in it, what its program writes (each such path must be a volume when the root
 * filesystem is read-only) and which executables keel's scripts and commands may call.
 *
 * Every fact was read from the image's public build files (Dockerfile, base image, package
 * metadata, docker-library/repo-info build history); the comment above each entry names them.
 * Digests: docker-library/repo-info shows the same tag at more than one index digest (official
 * tags are rebuilt when their base image changes), so no digest could be confirmed offline and
 * `digest` is left undefined throughout. Pin one with
 * `docker buildx imagetools inspect <reference>` before relying on it.
 *
 * Shared facts, used below:
 * - Alpine: /etc/passwd from alpine-baselayout; the uids listed are those every version of its
 *   passwd in aports has (some versions also have 3, 11, 13, 14, 25, 31, 33, 85, 89, 209; which
 *   set Alpine 3.19/3.20 ships was not pinned down, so those are left out). Tools are busybox
 *   applets (aports main/busybox/busyboxconfig: ash as sh, wget, nc, coreutils applets); no
 *   bash, curl or openssl binary unless added (the base has libssl/libcrypto only).
 * - Busybox (quay.io/prometheus/busybox-linux-<arch>:latest = busybox:uclibc + CA certificates,
 *   zoneinfo, /etc/services; github.com/prometheus/busybox Makefile): /etc/passwd is buildroot's
 *   skeleton (docker-library/busybox Dockerfile.builder): daemon 1, bin 2, sys 3, sync 4, mail 8,
 *   www-data 33, operator 37, nobody 65534. Busybox defconfig applets; no bash, curl, openssl.
 * - Distroless static (gcr.io/distroless/static): root, nobody 65534, nonroot 65532; no shell.
 * - scratch: no /etc/passwd, no shell; `USER <uid>` without a group runs with gid 0.
 * - Debian bookworm (debian:bookworm-slim): base-passwd 3.6.1 passwd.master (daemon 1 ... irc 39,
 *   _apt 42, nobody 65534); dash as sh, bash, coreutils, findutils, grep, sed, mawk, gzip, tar,
 *   hostname; no curl, wget or nc.
 */

export interface ImageManifestEntry {
  /** Reference keel uses: repository:tag. */
  readonly reference: string;
  /** Content digest when known (sha256:...); undefined when it could not be read offline. */
  readonly digest?: string;
  /** The user the image runs as by default (numeric uid/gid; uid 0 when the image does not set USER). */
  readonly user: { readonly uid: number; readonly gid: number; readonly name?: string };
  /** Numeric uids that exist in the image's /etc/passwd besides root (so runAsUser of one of them has a home/name). */
  readonly uids: readonly number[];
  /**
   * The program never looks its user up (a static Go binary, say): any non-root uid works, file
   * access coming from the pod's fsGroup. @default false
   */
  readonly anyUid?: boolean;
  /** Paths the image's program writes at run time: with readOnlyRootFilesystem they must be volume mounts. */
  readonly writablePaths: readonly string[];
  /** Executables on the image's PATH that keel's scripts and commands may call (shell included: "sh", and "bash" only where present; busybox applets count). */
  readonly tools: readonly string[];
  /**
   * Where the image is built from: `github.com/<owner>/<repo>/<path of the Dockerfile>@<ref>`
   * (the ref is the tag or branch the file was read at).
   */
  readonly source: string;
}

const ROOT = { uid: 0, gid: 0, name: "root" } as const;
const NOBODY = { uid: 65534, gid: 65534, name: "nobody" } as const;

const ALPINE_UIDS = [1, 2, 4, 5, 6, 7, 8, 9, 10, 16, 21, 22, 35, 123, 405, 65534] as const;
const BUSYBOX_UIDS = [1, 2, 3, 4, 8, 33, 37, 65534] as const;
const DISTROLESS_UIDS = [65532, 65534] as const;
const DEBIAN_BOOKWORM_UIDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 33, 34, 38, 39, 42, 65534] as const;

/** The POSIX utilities keel's scripts use, present as busybox applets or GNU coreutils/findutils/sed/grep/awk. */
const POSIX_TOOLS = [
  "cat", "cp", "mv", "rm", "mkdir", "ls", "find", "date", "sleep", "sed", "grep", "awk", "wc", "head", "tail", "sort", "tr", "cut", "xargs",
  "gzip", "gunzip", "tar", "stat", "test", "env", "hostname", "touch", "du", "df", "expr", "basename", "dirname", "mktemp", "chmod", "printf", "cmp",
] as const;
/** Busybox (Alpine's, and the official busybox image's defconfig): ash as sh, the utilities above, wget and nc. */
const BUSYBOX_TOOLS = ["sh", ...POSIX_TOOLS, "wget", "nc"] as const;
/** debian:bookworm-slim: dash as sh, bash, GNU utilities; no wget, curl or nc. */
const DEBIAN_TOOLS = ["sh", "bash", ...POSIX_TOOLS] as const;

/** PostgreSQL 16 programs both postgres images install (server, client and contrib binaries). */
const POSTGRES_16_TOOLS = [
  "postgres", "initdb", "pg_ctl", "pg_controldata", "pg_waldump", "pg_resetwal", "pg_rewind", "pg_checksums", "pg_upgrade",
  "pg_archivecleanup", "pg_basebackup", "pg_receivewal", "pg_recvlogical", "pg_verifybackup", "pg_dump", "pg_dumpall", "pg_restore",
  "psql", "pg_isready", "pg_amcheck", "pgbench", "createdb", "dropdb", "createuser", "dropuser", "vacuumdb", "reindexdb", "clusterdb",
  "vacuumlo", "oid2name", "pg_test_fsync", "pg_test_timing",
] as const;

export const IMAGE_MANIFEST: readonly ImageManifestEntry[] = [
  // postgres:16.4-alpine. Read: its build history in docker-library/repo-info
  // (repos/postgres/remote/16.4-alpine.md, builds of Nov 2024 on alpine-minirootfs 3.20.3, two
  // index digests recorded) = docker-library/postgres 16/alpine3.20/Dockerfile. No USER: the
  // entrypoint starts as root and drops to postgres (70:70, added with addgroup/adduser -u 70) via
  // gosu (su-exec is a symlink to it). Programs in /usr/local/bin (make install-world-bin + contrib).
  // Runtime packages: scanelf-found libraries (libssl3, not the openssl binary), bash, tzdata, zstd,
  // icu-data-full, nss_wrapper. So: NO openssl and NO curl binary; wget and nc are busybox applets.
  // Writes: PGDATA /var/lib/postgresql/data, the socket dir /var/run/postgresql (mode 3777), and
  // /tmp (the entrypoint's nss_wrapper files when run as a uid without a passwd entry).
  {
    reference: "postgres:16.4-alpine",
    user: ROOT,
    uids: [...ALPINE_UIDS, 70],
    writablePaths: ["/var/lib/postgresql/data", "/var/run/postgresql", "/tmp"],
    tools: [...BUSYBOX_TOOLS, "bash", "zstd", "gosu", "su-exec", ...POSTGRES_16_TOOLS],
    source: "github.com/docker-library/postgres/16/alpine3.20/Dockerfile@89e0c9265d",
  },
  // postgres:16.4 (Debian bookworm). Read: repo-info repos/postgres/remote/16.4.md (builds of Aug
  // and Sep 2024, PG_VERSION 16.4-1.pgdg120+1/+2) = docker-library/postgres 16/bookworm/Dockerfile.
  // No USER; postgres is 999:999 (groupadd -r --gid=999, useradd -r --uid=999, shell /bin/bash).
  // Installed: gnupg, less, locales, libnss-wrapper, xz-utils, zstd, postgresql-common,
  // postgresql-16 with --no-install-recommends (ca-certificates and wget are purged after gosu).
  // openssl IS present: postgresql-common Depends ssl-cert (its debian/control in the bullseye
  // and trixie eras, and bookworm's 248+deb12u2 per apt-cache; the image installs pgdg's build of
  // it), and ssl-cert 1.1.2 Depends openssl (>= 0.9.8g-9). curl is NOT: no package in the dependency closure of those
  // packages (apt-cache depends --recurse, bookworm) is curl, wget or netcat. procps and perl are.
  // Programs: /usr/lib/postgresql/16/bin is on PATH (plus pg_wrapper links in /usr/bin).
  {
    reference: "postgres:16.4",
    user: ROOT,
    uids: [...DEBIAN_BOOKWORM_UIDS, 999],
    writablePaths: ["/var/lib/postgresql/data", "/var/run/postgresql", "/tmp"],
    tools: [...DEBIAN_TOOLS, "xz", "zstd", "openssl", "perl", "ps", "gosu", ...POSTGRES_16_TOOLS],
    source: "github.com/docker-library/postgres/16/bookworm/Dockerfile@89e0c9265d",
  },
  // quay.io/prometheuscommunity/postgres-exporter:v0.15.0. Read: postgres_exporter Dockerfile at
  // tag v0.15.0: FROM quay.io/prometheus/busybox-linux-<arch>:latest, /bin/postgres_exporter,
  // USER nobody (65534:65534 in the busybox passwd). Writes nothing.
  {
    reference: "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
    user: NOBODY,
    uids: BUSYBOX_UIDS,
    writablePaths: [],
    tools: [...BUSYBOX_TOOLS, "postgres_exporter"],
    source: "github.com/prometheus-community/postgres_exporter/Dockerfile@v0.15.0",
  },
  // redis:7.4.1-alpine. Read: repo-info repos/redis/remote/7.4.1-alpine.md (Nov 2024 build on
  // alpine-minirootfs 3.20.3) = docker-library/redis 7.4/alpine/Dockerfile. No USER; redis is
  // 999 in group redis 1000 (addgroup -S -g 1000, adduser -S -u 999); the entrypoint drops to it
  // with gosu when started as root. Built with BUILD_TLS=yes: libssl only, no openssl binary.
  // redis-sentinel, redis-check-aof and redis-check-rdb are symlinks to redis-server. WORKDIR and
  // VOLUME /data.
  {
    reference: "redis:7.4.1-alpine",
    user: ROOT,
    uids: [...ALPINE_UIDS, 999],
    writablePaths: ["/data"],
    tools: [...BUSYBOX_TOOLS, "redis-server", "redis-cli", "redis-sentinel", "redis-benchmark", "redis-check-aof", "redis-check-rdb", "gosu"],
    source: "github.com/docker-library/redis/7.4/alpine/Dockerfile@master",
  },
  // rabbitmq:4.1.8-alpine. Read: docker-library/rabbitmq 4.1/alpine/Dockerfile, docker-entrypoint.sh,
  // 10-defaults.conf and 20-management_agent.disable_metrics_collector.conf at 9193c1d (master:
  // 4.1.8 since 7c79aee "Update 4.1 to 4.1.8", Jan 2026; the rebuilds since changed OTP 27.3.4.x
  // and OpenSSL 3.5.x only), diffed against 3.13/alpine at 15c3523 (the previous default): the same
  // apart from Alpine 3.23, OTP 27, OpenSSL 3.5, `--without-snmp` and ENV RUNNING_UNDER_SYSTEMD=true
  // (rabbitmq-server then execs erl: the VM gets SIGTERM itself). No USER: the entrypoint (unchanged)
  // starts as root and drops to rabbitmq with su-exec; `addgroup -g 101 -S rabbitmq`,
  // `adduser -u 100 -S -h /var/lib/rabbitmq -G rabbitmq rabbitmq`. ENV HOME=/var/lib/rabbitmq
  // (VOLUME; the Erlang cookie lives there), PATH has /opt/rabbitmq/sbin (rabbitmq-server's
  // deps/rabbit/scripts at v4.1.8: the same scripts as v3.13.7), /opt/erlang/bin and
  // /opt/openssl/bin. apk adds su-exec, bash, procps (ps) and tzdata. rabbitmq_prometheus is
  // enabled at build time (/etc/rabbitmq/enabled_plugins); rabbitmq_management and
  // rabbitmq_peer_discovery_k8s ship in the generic-unix tarball (plugins.mk at v4.1.8). Writes:
  // /var/lib/rabbitmq (the data dir: Mnesia, or Khepri under <data dir>/rabbitmq_metadata
  // (rabbit_khepri:dir/0), quorum queue logs, the cookie, the pid file, expanded plugins) and
  // RABBITMQ_LOG_BASE /var/log/rabbitmq (erl_crash.dump unless ERL_CRASH_DUMP is set:
  // rabbit_prelaunch_logging, unchanged from v3.13.7 but for log metadata; rabbit_env reads the
  // same RABBITMQ_* variables).
  {
    reference: "rabbitmq:4.1.8-alpine",
    user: ROOT,
    uids: [...ALPINE_UIDS, 100],
    writablePaths: ["/var/lib/rabbitmq", "/var/log/rabbitmq"],
    tools: [
      ...BUSYBOX_TOOLS, "bash", "ps", "su-exec", "openssl", "erl", "escript", "epmd",
      "rabbitmq-server", "rabbitmqctl", "rabbitmq-plugins", "rabbitmq-diagnostics", "rabbitmq-queues", "rabbitmq-upgrade", "rabbitmq-streams",
    ],
    source: "github.com/docker-library/rabbitmq/4.1/alpine/Dockerfile@9193c1d",
  },
  // oliver006/redis_exporter:v1.66.0. Read: Dockerfile and .github/workflows/release.yml at tag
  // v1.66.0: the plain tag is the `scratch-release` stage (the -alpine tags are another stage):
  // /redis_exporter, CA certificates and nsswitch.conf only, USER 59000:59000. No passwd, no shell.
  {
    reference: "oliver006/redis_exporter:v1.66.0",
    user: { uid: 59000, gid: 59000 },
    uids: [],
    writablePaths: [],
    tools: ["redis_exporter"],
    source: "github.com/oliver006/redis_exporter/Dockerfile@v1.66.0",
  },
  // chrislusf/seaweedfs:3.80. Read: .github/workflows/container_release1.yml at tag 3.80 builds
  // docker/Dockerfile.go_build: final stage FROM alpine (3.20 when 3.80 was released), weed in
  // /usr/bin, `apk add fuse` (fusermount), /entrypoint.sh, VOLUME and WORKDIR /data, no USER.
  // Writes: /tmp; /data only as the default of the servers' -dir/-mdir, which keel always sets to
  // a mounted volume (the S3 gateway and `weed shell` store nothing). weed is a static Go binary
  // that never looks its user up, so any uid works.
  {
    reference: "chrislusf/seaweedfs:3.80",
    user: ROOT,
    uids: ALPINE_UIDS,
    anyUid: true,
    writablePaths: ["/tmp"],
    tools: [...BUSYBOX_TOOLS, "weed", "fusermount"],
    source: "github.com/seaweedfs/seaweedfs/docker/Dockerfile.go_build@3.80",
  },
  // apache/kafka:3.9.0. Read: docker/jvm/Dockerfile at 3.9.0-rc3 (identical on branch 3.9): FROM
  // eclipse-temurin:21-jre-alpine, whose Dockerfile of Nov 2024 (adoptium/containers
  // 21/jre/alpine/Dockerfile: alpine 3.20) adds coreutils, openssl, gnupg, tzdata; Kafka adds
  // bash, procps, gcompat (wget and gpg are removed again), `adduser -D appuser` (1000:1000) and
  // USER appuser. Kafka lives in /opt/kafka (bin/ is NOT on PATH: call the scripts by full path);
  // java and keytool are on PATH (/opt/java/openjdk/bin). Writes, as keel runs it (its own start
  // script, then kafka-server-start.sh): /var/lib/kafka/data and /tmp (keel points LOG_DIR and the
  // runtime config there). The image's entrypoint (/etc/kafka/docker/run, which keel does not run)
  // also writes /opt/kafka/config and /mnt/shared/config, and kafka-run-class.sh's default LOG_DIR
  // is /opt/kafka/logs: a container that runs the entrypoint, or leaves LOG_DIR unset, needs
  // volumes there. wget is not listed: whether busybox's applet link survives `apk del wget` was
  // not verified.
  {
    reference: "apache/kafka:3.9.0",
    user: { uid: 1000, gid: 1000, name: "appuser" },
    uids: [...ALPINE_UIDS, 1000],
    writablePaths: ["/var/lib/kafka/data", "/tmp"],
    tools: [
      "sh", "bash", ...POSIX_TOOLS, "nc", "openssl", "ps", "java", "keytool",
      "kafka-server-start.sh", "kafka-server-stop.sh", "kafka-storage.sh", "kafka-topics.sh", "kafka-configs.sh", "kafka-acls.sh",
      "kafka-consumer-groups.sh", "kafka-console-producer.sh", "kafka-console-consumer.sh", "kafka-metadata-quorum.sh",
      "kafka-broker-api-versions.sh", "kafka-features.sh", "kafka-log-dirs.sh", "kafka-get-offsets.sh", "kafka-reassign-partitions.sh",
      "kafka-cluster.sh", "kafka-run-class.sh",
    ],
    source: "github.com/apache/kafka/docker/jvm/Dockerfile@3.9",
  },
  // danielqsj/kafka-exporter:v1.8.0. Read: Dockerfile at tag v1.8.0: FROM
  // quay.io/prometheus/busybox:latest, /bin/kafka_exporter, USER nobody. Writes nothing.
  {
    reference: "danielqsj/kafka-exporter:v1.8.0",
    user: NOBODY,
    uids: BUSYBOX_UIDS,
    writablePaths: [],
    tools: [...BUSYBOX_TOOLS, "kafka_exporter"],
    source: "github.com/danielqsj/kafka_exporter/Dockerfile@v1.8.0",
  },
  // prom/prometheus:v2.54.1. Read: Dockerfile at tag v2.54.1: prometheus busybox base,
  // /bin/prometheus and /bin/promtool, chown nobody /etc/prometheus /prometheus, USER nobody,
  // VOLUME /prometheus (TSDB, WAL, queries.active).
  {
    reference: "prom/prometheus:v2.54.1",
    user: NOBODY,
    uids: BUSYBOX_UIDS,
    writablePaths: ["/prometheus"],
    tools: [...BUSYBOX_TOOLS, "prometheus", "promtool"],
    source: "github.com/prometheus/prometheus/Dockerfile@v2.54.1",
  },
  // prom/alertmanager:v0.27.0. Read: Dockerfile at tag v0.27.0: prometheus busybox base,
  // /bin/alertmanager and /bin/amtool, USER nobody, VOLUME and WORKDIR /alertmanager (--storage.path:
  // silences, notification log).
  {
    reference: "prom/alertmanager:v0.27.0",
    user: NOBODY,
    uids: BUSYBOX_UIDS,
    writablePaths: ["/alertmanager"],
    tools: [...BUSYBOX_TOOLS, "alertmanager", "amtool"],
    source: "github.com/prometheus/alertmanager/Dockerfile@v0.27.0",
  },
  // prom/pushgateway:v1.9.0. Read: Dockerfile at tag v1.9.0: prometheus busybox base,
  // /bin/pushgateway, WORKDIR /pushgateway, USER 65534 (nobody). Metrics stay in memory unless
  // --persistence.file is given (keel does not), so it writes nothing.
  {
    reference: "prom/pushgateway:v1.9.0",
    user: NOBODY,
    uids: BUSYBOX_UIDS,
    writablePaths: [],
    tools: [...BUSYBOX_TOOLS, "pushgateway"],
    source: "github.com/prometheus/pushgateway/Dockerfile@v1.9.0",
  },
  // grafana/grafana:11.2.0. Read: Grafana's Dockerfile (the stored versions of 2023 and 2025 agree
  // on all of this; the v11.2.0 file itself could not be read): alpine base, `apk add
  // ca-certificates bash curl tzdata musl-utils`, GF_UID 472 / GF_GID 0 (`adduser -S -u 472 -G
  // root grafana`), USER 472, bin/grafana* on PATH. Writes GF_PATHS_DATA /var/lib/grafana
  // (sqlite, plugins) and GF_PATHS_LOGS /var/log/grafana (log mode defaults to "console file").
  {
    reference: "grafana/grafana:11.2.0",
    user: { uid: 472, gid: 0, name: "grafana" },
    uids: [...ALPINE_UIDS, 472],
    writablePaths: ["/var/lib/grafana", "/var/log/grafana"],
    tools: [...BUSYBOX_TOOLS, "bash", "curl", "grafana", "grafana-cli", "grafana-server"],
    source: "github.com/grafana/grafana/Dockerfile@v11.2.0",
  },
  // otel/opentelemetry-collector-contrib:0.109.0. Read: opentelemetry-collector-releases
  // distributions/otelcol-contrib/Dockerfile at tag v0.109.0: FROM scratch, USER 10001 (no group:
  // gid 0, no passwd entry), /otelcol-contrib, CA certificates, /etc/otelcol-contrib/config.yaml.
  // No shell. Writes nothing unless a storage extension is configured.
  {
    reference: "otel/opentelemetry-collector-contrib:0.109.0",
    user: { uid: 10001, gid: 0 },
    uids: [],
    writablePaths: [],
    tools: ["otelcol-contrib"],
    source: "github.com/open-telemetry/opentelemetry-collector-releases/distributions/otelcol-contrib/Dockerfile@v0.109.0",
  },
  // grafana/loki:3.1.1. Read: cmd/loki/Dockerfile at tag v3.1.1 (the release workflows build it):
  // FROM alpine:3.20.2, `apk add ca-certificates libcap`, /usr/bin/loki, loki 10001:10001, USER
  // 10001. With common.path_prefix /loki everything (chunks, rules, rules-temp, WAL, TSDB index,
  // compactor) is under /loki (pkg/loki/config_wrapper.go).
  {
    reference: "grafana/loki:3.1.1",
    user: { uid: 10001, gid: 10001, name: "loki" },
    uids: [...ALPINE_UIDS, 10001],
    writablePaths: ["/loki"],
    tools: [...BUSYBOX_TOOLS, "loki"],
    source: "github.com/grafana/loki/cmd/loki/Dockerfile@v3.1.1",
  },
  // grafana/tempo:2.6.0. Read: cmd/tempo/Dockerfile at tag v2.6.0 (built by .drone/drone.yml): a
  // single alpine:3.20 stage, /tempo (at the root, not on PATH), tempo 10001:10001, /var/tempo
  // owned by it, USER 10001:10001. Writes its WAL and blocks under /var/tempo.
  {
    reference: "grafana/tempo:2.6.0",
    user: { uid: 10001, gid: 10001, name: "tempo" },
    uids: [...ALPINE_UIDS, 10001],
    writablePaths: ["/var/tempo"],
    tools: [...BUSYBOX_TOOLS, "tempo"],
    source: "github.com/grafana/tempo/cmd/tempo/Dockerfile@v2.6.0",
  },
  // registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0. Read: Dockerfile at tag
  // v2.13.0: FROM gcr.io/distroless/static, /kube-state-metrics, USER nobody. No shell; writes nothing.
  {
    reference: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0",
    user: NOBODY,
    uids: DISTROLESS_UIDS,
    writablePaths: [],
    tools: ["kube-state-metrics"],
    source: "github.com/kubernetes/kube-state-metrics/Dockerfile@v2.13.0",
  },
  // curlimages/curl:8.10.1. Read: curl-container at tag 8.10.1 (Makefile, create_multi.sh,
  // create_base_image.sh, create_appliance_image.sh): alpine:3.20.3 + `apk add brotli brotli-dev
  // libssh2 nghttp2-dev libidn2 krb5 libpsl zstd` + curl 8.10.1 in /usr/bin; curl_group and
  // curl_user made with addgroup -S / adduser -S (first free system ids: uid 100, gid 101, as
  // `id` in the image reports), USER curl_user, WORKDIR /home/curl_user. NO openssl binary (none of
  // those packages, nor krb5's APKBUILD depends, bring it), no bash.
  {
    reference: "curlimages/curl:8.10.1",
    user: { uid: 100, gid: 101, name: "curl_user" },
    uids: [...ALPINE_UIDS, 100],
    writablePaths: [],
    tools: [...BUSYBOX_TOOLS, "curl", "zstd"],
    source: "github.com/curl/curl-container/create_base_image.sh@8.10.1",
  },
];

const DOCKER_HUB_PREFIXES = ["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"];

/** `docker.io/library/postgres:16.4` and `postgres:16.4` name the same image. */
function normalize(reference: string): string {
  const ref = reference.trim();
  const prefix = DOCKER_HUB_PREFIXES.find((p) => ref.startsWith(p));
  return prefix ? ref.slice(prefix.length) : ref;
}

/** The repository of `repository:tag` (a registry port such as `host:5000/x` is not a tag). */
function repositoryOf(reference: string): string {
  const colon = reference.lastIndexOf(":");
  return colon > reference.lastIndexOf("/") ? reference.slice(0, colon) : reference;
}

const BY_REFERENCE = new Map(IMAGE_MANIFEST.map((e) => [e.reference, e]));

/**
 * The entry for an image reference (exact repository:tag, or repository@digest), or undefined.
 * Docker Hub's `docker.io/` and `docker.io/library/` prefixes are ignored. `repository:tag@digest`
 * finds the tag's entry unless the entry knows a different digest.
 */
export function imageEntry(reference: string): ImageManifestEntry | undefined {
  const ref = normalize(reference);
  const at = ref.indexOf("@");
  if (at < 0) return BY_REFERENCE.get(ref);
  const name = ref.slice(0, at);
  const digest = ref.slice(at + 1);
  const tagged = BY_REFERENCE.get(name);
  if (tagged) return tagged.digest === undefined || tagged.digest === digest ? tagged : undefined;
  return IMAGE_MANIFEST.find((e) => e.digest === digest && repositoryOf(e.reference) === name);
}
