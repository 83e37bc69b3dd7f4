/** stack-prerequisites: DaemonSets that need much of every node (their pods run on each one). */
import { stackPrerequisites } from "../../policies/stack/prerequisites";
import { stackViolations } from "./harness";
import { FACTS, fixture, k8s } from "./stack-fixture";

function daemonSet(name: string, requests: Record<string, string>): ReturnType<typeof k8s> {
  const template = { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: "ghcr.io/acme/agent:1.0.0", resources: { requests } }] } };
  return k8s("kubernetes:apps/v1:DaemonSet", { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name, namespace: "nodes" }, spec: { selector: { matchLabels: { app: name } }, template } });
}

const lines = (...objects: ReturnType<typeof k8s>[]) => {
  const f = fixture();
  f.all.push(...objects);
  return stackViolations(stackPrerequisites, f.all, { cluster: FACTS }).map((v) => v.message).filter((m) => m.includes("every node"));
};

describe("stack-prerequisites: room on every node for large DaemonSets", () => {
  it("names a DaemonSet that needs 1 CPU, 2Gi memory or 10Gi of the node's disk, with what it requests", () => {
    expect(lines(daemonSet("docker", { cpu: "2", memory: "4Gi", "ephemeral-storage": "100Gi" }), daemonSet("disk", { cpu: "100m", memory: "64Mi", "ephemeral-storage": "10Gi" }))).toEqual([
      "prerequisite: room on every node for DaemonSet nodes/docker: 2 CPU, 4Gi memory and 100Gi ephemeral storage (the node's disk) requested by its pod on each node; a node short of them leaves its pod Pending",
      "prerequisite: room on every node for DaemonSet nodes/disk: 100m CPU, 64Mi memory and 10Gi ephemeral storage (the node's disk) requested by its pod on each node; a node short of them leaves its pod Pending",
    ]);
  });

  it("leaves small agents (a log collector) alone", () => {
    expect(lines(daemonSet("logs", { cpu: "50m", memory: "64Mi", "ephemeral-storage": "256Mi" }))).toEqual([]);
  });
});
