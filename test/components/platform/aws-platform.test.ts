/** AwsPlatform: the composition (VPC, EKS, node group, add-ons, StorageClasses, Helm releases), its validation, and systems attached to it. */
import { ApiService, AwsPlatform, AwsPlatformArgs, AwsPlatformShape, AwsSystemPlatform, PostgresCluster } from "../../../components";
import { leastPrivilegeProblems, PolicyDocument } from "../../../components/aws/iam";
import { Synthesized, synthesize, unwrap } from "../../helpers/synth";
import { Environment, environments } from "../../../stacks/environments";
import { platformPods } from "../../../components/platform/aws-platform-pods";
import { readAwsPlatformShape } from "../../../components/platform/aws-shape";
import { resolveAwsPlatformArgs } from "../../../components/platform/aws-resolve";
import platformProd from "../../../stack-refs/organization/keel/platform-prod.json";

const base: AwsPlatformArgs = {
  region: "eu-west-1",
  nodes: { workloads: { cpu: "6", memory: "12Gi", pods: 40 } },
  certificates: { email: "ops@example.com" },
};
/** The platform as the platform blueprint builds it from an environment profile (stacks/aws-platform.ts). */
const profiled = (env: Environment, over: Partial<AwsPlatformArgs> = {}): AwsPlatformArgs => ({
  ...base,
  network: env.aws.network,
  cluster: { logRetentionDays: env.aws.logRetentionDays, ...over.cluster },
  nodes: { ...base.nodes, ...env.aws.nodes },
  ingress: { replicas: env.aws.ingressReplicas },
  protect: env.protect,
});
const dev = profiled(environments.dev);
const prod = profiled(environments.prod, { cluster: { publicAccessCidrs: ["198.32.0.0/24"] } });

const types = (s: Synthesized, suffix: string) => s.resources.filter((r) => r.type.endsWith(suffix));
const inputs = (s: Synthesized, name: string, type: string) => unwrap(s.resource(name, type).inputs) as Record<string, any>;

let platform: AwsPlatform | undefined;
const make = (args: AwsPlatformArgs, name = "shop") =>
  synthesize(() => {
    platform = new AwsPlatform(name, args);
  });

