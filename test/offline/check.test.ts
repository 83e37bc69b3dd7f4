/**
 * keel check end to end: the pack runs in its own process and is driven over gRPC, as the
 * Pulumi CLI drives it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApiService } from "../../components";
import { runPack } from "../../offline/check/analyze";
import { readConfigFile } from "../../offline/check/config";
import { resourcesFromManifests, resourcesFromRun } from "../../offline/check/inputs";
import { RunningPack, startPack } from "../../offline/check/pack";
import { FACT_SETTINGS, clusterFactsOf, withFacts } from "../../offline/facts";
import { CheckReport, buildReport } from "../../offline/check/report";
import { evaluate, stackPolicyConfig } from "../../offline/synth";
import { ROOT, keel } from "../helpers/cli";
import { testPlatform } from "../helpers/platform";
import { synthesize } from "../helpers/synth";

const PACK = path.join(ROOT, "policies");
const FIXTURES = path.join(ROOT, "test", "fixtures", "manifests");
let pack: RunningPack;

beforeAll(async () => {
  pack = await startPack(PACK);
});
afterAll(() => pack?.stop());

describe("keel check", () => {
  it("finds no mandatory violation in keel's components with default args, under the prod config", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      new ApiService("api", { platform, image: "ghcr.io/shop/api:1.0.0", ingress: { host: "api.example.com" } });
      new ApiService("worker", { platform, image: "ghcr.io/shop/worker:1.0.0", autoscaling: { minReplicas: 2, maxReplicas: 4 } });
    });
    // Judged with the platform's cluster facts, as keel check --stack does.
    const config = withFacts(readConfigFile(path.join(PACK, "config", "prod.json")), clusterFactsOf(s.run));
    const { diagnostics, info } = await runPack(pack, resourcesFromRun(s.resources), config, "prod.json");
    expect(info.name).toBe("keel");
    expect(diagnostics.filter((d) => d.level === "mandatory")).toEqual([]);
    expect(diagnostics.filter((d) => d.policy !== "exemption-audit" && d.policy !== "stack-prerequisites")).toEqual([]);
  });

  it("exits 1 on a misconfigured Deployment and names policy, resource, container and fix", () => {
    const r = keel(["check", "--manifests", path.join(FIXTURES, "misconfigured-deployment.yaml"), "--environment", "prod", "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.violations).toContainEqual({
      policy: "no-privilege-escalation",
      level: "mandatory",
      resource: "urn:pulumi:manifests::keel-check::kubernetes:apps/v1:Deployment::shop/web",
      message: 'Deployment shop/web, container "web": allowPrivilegeEscalation is not false; set securityContext.allowPrivilegeEscalation: false.',
    });
    expect(report.violations.map((v: { policy: string }) => v.policy)).toEqual(
      expect.arrayContaining(["container-resources", "container-probes", "image-pinned", "run-as-non-root", "no-secret-env-values", "network-policy-coverage", "replicas-minimum"]),
    );
    expect(r.stdout).not.toContain("hunter2");
  });

  it("honours exemptions with reasons, lists them, and flags the one without", () => {
    const r = keel(["check", "--manifests", path.join(FIXTURES, "exempted.yaml"), "--environment", "prod", "--format", "json"]);
    const report = JSON.parse(r.stdout);
    expect(report.violations).toEqual([
      {
        policy: "drop-all-capabilities",
        level: "mandatory",
        resource: "urn:pulumi:manifests::keel-check::kubernetes:apps/v1:Deployment::ci/dind",
        message: 'Deployment ci/dind, container "dockerd": capabilities are not dropped; set securityContext.capabilities.drop: ["ALL"].',
      },
      {
        policy: "exemption-reason",
        level: "mandatory",
        resource: "urn:pulumi:manifests::keel-check::kubernetes:apps/v1:Deployment::ci/dind",
        message: 'Deployment ci/dind: exempts it from drop-all-capabilities but it gives no reason; write why in the value of exempt.keel.dev/drop-all-capabilities (e.g. "docker-in-docker needs privileges to build images").',
      },
    ]);
    expect(report.exemptions.map((e: { policy: string; used: boolean; reason: string }) => [e.policy, e.used, e.reason])).toEqual([
      ["no-privilege-escalation", true, "privileged containers always allow escalation"],
      ["no-privileged", true, "docker-in-docker needs privileges to build images"],
      ["read-only-root-filesystem", true, "dockerd writes image layers under /var/lib/docker"],
      ["run-as-non-root", true, "dockerd runs as root inside its sandboxed node pool"],
    ]);
    expect(r.code).toBe(1);
  });

  it("takes levels and settings from the config file: availability advisory in dev, mandatory in prod", () => {
    const dev = keel(["check", "--manifests", path.join(FIXTURES, "misconfigured-deployment.yaml"), "--environment", "dev", "--format", "json"]);
    const levels = Object.fromEntries(JSON.parse(dev.stdout).violations.map((v: { policy: string; level: string }) => [v.policy, v.level]));
    expect(levels["replicas-minimum"]).toBe("advisory");
    expect(levels["run-as-non-root"]).toBe("mandatory");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keel-cfg-")), "lenient.json");
    fs.writeFileSync(file, JSON.stringify({ all: "advisory", "container-resources": { enforcementLevel: "mandatory", requireCpuLimit: false } }));
    const custom = keel(["check", "--manifests", path.join(FIXTURES, "misconfigured-deployment.yaml"), "--config", file, "--format", "json"]);
    const found = JSON.parse(custom.stdout).violations as { policy: string; level: string; message: string }[];
    expect(found.filter((v) => v.level === "mandatory").map((v) => v.message)).toEqual([
      'Deployment shop/web, container "web": no CPU request; set resources.requests.cpu (e.g. "100m") so the scheduler reserves it.',
      'Deployment shop/web, container "web": no memory limit; set resources.limits.memory (e.g. "256Mi") so a leak is OOM-killed instead of starving the node.',
      'Deployment shop/web, container "web": no memory request; set resources.requests.memory (e.g. "128Mi") so the scheduler reserves it.',
    ]);
  });

  it("expands Lists and maps every object to its Pulumi type token", () => {
    const resources = resourcesFromManifests(path.join(FIXTURES, "helm-list.yaml"));
    expect(resources.map((r) => [r.type, r.urn])).toEqual([
      ["kubernetes:core/v1:Pod", "urn:pulumi:manifests::keel-check::kubernetes:core/v1:Pod::tools/debug"],
      ["kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "urn:pulumi:manifests::keel-check::kubernetes:monitoring.coreos.com/v1:ServiceMonitor::tools/web"],
    ]);
    const r = keel(["check", "--manifests", path.join(FIXTURES, "helm-list.yaml"), "--environment", "dev", "--format", "json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).violations.map((v: { policy: string }) => v.policy)).toContain("no-bare-pods");
  });

  it("rejects a config that names an unknown policy or a bad setting", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keel-cfg-")), "bad.json");
    fs.writeFileSync(file, JSON.stringify({ "no-such-policy": "mandatory", "container-resources": { requireCpuLimit: "yes" } }));
    const r = keel(["check", "--manifests", path.join(FIXTURES, "exempted.yaml"), "--config", file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      `keel check: policy pack config ${file}: "no-such-policy" is not a policy of the pack`,
      `keel check: policy pack config ${file}: "container-resources".requireCpuLimit is "yes"; expected boolean`,
    ]);
  });

  it("passes the dev and prod stacks with no mandatory violation, and only exemptions in use with real reasons", async () => {
    // prod in process, with the pack config keel synth writes (the environment's file and the facts);
    // dev through the command, which takes the environment from keel:environment. (One evaluation
    // of the project per process: jest keeps the program's modules.)
    const { run, environment } = await evaluate({ stack: "prod", dir: ROOT });
    expect(environment).toBe("prod");
    const { info, diagnostics } = await runPack(pack, resourcesFromRun(run.resources), stackPolicyConfig(run, environment), "prod");
    const r = keel(["check", "--stack", "dev", "--format", "json"]);
    expect([r.stderr, r.code]).toEqual(["", 0]);
    for (const [env, report] of [["prod", buildReport("prod", info, 0, info.policies.length, diagnostics, [])], ["dev", JSON.parse(r.stdout) as CheckReport]] as const) {
      expect(report.violations.filter((v) => v.level === "mandatory")).toEqual([]);
      for (const e of report.exemptions) expect([e.message, e.used, (e.reason ?? "").length >= 20]).toEqual([e.message, true, true]);
      // The platform's facts decide everything; what the cluster must have is listed.
      expect(report.undecided).toEqual([]);
      expect(report.prerequisites).toEqual(
        expect.arrayContaining([
          "Secret req1/req1-oidc with keys client-secret (external: the OIDC client secret issued by the identity provider: kubectl -n req1 create secret generic req1-oidc --from-literal=client-secret=..., or set req1OidcClientSecret in the stack config)",
          ...(env === "dev"
            ? ["IngressClass nginx served by an ingress controller (namespace ingress-nginx, pods app.kubernetes.io/name=ingress-nginx)", "the CRDs of cert-manager (Certificate, ClusterIssuer)"]
            : [
                // prod runs on the aws platform stack: what it installed is named as such.
                "IngressClass nginx served by an ingress controller (namespace ingress-nginx, pods app.kubernetes.io/component=controller,app.kubernetes.io/name=ingress-nginx) (installed by the platform: Helm release ingress-nginx, chart ingress-nginx 4.15.1; what a Helm release installs is not checked by the pack)",
                "cert-manager ClusterIssuer platform-prod-letsencrypt (http01) (installed by the platform: Helm release cert-manager, chart cert-manager v1.21.2; what a Helm release installs is not checked by the pack)",
              ]),
        ]),
      );
    }
  });
});

/** A config file's entry: a level, or { enforcementLevel, ...settings }. */
const levelOf = (entry: unknown): unknown => (typeof entry === "object" && entry !== null ? (entry as { enforcementLevel?: unknown }).enforcementLevel : entry);

