/**
 * keel's Pod Security policies against Pod Security admission itself (k8s.io/pod-security-admission,
 * built from its Go module): every pod keel's dev and prod stacks (and bookworm's and vibebox's prods) create is admitted at its
 * namespace's enforce level, and on a compliant pod changed one control at a time, keel reports
 * exactly when admission at "restricted" refuses.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { checks, runResourceCheck } from "../policies/lib/define";
import type { Target } from "../policies/lib/define";
import "../policies/policies";
import { PodQuestion, askKubernetes } from "./kubernetes-reference";

jest.setTimeout(900_000);

type Props = Record<string, unknown>;
const ROOT = path.resolve(__dirname, "..");

/** The policies that stand for the Pod Security Standards (baseline and restricted) in keel's pack. */
const PSS_POLICIES = [
  "run-as-non-root", "no-privileged", "no-privilege-escalation", "drop-all-capabilities", "seccomp-runtime-default", "no-host-namespaces", "no-host-ports",
  "no-host-path", "proc-mount-default", "selinux-options", "apparmor-profile", "safe-sysctls", "restricted-volume-types", "no-windows-host-process", "no-probe-host",
];

function keelMessages(metadata: Props, spec: Props, config: Props): string[] {
  const target: Target = { type: "kubernetes:core/v1:Pod", urn: "urn:pulumi:t::t::kubernetes:core/v1:Pod::p", name: "p", props: { metadata: { name: "p", namespace: "shop", ...metadata }, spec } };
  return PSS_POLICIES.flatMap((name) => {
    const entry = checks.get(name);
    if (!entry || entry.kind !== "resource") throw new Error(`no resource policy ${name}`);
    return runResourceCheck(entry.check, target, config);
  });
}

const hardened = (): Props => ({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true });
const container = (name: string): Props => ({ name, image: "ghcr.io/shop/api:1.4.2", securityContext: hardened() });

function compliant(): { metadata: Props; spec: Props } {
  return {
    metadata: { annotations: {} },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
      initContainers: [container("migrate")],
      containers: [container("api")],
      ephemeralContainers: [{ ...container("debug"), targetContainerName: "api" }],
      volumes: [{ name: "tmp", emptyDir: {} }, { name: "config", configMap: { name: "api" } }],
    },
  };
}

type Pod = ReturnType<typeof compliant>;
const c = (p: Pod, i = 0) => (p.spec.containers as Props[])[i];
const sc = (x: Props) => x.securityContext as Props;
const podSc = (p: Pod) => p.spec.securityContext as Props;
const init = (p: Pod) => (p.spec.initContainers as Props[])[0];
const eph = (p: Pod) => (p.spec.ephemeralContainers as Props[])[0];
const annotate = (p: Pod, key: string, value: string) => ((p.metadata.annotations as Props)[key] = value);

