/**
 * Packs keel with `npm pack`, installs the tarball into a fresh TypeScript project, compiles a
 * consumer program under `strict`, and synthesizes it with the installed `keel synth --dir`.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../test/helpers/cli";

jest.setTimeout(600_000);

const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
let work: string;
let tarball: string;

const CONSUMER = `import * as pulumi from "@pulumi/pulumi";
import { ApiService, Connection, KubernetesPlatform, PostgresCluster, RedisStore, peers } from "keel";

const config = new pulumi.Config();
const platform = new KubernetesPlatform("shop", { system: "shop" });
const db = new PostgresCluster("orders-db", { platform, replicas: 1 });
const cache = new RedisStore("sessions", { platform, persistence: "aof" });
const stores: Connection[] = [db.connection, cache.connection];
const api = new ApiService("checkout", {
  connections: stores,
  platform,
  image: config.require("image"),
  port: 3000,
  secretEnv: { STRIPE_KEY: config.requireSecret("stripeKey") },
  ingress: { host: "checkout.example.com" },
  autoscaling: { minReplicas: 2, maxReplicas: 6 },
  allowTo: [{ peer: peers.internet(), ports: [{ port: 443 }] }],
});
export const url: pulumi.Output<string> = api.url;
export const database: pulumi.Output<string> = db.connection.host;
`;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "keel-pack-"));
  const out = execFileSync(npm, ["pack", "--json", "--pack-destination", work], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const info = JSON.parse(out.slice(out.indexOf("[")));
  tarball = path.join(work, info[0].filename);
});

describe("the packed library", () => {
  it("ships the components, their types and the keel command, not the sources or tests", () => {
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
    expect(listing).toEqual(expect.arrayContaining(["package/dist/components/index.d.ts", "package/dist/components/index.js", "package/dist/offline/cli.js", "package/bin/keel.js", "package/docs/postgres.md", "package/docs/data-stores.md"]));
    // dist/policies/lib is the NetworkPolicy evaluator the topology shares with the pack; the pack itself is not shipped yet.
    expect(listing.filter((f) => (/\/(test|stacks|bench|policies)\//.test(f) && !f.startsWith("package/dist/policies/lib/")) || (f.endsWith(".ts") && !f.endsWith(".d.ts")))).toEqual([]);
  });

  it("installs into a fresh project, compiles under strict and synthesizes with keel synth --dir", () => {
    const project = path.join(work, "consumer");
    fs.mkdirSync(project);
    const devDeps = rootPkg.devDependencies as Record<string, string>;
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({
        name: "consumer",
        private: true,
        dependencies: {
          keel: `file:${tarball}`,
          "@pulumi/pulumi": devDeps["@pulumi/pulumi"],
          "@pulumi/kubernetes": devDeps["@pulumi/kubernetes"],
          "@pulumi/random": devDeps["@pulumi/random"],
        },
        devDependencies: { typescript: devDeps.typescript, "@types/node": devDeps["@types/node"] },
      }),
    );
    fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "commonjs", noEmit: true, types: ["node"] }, files: ["index.ts"] }));
    fs.writeFileSync(path.join(project, "index.ts"), CONSUMER);
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: consumer\nruntime: nodejs\nmain: index.ts\n");
    fs.writeFileSync(path.join(project, "Pulumi.test.yaml"), "config:\n  consumer:image: ghcr.io/shop/checkout:3.1.0\n  consumer:stripeKey:\n    secure: v1:AAAA\n");

    const install = spawnSync(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project, encoding: "utf8" });
    expect(install.stderr.replace(/npm warn.*\n?/gi, "")).toBe("");
    expect(install.status).toBe(0);

    const tsc = spawnSync(process.execPath, [path.join(project, "node_modules", "typescript", "bin", "tsc"), "-p", project], { encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);

    const synth = spawnSync(path.join(project, "node_modules", ".bin", "keel"), ["synth", "--stack", "test", "--dir", project], { cwd: work, encoding: "utf8" });
    expect(synth.stderr).toBe("");
    expect(synth.status).toBe(0);
    expect(synth.stdout).toContain("keel synth: project consumer, stack test:");
    const manifests = fs.readdirSync(path.join(project, "out", "test", "manifests"));
    expect(manifests).toEqual(expect.arrayContaining(["40-deployment-shop-checkout.yaml", "50-horizontalpodautoscaler-shop-checkout.yaml", "60-ingress-shop-checkout.yaml", "40-statefulset-data-orders-db-primary.yaml", "40-statefulset-data-orders-db-replica.yaml", "40-statefulset-data-sessions.yaml"]));
    const apiSecret = manifests.filter((f) => f.startsWith("11-secret-shop-checkout-env")).map((f) => fs.readFileSync(path.join(project, "out", "test", "manifests", f), "utf8")).join("");
    for (const key of ["STRIPE_KEY", "DATABASE_URL", "DATABASE_READ_URL", "REDIS_URL"]) expect(apiSecret).toContain(`${key}: "[secret]"`);
    expect(fs.readFileSync(path.join(project, "out", "test", "plan.json"), "utf8")).not.toContain("v1:AAAA");
  });
});
