/**
 * `npm run bench`: synth time and peak memory for 10, 100 and 1,000 ApiServices and for the
 * dev stack. Each case runs in a fresh process so its peak memory is its own. Prints figures;
 * never fails on a slow machine.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { ApiService, KubernetesPlatform } from "../components";
import { runInMockRuntime } from "../offline/runtime";
import { render, synth } from "../offline/synth";

const ROOT = path.resolve(__dirname, "..");

/**
 * `full`: every ApiService with env (ConfigMap), ingress, HPA and PDB: 8 objects each.
 * `comparable`: the topology cdk8s-plus is measured with (Deployment, Service, Ingress,
 * NetworkPolicy), plus the ServiceAccount keel always creates: 5 objects each.
 */
async function services(count: number, shape: "full" | "comparable"): Promise<{ resources: number; objects: number }> {
  const run = await runInMockRuntime({ project: "bench", stack: "bench" }, () => {
    const platform = new KubernetesPlatform("bench", { system: "bench" });
    for (let i = 0; i < count; i++) {
      const common = { platform, image: `ghcr.io/bench/svc-${i}:1.0.${i}`, ingress: { host: `svc-${i}.example.com` } };
      if (shape === "full") new ApiService(`svc-${i}`, { ...common, env: { LOG_LEVEL: "info" }, autoscaling: { minReplicas: 2, maxReplicas: 5 } });
      else new ApiService(`svc-${i}`, { ...common, replicas: 1 });
    }
  });
  const rendered = render("bench", "bench", run);
  return { resources: run.resources.length, objects: rendered.manifests.length };
}

async function child(kind: string): Promise<void> {
  const start = process.hrtime.bigint();
  let detail: { resources: number; objects: number };
  if (kind === "dev") {
    const result = await synth({ stack: "dev", dir: ROOT, out: path.join(ROOT, "out", "bench") });
    detail = { resources: result.plan.resources.length, objects: result.manifests.length };
  } else {
    const [count, shape] = kind.split(":");
    detail = await services(Number(count), shape === "comparable" ? "comparable" : "full");
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ kind, seconds, peakMiB, ...detail }));
}

function main(): void {
  const rows: string[] = ["| case | resources | k8s objects | synth time | peak memory |", "|---|---|---|---|---|"];
  for (const kind of ["10", "100", "1000", "1000:comparable", "dev"]) {
    const out = execFileSync(process.execPath, [path.join(ROOT, "bin", "keel.js"), "bench-case", kind], { cwd: ROOT, encoding: "utf8" });
    const r = JSON.parse(out.trim().split("\n").pop() as string);
    const label = kind === "dev" ? "dev stack (keel synth, files written)" : kind.endsWith(":comparable") ? "1000 ApiServices, cdk8s-plus-comparable (Deployment, Service, Ingress, NetworkPolicy, ServiceAccount)" : `${kind} ApiServices (+ env ConfigMap, HPA, PDB)`;
    rows.push(`| ${label} | ${r.resources} | ${r.objects} | ${r.seconds.toFixed(2)} s | ${Math.round(r.peakMiB)} MiB |`);
    console.log(rows[rows.length - 1]);
  }
  console.log(["", "keel synth benchmark (time includes evaluation, recording and rendering; not process start):", ...rows].join("\n"));
}

async function checkRows(): Promise<void> {
  const { benchCheck } = await import("./check");
  const rows = await benchCheck();
  console.log(["", "keel check throughput (policy pack over gRPC: Analyze per resource, AnalyzeStack once):", ...rows].join("\n"));
}

export async function bench(args: readonly string[]): Promise<number> {
  if (args[0] === "case") await child(args[1]);
  else {
    main();
    await checkRows();
  }
  return 0;
}
