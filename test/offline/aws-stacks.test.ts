/**
 * The aws platform through the README's own commands: both platform stacks and every prod stack on
 * them synthesize and check clean (the AWS policies and the whole-stack checks included); the plans
 * show the VPC, EKS with its add-ons and Helm releases, and the systems' data on RDS, ElastiCache,
 * MSK and S3 with their settings; the offline answer for each StackReference is what the platform
 * stack outputs; each platform's node group holds what its systems request at their highest counts.
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
const written = (stack: string) => [fs.readFileSync(path.join(out, stack, "plan.json"), "utf8"), ...manifests(stack).map((f) => fs.readFileSync(path.join(out, stack, "manifests", f), "utf8"))].join("\n");

/** Every platform stack, and the prod stacks on each. */
const PLATFORMS: Readonly<Record<string, readonly string[]>> = { "platform-prod": ["prod", "bookworm-prod", "todo-prod", "composerp-prod"], "vibebox-platform-prod": ["vibebox-prod"] };
const SYSTEMS = Object.values(PLATFORMS).flat();

describe.each([...Object.keys(PLATFORMS), ...SYSTEMS])("%s", (stack) => {
  it("synthesizes", () => {
    const r = keel(["synth", "--stack", stack, "--out", out]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    plans[stack] = JSON.parse(fs.readFileSync(path.join(out, stack, "plan.json"), "utf8")) as Plan;
  });

  it("checks clean, AWS policies and whole-stack checks included; what the platform installed is reported as such", () => {
    const r = keel(["check", "--stack", stack, "--environment", "prod", "--format", "json"]);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.violations.map((v) => `${v.level} ${v.policy}: ${v.message}`)).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.prerequisites.some((p) => /\(installed by the platform: Helm release cert-manager, chart cert-manager v[\d.]+; what a Helm release installs is not checked by the pack\)/.test(p))).toBe(true);
  });
});

