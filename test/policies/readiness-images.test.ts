/** helper-readiness and image-contents, and what whole-stack checks do with values unknown during preview. */
import { scriptCommands } from "../../policies/lib/image-manifest";
import { settle } from "../../policies/lib/settle";
import { imageContents } from "../../policies/stack/images";
import { helperReadiness } from "../../policies/stack/readiness";
import { stackReferences } from "../../policies/stack/references";
import { stackViolations } from "./harness";
import { FACTS, fixture, get, k8s } from "./stack-fixture";

type Props = Record<string, unknown>;
const POSTGRES = { reference: "postgres:16.4-alpine", user: { uid: 0, gid: 0 }, uids: [70], writablePaths: ["/var/run/postgresql"], tools: ["sh", "postgres", "pg_isready", "cat", "sleep"], source: "github.com/docker-library/postgres" };
const EXPORTER = { reference: "exporter:1.0", user: { uid: 65534, gid: 65534 }, uids: [65534], writablePaths: [], tools: ["exporter"], source: "x" };
const IMAGES = [POSTGRES, EXPORTER];

function dbPod(f: ReturnType<typeof fixture>): Props {
  return get(f.byName("data-db-StatefulSet"), "spec.template.spec");
}

function withHelper(f: ReturnType<typeof fixture>, helper: Props): void {
  const pod = dbPod(f);
  pod.containers = [...(pod.containers as Props[]), { name: "helper", image: "exporter:1.0", ports: [{ name: "metrics", containerPort: 9187 }], ...helper }];
}

const readiness = (f: ReturnType<typeof fixture>, facts: Props = FACTS) => stackViolations(helperReadiness, f.all, { cluster: facts, images: IMAGES }).map((v) => v.message);
const images = (f: ReturnType<typeof fixture>) => stackViolations(imageContents, f.all, { images: IMAGES }).map((v) => v.message);

describe("helper-readiness", () => {
  it("passes a data store whose helpers probe only their own port and run keel's images", () => {
    const f = fixture();
    withHelper(f, { readinessProbe: { httpGet: { path: "/", port: 9187 } } });
    expect(readiness(f)).toEqual([]);
    withHelper(f, { name: "helper2", ports: [{ name: "metrics", containerPort: 9188 }], readinessProbe: { tcpSocket: { port: "metrics" } } });
    expect(readiness(f)).toEqual([]);
  });

  it("reports a helper whose readiness probe can fail on something outside the pod", () => {
    const f = fixture();
    withHelper(f, { readinessProbe: { exec: { command: ["sh", "-c", "test $(cat /spool/last-upload) -gt 0"] } } });
    expect(readiness(f)).toEqual([
      'StatefulSet data/db, helper container "helper": its readinessProbe runs a command, which can fail on anything outside the pod (an upload, a remote store), and then the pod leaves its Services although "postgres" still serves; probe only the helper\'s own port, or drop the probe and watch it through metrics and alerts.',
    ]);
    const pod = dbPod(f);
    (pod.containers as Props[])[1].readinessProbe = { httpGet: { path: "/", port: 5432 } };
    expect(readiness(f)).toEqual([
      'StatefulSet data/db, helper container "helper": its readinessProbe checks a port the helper does not serve, so another container\'s trouble takes the pod out of its Services; probe the helper\'s own port.',
    ]);
  });

  it("reports a helper on an image nobody vouches for, unless the user declares it", () => {
    const f = fixture();
    withHelper(f, { image: "ghcr.io/acme/pg-backup:16.4" });
    expect(readiness(f)).toEqual([
      'StatefulSet data/db, helper container "helper": runs ghcr.io/acme/pg-backup:16.4, an image keel cannot vouch for; if it cannot be pulled the pod never becomes Ready and "postgres" never serves. Use keel\'s default image, or declare it as a user image (with a reason) so it is listed as a prerequisite.',
    ]);
    expect(readiness(f, { ...FACTS, userImages: [{ reference: "ghcr.io/acme/pg-backup:16.4", reason: "built and scanned by the platform team's CI" }] })).toEqual([]);
  });

  it("does not count a Service's metrics port as serving, nor judge stateless pods", () => {
    const f = fixture();
    withHelper(f, { readinessProbe: { exec: { command: ["true"] } } });
    (get(f.byName("data-db-Service"), "spec").ports as Props[]).push({ name: "metrics", port: 9187, targetPort: "metrics" });
    expect(readiness(f)).toHaveLength(1);
    const api = get(f.byName("shop-api-Deployment"), "spec.template.spec");
    api.containers = [...(api.containers as Props[]), { name: "sidecar", image: "ghcr.io/acme/sidecar:1", readinessProbe: { tcpSocket: { port: 1 } } }];
    expect(readiness(f)).toHaveLength(1);
  });
});

