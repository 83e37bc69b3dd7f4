/**
 * A small consumer of keel on an existing Kubernetes cluster: one API service with a
 * PostgreSQL database, a Redis cache and the observability stack. `keel synth --stack dev`
 * runs it offline; `pulumi up --stack dev` deploys it (see ../README.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, Connection, KubernetesPlatform, ObservabilityStack, PostgresCluster, RedisStore, peers } from "keel";

const config = new pulumi.Config();
const keelConfig = new pulumi.Config("keel");
const environment = keelConfig.require("environment");

// keel creates the namespaces "shop-apps", "shop-data", "shop-monitoring" and "shop-storage" (the
// tiers named here) and "shop-node-logs" (the node-log collector's, privileged); it never adopts
// an existing namespace, so they are named per system on a shared cluster.
const platform = new KubernetesPlatform("shop", {
  system: "shop",
  namespaces: { app: "shop-apps", data: "shop-data", monitoring: "shop-monitoring", storage: "shop-storage" },
  cluster: { distribution: "kind" },
  createIssuer: { type: "self-signed-ca" },
});

const obs = new ObservabilityStack("obs", {
  platform,
  prometheus: { replicas: 1, retention: "2d", storage: "5Gi" },
  alertmanager: { replicas: 1, noReceiverReason: "example stack: alerts are read in Alertmanager's UI" },
  loki: { retention: "72h" },
});

const db = new PostgresCluster("orders-db", { platform, storage: { size: "5Gi" } });
const cache = new RedisStore("sessions", { platform, persistence: "aof" });
const stores: Connection[] = [db.connection, cache.connection];

const api = new ApiService("checkout", {
  platform,
  image: config.require("image"), // your service's image: the stack file's is a placeholder
  port: 3000,
  replicas: environment === "prod" ? 3 : 1,
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  probes: { liveness: { path: "/health/live" }, readiness: { path: "/health/ready" } },
  secretEnv: { STRIPE_KEY: config.requireSecret("stripeKey") },
  connections: stores,
  telemetry: obs.telemetry,
  ingress: { host: config.require("host") },
  allowTo: [{ peer: peers.internet(), ports: [{ port: 443 }] }],
});

export const url: pulumi.Output<string> = api.url;
export const databaseHost: pulumi.Output<string> = db.connection.host;
