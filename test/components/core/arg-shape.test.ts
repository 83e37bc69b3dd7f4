import * as pulumi from "@pulumi/pulumi";
import * as components from "../../../components";
import { ApiService, KafkaCluster, ObservabilityStack, PostgresCluster, RabbitMqCluster, RedisStore, SeaweedStorage, StatefulService, peers } from "../../../components";
import { Shape, ShapeChecker, checkArgShape, closest, editDistance } from "../../../components/core/arg-shape";
import { ARG_SHAPES, COMPONENT_ARGS } from "../../../components/core/arg-shapes.generated";
import { KeelValidationError, Validator } from "../../../components/core/errors";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

/** The problem lines of checking `args` against the named shape. */
function problems(shapeName: string, args: unknown): string[] {
  const v = new Validator("C", "c");
  checkArgShape(v, shapeName, args);
  try {
    v.throwIfInvalid();
    return [];
  } catch (e) {
    return [...(e as KeelValidationError).problems];
  }
}

/** Problems of a value against a hand-made shape. */
function against(shape: Shape, value: unknown, shapes: Record<string, Shape> = {}): string[] {
  const out: string[] = [];
  new ShapeChecker(shapes).check(value, shape, "x", out);
  return out;
}

const platformLike = { kind: "kubernetes", name: "p", kubernetes: {} };

describe("edit distance and did-you-mean", () => {
  it("counts insertions, deletions, substitutions and transpositions", () => {
    expect(editDistance("replicas", "replicas")).toBe(0);
    expect(editDistance("replicsa", "replicas")).toBe(1);
    expect(editDistance("enviroment", "environment")).toBe(1);
    expect(editDistance("port", "ports")).toBe(1);
    expect(editDistance("abc", "xyz")).toBe(3);
  });

  it("suggests only a close key, case ignored", () => {
    expect(closest("Replicas", ["replicas", "image"])).toBe("replicas");
    expect(closest("imgae", ["replicas", "image"])).toBe("image");
    expect(closest("storage", ["replicas", "image"])).toBeUndefined();
    // Short keys: one edit at most, so "id" does not become "ip" by accident of length.
    expect(closest("id", ["ip"])).toBeUndefined();
  });
});

