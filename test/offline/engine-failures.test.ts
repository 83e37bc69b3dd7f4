/**
 * The engine in-process (what tests and `import { synth } from "keel/offline"` use): duplicates
 * and stalled programs reject (they do not hang), and plan.json records resource options.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesPlatform } from "../../components";
import { runInMockRuntime } from "../../offline/runtime";
import { planOf } from "../../offline/synth";
import { synthesize } from "../helpers/synth";

describe("failures reject the run instead of hanging it", () => {
  it("two components with one name (the run ends; it does not wait on the second one's children)", async () => {
    await expect(
      synthesize(() => {
        new KubernetesPlatform("shop", { system: "shop" });
        new KubernetesPlatform("shop", { system: "shop" });
      }),
    ).rejects.toThrow(
      'duplicate resource URN urn:pulumi:test::test::keel:components:KubernetesPlatform::shop: two resources of type keel:components:KubernetesPlatform are named "shop"; resource names must be unique per type (both under the stack)',
    );
  });

  it("a program awaiting a promise nobody resolves", async () => {
    await expect(
      synthesize(async () => {
        new k8s.core.v1.ConfigMap("first", { data: { a: "1" } });
        await new Promise(() => undefined);
      }),
    ).rejects.toThrow('the program never finished: it waits for a promise that is never resolved (2 resources registered; the last resource registered was kubernetes:core/v1:ConfigMap "first")');
  });

  it("a resource whose input never resolves", async () => {
    await expect(synthesize(() => new k8s.core.v1.ConfigMap("stuck", { data: { a: pulumi.output(new Promise<string>(() => undefined)) } }))).rejects.toThrow(
      "the program never finished: it waits for a promise that is never resolved (1 resources registered; the last resource registered was pulumi:pulumi:Stack",
    );
  });

  it("still runs a program that waits on timers and I/O", async () => {
    const s = await synthesize(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await require("fs").promises.readFile(__filename);
      new k8s.core.v1.ConfigMap("late", { metadata: { name: "late" }, data: { a: "1" } });
    });
    expect(s.object("ConfigMap", "late").data).toEqual({ a: "1" });
  });

  it("two resources writing one Kubernetes object, only when cluster, group, kind, namespace and name agree", async () => {
    await expect(
      synthesize(() => {
        new k8s.apps.v1.Deployment("a", { metadata: { name: "web", namespace: "shop" }, spec: { selector: {}, template: {} } });
        new k8s.apps.v1.Deployment("b", { metadata: { name: "web", namespace: "shop" }, spec: { selector: {}, template: {} } });
      }),
    ).rejects.toThrow('Kubernetes object Deployment.apps shop/web is created by two resources: kubernetes:apps/v1:Deployment "a" (in the stack) and kubernetes:apps/v1:Deployment "b" (in the stack)');
    // An unset namespace is the provider's default namespace.
    await expect(
      synthesize(() => {
        new k8s.core.v1.Service("a", { metadata: { name: "web" } });
        new k8s.core.v1.Service("b", { metadata: { name: "web", namespace: "default" } });
      }),
    ).rejects.toThrow("Kubernetes object Service default/web is created by two resources");
    const ok = await synthesize(() => {
      const other = new k8s.Provider("other", { context: "other-cluster" });
      new k8s.core.v1.Service("a", { metadata: { name: "web", namespace: "shop" } });
      new k8s.core.v1.Service("b", { metadata: { name: "web", namespace: "shop" } }, { provider: other });
      new k8s.core.v1.ConfigMap("c", { metadata: { name: "web", namespace: "shop" } });
      new k8s.core.v1.Service("d", { metadata: { name: "web", namespace: "other" } });
      new k8s.core.v1.Service("e", { metadata: { namespace: "shop" } });
      new k8s.core.v1.Service("f", { metadata: { namespace: "shop" } });
      new k8s.apps.v1.DeploymentPatch("g", { metadata: { name: "web", namespace: "shop" } });
      new k8s.apps.v1.DeploymentPatch("h", { metadata: { name: "web", namespace: "shop" } });
    });
    expect(ok.all("Service").length).toBe(5);
  });

  it('namespace: "" is the provider\'s namespace, as no namespace', async () => {
    await expect(
      synthesize(() => {
        new k8s.core.v1.ConfigMap("a", { metadata: { name: "web", namespace: "" } });
        new k8s.core.v1.ConfigMap("b", { metadata: { name: "web" } });
      }),
    ).rejects.toThrow('Kubernetes object ConfigMap default/web is created by two resources: kubernetes:core/v1:ConfigMap "a" (in the stack) and kubernetes:core/v1:ConfigMap "b" (in the stack)');
    const s = await synthesize(() => new k8s.core.v1.ConfigMap("a", { metadata: { name: "web", namespace: "" } }));
    expect(s.object("ConfigMap", "web").metadata.namespace).toBe("default");
  });
});

describe("URNs as the engine makes them", () => {
  it("carry the whole parent type chain (not the stack's type): same names under different wrappers are not duplicates", async () => {
    const s = await synthesize(() => {
      for (const wrapper of ["my:x:Wrap", "my:x:Wrap2"]) {
        const w = new pulumi.ComponentResource(wrapper, "w");
        const inner = new pulumi.ComponentResource("my:x:Inner", "i", {}, { parent: w });
        new k8s.core.v1.ConfigMap("cm", { data: { a: "1" } }, { parent: inner });
      }
    });
    expect(s.resources.map((r) => r.urn).filter((u) => u.endsWith("::cm") || u.endsWith("::w")).sort()).toEqual([
      "urn:pulumi:test::test::my:x:Wrap$my:x:Inner$kubernetes:core/v1:ConfigMap::cm",
      "urn:pulumi:test::test::my:x:Wrap2$my:x:Inner$kubernetes:core/v1:ConfigMap::cm",
      "urn:pulumi:test::test::my:x:Wrap2::w",
      "urn:pulumi:test::test::my:x:Wrap::w",
    ]);
  });
});

describe("object names and namespaces must be valid Kubernetes names (they make the manifest file names)", () => {
  it("refuses a path as a name, an invalid name or namespace, naming each resource", async () => {
    await expect(
      synthesize(() => {
        new k8s.core.v1.ConfigMap("escape", { metadata: { name: "x/../../../../tmp/rt/ESCAPED" } });
        new k8s.core.v1.ConfigMap("bad", { metadata: { name: "Bad_Name!" } });
        new k8s.core.v1.ConfigMap("ns", { metadata: { name: "ok", namespace: "../up" } });
        // RBAC names are path segments: colons are fine.
        new k8s.rbac.v1.ClusterRole("rbac", { metadata: { name: "system:aggregate-to-view" } });
      }).then((s) => s.objects),
    ).rejects.toThrow(
      [
        'kubernetes:core/v1:ConfigMap "escape": metadata.name "x/../../../../tmp/rt/ESCAPED" is not a valid Kubernetes object name (a DNS subdomain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters)',
        'kubernetes:core/v1:ConfigMap "bad": metadata.name "Bad_Name!" is not a valid Kubernetes object name (a DNS subdomain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters)',
        'kubernetes:core/v1:ConfigMap "ns": metadata.namespace "../up" is not a valid namespace (a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)',
      ].join("\n"),
    );
  });
});

describe("a program is done when its event loop is (as Pulumi's Node.js host)", () => {
  it("records resources registered in a timer or after an await, once main has returned", async () => {
    const s = await synthesize(() => {
      setTimeout(() => new k8s.core.v1.ConfigMap("in-timer", { metadata: { name: "in-timer" }, data: { a: "1" } }), 50);
      void (async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        new k8s.core.v1.ConfigMap("after-await", { metadata: { name: "after-await" }, data: { b: "2" } });
      })();
    });
    expect(s.objects.map((o) => o.metadata.name).sort()).toEqual(["after-await", "in-timer"]);
  });

  it("fails a program still working after --timeout, naming what is pending", async () => {
    let interval: NodeJS.Timeout | undefined;
    try {
      // Other work of the same jest worker may be pending too on a busy machine: the program's
      // interval must be named, whatever else is.
      await expect(runInMockRuntime({ project: "test", stack: "test", timeoutSeconds: 1.5 }, () => void (interval = setInterval(() => undefined, 50)))).rejects.toThrow(
        /^the program did not finish within 1\.5 s \(--timeout\): still pending: ([A-Za-z]+, )*Timeout(, [A-Za-z]+)* \(a timer, interval or request the program started\); 1 resources registered$/,
      );
    } finally {
      clearInterval(interval);
    }
  }, 30_000);

  it("sends what the program prints to stderr (stdout is keel's report)", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const [stdoutWrite, stderrWrite] = [process.stdout.write, process.stderr.write];
    process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      await synthesize(() => void process.stdout.write("from the program\n"));
    } finally {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
    }
    expect(out).toEqual([]);
    expect(err).toEqual(["from the program\n"]);
  });
});

describe("duplicateObjects: \"ignore\" (probes that build many variants side by side)", () => {
  it("skips only the object-identity check; duplicate URNs still fail", async () => {
    const twoPlatforms = () => {
      new KubernetesPlatform("one", { system: "shop" });
      new KubernetesPlatform("two", { system: "shop" });
    };
    await expect(runInMockRuntime({ project: "p", stack: "s" }, twoPlatforms)).rejects.toThrow("Kubernetes object Namespace shop is created by two resources");
    const run = await runInMockRuntime({ project: "p", stack: "s", duplicateObjects: "ignore" }, twoPlatforms);
    expect(run.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").length).toBe(8);
    await expect(
      runInMockRuntime({ project: "p", stack: "s", duplicateObjects: "ignore" }, () => {
        new k8s.core.v1.ConfigMap("same", {});
        new k8s.core.v1.ConfigMap("same", {});
      }),
    ).rejects.toThrow('two resources of type kubernetes:core/v1:ConfigMap are named "same"');
  });
});

describe("plan.json records the options set on each resource", () => {
  it("protect, retainOnDelete, deleteBeforeReplace, dependsOn, ignoreChanges, provider, aliases; none when none is set", async () => {
    const run = await runInMockRuntime({ project: "p", stack: "s" }, () => {
      const provider = new k8s.Provider("cluster", { context: "prod" });
      const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "shop" } }, { provider, protect: true });
      const cm = new k8s.core.v1.ConfigMap("cm", { metadata: { name: "cm", namespace: ns.metadata.name } }, { provider, dependsOn: [] });
      new k8s.core.v1.Secret(
        "creds",
        { metadata: { name: "creds", namespace: ns.metadata.name } },
        { provider, protect: true, retainOnDelete: true, deleteBeforeReplace: true, dependsOn: [cm], ignoreChanges: ["data"], aliases: [{ name: "old-creds" }] },
      );
      new k8s.core.v1.ConfigMap("plain", { data: { a: "1" } });
    });
    const plan = planOf("p", "s", run);
    const options = Object.fromEntries(plan.resources.map((r) => [r.name, r.options]));
    const providerUrn = "urn:pulumi:s::p::pulumi:providers:kubernetes::cluster";
    expect(options.ns).toEqual({ protect: true, provider: providerUrn });
    expect(options.cm).toEqual({ provider: providerUrn });
    expect(options.creds).toEqual({
      protect: true,
      retainOnDelete: true,
      deleteBeforeReplace: true,
      dependsOn: ["urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::cm"],
      ignoreChanges: ["data"],
      provider: providerUrn,
      aliases: [{ name: "old-creds", parent: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s" }],
    });
    expect(options.plain).toBeUndefined();
    expect(plan.resources.find((r) => r.name === "plain")).not.toHaveProperty("options");
    // The same options on the recorded resources (for tests: synthesize(...).resource(name).options).
    expect(run.resources.find((r) => r.name === "creds")?.options.retainOnDelete).toBe(true);
    // Key order is fixed: plan.json stays byte-identical.
    expect(Object.keys(options.creds as object)).toEqual(["protect", "retainOnDelete", "deleteBeforeReplace", "dependsOn", "ignoreChanges", "provider", "aliases"]);
  });

  it("inherits protect from a protected component, as the engine does", async () => {
    class Box extends pulumi.ComponentResource {
      constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Box", name, {}, opts);
        new k8s.core.v1.ConfigMap(`${name}-data`, { data: { a: "1" } }, { parent: this });
      }
    }
    const s = await synthesize(() => new Box("box", { protect: true }));
    expect(s.options("box", "Box")).toEqual({ protect: true });
    expect(s.resource("box-data", "ConfigMap").options).toEqual({ protect: true });
  });
});
