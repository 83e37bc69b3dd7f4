import * as fs from "fs";
import * as path from "path";
import { IMAGE_MANIFEST, imageEntry } from "../../../components/core/images";

const COMPONENTS = path.join(__dirname, "../../../components");

function resolveFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return resolveFiles(full);
    return d.name === "resolve.ts" ? [full] : [];
  });
}

/** Quoted `repository:tag` and `repository[:tag]@sha256:...` literals (not escaped examples inside messages). */
const TAGGED = /(?<!\\)"([a-z0-9][a-z0-9./_-]*:[v0-9][\w.-]*)"/g;
const DIGESTED = /(?<!\\)"([a-z0-9][a-z0-9./_-]*(?::[\w.-]+)?@sha256:[0-9a-f]{64})"/g;

function defaultImages(): { file: string; image: string }[] {
  const files = [...resolveFiles(COMPONENTS), path.join(COMPONENTS, "observability-stack/parts.ts")];
  return files.flatMap((file) => {
    const text = fs.readFileSync(file, "utf8");
    return [...text.matchAll(TAGGED), ...text.matchAll(DIGESTED)].map((m) => ({ file: path.relative(COMPONENTS, file), image: m[1] }));
  });
}

describe("image manifest", () => {
  it("has an entry for every default image in components/**/resolve.ts and observability-stack/parts.ts", () => {
    const found = defaultImages();
    // The scan itself must keep working: these defaults are known to exist.
    expect(found.map((f) => f.image)).toEqual(expect.arrayContaining(["postgres:16.4-alpine", "redis:7.4.1-alpine", "prom/prometheus:v2.54.1"]));
    expect(found.length).toBeGreaterThanOrEqual(14);
    const missing = found.filter((f) => imageEntry(f.image) === undefined).map((f) => `${f.file}: ${f.image}`);
    expect(missing).toEqual([]);
  });

  it("lists the public images keel's PostgreSQL backups use", () => {
    expect(imageEntry("postgres:16.4")).toBeDefined();
    expect(imageEntry("curlimages/curl:8.10.1")).toBeDefined();
  });

  it("has one entry per reference", () => {
    const refs = IMAGE_MANIFEST.map((e) => e.reference);
    expect(new Set(refs).size).toBe(refs.length);
  });

  it("finds entries by reference", () => {
    for (const e of IMAGE_MANIFEST) expect(imageEntry(e.reference)).toBe(e);
    expect(imageEntry("docker.io/library/postgres:16.4-alpine")?.reference).toBe("postgres:16.4-alpine");
    expect(imageEntry("docker.io/grafana/grafana:11.2.0")?.reference).toBe("grafana/grafana:11.2.0");
    expect(imageEntry("postgres:16.3-alpine")).toBeUndefined();
    expect(imageEntry("postgres")).toBeUndefined();
  });

  it("finds by digest only what it knows", () => {
    const zero = `sha256:${"0".repeat(64)}`;
    expect(imageEntry(`postgres@${zero}`)).toBeUndefined();
    // A tag pinned by digest finds the tag's entry while the entry's digest is unknown.
    expect(imageEntry(`postgres:16.4@${zero}`)?.reference).toBe("postgres:16.4");
    for (const e of IMAGE_MANIFEST.filter((x) => x.digest !== undefined)) {
      const repository = e.reference.slice(0, e.reference.lastIndexOf(":"));
      expect(imageEntry(`${repository}@${e.digest}`)).toBe(e);
      expect(imageEntry(`${e.reference}@${zero}`)).toBeUndefined();
    }
  });

  it("runs every image as root, as a uid its /etc/passwd has, or as a bare uid without a passwd entry", () => {
    for (const e of IMAGE_MANIFEST) {
      const { uid, name } = e.user;
      const ok = uid === 0 || e.uids.includes(uid) || name === undefined;
      expect({ reference: e.reference, uid, ok }).toEqual({ reference: e.reference, uid, ok: true });
      // A named non-root user must be one of the image's uids.
      if (uid !== 0 && name !== undefined) expect({ reference: e.reference, inUids: e.uids.includes(uid) }).toEqual({ reference: e.reference, inUids: true });
      if (uid === 0) expect(e.user.name).toBe("root");
    }
  });

  it("records well-formed facts", () => {
    for (const e of IMAGE_MANIFEST) {
      expect(e.reference).toMatch(/^[a-z0-9][a-z0-9./_-]*:[\w][\w.-]*$/);
      if (e.digest !== undefined) expect(e.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(e.uids).not.toContain(0);
      expect(new Set(e.uids).size).toBe(e.uids.length);
      expect(new Set(e.tools).size).toBe(e.tools.length);
      expect(e.tools.length).toBeGreaterThan(0);
      for (const p of e.writablePaths) expect(p).toMatch(/^\/\S*$/);
      expect(e.source).toMatch(/^github\.com\/[\w.-]+\/[\w.-]+\/\S+@\S+$/);
      // bash only where it is present, and never without a POSIX sh.
      if (e.tools.includes("bash")) expect(e.tools).toContain("sh");
    }
  });

  it("knows which images can run keel's shell scripts", () => {
    const shells = (ref: string) => imageEntry(ref)?.tools.includes("sh");
    for (const ref of ["postgres:16.4-alpine", "postgres:16.4", "redis:7.4.1-alpine", "chrislusf/seaweedfs:3.80", "apache/kafka:3.9.0", "curlimages/curl:8.10.1"]) expect([ref, shells(ref)]).toEqual([ref, true]);
    for (const ref of ["oliver006/redis_exporter:v1.66.0", "otel/opentelemetry-collector-contrib:0.109.0", "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0"]) expect([ref, shells(ref)]).toEqual([ref, false]);
  });
});
