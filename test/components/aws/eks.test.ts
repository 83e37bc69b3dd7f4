import * as pulumi from "@pulumi/pulumi";
import { EksCluster, EksClusterArgs, createEksCluster } from "../../../components/aws/eks";
import { leastPrivilegeProblems, PolicyDocument } from "../../../components/aws/iam";
import { sizeNodeGroup } from "../../../components/aws/node-sizing";
import { statementProblems } from "../../../policies/aws/iam";
import { Synthesized, synthesize, unwrap } from "../../helpers/synth";

const size = sizeNodeGroup({ instanceType: "m6i.xlarge", workloads: { cpu: "4", memory: "8Gi", pods: 40 }, systemPods: { cpu: "1", memory: "2Gi", pods: 20 }, headroom: 0.3, minNodes: 3, zones: 3 });

const args = (over: Partial<EksClusterArgs> = {}): EksClusterArgs => ({
  version: "1.33",
  vpcId: "vpc-1",
  vpcCidr: "10.0.0.0/16",
  subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  publicAccessCidrs: [],
  logTypes: ["api", "audit", "authenticator"],
  logRetentionDays: 90,
  nodeGroups: [{ name: "default", instanceTypes: ["m6i.xlarge"], capacityType: "ON_DEMAND", diskSizeGiB: 50, size, labels: { pool: "default" } }],
  efs: false,
  tags: { team: "platform" },
  protect: false,
  ...over,
});

let made: EksCluster | undefined;
let kubeconfig: { text: string; secret: boolean } | undefined;
const run = (over: Partial<EksClusterArgs> = {}) =>
  synthesize(async () => {
    made = createEksCluster("shop", args(over), {});
    const text = await new Promise<string>((resolve) => made!.kubeconfig.apply((k) => (resolve(k), k)));
    kubeconfig = { text, secret: await pulumi.isSecret(made.kubeconfig) };
  });

const input = (s: Synthesized, name: string, type: string) => unwrap(s.resource(name, type).inputs) as Record<string, any>;
const json = (v: unknown) => JSON.parse(String(unwrap(v))) as any;

