import * as fs from "fs";
import { runInMockRuntime } from "../../offline/runtime";
import { manifestsOf } from "../../offline/manifests";
import { KubernetesPlatform } from "../../components";
import { KeelValidationError } from "../../components/core/errors";

export type Case = { id: string; build: (p: any) => unknown; platform?: any; inspect?: (objs: any[]) => string };

export async function runCases(cases: Case[], out: string) {
  const lines: string[] = [];
  for (const c of cases) {
    let res = ""; let sync: any;
    try {
      const run = await runInMockRuntime({ project: "rt", stack: "rt", config: {}, secretKeys: [] }, async () => {
        const p = c.platform === undefined ? new KubernetesPlatform("p", { system: "shop" }) : c.platform === null ? undefined : new KubernetesPlatform("p", c.platform);
        try { await c.build(p); } catch (err: any) { sync = err; }
      });
      if (sync) throw sync;
      const objs = manifestsOf(run.resources).map((m) => m.object);
      res = "ACCEPTED" + (c.inspect ? " :: " + c.inspect(objs) : "");
    } catch (err: any) {
      const kv = err instanceof KeelValidationError || (err?.cause instanceof KeelValidationError)); const asyncTag = sync ? "" : "[async] "; void ((0;
      res = asyncTag + (kv ? "REJECTED " : `CRASH(${err?.name}/${err?.cause?.name}) `) + String(err?.message).slice(0, 600).replace(/\n/g, " | ");
      if (!kv && err?.stack && /at /.test(String(err.message))) res += " [STACK IN MESSAGE]";
    }
    lines.push(`${c.id}\n   ${res}`);
  }
  fs.writeFileSync(out, lines.join("\n") + "\n");
}