describe("shapes by category (hand-made shapes)", () => {
  const obj: Shape = { o: { name: "s", size: "n", on: "b", tags: { a: "s" }, env: { r: "s" }, mode: { e: ["a", "b"] } }, q: ["name"] };

  it("unknown key at the top, with and without did-you-mean", () => {
    expect(against(obj, { name: "n", sise: 1 })).toEqual(['x.sise is an unknown key; expected one of name, size, on, tags, env, mode (did you mean "size"?)']);
    expect(against(obj, { name: "n", colour: 1 })).toEqual(["x.colour is an unknown key; expected one of name, size, on, tags, env, mode"]);
  });

  it("required missing, wrong primitive type, enum, list expected", () => {
    expect(against(obj, {})).toEqual(["x.name is undefined; expected a string (required)"]);
    expect(against(obj, { name: 3, size: "3", on: "yes", mode: "c", tags: "t" })).toEqual([
      "x.name is 3; expected a string",
      'x.size is "3"; expected a number',
      'x.on is "yes"; expected true or false',
      'x.mode is "c"; expected one of "a", "b"',
      'x.tags is "t"; expected a list',
    ]);
    expect(against(obj, { name: "n", size: NaN })).toEqual(["x.size is NaN; expected a number"]);
    expect(against(obj, { name: null })).toEqual(["x.name is null; expected a string"]);
  });

  it("inside lists and records: paths with [i] and .key (or [\"key\"])", () => {
    expect(against(obj, { name: "n", tags: ["a", 1, undefined], env: { FOO: 1, "a.b/c": true } })).toEqual([
      "x.tags[1] is 1; expected a string",
      "x.tags[2] is undefined; expected a string",
      "x.env.FOO is 1; expected a string",
      'x.env["a.b/c"] is true; expected a string',
    ]);
  });

  it("an object expected: a list, a string or an Output is not one", () => {
    expect(against(obj, [])).toEqual(["x is []; expected an object"]);
    expect(against(obj, "name")).toEqual(['x is "name"; expected an object']);
    expect(against(obj, pulumi.output({ name: "n" }))).toEqual(["x is an Output; expected an object (a plain value: keel reads it before deploying)"]);
  });

  it("Outputs and Promises pass where the type takes them, and are not inspected", () => {
    const input: Shape = { u: ["s", "o"] };
    expect(against(input, pulumi.output(42))).toEqual([]);
    expect(against(input, Promise.resolve(42))).toEqual([]);
    expect(against(input, 42)).toEqual(["x is 42; expected a string or an Output"]);
    expect(against("n", pulumi.output(1))).toEqual(["x is an Output; expected a number"]);
  });

  it("opaque class instances: any object passes, a primitive does not", () => {
    expect(against({ c: "Resource" }, new (class Foo {})())).toEqual([]);
    expect(against({ c: "Resource" }, "r")).toEqual(['x is "r"; expected a Resource']);
  });

  it("a contract (open) takes class instances and richer objects; elsewhere only plain objects without extra keys", () => {
    class Impl {
      readonly name = "n";
      readonly extra = 1;
    }
    const contract: Shape = { o: { name: "s" }, q: ["name"], open: 1 };
    expect(against(contract, new Impl())).toEqual([]);
    expect(against(contract, { name: "n", extra: 1 })).toEqual([]);
    expect(against(contract, { extra: 1 })).toEqual(["x.name is undefined; expected a string (required)"]);
    // Fields behind getters are read and checked; a getter that throws is a field message.
    class Getter {
      get name(): unknown {
        return 3;
      }
    }
    class Throws {
      get name(): string {
        throw new Error("not ready");
      }
    }
    expect(against(contract, new Getter())).toEqual(["x.name is 3; expected a string"]);
    expect(against(contract, new Throws())).toEqual(["x.name cannot be read (not ready); expected a string"]);
    expect(against(obj, new Impl())).toEqual(["x is an Impl; expected an object"]);
    expect(against(obj, { name: "n", extra: 1 })).toEqual(["x.extra is an unknown key; expected one of name, size, on, tags, env, mode"]);
    expect(against(obj, { name: "n", env: new Map([["FOO", "1"]]) })).toEqual(["x.env is a Map; expected an object"]);
    // A sparse list: the hole is a missing element.
    expect(against(obj, { name: "n", tags: [, "a"] })).toEqual(["x.tags[0] is undefined; expected a string"]);
  });

  it("unions: a discriminator picks the member, else the member whose keys the value has", () => {
    const shapes: Record<string, Shape> = {
      A: { o: { kind: { e: ["a"] }, a: "s" }, q: ["kind", "a"] },
      B: { o: { kind: { e: ["b"] }, b: "n" }, q: ["kind"] },
      E: { o: { peer: "s", ports: { a: "n" } }, q: ["peer", "ports"] },
    };
    const u: Shape = { u: ["#A", "#B", "#E", { e: [false] }] };
    expect(against(u, { kind: "b", b: "1" }, shapes)).toEqual(['x.b is "1"; expected a number']);
    expect(against(u, { kind: "c" }, shapes)).toEqual(['x.kind is "c"; expected one of "a", "b"']);
    expect(against(u, { peer: "p" }, shapes)).toEqual(["x.ports is undefined; expected a list (required)"]);
    expect(against(u, {}, shapes)).toEqual(["x is {}; expected an A, a B, an E or false"]);
    expect(against(u, true, shapes)).toEqual(["x is true; expected an A, a B, an E or false"]);
    expect(against(u, false, shapes)).toEqual([]);
  });

  it("a key that belongs one level down is named there", () => {
    const shapes: Record<string, Shape> = { Rate: { o: { requestsPerSecond: "n" } } };
    expect(against({ o: { host: "s", rateLimit: "#Rate" } }, { host: "h", requestsPerSecond: 3 }, shapes)).toEqual([
      'x.requestsPerSecond is an unknown key; expected one of host, rateLimit (did you mean "rateLimit.requestsPerSecond"?)',
    ]);
  });
});

