/**
 * bookworm's eight .NET services (seed 001, namespace bookworm-app): catalog, ordering, basket,
 * rating, chat, finance, notification and the YARP gateway, the only one the ingress controller
 * reaches ("Ingress: External -> Gateway only").
 *
 * Each is an ASP.NET Core container on 8080 (the .NET 8 images' ASPNETCORE_HTTP_PORTS) behind a
 * Service on 80, readiness on `/health/ready` (the seed's health check), rolling updates with
 * maxSurge 1 / maxUnavailable 0, the seed's resources (stacks/bookworm/profiles.ts) and, in prod,
 * 3 replicas or an HPA from 3 on the seed's trigger.
 *
 * Liveness is a TCP check on the port, not `/health/ready`: readiness checks the service's
 * dependencies, and a liveness on it would restart every pod whenever PostgreSQL or RabbitMQ
 * blips. The services push traces and metrics over OTLP (.NET Aspire's service defaults) to the
 * OpenTelemetry Collector, so no `/metrics` port is scraped.
 *
 * The env follows .NET Aspire's conventions, which the services read: `ConnectionStrings__<name>`
 * (Npgsql, StackExchange.Redis, RabbitMQ and Qdrant formats) and `services__<name>__http__0`
 * (service discovery, which YARP's routes resolve).
 *
 * ASP.NET Core's data-protection keys (cookies, antiforgery tokens) default to the user's home,
 * which a read-only root filesystem refuses: the services keep them in memory, per pod. Services
 * whose cookies must survive a restart or move between replicas persist them (e.g. in Redis,
 * `PersistKeysToStackExchangeRedis`): an application setting, not a platform one.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, Connection, EnvValue, IngressArgs, NetworkRule, TelemetryTarget, fromSecretsManager, peers } from "../../components";
import type { EnvironmentName } from "../environments";
import type { SystemPlatform } from "../platform";
import type { BookwormData } from "./data";
import { IDENTITY_PATH, credential } from "./data";
import { BookwormProfile, PROD_RESOURCES, SERVICES, SERVICE_NAMES, ServiceName, devResources } from "./profiles";

/** The data stores a service uses. */
interface Uses {
  readonly database?: boolean;
  readonly cache?: boolean;
  readonly broker?: boolean;
  readonly vectors?: boolean;
  readonly mail?: boolean;
  /** Other services it calls (east-west; the seed's "service-to-service" row). */
  readonly calls?: readonly Exclude<ServiceName, "gateway">[];
}

/**
 * Who uses what (the seed's diagrams: catalog -> PostgreSQL and Qdrant, ordering -> PostgreSQL and
 * RabbitMQ, basket -> Redis; the rest by their role). Calls between services: ordering reads the
 * basket and the catalog's prices at checkout (bookworm's ordering service calls both); every
 * other exchange goes through RabbitMQ.
 */
export const USES: Readonly<Record<ServiceName, Uses>> = {
  catalog: { database: true, vectors: true, broker: true },
  ordering: { database: true, broker: true, calls: ["basket", "catalog"] },
  basket: { cache: true, broker: true },
  rating: { database: true, broker: true },
  chat: { database: true, cache: true },
  finance: { database: true, broker: true },
  notification: { broker: true, mail: true },
  gateway: {},
};

/** Npgsql's pool per pod (its default of 100 would need thousands of server connections at the HPA's ceiling). */
export const DATABASE_POOL = 8;

/** Most pods of a service at once: the HPA's ceiling (or the replicas) plus the rollout's one surge pod. */
export function maxPods(service: ServiceName, profile: BookwormProfile): number {
  const scaled = SERVICES[service].scaling !== undefined && profile.maxReplicas !== undefined;
  return (scaled ? (profile.maxReplicas as number) : profile.replicas) + 1;
}

function secretText(parts: pulumi.Input<string>[]): pulumi.Output<string> {
  return pulumi.secret(pulumi.all(parts).apply((p: string[]) => p.join("")));
}

