import { ApiService, RedisStore, RedisStoreArgs } from "../../../components";
import { defaultNodeType } from "../../../components/redis-store/resolve";
import { testAwsSystem, platformProdShape, messagesOf } from "../../helpers/aws-system";
import { elasticacheEncryption, elasticacheFailover } from "../../../policies/aws/data-services";
import { violations } from "../../policies/harness";
import { Synthesized, redact, synthesize, unwrap } from "../../helpers/synth";

type Obj = Record<string, any>;
const input = (s: Synthesized, name: string, type: string) => unwrap(s.resource(name, type).inputs) as Obj;
const state = (s: Synthesized, name: string, type: string) => unwrap(s.resource(name, type).state) as Obj;
const ofType = (s: Synthesized, type: string) => s.resources.filter((r) => r.type.endsWith(`:${type}`));

interface Seen {
  url?: string;
  readUrl?: string;
  password?: string;
  env?: Obj;
}

async function store(args: Partial<RedisStoreArgs> = {}, withClient = true) {
  const seen: Seen = {};
  const s = await synthesize(() => {
    const platform = testAwsSystem();
    const cache = new RedisStore("cache", { platform, persistence: "aof", ...args });
    cache.connection.url.apply((u) => (seen.url = u));
    cache.connection.password?.apply((p) => (seen.password = p));
    (cache.connection.env.REDIS_READ_URL as import("@pulumi/pulumi").Output<string> | undefined)?.apply((u) => (seen.readUrl = u));
    seen.env = { keys: Object.keys(cache.connection.env), secretEnv: cache.connection.secretEnv, tls: cache.connection.tls, port: cache.connection.port, statefulSet: cache.kubernetes !== undefined, aws: cache.aws !== undefined };
    if (withClient) new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [cache.connection] });
  });
  return { s, seen };
}

