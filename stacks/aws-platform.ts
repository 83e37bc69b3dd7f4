/**
 * The platform blueprint (`keel:blueprint: platform`): one aws platform (VPC, EKS, the software
 * keel's stacks need) that the systems of an environment attach to. The environment profile sets
 * NAT gateways, the node group's floor and spare room and log retention; `keel:awsPlatform` says
 * the rest (what the systems request in total, who gets certificates' notices, which networks
 * reach the API endpoint). Its outputs `platform` and `kubeconfig` are what systems read.
 */
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import * as pulumi from "@pulumi/pulumi";
import { AwsPlatform, AwsPlatformArgs, AwsPlatformShape } from "../components";
import { StackConfig, StackConfigError } from "./config";

export interface AwsPlatformOutputs {
  /** What systems attach with (AwsPlatform.fromStackReference reads it). */
  readonly platform: AwsPlatformShape;
  /** The cluster's kubeconfig (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** The node group's size, and why. */
  readonly nodeGroup: string;
}

export function awsPlatform(stack: StackConfig): AwsPlatformOutputs {
  const settings = stack.config.requireObject<Omit<AwsPlatformArgs, "region" | "provider" | "protect">>("awsPlatform");
  const region = new pulumi.Config("aws").get("region");
  if (region === undefined) throw new StackConfigError("aws:region", undefined, "expected the platform's region: pulumi config set aws:region eu-west-1");
  const env = stack.environment;
  // The stack's other aws: settings (profile, assumed roles, allowed accounts) reach the platform's
  // provider and the kubeconfig's `aws eks get-token`: a provider made in code reads none of them.
  const awsSettings = stackAwsSettings();
  const roleArn = firstRoleArn(awsSettings);
  const credentials = Object.keys(awsSettings).length > 0;
  const platform = new AwsPlatform(pulumi.getStack(), {
    ...settings,
    region,
    ...(credentials ? { provider: new AwsProvider("aws", { ...awsSettings, region }) } : {}),
    ...(typeof awsSettings.profile === "string" || roleArn ? { kubeconfigAuth: { ...(typeof awsSettings.profile === "string" ? { profile: awsSettings.profile } : {}), ...(roleArn ? { roleArn } : {}) } } : {}),
    network: { ...env.aws.network, ...settings.network },
    cluster: { logRetentionDays: env.aws.logRetentionDays, ...settings.cluster },
    nodes: { ...env.aws.nodes, ...settings.nodes },
    ingress: { replicas: env.aws.ingressReplicas, ...settings.ingress },
    protect: env.protect,
  });
  return { platform: platform.shape, kubeconfig: platform.kubeconfig, nodeGroup: platform.nodeGroupSize.reason };
}

/** The stack's `aws:` config besides the region, as the aws provider's arguments (values given as YAML objects arrive as JSON). */
function stackAwsSettings(): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(pulumi.runtime.allConfig())) {
    if (!key.startsWith("aws:") || key === "aws:region") continue;
    let value: unknown = raw;
    try {
      value = /^\s*[[{]|^(true|false|\d+)$/.test(raw) ? JSON.parse(raw) : raw;
    } catch {
      value = raw;
    }
    const name = key.slice("aws:".length);
    // Static credentials stay secret in the provider's state.
    settings[name] = ["accessKey", "secretKey", "token"].includes(name) ? pulumi.secret(value) : value;
  }
  return settings;
}

/** The role the provider assumes first (`aws:assumeRoles` or `aws:assumeRole`), for the kubeconfig. */
function firstRoleArn(settings: Record<string, unknown>): string | undefined {
  const roles = Array.isArray(settings.assumeRoles) ? settings.assumeRoles : settings.assumeRole !== undefined ? [settings.assumeRole] : [];
  const arn = (roles[0] as { roleArn?: unknown } | undefined)?.roleArn;
  return typeof arn === "string" ? arn : undefined;
}
