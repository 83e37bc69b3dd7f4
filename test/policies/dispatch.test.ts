/**
 * The pack over gRPC, as the CLI drives it (many Analyze calls in flight, so requests interleave),
 * reports exactly what each resource policy says in-process: dispatch-by-type.ts hands each
 * request only the policies that apply to its type, and checks read plain props when nothing is
 * unknown. A mixed stack: workloads of several kinds, RBAC, ConfigMaps, Services, NetworkPolicies.
 */
import * as path from "path";
import { runPack } from "../../offline/check/analyze";
import type { CheckResource } from "../../offline/check/analyze";
import { RunningPack, startPack } from "../../offline/check/pack";
import { checks, runResourceCheck } from "../../policies/lib/define";
import "../../policies/policies";
import { ROOT } from "../helpers/cli";
import { deployment, firstContainer, pod } from "./harness";

type Props = Record<string, unknown>;

let pack: RunningPack;
afterAll(() => pack?.stop());

function objects(i: number): { type: string; props: Props }[] {
  const bad = deployment(`api-${i}`);
  Object.assign(firstContainer(bad), { securityContext: { privileged: true }, env: [{ name: "DB_PASSWORD", value: "hunter2hunter2" }] });
  pod(bad).hostPID = true;
  const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: `job-${i}`, namespace: "shop" }, spec: { template: { spec: { containers: [{ name: "j", image: "busybox" }] } } } };
  return [
    { type: "kubernetes:apps/v1:Deployment", props: deployment(`ok-${i}`) },
    { type: "kubernetes:apps/v1:Deployment", props: bad },
    { type: "kubernetes:batch/v1:Job", props: job },
    { type: "kubernetes:core/v1:PodTemplate", props: { metadata: { name: `t-${i}`, namespace: "shop" }, template: { spec: { hostNetwork: true, containers: [{ name: "c", image: "nginx:latest" }] } } } },
    { type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", props: { metadata: { name: `reader-${i}` }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] } },
    { type: "kubernetes:rbac.authorization.k8s.io/v1:Role", props: { metadata: { name: `exec-${i}`, namespace: "shop" }, rules: [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }] } },
    { type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", props: { metadata: { name: `admin-${i}` }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "Group", name: "system:authenticated" }] } },
    { type: "kubernetes:core/v1:ConfigMap", props: { metadata: { name: `cm-${i}`, namespace: "shop" }, data: { db_password: "hunter2hunter2", "app.conf": "level=info" } } },
    { type: "kubernetes:core/v1:Service", props: { metadata: { name: `svc-${i}`, namespace: "shop" }, spec: { type: "NodePort", externalIPs: ["203.0.113.9"], ports: [{ port: 80 }] } } },
    { type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", props: { metadata: { name: `np-${i}`, namespace: "shop" }, spec: { podSelector: {}, ingress: [{}] } } },
  ];
}

describe("the pack over gRPC", () => {
  it("reports exactly what each resource policy says in-process, with 256 calls in flight", async () => {
    const resources: CheckResource[] = Array.from({ length: 30 }, (_, i) => objects(i))
      .flat()
      .map(({ type, props }, n) => ({ type, urn: `urn:pulumi:t::t::${type}::r${n}`, name: `r${n}`, inputs: props as CheckResource["inputs"], outputs: props as CheckResource["outputs"], dependencies: [] }));
    pack = await startPack(path.join(ROOT, "policies"));
    const { diagnostics } = await runPack(pack, resources, {}, "defaults");
    const resourcePolicies = [...checks].filter(([, c]) => c.kind === "resource").map(([name]) => name);
    const overGrpc = diagnostics.filter((d) => resourcePolicies.includes(d.policy)).map((d) => `${d.resource} ${d.policy}: ${d.message}`).sort();
    const inProcess = resources
      .flatMap((r) =>
        [...checks].flatMap(([name, c]) => (c.kind === "resource" ? runResourceCheck(c.check, { type: r.type, urn: r.urn, name: r.name, props: r.inputs as Props }).map((m) => `${r.urn} ${name}: ${m}`) : [])),
      )
      .sort();
    expect(overGrpc.length).toBeGreaterThan(600);
    expect(overGrpc).toEqual(inProcess);
  });
});