describe("RedisStore on aws: ElastiCache", () => {
  let prod: { s: Synthesized; seen: Seen };
  beforeAll(async () => {
    prod = await store({ mode: "sentinel", nodes: 3, evictionPolicy: "volatile-lru", protect: true });
  });

  it("prod: a replication group of 3 nodes with failover, Multi-AZ, encryption at rest (KMS) and in transit, an auth token, snapshots and logs", () => {
    const { s } = prod;
    const g = input(s, "cache", "ReplicationGroup");
    expect(g).toMatchObject({
      replicationGroupId: "shop-cache",
      engine: "redis",
      engineVersion: "7.1",
      autoMinorVersionUpgrade: true,
      nodeType: "cache.t4g.small",
      port: 6379,
      numCacheClusters: 3,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      kmsKeyId: state(s, "cache-key", "Key").arn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      snapshotRetentionLimit: 7,
      snapshotWindow: "03:00-04:00",
      maintenanceWindow: "sun:05:00-sun:06:00",
      finalSnapshotIdentifier: "shop-cache-final",
      applyImmediately: false,
      subnetGroupName: state(s, "cache-subnets", "SubnetGroup").name,
      parameterGroupName: state(s, "cache-params", "ParameterGroup").name,
      securityGroupIds: [s.resource("cache-sg", "SecurityGroup").id],
    });
    expect(g.tags).toEqual({ "keel.dev/system": "shop", "keel.dev/component": "cache", "keel.dev/platform": "platform-prod", Name: "cache" });
    expect(g.authToken).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(redact(s.resource("cache", "ReplicationGroup").inputs)).toMatchObject({ authToken: "[secret]" });
    expect(g.logDeliveryConfigurations).toEqual([
      { destination: "/aws/elasticache/shop/shop-cache/slow-log", destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" },
      { destination: "/aws/elasticache/shop/shop-cache/engine-log", destinationType: "cloudwatch-logs", logFormat: "json", logType: "engine-log" },
    ]);
    for (const log of ["slow-log", "engine-log"]) expect(input(s, `cache-${log}`, "LogGroup")).toMatchObject({ retentionInDays: 30 });
    // Stateful: the group, its key and the auth token survive a destroy in prod; log groups exist before the group.
    expect(s.options("cache", "ReplicationGroup")).toMatchObject({ protect: true, retainOnDelete: true });
    expect(s.options("cache-key", "Key")).toMatchObject({ protect: true, retainOnDelete: true });
    expect(s.options("cache-auth-token-password", "RandomPassword")).toMatchObject({ protect: true, retainOnDelete: true });
    // The pack's ElastiCache policies pass on what is recorded.
    for (const policy of [elasticacheEncryption, elasticacheFailover]) expect(violations(policy, "aws:elasticache/replicationGroup:ReplicationGroup", g)).toEqual([]);
    expect(s.resource("cache", "ReplicationGroup").dependencies).toEqual(expect.arrayContaining([s.resource("cache-slow-log", "LogGroup").urn, s.resource("cache-engine-log", "LogGroup").urn]));
  });

  it("in the data subnets, admitting the cluster's nodes on 6379 only, with redis.conf's settings in a redis7 parameter group", () => {
    const { s } = prod;
    const shape = platformProdShape();
    expect(input(s, "cache-subnets", "SubnetGroup").subnetIds).toEqual(shape.vpc.dataSubnetIds);
    const sg = input(s, "cache-sg", "SecurityGroup");
    expect(sg.vpcId).toBe(shape.vpc.id);
    expect(sg.ingress).toEqual([{ description: "cache clients", protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: [shape.nodeSecurityGroupId] }]);
    expect(sg.egress).toEqual([]);
    const params = input(s, "cache-params", "ParameterGroup");
    expect(params.family).toBe("redis7");
    expect(params.parameters).toEqual([
      { name: "maxmemory-policy", value: "volatile-lru" },
      { name: "reserved-memory-percent", value: "25" },
      { name: "tcp-keepalive", value: "60" },
      { name: "timeout", value: "0" },
    ]);
    expect(input(s, "cache-key", "Key")).toMatchObject({ enableKeyRotation: true });
    expect(ofType(s, "StatefulSet")).toEqual([]);
  });

  it("the connection: rediss:// URLs to the mock's primary and reader endpoints, TLS, secret env only; no sentinel variables", () => {
    const { s, seen } = prod;
    const group = state(s, "cache", "ReplicationGroup");
    expect(group.primaryEndpointAddress).toMatch(/^master\.shop-cache\.[a-z0-9]+\.euw1\.cache\.amazonaws\.com$/);
    const url = new URL(seen.url!);
    expect(url.protocol).toBe("rediss:");
    expect(url.hostname).toBe(group.primaryEndpointAddress);
    expect(url.port).toBe("6379");
    expect(url.pathname).toBe("/0");
    expect(url.username).toBe("");
    expect(decodeURIComponent(url.password)).toBe(seen.password);
    expect(seen.password).toBe(input(s, "cache", "ReplicationGroup").authToken);
    expect(new URL(seen.readUrl!).hostname).toBe(group.readerEndpointAddress);
    expect(seen.env).toEqual({ keys: ["REDIS_URL", "REDIS_READ_URL"], secretEnv: ["REDIS_URL", "REDIS_READ_URL"], tls: true, port: 6379, statefulSet: false, aws: true });
    // The client's env Secret holds the URLs; no plain env carries them.
    const envSecret = s.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "api-env");
    expect(Object.keys(unwrap((envSecret!.inputs as Obj).stringData) as Obj).sort()).toEqual(["REDIS_READ_URL", "REDIS_URL"]);
    // The client's egress reaches the data subnets (the endpoint's address moves on failover) on 6379 only.
    const egress = (s.object("NetworkPolicy", "api-netpol").spec as Obj).egress as Obj[];
    expect(egress).toContainEqual({ to: platformProdShape().vpc.dataSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ port: 6379, protocol: "TCP" }] });
  });

  it("nothing secret in what is written: the auth token appears nowhere", () => {
    const { s, seen } = prod;
    expect(seen.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(s.written()).not.toContain(seen.password!);
  });

  it("dev-like: one node, no failover, a cache without persistence keeps no snapshots and no final snapshot", async () => {
    const { s, seen } = await store({ persistence: "none", singleNodeReason: "a cache that may restart empty (sessions are elsewhere)" }, false);
    const g = input(s, "cache", "ReplicationGroup");
    expect(g).toMatchObject({ numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false, snapshotRetentionLimit: 0 });
    expect(g.finalSnapshotIdentifier).toBeUndefined();
    expect(input(s, "cache-params", "ParameterGroup").parameters[0]).toEqual({ name: "maxmemory-policy", value: "allkeys-lru" });
    // The reason for one node is the pack's exemption from elasticache-failover, as a tag ElastiCache accepts.
    expect(g.tags["exempt.keel.dev/elasticache-failover"]).toBe("a cache that may restart empty sessions are elsewhere");
    expect(s.options("cache", "ReplicationGroup")).not.toHaveProperty("protect");
    expect(seen.env).toMatchObject({ keys: ["REDIS_URL"], secretEnv: ["REDIS_URL"] });
  });

  it("aws settings: node type, snapshot days, log retention, security groups for pods", async () => {
    const { s } = await store({ mode: "replication", aws: { nodeType: "cache.r7g.large", snapshotRetentionDays: 14, logRetentionDays: 90, clientSecurityGroupIds: ["sg-0123456789abcdef0"] } }, false);
    expect(input(s, "cache", "ReplicationGroup")).toMatchObject({ nodeType: "cache.r7g.large", snapshotRetentionLimit: 14, numCacheClusters: 2 });
    expect(input(s, "cache-slow-log", "LogGroup").retentionInDays).toBe(90);
    expect(input(s, "cache-sg", "SecurityGroup").ingress[0].securityGroups).toEqual(["sg-0123456789abcdef0"]);
  });

  it("the default node type follows maxmemory (75 % of a node's memory usable)", () => {
    const gib = 1024 ** 3;
    expect(defaultNodeType(0.3 * gib)).toBe("cache.t4g.micro");
    expect(defaultNodeType(0.75 * gib)).toBe("cache.t4g.small");
    expect(defaultNodeType(4 * gib)).toBe("cache.m7g.large");
    expect(defaultNodeType(15 * gib)).toBe("cache.r7g.xlarge");
    expect(defaultNodeType(400 * gib)).toBeUndefined();
  });

  it("managed: false keeps the in-cluster StatefulSet on EKS", async () => {
    const { s, seen } = await store({ managed: false }, false);
    expect(s.all("StatefulSet").map((o) => o.metadata.name)).toEqual(["cache"]);
    expect(ofType(s, "ReplicationGroup")).toEqual([]);
    expect(seen.url).toMatch(/^redis:\/\//);
    expect(seen.env).toMatchObject({ statefulSet: true, aws: false });
  });
});