/** One control changed at a time; each either breaks the restricted level or stays within it. */
const MUTATIONS: [string, (p: Pod) => void][] = [
  ["compliant as written", () => undefined],
  ["privileged container", (p) => (sc(c(p)).privileged = true)],
  ["privileged ephemeral container", (p) => (sc(eph(p)).privileged = true)],
  ["escalation left unset", (p) => delete sc(c(p)).allowPrivilegeEscalation],
  ["escalation on an init container", (p) => (sc(init(p)).allowPrivilegeEscalation = true)],
  ["runAsNonRoot false on a container", (p) => (sc(c(p)).runAsNonRoot = false)],
  ["runAsUser 0 on the pod", (p) => (podSc(p).runAsUser = 0)],
  ["runAsUser 0 on a container", (p) => (sc(c(p)).runAsUser = 0)],
  ["no capabilities dropped", (p) => delete sc(c(p)).capabilities],
  ["some capabilities dropped, not ALL", (p) => (sc(c(p)).capabilities = { drop: ["NET_RAW", "CHOWN"] })],
  ["drop written all", (p) => (sc(c(p)).capabilities = { drop: ["all"] })],
  ["adds NET_BIND_SERVICE", (p) => (sc(c(p)).capabilities = { drop: ["ALL"], add: ["NET_BIND_SERVICE"] })],
  ["adds net_bind_service in lower case", (p) => (sc(c(p)).capabilities = { drop: ["ALL"], add: ["net_bind_service"] })],
  ["adds SYS_ADMIN", (p) => (sc(c(p)).capabilities = { drop: ["ALL"], add: ["SYS_ADMIN"] })],
  ["adds CHOWN (baseline allows it, restricted does not)", (p) => (sc(c(p)).capabilities = { drop: ["ALL"], add: ["CHOWN"] })],
  ["no seccomp profile", (p) => delete podSc(p).seccompProfile],
  ["unconfined seccomp on a container", (p) => (sc(c(p)).seccompProfile = { type: "Unconfined" })],
  ["Localhost seccomp", (p) => (podSc(p).seccompProfile = { type: "Localhost", localhostProfile: "profiles/api.json" })],
  ["seccomp only by the deprecated annotation", (p) => {
    delete podSc(p).seccompProfile;
    annotate(p, "seccomp.security.alpha.kubernetes.io/pod", "runtime/default");
  }],
  ["host network", (p) => (p.spec.hostNetwork = true)],
  ["host PID", (p) => (p.spec.hostPID = true)],
  ["host IPC", (p) => (p.spec.hostIPC = true)],
  ["host port", (p) => (c(p).ports = [{ containerPort: 8080, hostPort: 8080 }])],
  ["host path", (p) => (p.spec.volumes as Props[]).push({ name: "host", hostPath: { path: "/var/log" } })],
  ["unmasked /proc", (p) => (sc(c(p)).procMount = "Unmasked")],
  ["Default /proc", (p) => (sc(c(p)).procMount = "Default")],
  ["SELinux type spc_t", (p) => (podSc(p).seLinuxOptions = { type: "spc_t" })],
  ["SELinux type container_t", (p) => (podSc(p).seLinuxOptions = { type: "container_t", level: "s0:c1,c2" })],
  ["SELinux user", (p) => (sc(c(p)).seLinuxOptions = { user: "system_u" })],
  ["SELinux role", (p) => (sc(c(p)).seLinuxOptions = { role: "system_r" })],
  ["AppArmor Unconfined on the pod", (p) => (podSc(p).appArmorProfile = { type: "Unconfined" })],
  ["AppArmor Unconfined on a container", (p) => (sc(c(p)).appArmorProfile = { type: "Unconfined" })],
  ["AppArmor RuntimeDefault", (p) => (podSc(p).appArmorProfile = { type: "RuntimeDefault" })],
  ["AppArmor unconfined annotation", (p) => annotate(p, "container.apparmor.security.beta.kubernetes.io/api", "unconfined")],
  ["AppArmor runtime/default annotation", (p) => annotate(p, "container.apparmor.security.beta.kubernetes.io/api", "runtime/default")],
  ["unsafe sysctl", (p) => (podSc(p).sysctls = [{ name: "kernel.msgmax", value: "65536" }])],
  ["safe sysctl", (p) => (podSc(p).sysctls = [{ name: "net.ipv4.ip_local_port_range", value: "1024 65535" }])],
  ["safe sysctl from 1.29", (p) => (podSc(p).sysctls = [{ name: "net.ipv4.tcp_keepalive_time", value: "600" }])],
  ["sysctl written with slashes", (p) => (podSc(p).sysctls = [{ name: "net/ipv4/ip_local_port_range", value: "1024 65535" }])],
  ["NFS volume", (p) => (p.spec.volumes as Props[]).push({ name: "nfs", nfs: { server: "nfs.example", path: "/x" } })],
  ["CSI volume", (p) => (p.spec.volumes as Props[]).push({ name: "csi", csi: { driver: "secrets-store.csi.k8s.io" } })],
  ["image volume", (p) => (p.spec.volumes as Props[]).push({ name: "models", image: { reference: "ghcr.io/shop/models:1" } })],
  ["Windows HostProcess", (p) => (sc(c(p)).windowsOptions = { hostProcess: true })],
  ["probe with a host", (p) => (c(p).livenessProbe = { httpGet: { host: "10.0.0.1", path: "/", port: 8080 } })],
  ["lifecycle hook with a host", (p) => (c(p).lifecycle = { preStop: { httpGet: { host: "10.0.0.1", path: "/", port: 8080 } } })],
];

/**
 * Where keel's pack and admission disagree on purpose (POLICIES.md): keel accepts a non-zero
 * runAsUser as "runs as non-root" without runAsNonRoot; "restricted" also wants runAsNonRoot.
 */
const KEEL_LOOSER: [string, (p: Pod) => void][] = [
  ["a non-zero runAsUser without runAsNonRoot", (p) => delete podSc(p).runAsNonRoot],
];

/** One row per mutation: what admission (Kubernetes' code, at policy version `version`) and keel say. */
function judge(version: string) {
  const cases = MUTATIONS.map(([name, mutate]) => {
    const p = compliant();
    mutate(p);
    return { name, p };
  });
  const answers = askKubernetes({ pods: cases.map(({ name, p }) => ({ id: name, level: "restricted", version: `v${version}`, metadata: p.metadata, spec: p.spec })) });
  return cases.map(({ name, p }, i) => {
    const messages = keelMessages(p.metadata, p.spec, { kubernetesVersion: version });
    return { name, admitted: answers.pods[i].allowed, keelPasses: messages.length === 0, admission: answers.pods[i].reasons, keel: messages };
  });
}