describe("pack config files", () => {
  const dev = readConfigFile(path.join(PACK, "config", "dev.json"));
  const prod = readConfigFile(path.join(PACK, "config", "prod.json"));
  const availability = ["replicas-minimum", "pod-disruption-budget", "topology-spread", "hpa-minimum", "rds-multi-az", "rds-deletion-protection", "elasticache-failover"];

  it("name every policy of the pack", async () => {
    const { info } = await runPack(pack, [], {}, "none");
    const names = info.policies.map((p) => p.name).sort();
    expect(Object.keys(dev).sort()).toEqual(names);
    expect(Object.keys(prod).sort()).toEqual(names);
  });

  it("give the facts (cluster, images) to exactly the policies whose schema takes them", async () => {
    const { info } = await runPack(pack, [], {}, "none");
    const takes = Object.fromEntries(info.policies.map((p) => [p.name, ["cluster", "images"].filter((k) => k in p.schema)]).filter(([, keys]) => keys.length > 0));
    expect(takes).toEqual(FACT_SETTINGS);
  });

  it("make availability advisory in dev and mandatory in prod, and security mandatory in both", () => {
    for (const name of availability) {
      expect([name, levelOf(dev[name])]).toEqual([name, "advisory"]);
      expect([name, levelOf(prod[name])]).toEqual([name, "mandatory"]);
    }
    for (const name of Object.keys(prod).filter((n) => !availability.includes(n) && !["recommended-labels", "exemption-audit", "stack-prerequisites"].includes(n))) {
      expect([name, levelOf(dev[name]), levelOf(prod[name])]).toEqual([name, "mandatory", "mandatory"]);
    }
  });
});

