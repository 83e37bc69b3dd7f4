import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ApiService, peers } from "../../components";
import { runInMockRuntime } from "../../offline/runtime";
import { testPlatform } from "../helpers/platform";

function program() {
  const platform = testPlatform({ kubeconfig: "/etc/kube/config", context: "prod" });
  const password = new random.RandomPassword("db-password", { length: 24, special: false });
  const backend = new ApiService("backend", { platform, image: "ghcr.io/shop/backend:1.0.0", secretEnv: { DB_PASSWORD: password.result } });
  new ApiService("web", {
    platform,
    image: pulumi.output("ghcr.io/shop/web:2.0.0"),
    env: { BACKEND: backend.url, EMPTY: "", LIST: Promise.resolve("a,b") as unknown as string },
    files: { "/etc/web/app.json": { content: pulumi.jsonStringify({ backend: backend.url, list: [1, undefined, 3] }) } },
    ingress: { host: "web.example.com" },
    allowTo: [{ peer: backend }, { peer: peers.internet(), ports: [{ port: 443 }] }],
  });
  new k8s.core.v1.ConfigMap("odd", { metadata: { namespace: backend.namespace, annotations: { gone: undefined as unknown as string } }, data: { a: "1" } });
}

describe("the engine's speed-ups (fast serialization, no alias resolution)", () => {
  it("records exactly what the SDK's own serialization records", async () => {
    const strip = (r: { type: string; name: string; parent: string; inputs: unknown; dependencies: readonly string[] }) => ({ type: r.type, name: r.name, parent: r.parent, inputs: r.inputs, dependencies: r.dependencies });
    const exact = await runInMockRuntime({ project: "p", stack: "s", exactSdk: true }, program);
    const fast = await runInMockRuntime({ project: "p", stack: "s" }, program);
    const byUrn = (rs: typeof exact.resources) => Object.fromEntries(rs.map((r) => [r.urn, strip(r)]));
    expect(fast.resources.length).toBe(exact.resources.length);
    expect(fast.resources.length).toBeGreaterThan(20);
    expect(byUrn(fast.resources)).toEqual(byUrn(exact.resources));
    const ordered = (rs: typeof exact.resources) => JSON.stringify([...rs].sort((a, b) => a.urn.localeCompare(b.urn)).map(strip));
    expect(ordered(fast.resources)).toBe(ordered(exact.resources));
  });
});