describe("createEksCluster", () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await run();
  });

  it("keeps the endpoint private, logs, and encrypts Secrets", () => {
    const c = input(s, "shop", "eks/cluster:Cluster");
    expect(c.name).toBe("shop");
    expect(c.version).toBe("1.33");
    expect(c.vpcConfig).toEqual({ subnetIds: ["subnet-a", "subnet-b", "subnet-c"], endpointPrivateAccess: true, endpointPublicAccess: false });
    expect(c.enabledClusterLogTypes).toEqual(["api", "audit", "authenticator"]);
    expect(c.encryptionConfig.resources).toEqual(["secrets"]);
    expect(c.accessConfig).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true });
    expect(c.kubernetesNetworkConfig).toEqual({ ipFamily: "ipv4" });
    expect(c.upgradePolicy).toEqual({ supportType: "STANDARD" });
    expect(c.deletionProtection).toBe(false);
    expect(c.bootstrapSelfManagedAddons).toBe(false);
  });

  it("creates the log group before the cluster, with retention", () => {
    expect(input(s, "shop-logs", "LogGroup")).toMatchObject({ name: "/aws/eks/shop/cluster", retentionInDays: 90 });
    expect(s.options("shop", "eks/cluster:Cluster").dependsOn).toContain(s.resource("shop-logs", "LogGroup").urn);
    expect(s.options("shop", "eks/cluster:Cluster").dependsOn).toContain(s.resource("shop-cluster-role-amazoneksclusterpolicy", "RolePolicyAttachment").urn);
  });

  it("rotates the Secrets key and grants the cluster role only envelope encryption on it", () => {
    expect(input(s, "shop-secrets-key", "kms/key:Key")).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(input(s, "shop-secrets-key-alias", "Alias").name).toBe("alias/eks/shop");
    const doc = json(s.resource("shop-cluster-role-policy", "RolePolicy").inputs.policy);
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0].Action).toEqual(["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]);
    expect(doc.Statement[0].Resource).toBe(unwrap(s.resource("shop-secrets-key", "kms/key:Key").state.arn));
    expect(doc.Statement[0].Resource).not.toBe("*");
    expect(json(s.resource("shop-cluster-role", "iam/role:Role").inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: "eks.amazonaws.com" });
  });

  it("writes a secret kubeconfig that authenticates with aws eks get-token", () => {
    expect(kubeconfig!.secret).toBe(true);
    const k = JSON.parse(kubeconfig!.text);
    expect(k.clusters[0].cluster.server).toBe(unwrap(s.resource("shop", "eks/cluster:Cluster").state.endpoint));
    const exec = k.users[0].user.exec;
    expect(exec.apiVersion).toBe("client.authentication.k8s.io/v1beta1");
    expect(exec.command).toBe("aws");
    expect(exec.args.slice(0, 5)).toEqual(["eks", "get-token", "--cluster-name", "shop", "--region"]);
    expect(exec.args[5]).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
  });

  it("registers the OIDC provider for STS", () => {
    const oidc = input(s, "shop-oidc", "OpenIdConnectProvider");
    expect(oidc.clientIdLists).toEqual(["sts.amazonaws.com"]);
    expect(oidc.thumbprintLists).toBeUndefined();
  });

  it("turns on network policy in the VPC CNI and gives it its own IRSA role", () => {
    const cni = input(s, "shop-vpc-cni", "eks/addon:Addon");
    expect(JSON.parse(cni.configurationValues)).toEqual({ enableNetworkPolicy: "true" });
    expect(cni).toMatchObject({ addonName: "vpc-cni", clusterName: "shop", resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE" });
    expect(cni.addonVersion).toBeUndefined();
    const host = String(input(s, "shop-oidc", "OpenIdConnectProvider").url ?? "").replace(/^https:\/\//, "");
    for (const [role, sa] of [["shop-vpc-cni-role", "aws-node"], ["shop-ebs-csi-role", "ebs-csi-controller-sa"]]) {
      const trust = json(s.resource(role, "iam/role:Role").inputs.assumeRolePolicy);
      expect(trust.Statement).toHaveLength(1);
      expect(trust.Statement[0].Action).toBe("sts:AssumeRoleWithWebIdentity");
      expect(trust.Statement[0].Condition).toEqual({ StringEquals: { [`${host}:sub`]: `system:serviceaccount:kube-system:${sa}`, [`${host}:aud`]: "sts.amazonaws.com" } });
    }
    const cniPolicies = s.resources.filter((r) => r.name.startsWith("shop-vpc-cni-role-") && r.type.endsWith("RolePolicyAttachment")).map((r) => String(unwrap(r.inputs.policyArn)));
    expect(cniPolicies).toEqual(["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]);
  });

  it("keeps the CNI policy off the node role", () => {
    const nodePolicies = s.resources.filter((r) => r.name.startsWith("shop-node-role-") && r.type.endsWith("RolePolicyAttachment")).map((r) => String(unwrap(r.inputs.policyArn)));
    expect(nodePolicies).toEqual(["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"]);
  });

  it("orders add-ons around the node groups", () => {
    const urn = (n: string) => s.resource(n, "eks/addon:Addon").urn;
    const group = s.resource("shop-nodes-default", "NodeGroup");
    expect(s.options("shop-nodes-default", "NodeGroup").dependsOn).toEqual(expect.arrayContaining([urn("shop-vpc-cni"), urn("shop-kube-proxy")]));
    for (const after of ["shop-coredns", "shop-aws-ebs-csi-driver"]) expect(s.options(after, "eks/addon:Addon").dependsOn).toContain(group.urn);
    expect(made!.ready.length).toBe(3);
  });

  it("sizes the node group and hardens its launch template", () => {
    const g = input(s, "shop-nodes-default", "NodeGroup");
    expect(g).toMatchObject({ amiType: "AL2023_x86_64_STANDARD", capacityType: "ON_DEMAND", instanceTypes: ["m6i.xlarge"], subnetIds: ["subnet-a", "subnet-b", "subnet-c"], labels: { pool: "default" } });
    expect(g.scalingConfig).toEqual({ minSize: 3, desiredSize: 3, maxSize: 6 });
    expect(g.updateConfig).toEqual({ maxUnavailable: 1 });
    expect(g.diskSize).toBeUndefined();
    expect(s.options("shop-nodes-default", "NodeGroup").ignoreChanges).toBeUndefined();
    const lt = input(s, "shop-nodes-default-lt", "LaunchTemplate");
    expect(lt.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" });
    expect(lt.blockDeviceMappings).toEqual([{ deviceName: "/dev/xvda", ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }]);
    expect(lt.keyName).toBeUndefined();
  });

  it("writes only least-privilege IAM documents", () => {
    const docs = s.resources.flatMap((r) => {
      if (r.type === "aws:iam/role:Role") return [r.inputs.assumeRolePolicy];
      if (r.type === "aws:iam/rolePolicy:RolePolicy") return [r.inputs.policy];
      return [];
    });
    expect(docs.length).toBeGreaterThanOrEqual(5);
    for (const d of docs) {
      expect(leastPrivilegeProblems(json(d) as PolicyDocument)).toEqual([]);
      expect(statementProblems(String(unwrap(d)))).toEqual([]);
    }
  });

  it("makes no EFS and protects nothing outside prod", () => {
    expect(s.resources.filter((r) => r.type.startsWith("aws:efs/"))).toEqual([]);
    expect(s.resources.filter((r) => r.protect || r.retainOnDelete).map((r) => r.name)).toEqual([]);
  });
});

describe("createEksCluster in prod", () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await run({ protect: true, efs: true, publicAccessCidrs: ["203.0.113.0/24"], adminRoleArns: ["arn:aws:iam::111122223333:role/ops/Admin"], addonVersions: { "vpc-cni": "v1.20.0-eksbuild.1" } });
  });

  it("opens the endpoint to the named CIDRs only", () => {
    expect(input(s, "shop", "eks/cluster:Cluster").vpcConfig).toEqual({ subnetIds: ["subnet-a", "subnet-b", "subnet-c"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
  });

  it("protects the key, the log group and the file system, and the cluster from deletion", () => {
    const kept = s.resources.filter((r) => r.protect && r.retainOnDelete).map((r) => r.name).sort();
    expect(kept).toEqual(["shop-efs", "shop-logs", "shop-secrets-key"]);
    expect(input(s, "shop", "eks/cluster:Cluster").deletionProtection).toBe(true);
  });

  it("pins the given add-on version", () => {
    expect(input(s, "shop-vpc-cni", "eks/addon:Addon").addonVersion).toBe("v1.20.0-eksbuild.1");
  });

  it("gives admin roles cluster-admin through access entries", () => {
    expect(input(s, "shop-admin-admin-6572064e", "AccessEntry")).toMatchObject({ principalArn: "arn:aws:iam::111122223333:role/ops/Admin", type: "STANDARD" });
    expect(input(s, "shop-admin-admin-6572064e-policy", "AccessPolicyAssociation")).toMatchObject({
      policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      accessScope: { type: "cluster" },
    });
  });

  it("makes an encrypted EFS reachable over NFS from the VPC only, with the CSI add-on after the nodes", () => {
    expect(input(s, "shop-efs", "efs/fileSystem:FileSystem")).toMatchObject({ encrypted: true, performanceMode: "generalPurpose", throughputMode: "elastic", lifecyclePolicies: [{ transitionToIa: "AFTER_30_DAYS" }] });
    expect(input(s, "shop-efs-sg", "SecurityGroup").ingress).toEqual([{ protocol: "tcp", fromPort: 2049, toPort: 2049, cidrBlocks: ["10.0.0.0/16"], description: "NFS from the VPC" }]);
    expect(s.resources.filter((r) => r.type === "aws:efs/mountTarget:MountTarget").map((r) => unwrap(r.inputs.subnetId))).toEqual(["subnet-a", "subnet-b", "subnet-c"]);
    expect(s.options("shop-aws-efs-csi-driver", "eks/addon:Addon").dependsOn).toContain(s.resource("shop-nodes-default", "NodeGroup").urn);
    const trust = json(s.resource("shop-efs-csi-role", "iam/role:Role").inputs.assumeRolePolicy);
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toEqual(["system:serviceaccount:kube-system:efs-csi-controller-sa", "sts.amazonaws.com"]);
    expect(made!.ready.map((r) => (r as pulumi.CustomResource & { __name?: string }).__name)).toContain("shop-aws-efs-csi-driver");
  });
});

describe("createEksCluster validation", () => {
  it("names every bad field", () => {
    expect(() =>
      createEksCluster("shop", args({ version: "1.33.1", logRetentionDays: 10, nodeGroups: [{ name: "Default", instanceTypes: ["m6i.large", "m7g.large"], capacityType: "SPOT", diskSizeGiB: 8, size }] }), {}),
    ).toThrow(
      [
        'EksCluster "shop": version is "1.33.1"; expected a Kubernetes minor version such as "1.33"',
        'EksCluster "shop": logRetentionDays is 10; expected one of CloudWatch\'s retention periods in days: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
        'EksCluster "shop": nodeGroups[0].name is "Default"; expected a unique name of lowercase letters, digits and \'-\', at most 20 characters',
        'EksCluster "shop": nodeGroups[0].instanceTypes is ["m6i.large","m7g.large"]; expected one architecture (Graviton or x86), one AMI type per node group',
        'EksCluster "shop": nodeGroups[0].diskSizeGiB is 8; expected an integer from 20 to 16384',
      ].join("\n"),
    );
  });
});