describe("pack config files that cannot be used: one line each", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-packconfig-"));
  const write = (name: string, content: string | Buffer) => (fs.writeFileSync(path.join(dir, name), content), path.join(dir, name));

  it("refuses devices and fifos, duplicate keys; strips a UTF-8 BOM", () => {
    expect(() => readConfigFile("/dev/zero")).toThrow("policy pack config /dev/zero is not a regular file (a device); expected a file");
    const dup = write("dup.json", '{"no-privileged": 5, "no-privileged": "advisory"}');
    expect(() => readConfigFile(dup)).toThrow(`policy pack config ${dup}: key "no-privileged" is given twice (line 1, column 22); give it once`);
    expect(readConfigFile(write("bom.json", '\ufeff{"all": "advisory"}'))).toEqual({ all: "advisory" });
  });

  it("refuses a policy set to a number or null (neither a level nor settings)", async () => {
    await expect(runPack(pack, [], { "no-privileged": 5, "container-probes": null }, "c.json")).rejects.toThrow(
      [
        'policy pack config c.json: "no-privileged" is 5; expected an enforcement level (advisory, mandatory, remediate, disabled) or an object { "enforcementLevel": ..., <settings> }',
        'policy pack config c.json: "container-probes" is null; expected an enforcement level (advisory, mandatory, remediate, disabled) or an object { "enforcementLevel": ..., <settings> }',
      ].join("\n"),
    );
  });
});
