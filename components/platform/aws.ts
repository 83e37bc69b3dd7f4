/**
 * AwsPlatform: the network, the EKS cluster and what keel's stacks need installed in it, for any
 * number of systems of one environment. A platform stack creates it; each system attaches to it
 * (`fromStackReference`, or `system()` in the same program) and gets a namespace per tier on the
 * shared cluster. `fromExisting` attaches to a cluster keel did not create. See docs/aws.md.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { LABEL_MANAGED_BY, LABEL_PART_OF } from "../core/labels";
import { childName } from "../core/naming";
import { ChartName, installClusterSoftware } from "../aws/cluster-software";
import { ControlPlaneLogType, KubeconfigAuth, createEksCluster } from "../aws/eks";
import { efsStorageClass } from "../aws/efs";
import { irsaRole } from "../aws/iam";
import { createNetwork } from "../aws/network";
import { NodeGroupSize, WorkloadCapacity } from "../aws/node-sizing";
import { AWS_PLATFORM_SHAPE_VERSION, AwsPlatformShape, readAwsPlatformShape } from "./aws-shape";
import { KeelValidationError, describeValue } from "../core/errors";
import { resolveAwsPlatformArgs } from "./aws-resolve";
import { AwsSystemArgs, AwsSystemPlatform, checkAwsSystemArgs, platformStackFacts } from "./aws-system";
import type { ClusterFacts, InstalledSoftwareFact } from "./cluster-facts";
import { gp3StorageClass } from "./namespaces";

export interface AwsPlatformArgs {
  /** The AWS region, e.g. "eu-west-1" (the stack's `aws:region`): names endpoints and the kubeconfig. */
  readonly region: string;
  /**
   * An aws provider to create everything with: give one built from your stack's `aws:` settings
   * (profile, assumed roles, allowed accounts) when you use any; a provider created in code does not
   * read them. @default one for `region` with `tags` as default tags, on the environment's credentials
   */
  readonly provider?: pulumi.ProviderResource;
  /** How the exported kubeconfig authenticates: the profile and role `provider` deploys with. @default the environment's credentials */
  readonly kubeconfigAuth?: KubeconfigAuth;
  /** Tags on every AWS resource, besides keel.dev/platform and app.kubernetes.io/managed-by. @default none */
  readonly tags?: Readonly<Record<string, string>>;
  /** The VPC: 3 AZs, public, private and data subnets. */
  readonly network?: {
    /** @default "10.0.0.0/16" */
    readonly cidr?: string;
    /** NAT gateways. @default "one-per-az" (the dev profile: "single") */
    readonly natGateways?: "single" | "one-per-az";
    /** VPC flow logs' retention in CloudWatch. @default 365 */
    readonly flowLogRetentionDays?: number;
    /** VPC endpoints for S3 (gateway) and ECR (interface): image pulls and S3 traffic skip the NAT gateways. @default true */
    readonly endpoints?: boolean;
  };
  /** The EKS control plane. */
  readonly cluster?: {
    /** Kubernetes minor version. @default "1.34" */
    readonly version?: string;
    /** Networks allowed to reach the API endpoint from outside the VPC (where `pulumi up` and kubectl run). @default [] (private endpoint only: run pulumi from inside the VPC) */
    readonly publicAccessCidrs?: readonly string[];
    /** Control-plane logs sent to CloudWatch. @default all five */
    readonly logTypes?: readonly ControlPlaneLogType[];
    /** @default 90 */
    readonly logRetentionDays?: number;
    /** IAM roles given cluster-admin through EKS access entries; never the identity that creates the cluster (EKS makes its entry, and a second one fails). @default none */
    readonly adminRoleArns?: readonly string[];
    /** Add-on versions; each omitted one is AWS's default for the cluster version. */
    readonly addonVersions?: Readonly<Partial<Record<"vpc-cni" | "coredns" | "kube-proxy" | "aws-ebs-csi-driver" | "aws-efs-csi-driver", string>>>;
  };
  /** The managed node group, sized so that `workloads` plus the platform's own pods fit with `headroom` to spare. */
  readonly nodes: {
    /** What the systems on the platform request in total at their highest replica counts, DaemonSets left out (add up their capacity.md). */
    readonly workloads: WorkloadCapacity;
    /**
     * What the systems' DaemonSets request on each node (log collectors, node agents): counted once
     * per node while the node count is sized. @default none
     */
    readonly perNode?: WorkloadCapacity;
    /** @default "m6i.xlarge" */
    readonly instanceType?: string;
    /** @default "ON_DEMAND" */
    readonly capacityType?: "ON_DEMAND" | "SPOT";
    /** Root volume (gp3, encrypted). @default 50 */
    readonly diskSizeGiB?: number;
    /** Share of the allocatable left free. @default 0.3 */
    readonly headroom?: number;
    /** @default 3 (one per AZ) */
    readonly minNodes?: number;
    /** @default twice the computed size */
    readonly maxNodes?: number;
  };
  /** StorageClasses the platform creates. */
  readonly storage?: {
    /** The default class: encrypted gp3 on the EBS CSI driver. @default "gp3" */
    readonly storageClass?: string;
    /** More gp3 classes with provisioned IOPS (3000-16000). @default none */
    readonly gp3StorageClasses?: readonly { readonly name: string; readonly iops?: number }[];
    /** An encrypted EFS file system and StorageClass `efs` (ReadWriteMany). @default false */
    readonly efs?: boolean;
  };
  /** ingress-nginx behind an NLB (client addresses preserved). */
  readonly ingress?: {
    /** @default "nginx" */
    readonly className?: string;
    /** @default "ingress-nginx" */
    readonly namespace?: string;
    /** @default 2 */
    readonly replicas?: number;
  };
  /** cert-manager's Let's Encrypt ClusterIssuer (HTTP-01 through the ingress class). */
  readonly certificates: {
    /** Where Let's Encrypt sends expiry notices. */
    readonly email: string;
    /** Let's Encrypt's staging server. @default false */
    readonly staging?: boolean;
  };
  /** prometheus-adapter (custom and external metrics for HPAs), querying one system's Prometheus. @default not installed */
  readonly metricsAdapter?: { readonly prometheusUrl: string };
  /** external-dns publishing the Ingress hosts in Route 53. @default not installed (each host is a prerequisite) */
  readonly externalDns?: { readonly domainFilters: readonly string[]; readonly zoneIds: readonly string[] };
  /**
   * The External Secrets Operator (namespace `external-secrets`), so systems' env values and
   * connection credentials can come from AWS Secrets Manager and follow its rotation. It gets no
   * IAM role: each system's SecretStore reads as that system's own ServiceAccount (IRSA). Without
   * it, a system that reads from Secrets Manager is refused on this platform (an ESO of your own:
   * attach with `fromExisting` and a shape whose `externalSecrets` says where it runs).
   * @default true
   */
  readonly externalSecrets?: boolean;
  /**
   * Stakater Reloader (namespace `reloader`): rolls the Deployments and StatefulSets whose
   * annotations ask for it when a Secret they read changes, so a rotation reaches the pods
   * without a `pulumi up`. Only with `externalSecrets`. @default true (false without externalSecrets)
   */
  readonly reloader?: boolean;
  /** Chart versions over keel's pinned ones. */
  readonly charts?: Readonly<Partial<Record<ChartName, string>>>;
  /** Protect what holds state or cannot be recreated cheaply (KMS key, log groups, EFS, the cluster). @default false */
  readonly protect?: boolean;
}