describe("RedisStore on aws: validation", () => {
  // Every case in one run: the messages by case.
  const cases: Record<string, [Partial<RedisStoreArgs>, boolean?]> = {
    sentinel7: [{ mode: "sentinel", nodes: 7 }],
    nodeType: [{ aws: { nodeType: "r7g.large" } }],
    snapshots0: [{ aws: { snapshotRetentionDays: 0 } }],
    snapshots40: [{ aws: { snapshotRetentionDays: 40 } }],
    logs10: [{ aws: { logRetentionDays: 10 } }],
    sgs: [{ aws: { clientSecurityGroupIds: ["default"] } }],
    huge: [{ resources: { limits: { memory: "512Gi" } }, maxmemory: "450Gi" }],
    tooSmall: [{ resources: { limits: { memory: "8Gi" } }, maxmemory: "6Gi", aws: { nodeType: "cache.t4g.medium" } }],
    onKubernetes: [{ aws: { nodeType: "cache.r7g.large" } }, true],
    unmanaged: [{ managed: false, aws: { nodeType: "cache.r7g.large" } }],
    inClusterOnly: [{ persistence: "aof", storage: false, mode: "sentinel", sentinel: { downAfterMilliseconds: 3000 }, image: "redis:7.4.1-alpine", metrics: false }],
  };
  let messages: Record<string, string> = {};
  beforeAll(async () => {
    messages = await messagesOf(cases, (key, platform, args) => new RedisStore(`cache-${key.toLowerCase()}`, { platform, persistence: "rdb", ...args } as RedisStoreArgs));
  });

  it("rejects contradictions with exact messages", () => {
    expect(messages.sentinel7).toBe('RedisStore "cache-sentinel7": nodes is 7; expected an integer from 3 to 6 in sentinel mode (a sentinel runs beside each node and a failover needs a majority of them; ElastiCache: a primary and at most 5 replicas)');
    expect(messages.nodeType).toBe('RedisStore "cache-nodetype": aws.nodeType is "r7g.large"; expected an ElastiCache node type such as "cache.r7g.large" (cache.<family>.<size>)');
    expect(messages.snapshots0).toBe('RedisStore "cache-snapshots0": aws.snapshotRetentionDays is 0; expected at least 1 with persistence "rdb": on ElastiCache snapshots are what survives losing every node (0 keeps none)');
    expect(messages.snapshots40).toBe('RedisStore "cache-snapshots40": aws.snapshotRetentionDays is 40; expected an integer from 0 to 35 (ElastiCache keeps daily snapshots up to 35 days)');
    expect(messages.logs10).toMatch(/^RedisStore "cache-logs10": aws\.logRetentionDays is 10; expected one of CloudWatch's retention periods in days: 1, 3, 5, 7, 14, 30, /);
    expect(messages.sgs).toBe('RedisStore "cache-sgs": aws.clientSecurityGroupIds[0] is "default"; expected a security group id such as "sg-0123456789abcdef0"');
    expect(messages.huge).toBe('RedisStore "cache-huge": maxmemory is "450Gi"; expected at most what keel\'s largest default node type holds (cache.r7g.16xlarge: 419.09 GiB less 25 % reserved), or set aws.nodeType');
  });

  it("rejects a maxmemory the given node type cannot hold", () => {
    expect(messages.tooSmall).toBe('RedisStore "cache-toosmall": maxmemory is "6Gi"; expected at most what aws.nodeType "cache.t4g.medium" holds (3.09 GiB less 25 % reserved), or a larger aws.nodeType');
  });

  it("rejects aws settings where the store runs in the cluster", () => {
    expect(messages.onKubernetes).toBe(
      'RedisStore "cache-onkubernetes": aws is {"nodeType":"cache.r7g.large"}; expected no aws settings: the store runs in the cluster (the kubernetes platform); they configure ElastiCache, which a RedisStore is on the aws platform unless managed: false',
    );
    expect(messages.unmanaged).toBe(
      'RedisStore "cache-unmanaged": aws is {"nodeType":"cache.r7g.large"}; expected no aws settings: the store runs in the cluster (managed: false); they configure ElastiCache, which a RedisStore is on the aws platform unless managed: false',
    );
  });

  it("accepts what only the in-cluster store uses (the same blueprint on both platforms): aof, storage: false, sentinel timings, image, metrics", () => {
    expect(messages.inClusterOnly).toBe("");
  });
});
