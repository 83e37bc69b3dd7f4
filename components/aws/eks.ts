/**
 * The EKS cluster of keel's aws platform: a private-by-default control plane with Secrets
 * encrypted by its own KMS key and control-plane logs in a log group keel owns, an OIDC
 * provider for IRSA, managed node groups on hardened launch templates, and the managed add-ons.
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { childName } from "../core/naming";
import { createEfs } from "./efs";
import { AddonContext, AddonName, afterNodeAddons, beforeNodeAddons, efsCsiAddon } from "./eks-addons";
import { OidcIdentity, PolicyDocument, issuerHost, serviceRole } from "./iam";
import { logRetentionProblem } from "./log-retention";
import { NodeGroupSize, instanceArchitecture, instanceTypeProblem } from "./node-sizing";
import { awsTags } from "./tags";

/** EKS control-plane log types (all on by default: the audit log answers "who did this"). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
export type ControlPlaneLogType = (typeof CONTROL_PLANE_LOG_TYPES)[number];

export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: "NO_SCHEDULE" | "NO_EXECUTE" | "PREFER_NO_SCHEDULE";
}

export interface EksNodeGroupArgs {
  /** Unique within the cluster; names the node group's resources (`<name>-nodes-<group>`). */
  readonly name: string;
  /** One architecture only (all Graviton or all x86): it picks the AMI type. */
  readonly instanceTypes: readonly string[];
  readonly capacityType: "ON_DEMAND" | "SPOT";
  /** Root volume (gp3, encrypted). */
  readonly diskSizeGiB: number;
  /** From sizeNodeGroup. */
  readonly size: NodeGroupSize;
  /** @default {} */
  readonly labels?: Record<string, string>;
  /** @default [] */
  readonly taints?: readonly NodeTaint[];
}

export interface EksClusterArgs {
  /** Kubernetes version, e.g. "1.33". */
  readonly version: string;
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  /** Private subnets: control-plane ENIs, nodes, EFS mount targets. */
  readonly subnetIds: pulumi.Input<string>[];
  /** CIDRs allowed to the public API endpoint; [] = private endpoint only. */
  readonly publicAccessCidrs: readonly string[];
  readonly logTypes: readonly ControlPlaneLogType[];
  /** Days CloudWatch keeps control-plane logs (one of CloudWatch's retention values). */
  readonly logRetentionDays: number;
  readonly nodeGroups: readonly EksNodeGroupArgs[];
  /** Add-on versions; an add-on left out gets AWS's default version for the cluster's Kubernetes version. @default {} */
  readonly addonVersions?: Partial<Record<AddonName, string>>;
  /** IAM roles given cluster-admin (EKS access entries with AmazonEKSClusterAdminPolicy). @default [] */
  readonly adminRoleArns?: readonly string[];
  /** An EFS file system with mount targets in the private subnets and the EFS CSI add-on. */
  readonly efs: boolean;
  readonly tags: Readonly<Record<string, string>>;
  /** Protect the KMS key, log group and EFS (retained on delete) and turn on the cluster's deletion protection. */
  readonly protect: boolean;
  /**
   * The EKS cluster's name, unique per account and region (it also names the log group
   * `/aws/eks/<clusterName>/cluster`). @default the `name` argument of createEksCluster
   */
  readonly clusterName?: string;
  /** How the kubeconfig authenticates (`aws eks get-token` with this profile / role). @default the environment's credentials */
  readonly kubeconfigAuth?: KubeconfigAuth;
}

export interface EksCluster {
  readonly cluster: eks.Cluster;
  readonly name: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  /** The OIDC issuer without https://, as IRSA trust conditions name it. */
  readonly oidcIssuer: pulumi.Output<string>;
  /** Secret. Authenticates with `aws eks get-token` (the AWS CLI and credentials of whoever uses it). */
  readonly kubeconfig: pulumi.Output<string>;
  /** The cluster security group EKS creates (nodes of managed node groups get it). */
  readonly nodeSecurityGroupId: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly nodeGroups: eks.NodeGroup[];
  readonly addons: Readonly<Record<string, eks.Addon>>;
  readonly efsFileSystemId?: pulumi.Output<string>;
  /** What Kubernetes objects and Helm releases must wait for: the node groups and the add-ons that need nodes. */
  readonly ready: pulumi.Resource[];
}


