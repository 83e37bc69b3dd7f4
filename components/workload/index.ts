export * from "./config-objects";
export * from "./disruption";
export * from "./network-access";
export * from "./workload";
export * from "./ingress";
export * from "./job";
export * from "./data-store";
export * from "./tls";
