/**
 * The aws platform through the README's own commands: the platform stack and req1's prod on it
 * synthesize and check clean; the plan shows the VPC, EKS with its add-ons, the StorageClass and the
 * Helm releases; the offline answer for prod's StackReference is what the platform stack outputs;
 * the platform's node group holds what prod requests at its highest replica counts.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { ROOT, keel } from "../helpers/cli";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { stackRefsFile } = require("../../scripts/update-stack-refs.js") as { stackRefsFile: (stack: string, outDir?: string) => string };

interface PlanResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}
interface Plan {
  readonly resources: readonly PlanResource[];
  readonly outputs: Record<string, unknown>;
}
interface JsonReport {
  readonly violations: readonly { readonly level: string; readonly policy: string; readonly message: string }[];
  readonly prerequisites: readonly string[];
}

const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-aws-"));
const plans: Record<string, Plan> = {};
const manifests = (stack: string) => fs.readdirSync(path.join(out, stack, "manifests"), { recursive: true }).map(String).filter((f) => f.endsWith(".yaml"));

describe.each(["platform-prod", "prod"])("%s", (stack) => {
  it("synthesizes", () => {
    const r = keel(["synth", "--stack", stack, "--out", out]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    plans[stack] = JSON.parse(fs.readFileSync(path.join(out, stack, "plan.json"), "utf8")) as Plan;
  });

  it("checks clean, AWS policies and whole-stack checks included; what the platform installed is reported as such", () => {
    const r = keel(["check", "--stack", stack, "--environment", "prod", "--format", "json"]);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.prerequisites.some((p) => /\(installed by the platform: Helm release cert-manager, chart cert-manager v[\d.]+; what a Helm release installs is not checked by the pack\)/.test(p))).toBe(true);
  });
});

describe("the platform stack's plan", () => {
  const of = (type: string) => plans["platform-prod"].resources.filter((r) => r.type === type);

  it("shows the VPC over 3 AZs with a NAT gateway per AZ (prod), flow logs and the S3/ECR endpoints", () => {
    expect(of("aws:ec2/vpc:Vpc")).toHaveLength(1);
    expect(of("aws:ec2/subnet:Subnet")).toHaveLength(9);
    expect(of("aws:ec2/natGateway:NatGateway")).toHaveLength(3);
    expect(of("aws:ec2/flowLog:FlowLog")).toHaveLength(1);
    expect(of("aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => String(e.inputs.serviceName).replace(/^com\.amazonaws\.eu-west-1\./, "")).sort()).toEqual(["ecr.api", "ecr.dkr", "s3"]);
  });

  it("shows EKS with its add-ons, the node group, the gp3 StorageClass and the pinned Helm releases", () => {
    expect(of("aws:eks/cluster:Cluster")).toHaveLength(1);
    expect(of("aws:eks/addon:Addon").map((a) => a.inputs.addonName).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]);
    expect(of("aws:eks/nodeGroup:NodeGroup")).toHaveLength(1);
    expect(of("kubernetes:storage.k8s.io/v1:StorageClass").map((s) => (s.inputs.metadata as { name: string }).name)).toEqual(["gp3"]);
    expect(of("kubernetes:helm.sh/v3:Release").map((r) => `${String(r.inputs.chart)} ${String(r.inputs.version)}`).sort()).toEqual(["cert-manager v1.21.2", "external-dns 1.21.1", "ingress-nginx 4.15.1", "metrics-server 3.13.1"]);
  });

  it("keeps the kubeconfig secret in everything written", () => {
    expect(plans["platform-prod"].outputs.kubeconfig).toBe("[secret]");
    const written = [fs.readFileSync(path.join(out, "platform-prod", "plan.json"), "utf8"), ...manifests("platform-prod").map((f) => fs.readFileSync(path.join(out, "platform-prod", "manifests", f), "utf8"))].join("\n");
    expect(written).not.toContain("get-token");
  });

  it("is what prod's StackReference reads offline (stack-refs/organization/keel/platform-prod.json; npm run stack-refs:update rewrites it)", () => {
    const committed = fs.readFileSync(path.join(ROOT, "stack-refs", "organization", "keel", "platform-prod.json"), "utf8");
    expect(committed).toBe(stackRefsFile("platform-prod", out));
  });
});

describe("req1's prod on the platform", () => {
  it("runs in its own namespaces on the shared cluster and leaves cluster-wide objects to the platform stack", () => {
    expect(plans.prod.resources.filter((r) => /StorageClass|ClusterIssuer|helm\.sh/.test(r.type))).toEqual([]);
    expect(plans.prod.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((n) => (n.inputs.metadata as { name: string }).name).sort()).toEqual(["req1", "req1-data", "req1-monitoring", "req1-node-logs", "req1-storage"]);
  });

  it("fits in the node group: the platform's nodes.workloads holds prod's requests at its highest replica counts", () => {
    const stackFile = parse(fs.readFileSync(path.join(ROOT, "Pulumi.platform-prod.yaml"), "utf8")) as { config: { "keel:awsPlatform": { nodes: { workloads: { cpu: string; memory: string; pods: number } } } } };
    const declared = stackFile.config["keel:awsPlatform"].nodes.workloads;
    const demand = highestRequests(plans.prod);
    expect(demand.cpu).toBeLessThanOrEqual(quantity(declared.cpu));
    expect(demand.memory).toBeLessThanOrEqual(quantity(declared.memory));
    expect(demand.pods).toBeLessThanOrEqual(declared.pods);
  });

  it("fails with one clear error naming the file it looked for when the platform stack's outputs are not there", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-no-refs-"));
    for (const f of ["Pulumi.yaml", "Pulumi.prod.yaml", "index.ts", "package.json", "tsconfig.json"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    for (const d of ["components", "stacks", "policies", "node_modules"]) fs.symlinkSync(path.join(ROOT, d), path.join(dir, d));
    const r = keel(["synth", "--stack", "prod", "--dir", dir, "--out", path.join(dir, "out")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`stack reference organization/keel/platform-prod needs the referenced stack's outputs`);
    expect(r.stderr).toContain(path.join(dir, "stack-refs", "organization", "keel", "platform-prod.json"));
  });
});

/** A Kubernetes quantity in cores or bytes. */
function quantity(q: string): number {
  const m = /^([\d.]+)(m|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`not a quantity: ${q}`);
  const units: Record<string, number> = { m: 0.001, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(m[1]) * (m[2] ? units[m[2]] : 1);
}

/** What a stack requests with every HPA at its maximum, Jobs and CronJobs counted once, DaemonSets on 4 nodes (the platform's size). */
function highestRequests(plan: Plan): { cpu: number; memory: number; pods: number } {
  const total = { cpu: 0, memory: 0, pods: 0 };
  const hpaMax = new Map<string, number>();
  for (const r of plan.resources.filter((x) => x.type.endsWith(":HorizontalPodAutoscaler"))) {
    const spec = r.inputs.spec as { scaleTargetRef: { name: string }; maxReplicas: number };
    hpaMax.set(spec.scaleTargetRef.name, spec.maxReplicas);
  }
  for (const r of plan.resources) {
    const kind = r.type.split(":").pop()!;
    const spec = r.inputs.spec as { replicas?: number; template?: { spec?: PodSpec }; jobTemplate?: { spec: { template: { spec: PodSpec } } } } | undefined;
    const pod = kind === "CronJob" ? spec?.jobTemplate?.spec.template.spec : spec?.template?.spec;
    if (!pod || !["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"].includes(kind)) continue;
    const name = (r.inputs.metadata as { name: string }).name;
    const count = kind === "DaemonSet" ? 4 : hpaMax.get(name) ?? spec?.replicas ?? 1;
    for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? []).filter((i) => i.restartPolicy === "Always")]) {
      total.cpu += count * quantity(String(c.resources?.requests?.cpu ?? "0"));
      total.memory += count * quantity(String(c.resources?.requests?.memory ?? "0"));
    }
    total.pods += count;
  }
  return total;
}

interface PodSpec {
  readonly containers?: readonly { readonly resources?: { readonly requests?: Record<string, unknown> } }[];
  readonly initContainers?: readonly { readonly restartPolicy?: string; readonly resources?: { readonly requests?: Record<string, unknown> } }[];
}