/** Checks the args that can be checked before any resource exists. */
export function validateEksClusterArgs(name: string, args: EksClusterArgs): void {
  const v = new Validator("EksCluster", name);
  v.require(/^1\.\d{2}$/.test(args.version), "version", args.version, 'expected a Kubernetes minor version such as "1.33"');
  const retention = logRetentionProblem(args.logRetentionDays);
  if (retention) v.require(false, "logRetentionDays", args.logRetentionDays, retention);
  v.require(args.subnetIds.length >= 2, "subnetIds", `${args.subnetIds.length} subnet(s)`, "expected at least 2 subnets in different availability zones (EKS requires two)");
  v.require(args.nodeGroups.length > 0, "nodeGroups", args.nodeGroups.length, "expected at least one node group");
  const seen = new Set<string>();
  args.nodeGroups.forEach((g, i) => {
    v.require(/^[a-z][a-z0-9-]{0,19}$/.test(g.name) && !seen.has(g.name), `nodeGroups[${i}].name`, g.name, "expected a unique name of lowercase letters, digits and '-', at most 20 characters");
    seen.add(g.name);
    v.require(g.instanceTypes.length > 0, `nodeGroups[${i}].instanceTypes`, g.instanceTypes, "expected at least one instance type");
    g.instanceTypes.forEach((t, j) => {
      const problem = instanceTypeProblem(t);
      if (problem) v.require(false, `nodeGroups[${i}].instanceTypes[${j}]`, t, problem);
    });
    const arches = new Set(g.instanceTypes.map(instanceArchitecture));
    v.require(arches.size <= 1, `nodeGroups[${i}].instanceTypes`, g.instanceTypes, "expected one architecture (Graviton or x86), one AMI type per node group");
    v.require(Number.isInteger(g.diskSizeGiB) && g.diskSizeGiB >= 20 && g.diskSizeGiB <= 16384, `nodeGroups[${i}].diskSizeGiB`, g.diskSizeGiB, "expected an integer from 20 to 16384");
  });
  v.throwIfInvalid();
}

/** The cluster's control-plane key policy grant: only what EKS needs to envelope-encrypt Secrets. */
export function clusterEncryptionPolicy(keyArn: pulumi.Input<string>): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "ClusterEncryption", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: keyArn }],
  };
}


/** How the kubeconfig's `aws eks get-token` authenticates: the profile and role the aws provider deploys with. */
export interface KubeconfigAuth {
  /** An AWS CLI profile (AWS_PROFILE). @default the environment's credentials */
  readonly profile?: string;
  /** A role get-token assumes (`--role-arn`). @default none */
  readonly roleArn?: string;
}

/** A kubeconfig (JSON, which is YAML) authenticating with `aws eks get-token`. */
export function kubeconfigFor(clusterName: string, endpoint: string, caData: string, region: string, auth: KubeconfigAuth = {}): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": caData } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    "current-context": clusterName,
    users: [
      {
        name: clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, ...(auth.roleArn ? ["--role-arn", auth.roleArn] : [])],
            ...(auth.profile ? { env: [{ name: "AWS_PROFILE", value: auth.profile }] } : {}),
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}