describe("keel's Pod Security policies agree with Pod Security admission", () => {
  it("on every control, changed one at a time (Kubernetes 1.37, restricted)", () => {
    const table = judge("1.37");
    expect(table.filter((row) => row.admitted !== row.keelPasses)).toEqual([]);
    // Both outcomes are exercised: the table is not all-pass or all-fail.
    expect(table.filter((row) => row.admitted).length).toBeGreaterThan(8);
    expect(table.filter((row) => !row.admitted).length).toBeGreaterThan(25);
  });

  it("and at an older policy version differ only where keel judges the oldest cluster, not the policy version", () => {
    // The 1.37 library admits image volumes at every policy version; keel's kubernetesVersion is
    // the oldest cluster's release, and Pod Security admission added image volumes to its allowed
    // list in the 1.33 release. Host fields in probes and hooks are refused by the 1.34 standard;
    // keel refuses them whatever the version (the kubelet would connect to that address).
    expect(judge("1.32").filter((row) => row.admitted !== row.keelPasses).map((row) => row.name)).toEqual(["image volume", "probe with a host", "lifecycle hook with a host"]);
  });

  it("and differ only where keel is looser on purpose", () => {
    const cases = KEEL_LOOSER.map(([name, mutate]) => {
      const p = compliant();
      mutate(p);
      return { name, p };
    });
    const answers = askKubernetes({ pods: cases.map(({ name, p }) => ({ id: name, level: "restricted", version: "latest", metadata: p.metadata, spec: p.spec })) });
    expect(cases.map(({ name, p }, i) => ({ name, admitted: answers.pods[i].allowed, keel: keelMessages(p.metadata, p.spec, {}) }))).toEqual(cases.map(({ name }) => ({ name, admitted: false, keel: [] })));
  });
});

const WORKLOADS: Record<string, (o: Props) => { metadata: Props; spec: Props }> = {
  Deployment: (o) => template(o, "spec.template"),
  StatefulSet: (o) => template(o, "spec.template"),
  DaemonSet: (o) => template(o, "spec.template"),
  Job: (o) => template(o, "spec.template"),
  CronJob: (o) => template(o, "spec.jobTemplate.spec.template"),
  Pod: (o) => ({ metadata: (o.metadata ?? {}) as Props, spec: (o.spec ?? {}) as Props }),
};

function template(o: Props, at: string): { metadata: Props; spec: Props } {
  let t: unknown = o;
  for (const key of at.split(".")) t = (t as Props)[key];
  const tt = t as Props;
  return { metadata: (tt.metadata ?? {}) as Props, spec: tt.spec as Props };
}

/** The pods of a synthesized stack, each with its namespace's Pod Security labels. */
function stackPods(stack: string): { id: string; enforce: string; warn: string; metadata: Props; spec: Props }[] {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-pss-"));
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "keel.js"), "synth", "--stack", stack, "--out", out], { cwd: ROOT, encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) throw new Error(`keel synth --stack ${stack} failed: ${r.stderr}`);
  const dir = path.join(out, stack, "manifests");
  const objects = fs.readdirSync(dir).flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8")).map((d) => d.toJSON() as Props));
  const labels = new Map(objects.filter((o) => o.kind === "Namespace").map((o) => [String((o.metadata as Props).name), ((o.metadata as Props).labels ?? {}) as Record<string, string>]));
  fs.rmSync(out, { recursive: true, force: true });
  return objects
    .filter((o) => WORKLOADS[String(o.kind)])
    .map((o) => {
      const meta = o.metadata as Props;
      const ns = String(meta.namespace);
      const ls = labels.get(ns);
      if (!ls) throw new Error(`${String(o.kind)} ${ns}/${String(meta.name)}: namespace ${ns} is not in the stack`);
      return { id: `${String(o.kind)} ${ns}/${String(meta.name)}`, enforce: ls["pod-security.kubernetes.io/enforce"] ?? "privileged", warn: ls["pod-security.kubernetes.io/warn"] ?? "privileged", ...WORKLOADS[String(o.kind)](o) };
    });
}

// prod's data is on RDS, ElastiCache and S3 (the aws platform): bookworm's and vibebox's prods bring the pods that stay in the cluster (RabbitMQ, Keycloak, Qdrant, the Docker daemons).
/** The namespaces of a stack that enforce less than restricted, and why: the node-log collector (host paths), vibebox's Docker daemons. */
const PRIVILEGED: Readonly<Record<string, readonly string[]>> = { dev: ["req1-node-logs"], prod: ["req1-node-logs"], "bookworm-prod": ["bookworm-node-logs"], "vibebox-prod": ["vibebox-docker", "vibebox-node-logs"] };

describe.each(Object.keys(PRIVILEGED))("keel's %s stack under Pod Security admission", (stack) => {
  it("admits every pod at its namespace's enforce level, and warns about none in restricted namespaces", () => {
    const pods = stackPods(stack);
    expect(pods.length).toBeGreaterThan(5);
    const questions: PodQuestion[] = pods.flatMap((p) => [
      { id: `${p.id} enforce ${p.enforce}`, level: p.enforce, version: "latest", metadata: p.metadata, spec: p.spec },
      { id: `${p.id} warn ${p.warn}`, level: p.warn, version: "latest", metadata: p.metadata, spec: p.spec },
    ]);
    const answers = askKubernetes({ pods: questions });
    expect(answers.pods.filter((a) => !a.allowed)).toEqual([]);
    // Every namespace but the node-log collector's (and vibebox's Docker daemons') enforces restricted.
    const levels = [...new Set(pods.map((p) => `${p.id.split(" ")[1].split("/")[0]}=${p.enforce}`))].sort();
    expect(levels.filter((l) => !l.endsWith("=restricted"))).toEqual(PRIVILEGED[stack].map((ns) => `${ns}=privileged`));
  });
});
