import type { ResourceValidationPolicy } from "@pulumi/policy";
import { imagePinned } from "../../policies/kubernetes/images";
import { containerProbes } from "../../policies/kubernetes/probes";
import { containerResources } from "../../policies/kubernetes/resources";
import { noSecretEnvValues } from "../../policies/kubernetes/env";
import { CRONJOB, DEPLOYMENT, DeploymentCase, container, deployment, firstContainer, initContainer, judgesDeployments, pod, violations } from "./harness";

type Props = Record<string, unknown>;
// The SDK's own markers for values unknown during preview (internal, so untyped).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, unknownStringValue } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T; unknownStringValue: string };
const where = 'Deployment shop/api, container "api"';
const init = 'Deployment shop/api, init container "migrate"';

describe.each<[ResourceValidationPolicy, DeploymentCase[]]>([
  [
    containerResources,
    [
      ["no CPU request", (d) => delete ((firstContainer(d).resources as Props).requests as Props).cpu, [`${where}: no CPU request; set resources.requests.cpu (e.g. "100m") so the scheduler reserves it.`]],
      ["no memory request", (d) => delete ((firstContainer(d).resources as Props).requests as Props).memory, [`${where}: no memory request; set resources.requests.memory (e.g. "128Mi") so the scheduler reserves it.`]],
      ["no memory limit", (d) => delete ((firstContainer(d).resources as Props).limits as Props).memory, [`${where}: no memory limit; set resources.limits.memory (e.g. "256Mi") so a leak is OOM-killed instead of starving the node.`]],
      ["no CPU limit", (d) => delete ((firstContainer(d).resources as Props).limits as Props).cpu, [`${where}: no CPU limit; set resources.limits.cpu (e.g. "500m"), or set this policy's requireCpuLimit to false.`]],
      ["an init container without resources", (d) => delete initContainer(d).resources, [
        `${init}: no CPU request; set resources.requests.cpu (e.g. "100m") so the scheduler reserves it.`,
        `${init}: no memory request; set resources.requests.memory (e.g. "128Mi") so the scheduler reserves it.`,
        `${init}: no memory limit; set resources.limits.memory (e.g. "256Mi") so a leak is OOM-killed instead of starving the node.`,
        `${init}: no CPU limit; set resources.limits.cpu (e.g. "500m"), or set this policy's requireCpuLimit to false.`,
      ]],
    ],
  ],
  [
    containerProbes,
    [
      ["no readiness probe", (d) => delete firstContainer(d).readinessProbe, [`${where}: no readiness probe; add readinessProbe so traffic waits until the container is ready.`]],
      ["no liveness probe", (d) => delete firstContainer(d).livenessProbe, [`${where}: no liveness probe; add livenessProbe so a hung container is restarted.`]],
      ["identical probes", (d) => (firstContainer(d).livenessProbe = firstContainer(d).readinessProbe), [
        `${where}: livenessProbe is identical to readinessProbe; give liveness its own endpoint or timings, or a busy pod is restarted instead of taken out of rotation.`,
      ]],
    ],
  ],
  [
    imagePinned,
    [
      ["the latest tag", (d) => (firstContainer(d).image = "ghcr.io/shop/api:latest"), [`${where}: image "ghcr.io/shop/api:latest" uses the latest tag; pin a version tag or digest.`]],
      ["no tag", (d) => (firstContainer(d).image = "localhost:5000/api"), [`${where}: image "localhost:5000/api" has no tag; pin a version tag or digest (e.g. "localhost:5000/api:1.4.2").`]],
      ["an init container on latest", (d) => (initContainer(d).image = "busybox:latest"), [`${init}: image "busybox:latest" uses the latest tag; pin a version tag or digest.`]],
    ],
  ],
  [
    noSecretEnvValues,
    [
      ["a password in plain text", (d) => (firstContainer(d).env = [{ name: "DB_PASSWORD", value: "hunter2" }]), [`${where}: env DB_PASSWORD looks like a secret in plain text; put it in a Secret and use valueFrom.secretKeyRef.`]],
      ["a URL with a password", (d) => (firstContainer(d).env = [{ name: "DATABASE_URL", value: "postgres://app:pw@db:5432/app" }]), [`${where}: env DATABASE_URL holds a URL with a password in plain text; put it in a Secret and use valueFrom.secretKeyRef.`]],
    ],
  ],
])("%s", (policy, cases) => {
  judgesDeployments(policy, cases);

  it("cannot decide on unknown values, and says nothing", () => {
    const d = deployment();
    firstContainer(d).image = unknownStringValue;
    (firstContainer(d).resources as Props).limits = unknownStringValue;
    firstContainer(d).livenessProbe = unknownStringValue;
    firstContainer(d).env = unknownStringValue;
    expect(violations(policy, DEPLOYMENT, unknownCheckingProxy(d))).toEqual([]);
  });
});

describe("policy details", () => {
  it("does not require probes on init containers or Jobs", () => {
    const cron = { metadata: { name: "backup", namespace: "data" }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ ...container("backup"), livenessProbe: undefined, readinessProbe: undefined }] } } } } } };
    expect(violations(containerProbes, CRONJOB, cron)).toEqual([]);
    expect(violations(containerResources, CRONJOB, cron)).toEqual([]);
  });

  it("takes the CPU limit requirement from config", () => {
    const d = deployment();
    delete ((firstContainer(d).resources as Props).limits as Props).cpu;
    expect(violations(containerResources, DEPLOYMENT, d, { requireCpuLimit: false })).toEqual([]);
  });

  it("accepts digests and plain env values", () => {
    const d = deployment();
    firstContainer(d).image = `ghcr.io/shop/api@sha256:${"a".repeat(64)}`;
    firstContainer(d).env = [{ name: "TOKEN_TTL_SECONDS_PUBLIC_URL", value: "" }, { name: "API_URL", value: "https://api.example.com/v1" }];
    expect(violations(imagePinned, DEPLOYMENT, d)).toEqual([]);
    expect(violations(noSecretEnvValues, DEPLOYMENT, d)).toEqual([]);
  });

  it("ignores objects it does not apply to", () => {
    expect(violations(containerResources, "kubernetes:core/v1:ConfigMap", { data: {} })).toEqual([]);
    void pod;
  });
});