describe("every prod stack is on aws", () => {
  it("names a platform stack: each Pulumi.*prod.yaml of a system says keel:platform aws", () => {
    const stacks = fs.readdirSync(ROOT).map((f) => /^Pulumi\.((?:.+-)?prod)\.yaml$/.exec(f)?.[1]).filter((s): s is string => s !== undefined);
    const systems = stacks.filter((s) => !Object.keys(PLATFORMS).includes(s)).sort();
    expect(systems).toEqual([...SYSTEMS].sort());
    for (const s of systems) {
      const config = (parse(fs.readFileSync(path.join(ROOT, `Pulumi.${s}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
      expect([s, config["keel:platform"]]).toEqual([s, "aws"]);
    }
  });
});

describe("the platform stacks' plans", () => {
  const of = (stack: string, type: string) => plans[stack].resources.filter((r) => r.type === type);

  it("show the VPC over 3 AZs with a NAT gateway per AZ (prod), flow logs and the S3/ECR endpoints", () => {
    for (const stack of Object.keys(PLATFORMS)) {
      expect(of(stack, "aws:ec2/vpc:Vpc")).toHaveLength(1);
      expect(of(stack, "aws:ec2/subnet:Subnet")).toHaveLength(9);
      expect(of(stack, "aws:ec2/natGateway:NatGateway")).toHaveLength(3);
      expect(of(stack, "aws:ec2/flowLog:FlowLog")).toHaveLength(1);
      expect(of(stack, "aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => String(e.inputs.serviceName).replace(/^com\.amazonaws\.eu-west-1\./, "")).sort()).toEqual(["ecr.api", "ecr.dkr", "s3"]);
    }
    // Their own address ranges: the VPCs can be peered.
    expect(Object.keys(PLATFORMS).map((s) => of(s, "aws:ec2/vpc:Vpc")[0].inputs.cidrBlock)).toEqual(["10.0.0.0/16", "10.1.0.0/16"]);
  });

  it("show EKS with its add-ons, the node group, the StorageClasses and the pinned Helm releases, the External Secrets Operator and Reloader among them", () => {
    const releases = ["cert-manager v1.21.2", "external-dns 1.21.1", "external-secrets 2.9.0", "ingress-nginx 4.15.1", "metrics-server 3.13.1", "prometheus-adapter 5.3.0", "reloader 2.2.16"];
    expect(of("platform-prod", "aws:eks/cluster:Cluster")).toHaveLength(1);
    expect(of("platform-prod", "aws:eks/addon:Addon").map((a) => a.inputs.addonName).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]);
    expect(of("platform-prod", "aws:eks/nodeGroup:NodeGroup")).toHaveLength(1);
    expect(of("platform-prod", "kubernetes:storage.k8s.io/v1:StorageClass").map((s) => (s.inputs.metadata as { name: string }).name)).toEqual(["gp3"]);
    expect(of("platform-prod", "kubernetes:helm.sh/v3:Release").map((r) => `${String(r.inputs.chart)} ${String(r.inputs.version)}`).sort()).toEqual(releases);
    // vibebox's: EFS and its class, fast-ssd.
    expect(of("vibebox-platform-prod", "aws:eks/addon:Addon").map((a) => a.inputs.addonName).sort()).toEqual(["aws-ebs-csi-driver", "aws-efs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]);
    expect(of("vibebox-platform-prod", "kubernetes:storage.k8s.io/v1:StorageClass").map((s) => (s.inputs.metadata as { name: string }).name).sort()).toEqual(["efs", "fast-ssd", "gp3"]);
    expect(of("vibebox-platform-prod", "kubernetes:helm.sh/v3:Release").map((r) => `${String(r.inputs.chart)} ${String(r.inputs.version)}`).sort()).toEqual(releases);
  });

  it("keep the kubeconfig secret in everything written", () => {
    for (const stack of Object.keys(PLATFORMS)) {
      expect(plans[stack].outputs.kubeconfig).toBe("[secret]");
      expect(written(stack)).not.toContain("get-token");
    }
  });

  it.each(Object.keys(PLATFORMS))("%s is what its systems' StackReference reads offline (stack-refs/organization/keel/<stack>.json; npm run stack-refs:update rewrites it)", (stack) => {
    const committed = fs.readFileSync(path.join(ROOT, "stack-refs", "organization", "keel", `${stack}.json`), "utf8");
    expect(committed).toBe(stackRefsFile(stack, out));
  });
});

describe("the systems on the platforms", () => {
  it("run in their own namespaces on the shared cluster and leave cluster-wide objects to the platform stack", () => {
    for (const stack of SYSTEMS) expect(plans[stack].resources.filter((r) => /StorageClass|ClusterIssuer|helm\.sh/.test(r.type))).toEqual([]);
    expect(plans.prod.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((n) => (n.inputs.metadata as { name: string }).name).sort()).toEqual(["req1", "req1-data", "req1-monitoring", "req1-node-logs", "req1-storage"]);
  });

  it.each(Object.entries(PLATFORMS))("fit in %s's node group: its nodes.workloads and nodes.perNode hold what its systems request at their highest replica counts", (platform, systems) => {
    const stackFile = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${platform}.yaml`), "utf8")) as { config: { "keel:awsPlatform": { nodes: { workloads: Capacity; perNode: Capacity } } } };
    const { workloads, perNode } = stackFile.config["keel:awsPlatform"].nodes;
    const demand = systems.map((s) => highestRequests(plans[s]));
    const sum = (f: (d: Demand) => number) => demand.reduce((t, d) => t + f(d), 0);
    expect(sum((d) => d.fixed.cpu)).toBeLessThanOrEqual(quantity(workloads.cpu));
    expect(sum((d) => d.fixed.memory)).toBeLessThanOrEqual(quantity(workloads.memory));
    expect(sum((d) => d.fixed.pods)).toBeLessThanOrEqual(workloads.pods);
    expect(sum((d) => d.perNode.cpu)).toBeLessThanOrEqual(quantity(perNode.cpu));
    expect(sum((d) => d.perNode.memory)).toBeLessThanOrEqual(quantity(perNode.memory));
    expect(sum((d) => d.perNode.pods)).toBeLessThanOrEqual(perNode.pods);
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

describe("the systems' data on managed services", () => {
  const of = (stack: string, type: string) => plans[stack].resources.filter((r) => r.type === type);
  const RDS = "aws:rds/instance:Instance";

  it("is RDS, ElastiCache, MSK and S3, not StatefulSets", () => {
    const count = (stack: string, type: string) => of(stack, type).length;
    expect(SYSTEMS.map((s) => [s, count(s, RDS), count(s, "aws:elasticache/replicationGroup:ReplicationGroup"), count(s, "aws:msk/cluster:Cluster"), count(s, "aws:s3/bucket:Bucket")])).toEqual([
      // primary + replicas, replication groups, MSK clusters, buckets
      ["prod", 2, 1, 0, 1],
      ["bookworm-prod", 3, 1, 0, 0],
      ["todo-prod", 3, 0, 0, 0],
      ["composerp-prod", 2, 0, 1, 0],
      ["vibebox-prod", 1, 1, 0, 0],
    ]);
    // What stays in the cluster: the observability stacks, and what has no managed counterpart (RabbitMQ, Keycloak, Qdrant).
    const statefulSets = (s: string) => of(s, "kubernetes:apps/v1:StatefulSet").map((r) => (r.inputs.metadata as { name: string }).name).filter((n) => !n.includes("-obs-"));
    expect(SYSTEMS.flatMap(statefulSets).sort()).toEqual(["bookworm-identity", "bookworm-mq", "bookworm-vectors"]);
  });

  it("runs RDS primaries Multi-AZ, encrypted with their own key on gp3, backed up, protected, with a final snapshot, Performance Insights, logs and managed master passwords", () => {
    for (const stack of SYSTEMS) {
      for (const db of of(stack, RDS).filter((r) => r.inputs.replicateSourceDb === undefined)) {
        expect([stack, db.name, db.inputs]).toEqual([
          stack,
          db.name,
          expect.objectContaining({
            engine: "postgres",
            multiAz: true,
            storageEncrypted: true,
            kmsKeyId: expect.stringMatching(/^arn:aws:kms:eu-west-1:\d{12}:key\//),
            storageType: "gp3",
            publiclyAccessible: false,
            deletionProtection: true,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: expect.any(String),
            backupRetentionPeriod: expect.any(Number),
            performanceInsightsEnabled: true,
            enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
            manageMasterUserPassword: true,
            autoMinorVersionUpgrade: true,
            dbSubnetGroupName: expect.any(String),
            parameterGroupName: expect.any(String),
          }),
        ]);
        expect(db.inputs.backupRetentionPeriod as number).toBeGreaterThanOrEqual(7);
        expect(db.inputs.engineVersion).toMatch(/^\d+$/);
      }
    }
  });

  it("encrypts ElastiCache at rest and in transit behind an auth token kept secret, with snapshots", () => {
    for (const stack of SYSTEMS) {
      for (const group of of(stack, "aws:elasticache/replicationGroup:ReplicationGroup")) {
        expect(group.inputs).toEqual(expect.objectContaining({ atRestEncryptionEnabled: true, transitEncryptionEnabled: true, authToken: "[secret]" }));
        expect(group.inputs.snapshotRetentionLimit as number).toBeGreaterThan(0);
      }
    }
    // bookworm's Redis runs 3 nodes (the seed's sentinels): failover across zones.
    expect(of("bookworm-prod", "aws:elasticache/replicationGroup:ReplicationGroup")[0].inputs).toEqual(expect.objectContaining({ automaticFailoverEnabled: true, multiAzEnabled: true }));
  });

  it("runs composerp's Kafka on MSK: 3 brokers over the data subnets, TLS only, SASL/SCRAM, logs, its topics' replication settings", () => {
    const [msk] = of("composerp-prod", "aws:msk/cluster:Cluster");
    expect(msk.inputs.numberOfBrokerNodes).toBe(3);
    expect(msk.inputs.encryptionInfo).toEqual(expect.objectContaining({ encryptionInTransit: { clientBroker: "TLS", inCluster: true } }));
    expect(msk.inputs.clientAuthentication).toEqual(expect.objectContaining({ sasl: expect.objectContaining({ scram: true }) }));
    expect(JSON.stringify(msk.inputs.loggingInfo)).toContain('"enabled":true');
    const [configuration] = of("composerp-prod", "aws:msk/configuration:Configuration");
    expect(String(configuration.inputs.serverProperties)).toMatch(/default\.replication\.factor\s*=\s*3/);
    expect(String(configuration.inputs.serverProperties)).toMatch(/min\.insync\.replicas\s*=\s*2/);
  });

  it("keeps req1's files in S3: versioned, encrypted, public access blocked, TLS only, with a lifecycle", () => {
    const settings = ["bucketVersioning", "bucketServerSideEncryptionConfiguration", "bucketPublicAccessBlock", "bucketPolicy", "bucketLifecycleConfiguration"];
    for (const s of settings) expect([s, of("prod", `aws:s3/${s}:${s[0].toUpperCase()}${s.slice(1)}`).length]).toEqual([s, 1]);
    expect(String(of("prod", "aws:s3/bucket:Bucket")[0].inputs.bucket)).toMatch(/^req1-files-\d{12}-eu-west-1$/);
  });

  it("gives clients their credentials from Secrets Manager through ExternalSecrets, never in the plan", () => {
    for (const stack of SYSTEMS) {
      const text = written(stack);
      // No password, token or connection string with credentials in anything written.
      expect([stack, /(postgresql|rediss?):\/\/[^\s"'{}@]*:[^\s"'{}@]+@/.test(text)]).toEqual([stack, false]);
    }
    const externals = of("prod", "kubernetes:external-secrets.io/v1:ExternalSecret");
    expect(externals.map((e) => (e.inputs.metadata as { name: string }).name)).toEqual(["req1-api-sm-1"]);
    expect(JSON.stringify(externals[0].inputs)).toContain("postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@req1-db.");
  });
});

interface Capacity {
  readonly cpu: string;
  readonly memory: string;
  readonly pods: number;
}
interface Demand {
  readonly fixed: { cpu: number; memory: number; pods: number };
  readonly perNode: { cpu: number; memory: number; pods: number };
}

/** A Kubernetes quantity in cores or bytes. */
function quantity(q: string): number {
  const m = /^([\d.]+)(m|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`not a quantity: ${q}`);
  const units: Record<string, number> = { m: 0.001, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(m[1]) * (m[2] ? units[m[2]] : 1);
}

/** What a stack requests with every HPA at its maximum, Jobs and CronJobs counted once; its DaemonSets per node apart. */
function highestRequests(plan: Plan): Demand {
  const fixed = { cpu: 0, memory: 0, pods: 0 };
  const perNode = { cpu: 0, memory: 0, pods: 0 };
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
    const total = kind === "DaemonSet" ? perNode : fixed;
    const count = kind === "DaemonSet" ? 1 : hpaMax.get(name) ?? spec?.replicas ?? 1;
    for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? []).filter((i) => i.restartPolicy === "Always")]) {
      total.cpu += count * quantity(String(c.resources?.requests?.cpu ?? "0"));
      total.memory += count * quantity(String(c.resources?.requests?.memory ?? "0"));
    }
    total.pods += count;
  }
  return { fixed, perNode };
}

interface PodSpec {
  readonly containers?: readonly { readonly resources?: { readonly requests?: Record<string, unknown> } }[];
  readonly initContainers?: readonly { readonly restartPolicy?: string; readonly resources?: { readonly requests?: Record<string, unknown> } }[];
}