describe("generated shapes of the component args", () => {
  it("cover every component class keel exports, by its constructor's args type", () => {
    const classes = Object.entries(components).filter(([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof pulumi.ComponentResource).map(([k]) => k);
    expect(Object.keys(COMPONENT_ARGS).sort()).toEqual(classes.filter((c) => c !== "DataStoreComponent").sort());
    expect(COMPONENT_ARGS.ApiService).toBe("ApiServiceArgs");
    for (const shape of Object.values(COMPONENT_ARGS)) expect(ARG_SHAPES[shape]).toBeDefined();
  });

  it("unknown keys at every level of ApiServiceArgs, with the path and a suggestion", () => {
    expect(
      problems("ApiServiceArgs", {
        platform: platformLike,
        image: "a/b:1",
        replicsa: 3,
        ingress: { host: "h", rateLimit: { requestPerSecond: 20 } },
        allowTo: [{ peer: { kind: "cidr", cidr: "1.2.3.4/32", exept: [] } }],
        env: { FOO: { secretKeyRef: { name: "s", key: "k", namespace: "n" } } },
      }).filter((p) => !p.startsWith("platform.kubernetes.")),
    ).toEqual([
      expect.stringMatching(/^replicsa is an unknown key; expected one of platform, image, .*\(did you mean "replicas"\?\)$/),
      'ingress.rateLimit.requestPerSecond is an unknown key; expected one of requestsPerSecond, connections, burstMultiplier (did you mean "requestsPerSecond"?)',
      'allowTo[0].peer.exept is an unknown key; expected one of kind, cidr, except (did you mean "except"?)',
      "env.FOO.secretKeyRef.namespace is an unknown key; expected one of name, key",
    ]);
  });

  it("the TypeErrors of the issue become field messages", () => {
    const base = { platform: platformLike, image: "a/b:1" };
    const lines = (extra: Record<string, unknown>) => problems("ApiServiceArgs", { ...base, ...extra }).filter((p) => !p.startsWith("platform."));
    expect(lines({ allowTo: [{ ports: [{ port: 443 }] }] })).toEqual(["allowTo[0].peer is undefined; expected a WorkloadPeer, a NamespacePeer, a CidrPeer, a ManagedServicePeer or a NetworkEndpoint (required)"]);
    expect(lines({ command: "node server.js" })).toEqual(['command is "node server.js"; expected a list']);
    expect(lines({ env: { PORT: 8080 } })).toEqual(["env.PORT is 8080; expected a string, { secretKeyRef }, { configMapKeyRef }, { fieldPath }, { secretsManager } or an Output"]);
    expect(lines({ serviceAccount: { automountToken: true, tokenReason: 42 } })).toEqual(["serviceAccount.tokenReason is 42; expected a string"]);
    expect(problems("KafkaClusterArgs", { platform: platformLike, topics: "orders" }).filter((p) => !p.startsWith("platform."))).toEqual(['topics is "orders"; expected a list']);
    // A hand-made platform: its missing fields, not a TypeError deep inside.
    expect(problems("ApiServiceArgs", { platform: { kind: "kubernetes" }, image: "a/b:1" })).toEqual([
      "platform.name is undefined; expected a string (required)",
      "platform.kubernetes is undefined; expected an object (required)",
    ]);
    expect(problems("ApiServiceArgs", { platform: { kind: "gcp" }, image: "a/b:1" })).toEqual(['platform.kind is "gcp"; expected one of "kubernetes", "aws", "docker"']);
  });

  it("args that are not an object", () => {
    expect(problems("ApiServiceArgs", undefined)).toEqual(["args is undefined; expected an object with platform"]);
    expect(problems("ApiServiceArgs", "api")).toEqual(['args is "api"; expected an object with platform']);
    expect(problems("RedisStoreArgs", [])).toEqual(["args is []; expected an object with platform and persistence"]);
  });
});

/** Each component, given an unknown key under mocks: the message, and nothing of it registered. */
describe("every component checks its args' shape before registering anything", () => {
  const cases: [string, (p: ReturnType<typeof testPlatform>) => unknown, string][] = [
    ["KubernetesPlatform", () => testPlatform({ namespace: { app: "x" } } as never), 'KubernetesPlatform "shop": namespace is an unknown key; expected one of system, '],
    ["ApiService", (platform) => new ApiService("bad", { platform, image: "a/b:1", ingres: { host: "h" } } as never), 'ApiService "bad": ingres is an unknown key; expected one of platform, '],
    ["ObservabilityStack", (platform) => new ObservabilityStack("bad", { platform, grafana: { replica: 2 } } as never), 'ObservabilityStack "bad": grafana.replica is an unknown key; expected one of '],
    ["PostgresCluster", (platform) => new PostgresCluster("bad", { platform, replica: 1 } as never), 'PostgresCluster "bad": replica is an unknown key; expected one of platform, '],
    ["RedisStore", (platform) => new RedisStore("bad", { platform, persistence: "aof", maxMemory: "1Gi" } as never), 'RedisStore "bad": maxMemory is an unknown key; expected one of platform, '],
    ["SeaweedStorage", (platform) => new SeaweedStorage("bad", { platform, bucket: ["b"] } as never), 'SeaweedStorage "bad": bucket is an unknown key; expected one of platform, '],
    ["KafkaCluster", (platform) => new KafkaCluster("bad", { platform, topics: [{ name: "t", partitons: 3 }] } as never), 'KafkaCluster "bad": topics[0].partitons is an unknown key; expected one of name, partitions, '],
    ["RabbitMqCluster", (platform) => new RabbitMqCluster("bad", { platform, mangement: true } as never), 'RabbitMqCluster "bad": mangement is an unknown key; expected one of platform, '],
    ["DockerDaemon", (platform) => new components.DockerDaemon("bad", { platform, namespace: "sandbox", image: "docker:29.7.2-dind", dataRootSise: "50Gi" } as never), 'DockerDaemon "bad": dataRootSise is an unknown key; expected one of platform, '],
    ["StatefulService", (platform) => new StatefulService("bad", { platform, image: "a/b:1", ports: [{ name: "http", port: 80 }], volume: [] } as never), 'StatefulService "bad": volume is an unknown key; expected one of platform, '],
    ["AwsPlatform", () => new components.AwsPlatform("bad", { region: "eu-west-1", nodes: { workloads: { cpu: "1", memory: "1Gi", pods: 1 } }, certificates: { email: "ops@example.com" }, ingres: {} } as never), 'AwsPlatform "bad": ingres is an unknown key; expected one of region, '],
    ["AwsSystemPlatform", () => components.AwsPlatform.fromExisting("bad", { system: "shop", namespace: {}, kubeconfig: "{}", shape: {} } as never), 'AwsSystemPlatform "bad": namespace is an unknown key; expected one of system, '],
  ];

  it("covers every component", () => {
    expect(cases.map((c) => c[0]).sort()).toEqual(Object.keys(COMPONENT_ARGS).sort());
  });

  it.each(cases)("%s", async (component, make, message) => {
    let thrown: unknown;
    const s = await synthesize(() => {
      const platform = component === "KubernetesPlatform" ? (undefined as never) : testPlatform();
      try {
        make(platform);
      } catch (e) {
        thrown = e;
      }
    });
    expect(thrown).toBeInstanceOf(KeelValidationError);
    const lines = (thrown as Error).message.split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(message)).toBe(true);
    expect(lines[0]).toMatch(/\(did you mean "[\w.]+"\?\)$/);
    const registered = s.resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && (component === "KubernetesPlatform" || r.name === "bad" || r.name.startsWith("bad-")));
    expect(registered).toEqual([]);
  });

  it("a value the component explains better keeps its own message; the shape fills in the rest", async () => {
    let thrown: unknown;
    await synthesize(() => {
      try {
        new RedisStore("bad", { platform: testPlatform(), persistence: undefined as never, evictionPolicy: 3 as never, maxmemry: "1Gi" } as never);
      } catch (e) {
        thrown = e;
      }
    });
    const lines = (thrown as KeelValidationError).problems;
    // persistence: RedisStore's own message (it explains the choice); the unknown key from the shape.
    expect(lines.filter((l) => l.startsWith("persistence is undefined"))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith("persistence"))).not.toContain("(required)");
    expect(lines).toContainEqual(expect.stringMatching(/^maxmemry is an unknown key; .*\(did you mean "maxmemory"\?\)$/));
    expect(lines.filter((l) => l.startsWith("evictionPolicy is 3"))).toHaveLength(1);
  });

  it("valid args pass untouched: a peer helper, an Output image, a platform instance", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      new ApiService("ok", { platform, image: pulumi.output("a/b:1"), allowTo: [{ peer: peers.internet(), ports: [{ port: 443 }] }] });
    });
    expect(s.resources.some((r) => r.name === "ok" && r.type === "keel:components:ApiService")).toBe(true);
  });
});

