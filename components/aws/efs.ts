/**
 * An EFS file system for ReadWriteMany volumes: encrypted, reachable over NFS from the VPC only,
 * one mount target per private subnet; and the StorageClass the EFS CSI driver provisions from.
 */
import * as ec2 from "@pulumi/aws/ec2";
import * as efs from "@pulumi/aws/efs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/naming";
import { AwsTags, awsTags } from "./tags";

export interface EfsArgs {
  readonly vpcId: pulumi.Input<string>;
  /** NFS is admitted from this CIDR only (nodes and pods get their addresses from it). */
  readonly vpcCidr: string;
  /** Private subnets: one mount target each (one per availability zone). */
  readonly subnetIds: readonly pulumi.Input<string>[];
  readonly tags: AwsTags;
  /** Protect the file system (and keep it when the stack is destroyed). */
  readonly protect: boolean;
}

export interface EfsStorage {
  readonly fileSystem: efs.FileSystem;
  readonly securityGroup: ec2.SecurityGroup;
  readonly mountTargets: efs.MountTarget[];
}

/**
 * The file system. Encrypted at rest with the AWS managed key (aws/elasticfilesystem): the EKS
 * Secrets key stays scoped to Secrets, and the EFS CSI driver needs no KMS permissions.
 * Elastic throughput (pays per use, no burst credits to run out of); files untouched for 30
 * days move to Infrequent Access.
 */
export function createEfs(name: string, a: EfsArgs, opts: pulumi.CustomResourceOptions): EfsStorage {
  const stateful = a.protect ? { protect: true, retainOnDelete: true } : {};
  const fileSystem = new efs.FileSystem(
    childName(name, "efs"),
    {
      encrypted: true,
      performanceMode: "generalPurpose",
      throughputMode: "elastic",
      lifecyclePolicies: [{ transitionToIa: "AFTER_30_DAYS" }],
      tags: awsTags(a.tags, childName(name, "efs")),
    },
    { ...opts, ...stateful },
  );
  const securityGroup = new ec2.SecurityGroup(
    childName(name, "efs-sg"),
    {
      vpcId: a.vpcId,
      description: "NFS to the EFS mount targets from the VPC",
      ingress: [{ protocol: "tcp", fromPort: 2049, toPort: 2049, cidrBlocks: [a.vpcCidr], description: "NFS from the VPC" }],
      tags: awsTags(a.tags, childName(name, "efs-sg")),
    },
    opts,
  );
  const mountTargets = a.subnetIds.map(
    (subnetId, i) => new efs.MountTarget(childName(name, `efs-mount-${i}`), { fileSystemId: fileSystem.id, subnetId, securityGroups: [securityGroup.id] }, opts),
  );
  return { fileSystem, securityGroup, mountTargets };
}

/**
 * The "efs" StorageClass: each PersistentVolumeClaim gets its own EFS access point (a directory
 * only its pods can enter, mode 700); Retain keeps the data when the claim is deleted.
 * Create it with the cluster's Kubernetes provider, after the EFS CSI add-on.
 */
export function efsStorageClass(name: string, fileSystemId: pulumi.Input<string>, k8sOpts: pulumi.CustomResourceOptions): k8s.storage.v1.StorageClass {
  return new k8s.storage.v1.StorageClass(
    name,
    {
      metadata: { name: "efs" },
      provisioner: "efs.csi.aws.com",
      parameters: { provisioningMode: "efs-ap", fileSystemId, directoryPerms: "700" },
      reclaimPolicy: "Retain",
    },
    k8sOpts,
  );
}