describe("AwsPlatform", () => {
  let d: Synthesized;
  let p: Synthesized;
  beforeAll(async () => {
    d = await make(dev);
    p = await make(prod);
  });

  it("creates the VPC, EKS with its add-ons and node group, the gp3 StorageClass and the pinned Helm releases", () => {
    for (const s of [d, p]) {
      expect(types(s, ":Vpc")).toHaveLength(1);
      expect(types(s, "eks/cluster:Cluster")).toHaveLength(1);
      expect(types(s, "eks/addon:Addon").map((r) => unwrap(r.inputs.addonName)).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]);
      expect(types(s, "eks/nodeGroup:NodeGroup")).toHaveLength(1);
      expect(s.object("StorageClass", "gp3")).toMatchObject({ provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true" }, reclaimPolicy: "Retain" });
      const releases = types(s, "helm.sh/v3:Release").map((r) => `${unwrap(r.inputs.chart)}@${unwrap(r.inputs.version)}`);
      expect(releases.sort()).toEqual(["cert-manager@v1.21.2", "external-secrets@2.9.0", "ingress-nginx@4.15.1", "metrics-server@3.13.1", "reloader@2.2.16"]);
    }
  });

  it("installs the External Secrets Operator and Reloader in their own namespaces, after the node group and add-ons", () => {
    for (const [chart, namespace] of [["external-secrets", "external-secrets"], ["reloader", "reloader"]]) {
      const r = inputs(p, `shop-${chart}`, "helm.sh/v3:Release");
      expect([r.chart, r.namespace, r.repositoryOpts.repo, r.atomic, r.cleanupOnFail]).toEqual([chart, namespace, chart === "reloader" ? "https://stakater.github.io/stakater-charts" : "https://charts.external-secrets.io", true, true]);
      const after = p.options(`shop-${chart}`, "helm.sh/v3:Release").dependsOn;
      expect(after).toEqual(expect.arrayContaining([p.resource("shop-nodes-default", "NodeGroup").urn, ...types(p, "eks/addon:Addon").filter((a) => ["coredns", "aws-ebs-csi-driver"].includes(String(unwrap(a.inputs.addonName)))).map((a) => a.urn)]));
      expect(p.object("Namespace", namespace).metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
    }
    const eso = inputs(p, "shop-external-secrets", "helm.sh/v3:Release").values;
    expect([eso.installCRDs, eso.replicaCount, eso.serviceAccount, eso.resources.requests]).toEqual([true, 2, { create: true, annotations: {} }, { cpu: "50m", memory: "128Mi" }]);
    expect(eso.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
    const reloader = inputs(p, "shop-reloader", "helm.sh/v3:Release").values.reloader;
    expect([reloader.watchGlobally, reloader.reloadStrategy, reloader.deployment.resources.requests]).toEqual([true, "annotations", { cpu: "20m", memory: "128Mi" }]);
    expect(reloader.deployment.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    // Single replicas on the dev profile (one ingress replica).
    expect([inputs(d, "shop-external-secrets", "helm.sh/v3:Release").values.replicaCount, inputs(d, "shop-reloader", "helm.sh/v3:Release").values.reloader.deployment.replicas]).toEqual([1, 1]);
  });

  it("differs between the dev and prod profiles as they say: NAT gateways, nodes, log retention, protection", () => {
    expect(types(d, "ec2/natGateway:NatGateway")).toHaveLength(1);
    expect(types(p, "ec2/natGateway:NatGateway")).toHaveLength(3);
    const scaling = (s: Synthesized) => inputs(s, "shop-nodes-default", "NodeGroup").scalingConfig;
    expect(scaling(d).desiredSize).toBeGreaterThanOrEqual(2);
    expect(scaling(p).desiredSize).toBeGreaterThanOrEqual(3);
    expect(inputs(d, "shop-nodes-default", "NodeGroup").instanceTypes).toEqual(["m6i.large"]);
    expect(inputs(p, "shop-nodes-default", "NodeGroup").instanceTypes).toEqual(["m6i.xlarge"]);
    expect(inputs(d, "shop-flow-logs", "LogGroup").retentionInDays).toBe(30);
    expect(inputs(d, "shop-logs", "LogGroup").retentionInDays).toBe(30);
    expect(inputs(p, "shop-logs", "LogGroup").retentionInDays).toBe(90);
    expect(inputs(p, "shop-flow-logs", "LogGroup").retentionInDays).toBe(365);
    expect(p.options("shop-secrets-key", "kms/key:Key")).toMatchObject({ protect: true, retainOnDelete: true });
    expect(d.options("shop-secrets-key", "kms/key:Key").protect).toBeUndefined();
  });

  it("keeps the API endpoint private unless networks are named, logs the control plane and encrypts Secrets", () => {
    const cluster = (s: Synthesized) => inputs(s, "shop", "eks/cluster:Cluster");
    expect(cluster(d).vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: false });
    expect(cluster(p).vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["198.32.0.0/24"] });
    expect(cluster(p).enabledClusterLogTypes).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    expect(cluster(p).encryptionConfig.resources).toEqual(["secrets"]);
    const cni = types(p, "eks/addon:Addon").find((r) => unwrap(r.inputs.addonName) === "vpc-cni")!;
    expect(JSON.parse(String(unwrap(cni.inputs.configurationValues)))).toMatchObject({ enableNetworkPolicy: "true" });
  });

  it("writes every IAM document with least privilege, statement by statement", () => {
    for (const s of [d, p]) {
      const docs = [...types(s, "iam/role:Role").map((r) => r.inputs.assumeRolePolicy), ...types(s, "iam/rolePolicy:RolePolicy").map((r) => r.inputs.policy)];
      expect(docs.length).toBeGreaterThanOrEqual(7);
      for (const doc of docs) expect(leastPrivilegeProblems(JSON.parse(String(unwrap(doc))) as PolicyDocument)).toEqual([]);
    }
  });

  it("keeps the kubeconfig secret and states the node group's size with its figures", async () => {
    expect(p.written()).not.toContain("get-token");
    expect(platform!.nodeGroupSize.reason).toMatch(/^\d+ x m6i\.xlarge: workloads 6 CPU \/ 12Gi \/ 40 pods \+ platform [\d.]+ CPU \/ [\d.]+Gi \/ \d+ pods fit in 70% of /);
  });

  it("exports the shape systems attach with: subnets, IRSA identity, ingress, issuer, classes, what it installed", () => {
    const shape = unwrap(p.run.componentOutputs.get(p.resources.find((r) => r.type === "keel:components:AwsPlatform")!.urn)?.shape) as unknown as AwsPlatformShape;
    expect(shape).toMatchObject({ version: 1, name: "shop", region: "eu-west-1", storageClass: "gp3", storageClasses: ["gp3"], issuer: { kind: "ClusterIssuer", name: "shop-letsencrypt", solver: "http01" } });
    expect(shape.vpc.privateSubnetCidrs).toEqual(["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]);
    expect(shape.oidc.issuer).toMatch(/^oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    expect(shape.installed.map((i) => i.name)).toEqual(["ingress-nginx", "cert-manager", "metrics-server", "external-secrets", "reloader", "aws-ebs-csi-driver"]);
    expect(shape.installed.filter((i) => i.namespace === "external-secrets" || i.namespace === "reloader").map((i) => [i.name, i.chart, i.version, i.provides])).toEqual([
      ["external-secrets", "external-secrets", "2.9.0", ["the External Secrets Operator CRDs"]],
      ["reloader", "reloader", "2.2.16", ["Reloader"]],
    ]);
    expect(shape.externalSecrets).toEqual({ namespace: "external-secrets", apiVersion: "external-secrets.io/v1", reloader: true });
    expect(platform!.facts.installed?.map((i) => i.name)).toContain("external-secrets");
  });
});

describe("AwsPlatform's External Secrets Operator and Reloader", () => {
  it("leaves both out with externalSecrets: false, and only Reloader with reloader: false; the shape says so", async () => {
    const made: Record<string, AwsPlatform> = {};
    const s = await synthesize(() => {
      made.off = new AwsPlatform("off", { ...base, externalSecrets: false });
      made.solo = new AwsPlatform("solo", { ...base, reloader: false, charts: { "external-secrets": "2.8.0" } });
    });
    const charts = (platformName: string) => types(s, "helm.sh/v3:Release").filter((r) => r.name.startsWith(`${platformName}-`)).map((r) => String(unwrap(r.inputs.chart)));
    expect(charts("off")).toEqual(["ingress-nginx", "cert-manager", "metrics-server"]);
    expect(charts("solo")).toEqual(["ingress-nginx", "cert-manager", "metrics-server", "external-secrets"]);
    expect(inputs(s, "solo-external-secrets", "helm.sh/v3:Release").version).toBe("2.8.0");
    const shape = (p: AwsPlatform) => unwrap(s.run.componentOutputs.get(s.resources.find((r) => r.type === "keel:components:AwsPlatform" && r.name === p.name)!.urn)?.shape) as unknown as AwsPlatformShape;
    expect(shape(made.off).externalSecrets).toBeUndefined();
    expect(shape(made.off).installed.map((i) => i.name)).not.toContain("external-secrets");
    expect(shape(made.solo).externalSecrets).toEqual({ namespace: "external-secrets", apiVersion: "external-secrets.io/v1", reloader: false });
  });

  it("counts their pods in the node group's size", () => {
    const on = platformPods({ ingressReplicas: 2, metricsAdapter: false, externalDns: false, externalSecrets: true, reloader: true, efs: false }, 3);
    const off = platformPods({ ingressReplicas: 2, metricsAdapter: false, externalDns: false, externalSecrets: false, reloader: false, efs: false }, 3);
    const alone = platformPods({ ingressReplicas: 1, metricsAdapter: false, externalDns: false, externalSecrets: true, reloader: false, efs: false }, 3);
    const single = platformPods({ ingressReplicas: 1, metricsAdapter: false, externalDns: false, externalSecrets: false, reloader: false, efs: false }, 3);
    const milli = (c: string) => Number(c.replace(/m$/, ""));
    const mi = (m: string) => Number(m.replace(/Mi$/, ""));
    // HA: controller 2 x 50m/128Mi, webhook 2 x 20m/64Mi, cert-controller 1 x 20m/128Mi, Reloader 2 x 20m/128Mi.
    expect([milli(on.cpu) - milli(off.cpu), mi(on.memory) - mi(off.memory), on.pods - off.pods]).toEqual([200, 768, 7]);
    expect([milli(alone.cpu) - milli(single.cpu), mi(alone.memory) - mi(single.memory), alone.pods - single.pods]).toEqual([90, 320, 3]);
    const platformPart = (args: AwsPlatformArgs) => /\+ platform ([\d.]+) CPU \/ ([\d.]+)Gi \/ (\d+) pods/.exec(resolveAwsPlatformArgs("shop", args).nodes.size.reason)!.slice(1).map(Number);
    const [withCpu, , withPods] = platformPart(prod);
    const [withoutCpu, , withoutPods] = platformPart({ ...prod, externalSecrets: false });
    expect(withPods - withoutPods).toBe(7);
    expect(withCpu).toBeGreaterThan(withoutCpu);
  });

  it("refuses reloader without externalSecrets, and anything but booleans, before creating anything", async () => {
    const attempt = async (args: unknown) => {
      let message = "";
      const s = await synthesize(() => {
        try {
          new AwsPlatform("shop", args as AwsPlatformArgs);
        } catch (e) {
          message = (e as Error).message;
        }
      });
      return { message, resources: s.resources.map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack") };
    };
    expect(await attempt({ ...base, externalSecrets: false, reloader: true })).toEqual({
      message: 'AwsPlatform "shop": reloader is true; expected false or unset when externalSecrets is false (Reloader rolls pods when the External Secrets Operator refreshes a Secret)',
      resources: [],
    });
    expect((await attempt({ ...base, externalSecrets: "yes" })).message).toMatch(/^AwsPlatform "shop": externalSecrets is "yes"; expected /);
    expect((await attempt({ ...base, charts: { reloader: "2.x" } })).message).toBe('AwsPlatform "shop": charts.reloader is "2.x"; expected an exact chart version such as "1.2.3" (pinned: never a range)');
  });
});

describe("AwsPlatform validation", () => {
  const attempt = async (args: unknown, name = "shop") => {
    let message = "";
    const s = await synthesize(() => {
      try {
        new AwsPlatform(name, args as AwsPlatformArgs);
      } catch (e) {
        message = (e as Error).message;
      }
    });
    return { message, resources: s.resources.map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack") };
  };

  it("names the field, the value and what is allowed, before creating anything", async () => {
    expect(await attempt({ ...base, region: "Ireland" })).toEqual({ message: 'AwsPlatform "shop": region is "Ireland"; expected an AWS region such as "eu-west-1"', resources: [] });
    expect(await attempt({ ...base, cluster: { publicAccessCidrs: ["0.0.0.0/0"] } })).toEqual({
      message:
        'AwsPlatform "shop": cluster.publicAccessCidrs[0] is "0.0.0.0/0"; expected a public IPv4 network of yours (an office, a VPN\'s egress, CI runners), such as "198.32.0.0/24" with no host bits set; not private, documentation or other reserved ranges, nor the whole internet (leave publicAccessCidrs empty for a private endpoint)',
      resources: [],
    });
    for (const cidr of ["10.0.0.0/8", "203.0.113.0/24", "198.32.0.5/24"]) expect((await attempt({ ...base, cluster: { publicAccessCidrs: [cidr] } })).message).toContain(`cluster.publicAccessCidrs[0] is "${cidr}"; expected a public IPv4 network`);
    expect((await attempt({ ...base, cluster: { adminRoleArns: ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/a"] } })).message).toBe('AwsPlatform "shop": cluster.adminRoleArns[1] is "arn:aws:iam::123456789012:role/a"; expected each role once (EKS has one access entry per principal)');
    expect((await attempt({ ...base, cluster: { addonVersions: { "vpc-cni": "latest" } } })).message).toBe('AwsPlatform "shop": cluster.addonVersions.vpc-cni is "latest"; expected an exact add-on version such as "v1.20.4-eksbuild.1" (aws eks describe-addon-versions lists them)');
    expect((await attempt({ ...base, network: { cidr: "8.8.0.0/16" } })).message).toMatch(/^AwsPlatform "shop": network\.cidr is "8\.8\.0\.0\/16"; expected an IPv4 CIDR from \/16 to \/20 in a private range/);
    expect((await attempt({ ...base, cluster: { logTypes: ["api"] } })).message).toBe(
      'AwsPlatform "shop": cluster.logTypes is ["api"]; expected at least api, audit and authenticator (who did what to the cluster: the pack\'s eks-control-plane-logging requires them)',
    );
    expect((await attempt({ ...base, charts: { "cert-manager": "^1.21" } })).message).toBe('AwsPlatform "shop": charts.cert-manager is "^1.21"; expected an exact chart version such as "1.2.3" (pinned: never a range)');
    expect((await attempt({ ...base, nodes: { workloads: { cpu: "12", memory: "12Gi", pods: 40 }, maxNodes: 3 } })).message).toMatch(/^AwsPlatform "shop": nodes\.maxNodes is 3; expected at least \d+, the nodes the capacity needs$/);
    expect(await attempt({ region: "eu-west-1", certificates: { email: "ops@example.com" } })).toEqual({
      message: 'AwsPlatform "shop": nodes is undefined; expected an object (required)',
      resources: [],
    });
  });
});

describe("systems on an aws platform", () => {
  it("get their own namespaces on the shared cluster, the platform's ingress class, issuer and StorageClass, and run components as on kubernetes", async () => {
    let system: AwsSystemPlatform | undefined;
    const s = await synthesize(() => {
      const shared = new AwsPlatform("shop", prod);
      system = shared.system("req1", { protect: true });
      expect(shared.system("req1")).toBe(system);
      new ApiService("api", { platform: system, image: "ghcr.io/acme/api:1.0.0", replicas: 2, ingress: { host: "api.example.com" } });
      new PostgresCluster("db", { platform: system, managed: false, database: "app", username: "app" });
    });
    expect(s.all("Namespace").map((n) => n.metadata.name).sort()).toEqual(["cert-manager", "external-secrets", "ingress-nginx", "metrics-server", "reloader", "req1", "req1-data", "req1-monitoring", "req1-storage"]);
    expect(s.object("Ingress", "api").spec).toMatchObject({ ingressClassName: "nginx" });
    expect(s.object("Ingress", "api").metadata.annotations).toMatchObject({ "cert-manager.io/cluster-issuer": "shop-letsencrypt" });
    expect(s.object("StatefulSet", "db-primary").metadata.namespace).toBe("req1-data");
    expect(system!.facts).toMatchObject({ platform: "eks", networkPolicy: { enforced: true }, apiServer: { cidrs: ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"], port: 443 } });
    expect(system!.appNamespace("req1-web").kind).toBe("aws");
  });

  it("refuse a platform stack output that is not a keel platform, naming the stack and the field", async () => {
    const { readAwsPlatformShape } = await import("../../../components/platform/aws-shape");
    expect(() => readAwsPlatformShape("AwsPlatform.fromStackReference", "req1", 'the output "platform" of stack acme/keel/platform-prod', undefined)).toThrow(
      'AwsPlatform.fromStackReference "req1": the output "platform" of stack acme/keel/platform-prod is missing; expected an AwsPlatform\'s shape (a platform stack exports it: export const platform = awsPlatform.shape)',
    );
    expect(() => readAwsPlatformShape("AwsPlatform.fromStackReference", "req1", 'the output "platform" of stack acme/keel/platform-prod', { version: 2 })).toThrow(
      /^AwsPlatform\.fromStackReference "req1": the output "platform" of stack acme\/keel\/platform-prod: version is 2; expected 1 \(upgrade keel in the older of the two stacks\)/,
    );
  });

  it("read externalSecrets from the platform's shape when it is there, and refuse it malformed", () => {
    const where = 'the output "platform" of stack acme/keel/platform-prod';
    const { externalSecrets: _, ...older } = platformProd.platform as Record<string, unknown>;
    // A platform stack older than the field still reads: nothing known about External Secrets.
    expect(readAwsPlatformShape("AwsPlatform.fromStackReference", "req1", where, older).externalSecrets).toBeUndefined();
    const es = { namespace: "external-secrets", apiVersion: "external-secrets.io/v1", reloader: true };
    expect(readAwsPlatformShape("AwsPlatform.fromStackReference", "req1", where, { ...older, externalSecrets: es }).externalSecrets).toEqual(es);
    const refused = (externalSecrets: unknown) => {
      try {
        readAwsPlatformShape("AwsPlatform.fromStackReference", "req1", where, { ...older, externalSecrets });
      } catch (e) {
        return (e as Error).message.split("\n");
      }
      return [];
    };
    expect(refused("yes")).toEqual([`AwsPlatform.fromStackReference "req1": ${where}: externalSecrets is "yes"; expected { namespace, apiVersion: "external-secrets.io/v1", reloader } (or no externalSecrets: the platform did not install the External Secrets Operator)`]);
    expect(refused({ namespace: "External Secrets", apiVersion: "external-secrets.io/v1beta1", reloader: "yes" })).toEqual([
      `AwsPlatform.fromStackReference "req1": ${where}: externalSecrets.namespace is "External Secrets"; expected the External Secrets Operator's namespace (a DNS-1123 label)`,
      `AwsPlatform.fromStackReference "req1": ${where}: externalSecrets.apiVersion is "external-secrets.io/v1beta1"; expected "external-secrets.io/v1" (upgrade keel in the older of the two stacks)`,
      `AwsPlatform.fromStackReference "req1": ${where}: externalSecrets.reloader is "yes"; expected true or false (whether Reloader is installed)`,
    ]);
  });
});