export class AwsPlatform extends pulumi.ComponentResource {
  public readonly kind = "aws" as const;
  public readonly name: string;
  /** What systems attach with: export it from the platform stack (`export const platform = awsPlatform.shape`). */
  public readonly shape: AwsPlatformShape;
  /** The cluster's kubeconfig (secret; `aws eks get-token` as the user): export it too. */
  public readonly kubeconfig: pulumi.Output<string>;
  /** The provider bound to the EKS cluster. */
  public readonly kubernetesProvider: k8s.Provider;
  public readonly awsProvider: pulumi.ProviderResource;
  /** The node group's size and why. */
  public readonly nodeGroupSize: NodeGroupSize;
  /** What the whole-stack checks know about the cluster (written into the pack config by keel synth). */
  public readonly facts: ClusterFacts;
  private readonly systems = new Map<string, AwsSystemPlatform>();

  constructor(name: string, args: AwsPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveAwsPlatformArgs(name, args);
    super("keel:components:AwsPlatform", name, {}, opts);
    this.name = name;
    this.awsProvider = args.provider ?? new AwsProvider(childName(name, "aws"), { region: r.region, defaultTags: { tags: r.tags } }, { parent: this });
    const awsOpts: pulumi.CustomResourceOptions = { parent: this, provider: this.awsProvider };
    const tags = r.tags;

    const network = createNetwork(name, { cidr: r.network.cidr, natGateways: r.network.natGateways, flowLogRetentionDays: r.network.flowLogRetentionDays, endpoints: r.network.endpoints, clusterName: name, tags, protect: r.protect }, awsOpts);
    this.nodeGroupSize = r.nodes.size;
    const cluster = createEksCluster(
      name,
      {
        version: r.cluster.version,
        vpcId: network.vpcId,
        vpcCidr: r.network.cidr,
        subnetIds: network.privateSubnetIds,
        publicAccessCidrs: r.cluster.publicAccessCidrs,
        logTypes: r.cluster.logTypes,
        logRetentionDays: r.cluster.logRetentionDays,
        nodeGroups: [{ name: "default", instanceTypes: [r.nodes.instanceType], capacityType: r.nodes.capacityType, diskSizeGiB: r.nodes.diskSizeGiB, size: this.nodeGroupSize }],
        addonVersions: r.cluster.addonVersions,
        adminRoleArns: r.cluster.adminRoleArns,
        efs: r.storage.efs,
        ...(args.kubeconfigAuth ? { kubeconfigAuth: args.kubeconfigAuth } : {}),
        tags,
        protect: r.protect,
      },
      awsOpts,
    );
    this.kubeconfig = cluster.kubeconfig;
    // Never adopt: an object that already exists in the cluster fails instead of being taken over.
    this.kubernetesProvider = new k8s.Provider(childName(name, "eks"), { kubeconfig: cluster.kubeconfig, upsertExistingObjects: false }, { parent: this });
    const k8sOpts: pulumi.CustomResourceOptions = { parent: this, provider: this.kubernetesProvider, dependsOn: cluster.ready };
    const labels = { [LABEL_PART_OF]: name, [LABEL_MANAGED_BY]: "keel" };
    gp3StorageClass(name, r.storage.storageClass, labels, undefined, k8sOpts);
    for (const extra of r.storage.gp3StorageClasses) gp3StorageClass(name, extra.name, labels, extra.iops, k8sOpts);
    if (cluster.efsFileSystemId) efsStorageClass(name, cluster.efsFileSystemId, k8sOpts);

    const identity = { oidcProviderArn: cluster.oidcProviderArn, oidcIssuer: cluster.oidcIssuer };
    const partition = getPartitionOutput({}, { parent: this, provider: this.awsProvider }).partition;
    const installed = installClusterSoftware(
      name,
      {
        provider: this.kubernetesProvider,
        dependsOn: cluster.ready,
        cluster: { name: cluster.name, oidcProviderArn: cluster.oidcProviderArn, oidcIssuer: cluster.oidcIssuer, vpcCidr: r.network.cidr },
        irsaRole: (role, namespace, serviceAccount, policy) => irsaRole(childName(name, `${role}-role`), identity, namespace, serviceAccount, { policy, partition, tags }, awsOpts).role.arn,
        ingress: { className: r.ingress.className, namespace: r.ingress.namespace, replicas: r.ingress.replicas, podLabels: INGRESS_POD_LABELS },
        certManager: { namespace: AWS_CERT_MANAGER_NAMESPACE, issuer: { name: issuerName(name, r.certificates.staging), email: r.certificates.email } },
        prometheusUrl: r.metricsAdapter?.prometheusUrl,
        externalDns: r.externalDns ? { ...r.externalDns, namespace: "external-dns" } : undefined,
        externalSecrets: r.externalSecrets ? { namespace: AWS_EXTERNAL_SECRETS_NAMESPACE, ...(r.reloader ? { reloader: { namespace: AWS_RELOADER_NAMESPACE } } : {}) } : undefined,
        charts: r.charts,
      },
      { parent: this },
    );
    const storageClasses = [r.storage.storageClass, ...r.storage.gp3StorageClasses.map((g) => g.name), ...(r.storage.efs ? ["efs"] : [])];
    this.shape = {
      version: AWS_PLATFORM_SHAPE_VERSION,
      name,
      region: r.region,
      clusterName: cluster.name,
      vpc: {
        id: network.vpcId,
        cidr: r.network.cidr,
        privateSubnetIds: network.privateSubnetIds,
        dataSubnetIds: network.dataSubnetIds,
        privateSubnetCidrs: network.privateSubnetCidrs,
        dataSubnetCidrs: network.dataSubnetCidrs,
      },
      oidc: { providerArn: cluster.oidcProviderArn, issuer: cluster.oidcIssuer },
      nodeSecurityGroupId: cluster.nodeSecurityGroupId,
      ingress: { className: r.ingress.className, namespace: r.ingress.namespace, podLabels: INGRESS_POD_LABELS },
      issuer: { kind: "ClusterIssuer", name: issuerName(name, r.certificates.staging), solver: "http01" },
      certManagerNamespace: AWS_CERT_MANAGER_NAMESPACE,
      storageClass: r.storage.storageClass,
      storageClasses,
      metricsApis: { resource: true, custom: r.metricsAdapter !== undefined, external: r.metricsAdapter !== undefined },
      installed: [...installed.installed, ...addonFacts(r.cluster.version, r.cluster.addonVersions, r.storage.efs)],
      ...(installed.metricsAdapterPods ? { metricsAdapter: installed.metricsAdapterPods } : {}),
      ...(installed.externalSecrets ? { externalSecrets: installed.externalSecrets } : {}),
    };
    this.facts = platformStackFacts(name, this.shape);
    this.registerOutputs({ shape: this.shape, kubeconfig: this.kubeconfig, clusterFacts: this.facts, nodeGroup: this.nodeGroupSize.reason });
  }