/**
 * The `ConnectionStrings__*` a service gets for the stores it uses. They hold passwords: secret
 * Outputs where Pulumi knows the password, else (RDS keeps it in Secrets Manager) templates the
 * External Secrets Operator fills in the service's namespace.
 */
function connectionStrings(service: ServiceName, uses: Uses, data: BookwormData): { env: Record<string, EnvValue>; secretEnv: Record<string, pulumi.Output<string>> } {
  const env: Record<string, EnvValue> = {};
  const out: Record<string, pulumi.Output<string>> = {};
  if (uses.database) {
    const db = data.db.connection;
    const name = `ConnectionStrings__${service}db`;
    // Each service keeps its tables in a schema of its own in the shared database; RDS takes TLS only.
    const tail = `;Search Path=${service};Maximum Pool Size=${DATABASE_POOL}${db.tls ? ";SSL Mode=Require" : ""}`;
    if (db.credentials) {
      // Npgsql quotes a value in single quotes, doubling any inside.
      const template = pulumi.interpolate`Host=${db.host};Port=5432;Database=bookworm;Username='{{ .username | replace "'" "''" }}';Password='{{ .password | replace "'" "''" }}'${tail}`;
      env[name] = fromSecretsManager(db.credentials.secretId, { template, ...(db.credentials.kmsKeyArn ? { kmsKeyArn: db.credentials.kmsKeyArn } : {}) });
    } else {
      out[name] = secretText(["Host=", db.host, ";Port=5432;Database=bookworm;Username=", credential(db, "username") as pulumi.Input<string>, ";Password=", credential(db, "password") as pulumi.Input<string>, tail]);
    }
  }
  if (uses.cache) {
    const redis = data.cache.connection;
    const sentinels = redis.env.REDIS_SENTINELS as pulumi.Input<string> | undefined;
    const ssl = redis.tls ? ",ssl=true" : "";
    out.ConnectionStrings__redis = sentinels
      ? secretText([sentinels, ",serviceName=", redis.env.REDIS_SENTINEL_MASTER as pulumi.Input<string>, ",password=", credential(redis, "password") as pulumi.Input<string>, `,abortConnect=false${ssl}`])
      : secretText([redis.host, `:${redis.port},password=`, credential(redis, "password") as pulumi.Input<string>, `,abortConnect=false${ssl}`]);
  }
  if (uses.broker) out.ConnectionStrings__messaging = pulumi.secret(data.broker.connection.url);
  if (uses.vectors) out.ConnectionStrings__qdrant = secretText(["Endpoint=http://", data.vectors.host, ":6334;Key=", data.vectorsApiKey]);
  return { env, secretEnv: out };
}

/** The network access and nothing else: the env comes from connectionStrings (renamed away here). */
function quiet(connection: Connection) {
  return { connection, rename: Object.fromEntries(Object.keys(connection.env).map((k) => [k, false as const])) };
}

export interface ServiceTierOptions {
  readonly platform: SystemPlatform;
  readonly environment: EnvironmentName;
  readonly profile: BookwormProfile;
  readonly imageRepository: string;
  readonly version: string;
  readonly host: string;
  readonly data: BookwormData;
  readonly telemetry?: TelemetryTarget;
  /** Prod's mail relay (outside the cluster): the Secret holding its connection string. */
  readonly mailRelaySecret?: string;
}

