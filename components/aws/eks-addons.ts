/**
 * EKS managed add-ons and the IAM roles they run with. The VPC CNI and kube-proxy come before
 * the node groups (nodes join with pod networking and network policy already on); CoreDNS and
 * the CSI drivers after them (their pods need nodes to become ACTIVE).
 */
import * as eks from "@pulumi/aws/eks";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/naming";
import { OidcIdentity, RoleWithPolicies, irsaRole } from "./iam";
import { AwsTags, awsTags } from "./tags";

export type AddonName = "vpc-cni" | "coredns" | "kube-proxy" | "aws-ebs-csi-driver" | "aws-efs-csi-driver" | "eks-pod-identity-agent";

/**
 * The VPC CNI's configuration: its network policy agent enforces Kubernetes NetworkPolicies
 * (keel's components write them). `enableNetworkPolicy` is a top-level string field of the
 * add-on's configuration schema.
 */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: "true" } as const;

/** What every add-on of a cluster shares. */
export interface AddonContext {
  readonly clusterName: pulumi.Input<string>;
  readonly identity: OidcIdentity;
  /** The account's partition (aws, aws-cn, aws-us-gov), for managed policy ARNs. */
  readonly partition: pulumi.Input<string>;
  /**
   * Add-on versions by name. Omitted: AWS's default version for the cluster's Kubernetes version
   * (what `aws eks describe-addon-versions` marks defaultVersion), chosen when the add-on is created.
   * @default {}
   */
  readonly versions?: Partial<Record<AddonName, string>>;
  readonly tags: AwsTags;
}

/** The IRSA role of an add-on's kube-system ServiceAccount, with one AWS managed policy. */
function addonRole(name: string, ctx: AddonContext, serviceAccount: string, managedPolicy: string, opts: pulumi.CustomResourceOptions): RoleWithPolicies {
  return irsaRole(name, ctx.identity, "kube-system", serviceAccount, { managed: [managedPolicy], partition: ctx.partition, tags: ctx.tags }, opts);
}

/**
 * One managed add-on. Conflicts resolve to OVERWRITE on create and update: keel's configuration
 * wins over fields someone edited by hand (and over self-managed copies of the same software).
 */
export function addon(
  name: string,
  ctx: AddonContext,
  addonName: AddonName,
  a: { readonly configurationValues?: Record<string, unknown>; readonly role?: RoleWithPolicies },
  opts: pulumi.CustomResourceOptions,
): eks.Addon {
  const version = ctx.versions?.[addonName];
  return new eks.Addon(
    childName(name, addonName),
    {
      clusterName: ctx.clusterName,
      addonName,
      ...(version !== undefined ? { addonVersion: version } : {}),
      ...(a.configurationValues ? { configurationValues: JSON.stringify(a.configurationValues) } : {}),
      ...(a.role ? { serviceAccountRoleArn: a.role.role.arn } : {}),
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      tags: awsTags(ctx.tags, childName(name, addonName)),
    },
    { ...opts, dependsOn: [...asArray(opts.dependsOn), ...(a.role?.attachments ?? [])] },
  );
}

function asArray(d: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  return d === undefined ? [] : Array.isArray(d) ? d : [d as pulumi.Input<pulumi.Resource>];
}

/**
 * The add-ons nodes need to join (terraform-aws-modules' before_compute): the VPC CNI, with
 * network policy on and its own IRSA role holding AmazonEKS_CNI_Policy (kept off the node role,
 * so pods on a node cannot borrow the permission to rewire its network interfaces), and kube-proxy.
 */
export function beforeNodeAddons(name: string, ctx: AddonContext, opts: pulumi.CustomResourceOptions): Record<"vpc-cni" | "kube-proxy", eks.Addon> {
  const cniRole = addonRole(childName(name, "vpc-cni-role"), ctx, "aws-node", "AmazonEKS_CNI_Policy", opts);
  return {
    "vpc-cni": addon(name, ctx, "vpc-cni", { configurationValues: { ...VPC_CNI_CONFIGURATION }, role: cniRole }, opts),
    "kube-proxy": addon(name, ctx, "kube-proxy", {}, opts),
  };
}

/**
 * The add-ons that run as Deployments and need nodes: CoreDNS and the EBS CSI driver (its
 * controller with an IRSA role holding AmazonEBSCSIDriverPolicy). `opts.dependsOn` should name
 * the node groups.
 */
export function afterNodeAddons(name: string, ctx: AddonContext, opts: pulumi.CustomResourceOptions): Record<"coredns" | "aws-ebs-csi-driver", eks.Addon> {
  const ebsRole = addonRole(childName(name, "ebs-csi-role"), ctx, "ebs-csi-controller-sa", "service-role/AmazonEBSCSIDriverPolicy", opts);
  return {
    coredns: addon(name, ctx, "coredns", {}, opts),
    "aws-ebs-csi-driver": addon(name, ctx, "aws-ebs-csi-driver", { role: ebsRole }, opts),
  };
}

/** The EFS CSI driver add-on (after the node groups), its controller with AmazonEFSCSIDriverPolicy through IRSA. */
export function efsCsiAddon(name: string, ctx: AddonContext, opts: pulumi.CustomResourceOptions): eks.Addon {
  const efsRole = addonRole(childName(name, "efs-csi-role"), ctx, "efs-csi-controller-sa", "service-role/AmazonEFSCSIDriverPolicy", opts);
  return addon(name, ctx, "aws-efs-csi-driver", { role: efsRole }, opts);
}