describe("image-contents", () => {
  it("passes containers that use their image as built", () => {
    const f = fixture();
    const pg = (dbPod(f).containers as Props[])[0];
    Object.assign(pg, { command: ["sh", "-c", "exec postgres -c config_file=/etc/pg/postgresql.conf"], securityContext: { runAsUser: 70, readOnlyRootFilesystem: true }, volumeMounts: [{ name: "run", mountPath: "/var/run/postgresql" }] });
    dbPod(f).volumes = [{ name: "run", emptyDir: {} }];
    expect(images(f)).toEqual([]);
  });

  it("reports a script calling a tool the image lacks, a user it lacks, a path it cannot write", () => {
    const f = fixture();
    f.all.push(k8s("kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "scripts", namespace: "data" }, data: { "backup.sh": "#!/bin/sh\nset -eu\npg_dump app | gzip | curl -T - http://s3\n" } }));
    const pg = (dbPod(f).containers as Props[])[0];
    Object.assign(pg, { command: ["/bin/sh", "/scripts/backup.sh"], securityContext: { runAsUser: 10001, readOnlyRootFilesystem: true }, volumeMounts: [{ name: "scripts", mountPath: "/scripts" }] });
    dbPod(f).volumes = [{ name: "scripts", configMap: { name: "scripts" } }];
    expect(images(f)).toEqual([
      'StatefulSet data/db, container "postgres": its script /scripts/backup.sh (ConfigMap data/scripts) calls curl, gzip, pg_dump, which image postgres:16.4-alpine does not have.',
      'StatefulSet data/db, container "postgres": runs as uid 10001, which image postgres:16.4-alpine does not have (its users: 0, 70); run as 0.',
      'StatefulSet data/db, container "postgres": has a read-only root filesystem, but image postgres:16.4-alpine writes /var/run/postgresql; mount a volume there.',
    ]);
  });

  it("reads shell scripts as the shell does: builtins, functions, keywords, quotes, arithmetic and heredocs are not commands", () => {
    const script = [
      "#!/bin/sh",
      "set -eu",
      'log() { echo "$*" >&2; }',
      "tries=0",
      'until pg_isready -q; do tries=$((tries + 1)); [ "$tries" -lt 5 ] || exit 1; sleep 1; done',
      'case "$1" in',
      "  start) exec postgres ;;",
      "  *) log 'usage: run curl later' ;;",
      "esac",
      "cat <<EOF > /tmp/x",
      "wget this is text",
      "EOF",
      'NAME="$(hostname)" ; if ! test -f /x; then openssl rand 4; fi',
      "for f in a b; do gzip \"$f\"; done",
    ].join("\n");
    expect(scriptCommands(script)).toEqual(["cat", "gzip", "hostname", "openssl", "pg_isready", "postgres", "sleep"]);
    // Apostrophes inside double quotes, escaped quotes, continued lines, substitutions inside quotes.
    const tricky = ["# don't run wget here", 'echo "it\'s \\"fine\\"; not wget" >&2', "tar -czf - /data \\", "  | gzip", 'msg="at `date` from $(uname -n)"'].join("\n");
    expect(scriptCommands(tricky)).toEqual(["date", "gzip", "tar", "uname"]);
  });
});

describe("unknown values during preview", () => {
  it("are left out and counted, so a check does not mistake them for names", () => {
    const f = fixture();
    const unknownString = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    (((get(f.byName("shop-api-Deployment"), "spec.template.spec").containers as Props[])[0].env as Props[])[0].valueFrom as Props).secretKeyRef = { name: unknownString, key: "url" };
    const settled = settle(f.all);
    expect(settled.unknown.get(f.byName("shop-api-Deployment").urn)).toEqual(["spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name"]);
    expect(stackViolations(stackReferences, f.all, { cluster: FACTS })).toEqual([]);
  });
});
