import { ApiService, ApiServiceArgs, KubernetesPlatform, PostgresCluster, RedisStore } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";
import { attemptApiService } from "../../helpers/api-service";

const image = "ghcr.io/shop/api:1.4.2";

const attempt = attemptApiService;

const P = 'ApiService "api": ';

describe("ApiService: Kubernetes syntax", () => {
  it.each<[string, Partial<ApiServiceArgs>, string[]]>([
    ["an image with a newline", { image: "ghcr.io/shop/api:1.4.2\n" }, [`${P}image is "ghcr.io/shop/api:1.4.2\\n"; expected an image reference without spaces, newlines or control characters`]],
    ["an empty tag", { image: "ghcr.io/shop/api:" }, [`${P}image is "ghcr.io/shop/api:"; expected a tag after ':' (an empty tag is not a tag)`]],
    ["an uppercase repository", { image: "ghcr.io/Shop/api:1" }, [`${P}image is "ghcr.io/Shop/api:1"; expected a lowercase repository path (registries refuse uppercase repository names)`]],
    ["version latest", { version: "latest" }, [`${P}version is "latest"; expected a pinned version; "latest" changes under a running workload`]],
    [
      "a host with a port, a path with .. and a duplicate path",
      { ingress: { host: "api.example.com:8443", paths: ["/v1", "/v1/../admin", "/v1/"] } },
      [
        `${P}ingress.host is "api.example.com:8443"; expected a DNS name without a port or scheme (Ingress rules match the name only)`,
        `${P}ingress.paths[1] is "/v1/../admin"; expected no ".." segment`,
        `${P}ingress.paths[2] is "/v1/"; expected a path not already routed by ingress.paths[0] (the same host and path twice)`,
      ],
    ],
    [
      "the same host twice, a regex path under Prefix, a bad class",
      { ingress: { host: "api.example.com", additionalHosts: ["www.example.com", "api.example.com"], paths: ["/api(/|$)"], className: "Nginx_Public" } },
      [
        `${P}ingress.additionalHosts[1] is "api.example.com"; expected a host not already served (ingress.host is the same): the same host and path twice is one route`,
        `${P}ingress.paths[0] is "/api(/|$)"; expected letters, digits and - . _ ~ / only in a Prefix path (regex characters need pathType "ImplementationSpecific")`,
        `${P}ingress.className is "Nginx_Public"; expected an IngressClass name: dot-separated DNS-1123 labels: lowercase letters, digits and '-', each starting and ending with a letter or digit (a DNS-1123 subdomain)`,
      ],
    ],
    [
      "bad label keys and values, and a bad annotation key",
      { labels: { "team name": "shop", cost: "-center-" }, podAnnotations: { "example.com/a/b": "x" } },
      [
        `${P}labels is "team name"; expected [prefix/]name: an optional DNS subdomain prefix (at most 253 characters) and a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
        `${P}labels.cost is "-center-"; expected letters, digits, '-', '_' and '.', starting and ending with a letter or digit (a label value)`,
        `${P}podAnnotations is "example.com/a/b"; expected [prefix/]name: an optional DNS subdomain prefix (at most 253 characters) and a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
      ],
    ],
    ["pod annotations over 256 KiB", { podAnnotations: { note: "x".repeat(300 * 1024) } }, [`${P}podAnnotations is "307204 bytes"; expected at most 262144 bytes (256 KiB) of keys and values together, the API server's limit per object`]],
    ["a scheme on a TCP probe", { probes: { liveness: { tcpPort: 8080, scheme: "HTTPS" } } }, [`${P}probes.liveness.scheme is "HTTPS"; expected none with tcpPort (scheme belongs to an HTTP probe and would be ignored)`, `${P}probes.startup.scheme is "HTTPS"; expected none with tcpPort (scheme belongs to an HTTP probe and would be ignored)`]],
    ["maxUnavailable over 100%", { rollingUpdate: { maxUnavailable: "150%" } }, [`${P}rollingUpdate.maxUnavailable is "150%"; expected a non-negative integer or a percentage from 0% to 100% such as "25%"`]],
  ])("refuses %s before registering anything", async (_case, args, expected) => {
    const { lines, registered } = await attempt(args);
    expect(lines).toEqual(expected);
    expect(registered).toEqual([]);
  });
});