  /**
   * The platform for one system in this program: its tier namespaces on the cluster (`<system>`,
   * `<system>-data`, ...), with the platform's ingress controller, issuer, StorageClasses and facts.
   * Calling it twice with one system returns the same platform.
   */
  system(system: string, args: Omit<AwsSystemArgs, "system"> = {}): AwsSystemPlatform {
    const known = this.systems.get(system);
    if (known) return known;
    const attached = new AwsSystemPlatform(system, { ...args, system }, this.shape, { provider: this.kubernetesProvider, awsProvider: this.awsProvider }, { parent: this });
    this.systems.set(system, attached);
    return attached;
  }

  /**
   * Attaches a system to a platform another stack created: reads the platform stack's `platform`
   * output (and its secret `kubeconfig`) through a StackReference. Offline, keel synth answers it
   * from `stack-refs/<stack>.json` or the mocks file.
   */
  static async fromStackReference(name: string, args: AwsSystemArgs & { readonly stack: string; readonly awsProvider?: pulumi.ProviderResource }, opts?: pulumi.ComponentResourceOptions): Promise<AwsSystemPlatform> {
    const { stack, awsProvider, ...system } = args;
    checkAwsSystemArgs(name, system);
    if (typeof stack !== "string" || !/^[\w.-]+(\/[\w.-]+){0,2}$/.test(stack)) {
      throw new KeelValidationError("AwsPlatform.fromStackReference", name, [`stack is ${describeValue(stack)}; expected the platform stack's name, such as "acme/keel/platform-prod" (organization/project/stack)`]);
    }
    const ref = new pulumi.StackReference(childName(name, "platform-stack"), { name: stack }, opts);
    const details = await ref.getOutputDetails("platform");
    const shape = readAwsPlatformShape("AwsPlatform.fromStackReference", name, `the output "platform" of stack ${stack}`, details.value ?? details.secretValue);
    const kubeconfig = ref.requireOutput("kubeconfig").apply(String);
    return AwsSystemPlatform.withKubeconfig(name, system, shape, kubeconfig, awsProvider, opts);
  }