export function bookwormServices(o: ServiceTierOptions): Record<ServiceName, ApiService> {
  const { data, profile } = o;
  const prod = o.environment === "prod";
  /** A service's in-cluster URL (ApiService's `url`), known before the service exists. */
  const urlOf = (service: ServiceName) => pulumi.interpolate`http://bookworm-${service}.${o.platform.kubernetes.namespaces.app}.svc.cluster.local:80`;
  const make = (service: ServiceName, extra: { env?: Record<string, pulumi.Input<string>>; allowTo?: NetworkRule[]; ingress?: IngressArgs } = {}): ApiService => {
    const p = SERVICES[service];
    const uses = USES[service];
    const trigger = p.scaling;
    const scaled = prod && trigger !== undefined && profile.maxReplicas !== undefined;
    const stores: Connection[] = [];
    if (uses.database) stores.push(data.db.connection);
    if (uses.cache) stores.push(data.cache.connection);
    if (uses.broker) stores.push(data.broker.connection);
    if (uses.vectors) stores.push(data.vectors.connection);
    if (uses.mail && data.mail) stores.push(data.mail.connection);
    const strings = connectionStrings(service, uses, data);
    return new ApiService(`bookworm-${service}`, {
      platform: o.platform,
      image: `${o.imageRepository}/${service}:${o.version}`,
      component: service,
      port: 8080,
      servicePort: 80,
      resources: prod ? PROD_RESOURCES : devResources(p),
      ...(scaled
        ? { autoscaling: { minReplicas: profile.replicas, maxReplicas: profile.maxReplicas as number, cpuUtilization: trigger.cpuUtilization, memoryUtilization: trigger.memoryUtilization, customMetrics: trigger.customMetrics } }
        : { replicas: profile.replicas }),
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      probes: { liveness: { tcpPort: 8080, periodSeconds: 10 }, readiness: { path: "/health/ready", periodSeconds: 5 } },
      metrics: false,
      // The .NET images' own non-root user (APP_UID): it has a home in /etc/passwd.
      security: { runAsUser: 1654, runAsGroup: 1654, fsGroup: 1654 },
      env: {
        ASPNETCORE_ENVIRONMENT: prod ? "Production" : "Development",
        // Keycloak: tokens name the public issuer; keys and token calls go to the internal URL.
        Identity__Authority: `https://${o.host}${IDENTITY_PATH}/realms/bookworm`,
        // One name in every environment (one image runs in both): Mailpit in dev, the team's relay in prod.
        ...(uses.mail && data.mail ? { ConnectionStrings__mail: pulumi.interpolate`Endpoint=smtp://${data.mail.host}:1025` } : {}),
        ...Object.fromEntries((uses.calls ?? []).map((callee) => [`services__${callee}__http__0`, urlOf(callee)])),
        ...(uses.mail && !data.mail && o.mailRelaySecret ? { ConnectionStrings__mail: { secretKeyRef: { name: o.mailRelaySecret, key: "connection-string" } } } : {}),
        ...extra.env,
        ...strings.env,
      },
      secretEnv: strings.secretEnv,
      // Keycloak's internal URL under the service-discovery name the services resolve it by.
      connections: [{ connection: data.identity.connection, rename: { KEYCLOAK_URL: "services__keycloak__http__0" } }, ...stores.map(quiet)],
      telemetry: o.telemetry,
      allowTo: extra.allowTo,
      ingress: extra.ingress,
    });
  };

  const backends = Object.fromEntries(
    SERVICE_NAMES.filter((s) => s !== "gateway").map((s) => [s, make(s, s === "notification" && prod ? { allowTo: [{ peer: peers.internet(), ports: [{ port: 587 }] }] } : {})]),
  ) as Record<Exclude<ServiceName, "gateway">, ApiService>;
  // YARP routes by service discovery: one entry per backend. Keycloak's login pages are served
  // through the gateway under /identity (its connection is every service's).
  const gateway = make("gateway", {
    env: Object.fromEntries(Object.entries(backends).map(([name, svc]) => [`services__${name}__http__0`, svc.url])),
    ingress: { host: o.host, rateLimit: { requestsPerSecond: 50, connections: 100 }, maxBodySize: "10m" },
  });
  for (const svc of Object.values(backends)) svc.allowFrom(gateway);
  for (const [caller, svc] of Object.entries(backends)) for (const callee of USES[caller as ServiceName].calls ?? []) backends[callee].allowFrom(svc);
  return { ...backends, gateway };
}
