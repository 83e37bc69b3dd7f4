import { ApiService, RedisStore, RedisStoreArgs, redisConf } from "../../../components";
import { integrityProblems } from "../../helpers/integrity";
import { testPlatform } from "../../helpers/platform";
import { schemaProblems } from "../../helpers/schema";
import { at, synthesize, unwrap } from "../../helpers/synth";

type Obj = Record<string, unknown>;

function store(args: Partial<RedisStoreArgs> = {}) {
  return synthesize(() => {
    const platform = testPlatform();
    const cache = new RedisStore("cache", { platform, persistence: "aof", ...args });
    new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [cache.connection] });
  });
}

const envOf = (s: Awaited<ReturnType<typeof store>>) => unwrap((s.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "api-env")?.inputs as Obj).stringData) as Obj;

describe("RedisStore on Kubernetes", () => {
  it("standalone: one node on a volume, password from a Secret, REDIS_URL secret for the API", async () => {
    const s = await store();
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(s.objects)).toEqual([]);
    const sts = s.object("StatefulSet", "cache");
    expect(at(sts, "spec.replicas")).toBe(1);
    expect(at(sts, "spec.volumeClaimTemplates.0.spec.resources.requests.storage")).toBe("10Gi");
    expect(at(sts, "spec.template.spec.containers.0.env.0")).toEqual({ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "cache-credentials", key: "password" } } });
    expect(at(sts, "spec.template.spec.containers.0.resources")).toEqual({ requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "128Mi" }, limits: { cpu: "500m", memory: "1Gi", "ephemeral-storage": "320Mi" } });
    const conf = String((s.all("ConfigMap").find((c) => (c.data as Obj)?.["redis.conf"])?.data as Obj)["redis.conf"]);
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory 805306368$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(conf).not.toMatch(/^requirepass/m);
    expect(envOf(s).REDIS_URL).toMatch(/^redis:\/\/:[A-Za-z0-9]{32}@cache\.data\.svc\.cluster\.local:6379\/0$/);
  });

  it("replication: the primary Service selects node 0, REDIS_READ_URL all nodes", async () => {
    const s = await store({ mode: "replication", nodes: 3 });
    expect(at(s.object("Service", "cache"), "spec.selector")).toMatchObject({ "statefulset.kubernetes.io/pod-name": "cache-0" });
    expect(at(s.object("Service", "cache-ro"), "spec.selector")).toEqual(at(s.object("StatefulSet", "cache"), "spec.selector.matchLabels"));
    expect(envOf(s).REDIS_READ_URL).toMatch(/@cache-ro\.data\.svc\.cluster\.local:6379\/0$/);
    expect(s.object("PodDisruptionBudget", "cache").spec).toMatchObject({ maxUnavailable: 1 });
  });

  it("sentinel: a sentinel beside each node, a majority quorum, sentinel env for clients", async () => {
    const s = await store({ mode: "sentinel" });
    const sts = s.object("StatefulSet", "cache");
    expect(at(sts, "spec.replicas")).toBe(3);
    expect((at(sts, "spec.template.spec.containers") as Obj[]).map((c) => c.name)).toEqual(["redis", "sentinel", "exporter"]);
    const sentinelEnv = Object.fromEntries((at(sts, "spec.template.spec.containers.1.env") as Obj[]).map((e) => [e.name, e.value]));
    expect(sentinelEnv.QUORUM).toBe("2");
    expect(sentinelEnv.ANNOUNCE_HOST).toBe("$(POD_NAME).cache-headless.data.svc.cluster.local");
    expect(s.all("ConfigMap").find((c) => c.metadata.name.startsWith("api-env"))?.data).toMatchObject({
      REDIS_SENTINEL_MASTER: "keel",
      REDIS_SENTINELS: "cache-0.cache-headless.data.svc.cluster.local:26379,cache-1.cache-headless.data.svc.cluster.local:26379,cache-2.cache-headless.data.svc.cluster.local:26379",
    });
    expect(Object.keys(envOf(s)).sort()).toEqual(["REDIS_PASSWORD", "REDIS_URL"]);
  });

  it("a cache without persistence needs no volume and evicts least recently used keys", async () => {
    const s = await store({ persistence: "none" });
    expect(at(s.object("StatefulSet", "cache"), "spec.volumeClaimTemplates")).toBeUndefined();
    expect(redisConf({ persistence: "none", maxmemoryBytes: 1, evictionPolicy: "allkeys-lru", dataDir: "/data" })).toMatch(/^save ""$/m);
  });
});

describe("RedisStore validation", () => {
  let platform: ReturnType<typeof testPlatform>;
  const message = (args: Partial<RedisStoreArgs>) => {
    platform ??= testPlatform();
    try {
      new RedisStore("cache", { platform, persistence: "rdb", ...args } as RedisStoreArgs);
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  };
  beforeEach(() => (platform = undefined as never));
  it("rejects sentinel with one node", async () => {
    await synthesize(() => {
      expect(message({ mode: "sentinel", nodes: 1 })).toBe('RedisStore "cache": nodes is 1; expected an integer from 3 to 9 in sentinel mode (a sentinel runs beside each node and a failover needs a majority of them)');
    });
  });
  it("asks for persistence explicitly, and for a volume when persisting", async () => {
    await synthesize(() => {
      expect(message({ persistence: undefined })).toMatch(/^RedisStore "cache": persistence is undefined; expected "aof" \(a session store/);
      expect(message({ storage: false })).toBe('RedisStore "cache": storage is false; expected a volume when persistence is "rdb" (files on an emptyDir are lost with the pod); use persistence "none" for a cache');
      expect(message({ maxmemory: "2Gi" })).toBe('RedisStore "cache": maxmemory is "2Gi"; expected less than the memory limit "1Gi" (Redis needs headroom to fork for snapshots)');
      expect(message({ mode: "sentinel", sentinel: { quorum: 1 } })).toBe('RedisStore "cache": sentinel.quorum is 1; expected an integer from 2 to 3 (a majority of the 3 sentinels, so a partition cannot elect two primaries)');
    });
  });
});
