/**
 * keel on the aws platform, in one program: a VPC over three zones, an EKS cluster with its
 * add-ons, ingress-nginx, cert-manager and the External Secrets Operator, and one system on it (an
 * API service with its PostgreSQL on RDS, whose credentials reach the pods from Secrets Manager).
 * `keel synth --stack dev` runs it offline; `pulumi up --stack dev` deploys it (see ../README.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, AwsPlatform, PostgresCluster } from "keel";

const config = new pulumi.Config();
const region = new pulumi.Config("aws").require("region");

const aws = new AwsPlatform("shop-dev", {
  region,
  network: { natGateways: "single", flowLogRetentionDays: 30 },
  // A private API endpoint: pulumi and kubectl run inside the VPC. To run them from your network,
  // add cluster: { publicAccessCidrs: ["<your public /24>"] }.
  // What the systems on the cluster request at their highest replica counts.
  nodes: { workloads: { cpu: "2", memory: "4Gi", pods: 20 }, instanceType: "m6i.large", minNodes: 2 },
  ingress: { replicas: 1 },
  certificates: { email: config.require("email") },
});

// The system's namespaces on the cluster: shop, shop-data, shop-storage, shop-monitoring.
const shop = aws.system("shop");
// RDS in the platform's data subnets (managed: false would run it in the cluster instead).
const db = new PostgresCluster("orders-db", { platform: shop, storage: { size: "20Gi" }, aws: { multiAz: false } });

const api = new ApiService("checkout", {
  platform: shop,
  image: config.require("image"),
  port: 3000,
  replicas: 1,
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  probes: { liveness: { path: "/health/live" }, readiness: { path: "/health/ready" } },
  connections: [db.connection],
  ingress: { host: config.require("host") },
});

export const url: pulumi.Output<string> = api.url;
export const nodeGroup: string = aws.nodeGroupSize.reason;
// What other systems' stacks read through AwsPlatform.fromStackReference (kubeconfig is secret).
export const platform = aws.shape;
export const kubeconfig: pulumi.Output<string> = aws.kubeconfig;
