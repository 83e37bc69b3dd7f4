/** Valid, rich args for every component: the starting points of the bad-input probe. */
import { ApiService, AwsPlatform, KafkaCluster, KubernetesPlatform, ObservabilityStack, PostgresCluster, RedisStore, SeaweedStorage, StatefulService, peers } from "../../../components";
import type { Platform } from "../../../components";
import type { Args, ProbeTarget } from "./bad-input";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Ctor = new (name: string, args: any) => unknown;
const make = (ctor: Ctor) => (name: string, args: Args) => new ctor(name, args);

export const PROBE_TARGETS: readonly ProbeTarget[] = [
  {
    component: "KubernetesPlatform",
    base: () => ({
      system: "shop",
      namespaces: { app: "shop-app", data: "shop-data" },
      cluster: { distribution: "kind", networkPolicyEnforced: true, storageClasses: ["standard"], podCidrs: ["10.244.0.0/16"] },
      createIssuer: { type: "self-signed-ca" },
    }),
    make: make(KubernetesPlatform),
  },
  {
    component: "ApiService",
    base: (platform: Platform) => ({
      platform,
      image: "ghcr.io/acme/checkout:3.1.0",
      port: 3000,
      command: ["/app/server"],
      args: ["--listen", "0.0.0.0:3000"],
      resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2", memory: "2Gi" } },
      autoscaling: { minReplicas: 3, maxReplicas: 10, cpuUtilization: 70, scaleDown: { pods: 1, periodSeconds: 300 } },
      probes: { liveness: { path: "/health/live" }, readiness: { path: "/health/ready", periodSeconds: 5 } },
      env: { LOG_LEVEL: "info" },
      files: { "/etc/app/app.toml": { content: "a = 1" } },
      ingress: { host: "checkout.example.com", rateLimit: { requestsPerSecond: 20 }, maxBodySize: "10m" },
      metrics: { port: 9100 },
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      allowTo: [{ peer: peers.internet(), ports: [{ port: 443 }] }],
      serviceAccount: { annotations: { "example.com/role": "checkout" } },
    }),
    make: make(ApiService),
  },
  {
    component: "PostgresCluster",
    base: (platform: Platform) => ({
      platform,
      database: "orders",
      username: "orders",
      replicas: 1,
      storage: { size: "10Gi" },
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
      maxConnections: 100,
      parameters: { work_mem: "8MB" },
    }),
    make: make(PostgresCluster),
  },
  {
    component: "RedisStore",
    base: (platform: Platform) => ({ platform, persistence: "aof", evictionPolicy: "volatile-lru", storage: { size: "2Gi" }, singleNodeReason: "a cache that may be lost on restart" }),
    make: make(RedisStore),
  },
  {
    component: "SeaweedStorage",
    base: (platform: Platform) => ({ platform, buckets: ["uploads", "backups"] }),
    make: make(SeaweedStorage),
  },
  {
    component: "KafkaCluster",
    base: (platform: Platform) => ({ platform, brokers: 3, topics: [{ name: "orders", partitions: 6, config: { "retention.ms": 604800000 } }] }),
    make: make(KafkaCluster),
  },
  {
    component: "StatefulService",
    base: (platform: Platform) => ({
      platform,
      image: "rabbitmq:3.13.7-management-alpine",
      ports: [{ name: "amqp", port: 5672 }, { name: "http", port: 15672 }],
      volumes: [{ name: "data", mountPath: "/var/lib/rabbitmq", size: "8Gi" }],
      security: { runAsUser: 100, runAsGroup: 101, fsGroup: 101 },
      clientEnv: { RABBITMQ_URL: "amqp://{host}:{port}" },
    }),
    make: make(StatefulService),
  },
  {
    component: "ObservabilityStack",
    base: (platform: Platform) => ({
      platform,
      prometheus: { replicas: 2, retention: "15d", storage: "50Gi" },
      alertmanager: { replicas: 2, slack: { webhookUrl: "https://hooks.slack.com/services/T0/B0/x", channel: "#alerts" } },
      loki: { retention: "720h" },
      tempo: { retention: "168h" },
    }),
    make: make(ObservabilityStack),
  },
];

/** The aws platform (a whole VPC and EKS per attempt: slow, so its own suite, bad-input-aws.test.ts, in npm run test:cli). */
export const AWS_PROBE_TARGETS: readonly ProbeTarget[] = [
  {
    component: "AwsPlatform",
    base: () => ({
      region: "eu-west-1",
      tags: { team: "platform" },
      network: { cidr: "10.20.0.0/16", natGateways: "single", flowLogRetentionDays: 30, endpoints: true },
      cluster: { version: "1.34", publicAccessCidrs: ["198.32.0.0/24"], logRetentionDays: 90, adminRoleArns: ["arn:aws:iam::123456789012:role/platform-admins"], addonVersions: { "vpc-cni": "v1.20.4-eksbuild.1" } },
      nodes: { workloads: { cpu: "6", memory: "12Gi", pods: 40 }, instanceType: "m6i.xlarge", capacityType: "ON_DEMAND", diskSizeGiB: 50, headroom: 0.3, minNodes: 3, maxNodes: 12 },
      storage: { storageClass: "gp3", gp3StorageClasses: [{ name: "fast-ssd", iops: 6000 }], efs: true },
      ingress: { className: "nginx", namespace: "ingress-nginx", replicas: 2 },
      certificates: { email: "ops@example.com", staging: false },
      metricsAdapter: { prometheusUrl: "http://shop-obs-prometheus.shop-monitoring.svc:9090" },
      externalDns: { domainFilters: ["example.com"], zoneIds: ["Z0123456789ABCDEFGHIJ"] },
      charts: { "cert-manager": "v1.21.2" },
      kubeconfigAuth: { profile: "platform" },
      protect: true,
    }),
    make: make(AwsPlatform),
  },
];
