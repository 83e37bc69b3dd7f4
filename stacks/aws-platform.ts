/**
 * The platform blueprint (`keel:blueprint: platform`): one aws platform (VPC, EKS, the software
 * keel's stacks need) that the systems of an environment attach to. The environment profile sets
 * NAT gateways, the node group's floor and spare room and log retention; `keel:awsPlatform` says
 * the rest (what the systems request in total, who gets certificates' notices, which networks
 * reach the API endpoint). Its outputs `platform` and `kubeconfig` are what systems read.
 */
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
  const platform = new AwsPlatform(pulumi.getStack(), {
    ...settings,
    region,
    network: { ...env.aws.network, ...settings.network },
    cluster: { logRetentionDays: env.aws.logRetentionDays, ...settings.cluster },
    nodes: { ...env.aws.nodes, ...settings.nodes },
    ingress: { replicas: env.aws.ingressReplicas, ...settings.ingress },
    protect: env.protect,
  });
  return { platform: platform.shape, kubeconfig: platform.kubeconfig, nodeGroup: platform.nodeGroupSize.reason };
}
