/** AwsPlatform: the composition (VPC, EKS, node group, add-ons, StorageClasses, Helm releases), its validation, and systems attached to it. */
import { ApiService, AwsPlatform, AwsPlatformArgs, AwsPlatformShape, AwsSystemPlatform, PostgresCluster } from "../../../components";
import { leastPrivilegeProblems, PolicyDocument } from "../../../components/aws/iam";
import { Synthesized, synthesize, unwrap } from "../../helpers/synth";
import { Environment, environments } from "../../../stacks/environments";

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
      expect(releases.sort()).toEqual(["cert-manager@v1.21.2", "ingress-nginx@4.15.1", "metrics-server@3.13.1"]);
    }
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
    expect(shape.installed.map((i) => i.name)).toEqual(["ingress-nginx", "cert-manager", "metrics-server", "aws-ebs-csi-driver"]);
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
    expect(s.all("Namespace").map((n) => n.metadata.name).sort()).toEqual(["cert-manager", "ingress-nginx", "metrics-server", "req1", "req1-data", "req1-monitoring", "req1-storage"]);
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
});