describe("rules every plain value obeys", () => {
  it("refuses NUL in any string, whether a plain field or a union member", () => {
    expect(against("s", "a\u0000b")).toEqual(['x is "a\\u0000b"; expected no NUL character (no environment variable, argument or configuration file can hold one)']);
    expect(against({ u: ["s", "o"] }, "\u0000")).toHaveLength(1);
    expect(against("s", "a\nb $(id)")).toEqual([]);
  });

  it("refuses numbers that are not finite or do not fit a 32-bit Kubernetes integer, except in free-form settings maps", () => {
    expect(against("n", 1e15)).toEqual(["x is 1000000000000000; expected a finite number from -2147483647 to 2147483647 (a Kubernetes integer field)"]);
    expect(against("n", Number.POSITIVE_INFINITY)).toHaveLength(1);
    expect(against({ u: ["n", "s"] }, -3e9)).toHaveLength(1);
    expect(against("n", 2147483647)).toEqual([]);
    // retention.ms of 30 days is beyond 32 bits, and Kafka takes it: a settings map is not a Kubernetes field.
    expect(against({ r: { u: ["s", "n"] } }, { "retention.ms": 2592000000 })).toEqual([]);
    expect(against({ r: { u: ["s", "n"] } }, { "retention.ms": Number.NaN })).toHaveLength(1);
  });

  it("reaches components: an absurd probe period is refused before anything is registered", () => {
    expect(() => new ApiService("api", { platform: testPlatform(), image: "ghcr.io/acme/api:1.0.0", probes: { readiness: { path: "/ready", periodSeconds: 1e15 } } })).toThrow(
      'ApiService "api": probes.readiness.periodSeconds is 1000000000000000; expected a finite number from -2147483647 to 2147483647 (a Kubernetes integer field)',
    );
  });
});