  /** Attaches a system to an EKS cluster keel did not create: `shape` says what it has (see {@link AwsPlatformShape}). */
  static fromExisting(name: string, args: AwsSystemArgs & { readonly shape: AwsPlatformShape; readonly kubeconfig: pulumi.Input<string>; readonly awsProvider?: pulumi.ProviderResource }, opts?: pulumi.ComponentResourceOptions): AwsSystemPlatform {
    const { shape, kubeconfig, awsProvider, ...system } = args;
    checkAwsSystemArgs(name, system);
    return AwsSystemPlatform.withKubeconfig(name, system, readAwsPlatformShape("AwsPlatform.fromExisting", name, "shape", shape), kubeconfig, awsProvider, opts);
  }
}

/** ingress-nginx's controller pods, as the chart labels them (the release is named ingress-nginx). */
export const INGRESS_POD_LABELS = { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" } as const;
export const AWS_CERT_MANAGER_NAMESPACE = "cert-manager";
export const AWS_EXTERNAL_SECRETS_NAMESPACE = "external-secrets";
export const AWS_RELOADER_NAMESPACE = "reloader";

/** The EKS add-ons the pack's prerequisites refer to (storage provisioners), as installed facts. */
function addonFacts(version: string, versions: Readonly<Partial<Record<string, string>>>, efs: boolean): InstalledSoftwareFact[] {
  const fact = (name: string, provisioner: string): InstalledSoftwareFact => ({ kind: "eks-addon", name, chart: name, version: versions[name] ?? `(AWS's default for Kubernetes ${version})`, namespace: "kube-system", provides: [`storage provisioner ${provisioner}`] });
  return [fact("aws-ebs-csi-driver", "ebs.csi.aws.com"), ...(efs ? [fact("aws-efs-csi-driver", "efs.csi.aws.com")] : [])];
}

function issuerName(platform: string, staging: boolean): string {
  return `${platform}-letsencrypt${staging ? "-staging" : ""}`;
}