describe("ApiService: duplicates and impossible combinations", () => {
  it.each<[string, Partial<ApiServiceArgs>, string[]]>([
    ["2000 cores", { resources: { requests: { cpu: "2000" } } }, [`${P}resources.requests.cpu is "2000"; expected at most 1000 cores (did you mean millicores, e.g. "500m"?)`]],
    ["2 PiB of memory", { resources: { limits: { memory: "2Pi" } } }, [`${P}resources.limits.memory is "2Pi"; expected at most "1Pi" (more than any node or volume holds)`]],
    ["a request above its limit", { resources: { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } } }, [`${P}resources.requests.memory is "1Gi"; expected at most the limit "512Mi"`]],
    ["a PDB on one replica", { replicas: 1, disruptionBudget: { minAvailable: 1 } }, [`${P}disruptionBudget is {"minAvailable":1}; expected false or no disruptionBudget with fewer than 2 replicas (1): keel creates no PodDisruptionBudget there, since it would block node drains`]],
    ["a PDB that lets every pod go", { replicas: 3, disruptionBudget: { maxUnavailable: 3 } }, [`${P}disruptionBudget.maxUnavailable is 3; expected fewer pods than the 3 replicas (or a percentage below 100%); a budget that lets every pod go protects nothing`]],
    ["the same port twice in a rule", { allowTo: [{ peer: { kind: "cidr", cidr: "10.0.0.0/8" }, ports: [{ port: 443 }, { port: 443, protocol: "TCP" }] }] }, [`${P}allowTo[0].ports[1].port is 443; expected a port not already listed by allowTo[0].ports[0]`]],
  ])("refuses %s", async (_case, args, expected) => {
    const { lines, registered } = await attempt(args);
    expect(lines).toEqual(expected);
    expect(registered).toEqual([]);
  });

  it("refuses files that would make a ConfigMap over 1 MiB, counting every file of the object", async () => {
    const half = "x".repeat(600 * 1024);
    const { lines } = await attempt({ files: { "/etc/app/a.txt": { content: half }, "/etc/app/b.txt": { content: half } } });
    expect(lines).toEqual([
      expect.stringMatching(/^ApiService "api": files is "12288\d\d bytes"; expected at most 1048576 bytes \(1 MiB\) of keys and values together, the API server's limit per ConfigMap; mount large files from an image or a volume$/),
    ]);
    expect((await attempt({ files: { "/etc/app/a.txt": { content: half } } })).lines).toEqual([]);
  });

  it("accepts a PDB with 2 replicas and the default none with 1", async () => {
    expect((await attempt({ replicas: 2, disruptionBudget: { maxUnavailable: 1 } })).lines).toEqual([]);
    expect((await attempt({ replicas: 1, disruptionBudget: false })).lines).toEqual([]);
  });
});

describe("ApiService connections", () => {
  async function connectionError(build: (platform: KubernetesPlatform) => Partial<ApiServiceArgs>): Promise<string[]> {
    let lines: string[] = [];
    await synthesize(() => {
      const platform = testPlatform();
      try {
        new ApiService("api", { platform, image, ...build(platform) });
      } catch (err) {
        lines = (err as Error).message.split("\n");
      }
    });
    return lines;
  }

  it("refuses the same connection twice, naming both", async () => {
    const lines = await connectionError((platform) => {
      const db = new PostgresCluster("db", { platform });
      return { connections: [db.connection, { connection: db.connection, rename: { DATABASE_URL: "OTHER_URL" } }] };
    });
    expect(lines).toEqual([`${P}connections[1] (the connection of "db") is the same connection as connections[0]; expected each connection once (one { connection, rename } can rename all of its variables)`]);
  });

  it("refuses two connections that set the same variable, naming both", async () => {
    const lines = await connectionError((platform) => {
      const a = new PostgresCluster("orders", { platform });
      const b = new PostgresCluster("users", { platform });
      return { connections: [a.connection, b.connection] };
    });
    expect(lines).toEqual([
      `${P}connections[1] (the connection of "users") sets DATABASE_URL, which connections[0] (the connection of "orders") sets too; expected each variable from one connection (rename one with { connection, rename })`,
    ]);
  });

  it("refuses a rename of a variable the connection does not set, or to an invalid name", async () => {
    const lines = await connectionError((platform) => {
      const cache = new RedisStore("cache", { platform, persistence: "none" });
      return { connections: [{ connection: cache.connection, rename: { REDIS_URI: "CACHE_URL", REDIS_URL: "1CACHE" } }] };
    });
    expect(lines).toEqual([
      `${P}connections[0].rename is "REDIS_URI"; expected a variable the connection sets: REDIS_URL`,
      `${P}connections[0].rename.REDIS_URL is "1CACHE"; expected an environment variable name: letters, digits, '_', '-' and '.', not starting with a digit`,
    ]);
  });

  it("refuses a variable set by a connection and by secretEnv, naming both", async () => {
    const lines = await connectionError((platform) => ({ connections: [new RedisStore("cache", { platform, persistence: "none" }).connection], secretEnv: { REDIS_URL: "redis://x" } }));
    expect(lines).toEqual([`${P}secretEnv.REDIS_URL is also set by connections[0] (the connection of "cache"); expected a variable not also set by a connection (rename it with { connection, rename })`]);
  });

  it("refuses a store and a peer on another platform, naming both platforms", async () => {
    const lines = await connectionError(() => {
      const other = new KubernetesPlatform("eu", { system: "eu", namespaces: { data: "eu-data", storage: "eu-storage", monitoring: "eu-monitoring" }, context: "eu-cluster" });
      const db = new PostgresCluster("db", { platform: other });
      const cache = new RedisStore("cache", { platform: other, persistence: "none" });
      return { connections: [db.connection], allowTo: [{ peer: cache }] };
    });
    expect(lines).toEqual([
      `${P}connections[0] ("db") is on platform "eu" (another cluster); expected a peer on platform "shop", where this component runs (its Service names and NetworkPolicies do not reach across platforms)`,
      `${P}allowTo[0].peer ("cache") is on platform "eu" (another cluster); expected a peer on platform "shop", where this component runs (its Service names and NetworkPolicies do not reach across platforms)`,
    ]);
  });

  it("accepts a store on its own platform", async () => {
    expect(await connectionError((platform) => ({ connections: [new PostgresCluster("db", { platform }).connection] }))).toEqual([]);
  });
});
