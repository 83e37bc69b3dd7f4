/**
 * Check throughput: resources per second through the pack's gRPC interface (GetAnalyzerInfo,
 * Configure, Analyze per resource, AnalyzeStack once), for a stack of 5,000 resources.
 */
import * as path from "path";
import { ApiService, KubernetesPlatform } from "../components";
import { CheckResource, analyzeAll, configure, describePack } from "../offline/check/analyze";
import { readConfigFile, resolveConfig } from "../offline/check/config";
import { resourcesFromRun } from "../offline/check/inputs";
import { startPack } from "../offline/check/pack";
import { runInMockRuntime } from "../offline/runtime";

const ROOT = path.resolve(__dirname, "..");
const COUNT = 5000;

async function keelStack(): Promise<CheckResource[]> {
  const run = await runInMockRuntime({ project: "bench", stack: "bench" }, () => {
    const platform = new KubernetesPlatform("bench", { system: "bench" });
    for (let i = 0; i * 8 < COUNT; i++) {
      new ApiService(`svc-${i}`, { platform, image: `ghcr.io/bench/svc-${i}:1.0.${i}`, env: { LOG_LEVEL: "info" }, ingress: { host: `svc-${i}.example.com` }, autoscaling: { minReplicas: 2, maxReplicas: 5 } });
    }
  });
  return resourcesFromRun(run.resources).slice(0, COUNT);
}

function smallObjects(): CheckResource[] {
  return Array.from({ length: COUNT }, (_, i) => {
    const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, namespace: "bench" }, data: { key: "value" } };
    return { type: "kubernetes:core/v1:ConfigMap", urn: `urn:pulumi:bench::bench::kubernetes:core/v1:ConfigMap::cm-${i}`, name: `cm-${i}`, inputs: object, outputs: object, dependencies: [] };
  });
}

export async function benchCheck(): Promise<string[]> {
  const pack = await startPack(path.join(ROOT, "policies"));
  try {
    const info = await describePack(pack);
    await configure(pack, resolveConfig(info.policies, readConfigFile(path.join(ROOT, "policies", "config", "prod.json")), "prod.json"));
    const rows = ["| resources (5,000) | calls in flight | time | resources/s |", "|---|---|---|---|"];
    for (const [label, resources] of [["keel stack (Deployments, Services, Ingresses, ...)", await keelStack()], ["small ConfigMaps", smallObjects()]] as const) {
      for (const concurrency of [256, 1]) {
        const start = process.hrtime.bigint();
        await analyzeAll(pack, resources, concurrency);
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        rows.push(`| ${label} | ${concurrency} | ${seconds.toFixed(2)} s | ${Math.round(resources.length / seconds)} |`);
        console.log(rows[rows.length - 1]);
      }
    }
    return rows;
  } finally {
    pack.stop();
  }
}
