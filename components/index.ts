/**
 * keel's public API: platform building blocks for Pulumi.
 *
 * ```ts
 * import { KubernetesPlatform, ApiService } from "keel";
 * const platform = new KubernetesPlatform("shop", { system: "shop" });
 * new ApiService("api", { platform, image: "ghcr.io/acme/api:1.2.3" });
 * ```
 */
export * from "./core";
export * from "./platform";
export * from "./workload";
export * from "./api-service";
export * from "./observability-stack";
export * from "./postgres-cluster";
export * from "./redis-store";
export * from "./seaweed-storage";
export * from "./kafka-cluster";
export * from "./rabbitmq-cluster";
export * from "./stateful-service";
export * from "./docker-daemon";
// The IAM statement shapes connections carry (`Connection.awsAccess`) and what a workload asks of AWS.
export type { PolicyDocument, PolicyStatement } from "./aws/iam";
export type { WorkloadAwsNeeds } from "./aws/workload-access";