export function createEksCluster(name: string, args: EksClusterArgs, opts: pulumi.CustomResourceOptions): EksCluster {
  validateEksClusterArgs(name, args);
  const clusterName = args.clusterName ?? name;
  const tags = args.tags;
  const stateful = args.protect ? { protect: true, retainOnDelete: true } : {};
  const invokeOpts = { provider: opts.provider, parent: opts.parent };
  const partition = getPartitionOutput({}, invokeOpts).partition;

  const key = new kms.Key(
    childName(name, "secrets-key"),
    { description: `EKS Secrets encryption for cluster ${clusterName}`, enableKeyRotation: true, deletionWindowInDays: 30, tags: awsTags(tags, childName(name, "secrets-key")) },
    { ...opts, ...stateful },
  );
  new kms.Alias(childName(name, "secrets-key-alias"), { name: `alias/eks/${clusterName}`, targetKeyId: key.keyId }, opts);

  const clusterRole = serviceRole(childName(name, "cluster-role"), "eks.amazonaws.com", { managed: ["AmazonEKSClusterPolicy"], policy: clusterEncryptionPolicy(key.arn), partition, tags }, opts);

  // Created first, so EKS writes into a group with keel's retention instead of creating an unmanaged, never-expiring one.
  const logGroup = new cloudwatch.LogGroup(
    childName(name, "logs"),
    { name: `/aws/eks/${clusterName}/cluster`, retentionInDays: args.logRetentionDays, tags: awsTags(tags, childName(name, "logs")) },
    { ...opts, ...stateful },
  );

  const publicEndpoint = args.publicAccessCidrs.length > 0;
  const cluster = new eks.Cluster(
    name,
    {
      name: clusterName,
      version: args.version,
      roleArn: clusterRole.role.arn,
      vpcConfig: {
        subnetIds: args.subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: publicEndpoint,
        ...(publicEndpoint ? { publicAccessCidrs: [...args.publicAccessCidrs] } : {}),
      },
      enabledClusterLogTypes: [...args.logTypes],
      encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] },
      accessConfig: {
        authenticationMode: "API",
        // The identity running `pulumi up` becomes cluster admin, so the kubeconfig below works for
        // the Kubernetes provider that installs the platform software (adminRoleArns add others).
        bootstrapClusterCreatorAdminPermissions: true,
      },
      // keel installs vpc-cni, kube-proxy and coredns as managed add-ons; no self-managed copies to adopt.
      bootstrapSelfManagedAddons: false,
      kubernetesNetworkConfig: { ipFamily: "ipv4" },
      // STANDARD: EKS upgrades the control plane when standard support ends, instead of charging for extended support.
      upgradePolicy: { supportType: "STANDARD" },
      deletionProtection: args.protect,
      tags: awsTags(tags, clusterName),
    },
    { ...opts, dependsOn: [logGroup, ...clusterRole.attachments] },
  );

  for (const roleArn of args.adminRoleArns ?? []) {
    // Named after the role and a digest of its whole ARN: two roles of one name (other paths or accounts) never collide.
    const short = `${roleArn.split("/").pop()!.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase()}-${createHash("sha256").update(roleArn).digest("hex").slice(0, 8)}`;
    const entry = new eks.AccessEntry(childName(name, `admin-${short}`), { clusterName: cluster.name, principalArn: roleArn, type: "STANDARD", tags: awsTags(tags, childName(name, `admin-${short}`)) }, opts);
    new eks.AccessPolicyAssociation(
      childName(name, `admin-${short}-policy`),
      { clusterName: cluster.name, principalArn: roleArn, policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`, accessScope: { type: "cluster" } },
      { ...opts, dependsOn: [entry] },
    );
  }

  const issuerUrl = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
  // No thumbprintLists: optional in @pulumi/aws 7, and IAM verifies EKS's issuer through its trusted CA library, not the thumbprint.
  const oidc = new iam.OpenIdConnectProvider(childName(name, "oidc"), { url: issuerUrl, clientIdLists: ["sts.amazonaws.com"], tags: awsTags(tags, childName(name, "oidc")) }, opts);
  const identity: OidcIdentity = { oidcProviderArn: oidc.arn, oidcIssuer: issuerUrl.apply(issuerHost) };
  const ctx: AddonContext = { clusterName: cluster.name, identity, partition, versions: args.addonVersions, tags };

  const before = beforeNodeAddons(name, ctx, opts);
  const nodeRole = serviceRole(childName(name, "node-role"), "ec2.amazonaws.com", { managed: ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"], partition, tags }, opts);
  const nodeGroups = args.nodeGroups.map((g) => nodeGroup(name, cluster, nodeRole.role, g, args, { ...opts, dependsOn: [...nodeRole.attachments, before["vpc-cni"], before["kube-proxy"]] }));

  const afterOpts = { ...opts, dependsOn: nodeGroups };
  const after = afterNodeAddons(name, ctx, afterOpts);
  const addons: Record<string, eks.Addon> = { ...before, ...after };
  let efsFileSystemId: pulumi.Output<string> | undefined;
  if (args.efs) {
    const storage = createEfs(name, { vpcId: args.vpcId, vpcCidr: args.vpcCidr, subnetIds: args.subnetIds, tags, protect: args.protect }, opts);
    efsFileSystemId = storage.fileSystem.id;
    addons["aws-efs-csi-driver"] = efsCsiAddon(name, ctx, { ...opts, dependsOn: [...nodeGroups, ...storage.mountTargets] });
  }

  const region = getRegionOutput({}, invokeOpts).region;
  const kubeconfig = pulumi.secret(
    pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority, region]).apply(([n, endpoint, ca, r]) => kubeconfigFor(n, endpoint, ca?.data ?? "", r, args.kubeconfigAuth)),
  );

  return {
    cluster,
    name: cluster.name,
    endpoint: cluster.endpoint,
    oidcProviderArn: oidc.arn,
    oidcIssuer: pulumi.output(identity.oidcIssuer),
    kubeconfig,
    nodeSecurityGroupId: cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId),
    kmsKeyArn: key.arn,
    nodeGroups,
    addons,
    efsFileSystemId,
    ready: [...nodeGroups, ...Object.entries(addons).filter(([k]) => k !== "vpc-cni" && k !== "kube-proxy").map(([, a]) => a)],
  };
}

/**
 * A managed node group on its own launch template. desiredSize is not in ignoreChanges: keel
 * sizes the group from capacity and installs no cluster autoscaler, so the program is the one
 * owner of the size (with an autoscaler, ignore scalingConfig.desiredSize instead).
 */
function nodeGroup(name: string, cluster: eks.Cluster, role: iam.Role, g: EksNodeGroupArgs, args: EksClusterArgs, opts: pulumi.CustomResourceOptions): eks.NodeGroup {
  const groupName = childName(name, `nodes-${g.name}`);
  const groupTags = awsTags(args.tags, groupName);
  const template = new ec2.LaunchTemplate(
    childName(groupName, "lt"),
    {
      description: `Nodes of EKS node group ${groupName}`,
      // Root volume of the AL2023 AMIs.
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: g.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
      // IMDSv2 only, one hop: processes on the node (kubelet, aws-node and the CSI node plugins, all host-network)
      // reach the metadata service, pods on the pod network do not, so they cannot take the node role's
      // credentials; pods get AWS permissions through IRSA. The EBS CSI driver (not host-network) falls back
      // to the Kubernetes API for its node's instance ID, zone and region (its documented fallback; it then
      // assumes one attached ENI when counting volume slots, which Karpenter's default of 1 accepts too).
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags: groupTags })),
      updateDefaultVersion: true,
      tags: awsTags(args.tags, childName(groupName, "lt")),
    },
    opts,
  );
  const arm = instanceArchitecture(g.instanceTypes[0]) === "arm64";
  return new eks.NodeGroup(
    groupName,
    {
      clusterName: cluster.name,
      nodeRoleArn: role.arn,
      amiType: arm ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
      capacityType: g.capacityType,
      instanceTypes: [...g.instanceTypes],
      subnetIds: args.subnetIds,
      scalingConfig: { minSize: g.size.minSize, desiredSize: g.size.desiredSize, maxSize: g.size.maxSize },
      updateConfig: { maxUnavailable: 1 },
      labels: { ...(g.labels ?? {}) },
      taints: (g.taints ?? []).map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
      tags: groupTags,
    },
    opts,
  );
}
