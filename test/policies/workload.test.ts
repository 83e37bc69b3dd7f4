import type { ResourceValidationPolicy } from "@pulumi/policy";
import { imagePinned } from "../../policies/kubernetes/images";
import { containerProbes } from "../../policies/kubernetes/probes";
import { containerResources } from "../../policies/kubernetes/resources";
import { noSecretEnvValues } from "../../policies/kubernetes/env";
import { CRONJOB, DEPLOYMENT, DeploymentCase, POD, container, deployment, firstContainer, initContainer, judgesDeployments, pod, violations } from "./harness";

type Props = Record<string, unknown>;
// The SDK's own markers for values unknown during preview (internal, so untyped).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, unknownStringValue } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T; unknownStringValue: string };
const where = 'Deployment shop/api, container "api"';
const init = 'Deployment shop/api, init container "migrate"';
const sidecar = 'Deployment shop/api, init container "proxy"';
const RC = "kubernetes:core/v1:ReplicationController";
const POD_TEMPLATE = "kubernetes:core/v1:PodTemplate";
/** The compliant Deployment's pod template in a ReplicationController (its selector is a plain map). */
function replicationController(): Props {
  const d = deployment();
  return { metadata: d.metadata, spec: { replicas: 3, selector: { "app.kubernetes.io/name": "api" }, template: (d.spec as Props).template } };
}
/** The compliant Deployment's pod template as a PodTemplate object. */
function podTemplate(): Props {
  const d = deployment();
  return { metadata: d.metadata, template: (d.spec as Props).template };
}
const specOf = (o: Props, path: string) => path.split(".").reduce((v, k) => (v as Props)[k], o as unknown) as Props;

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
      ["a null CPU request (null is unset)", (d) => (((firstContainer(d).resources as Props).requests as Props).cpu = null), [`${where}: no CPU request; set resources.requests.cpu (e.g. "100m") so the scheduler reserves it.`]],
      ["a null memory limit (null is unset)", (d) => (((firstContainer(d).resources as Props).limits as Props).memory = null), [`${where}: no memory limit; set resources.limits.memory (e.g. "256Mi") so a leak is OOM-killed instead of starving the node.`]],
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
      ["identical probes with their keys in another order", (d) => {
        firstContainer(d).readinessProbe = { periodSeconds: 5, httpGet: { port: 8080, path: "/health" } };
        firstContainer(d).livenessProbe = { httpGet: { path: "/health", port: 8080, host: null }, periodSeconds: 5 };
      }, [
        `${where}: livenessProbe is identical to readinessProbe; give liveness its own endpoint or timings, or a busy pod is restarted instead of taken out of rotation.`,
      ]],
      ["a null readiness probe (null is unset)", (d) => (firstContainer(d).readinessProbe = null), [`${where}: no readiness probe; add readinessProbe so traffic waits until the container is ready.`]],
      ["both probes null, which are missing, not identical", (d) => Object.assign(firstContainer(d), { readinessProbe: null, livenessProbe: null }), [
        `${where}: no readiness probe; add readinessProbe so traffic waits until the container is ready.`,
        `${where}: no liveness probe; add livenessProbe so a hung container is restarted.`,
      ]],
      ["a native sidecar without probes", (d) => (pod(d).initContainers as Props[]).push({ ...container("proxy"), restartPolicy: "Always", readinessProbe: undefined, livenessProbe: undefined }), [
        `${sidecar}: no readiness probe; add readinessProbe so traffic waits until the container is ready.`,
        `${sidecar}: no liveness probe; add livenessProbe so a hung container is restarted.`,
      ]],
      ["a native sidecar with identical probes", (d) => {
        const proxy = container("proxy");
        (pod(d).initContainers as Props[]).push({ ...proxy, restartPolicy: "Always", livenessProbe: proxy.readinessProbe });
      }, [
        `${sidecar}: livenessProbe is identical to readinessProbe; give liveness its own endpoint or timings, or a busy pod is restarted instead of taken out of rotation.`,
      ]],
    ],
  ],
  [
    imagePinned,
    [
      ["the latest tag", (d) => (firstContainer(d).image = "ghcr.io/shop/api:latest"), [`${where}: image "ghcr.io/shop/api:latest" uses the latest tag; pin a version tag or digest.`]],
      ["no tag", (d) => (firstContainer(d).image = "localhost:5000/api"), [`${where}: image "localhost:5000/api" has no tag; pin a version tag or digest (e.g. "localhost:5000/api:1.4.2").`]],
      ["an init container on latest", (d) => (initContainer(d).image = "busybox:latest"), [`${init}: image "busybox:latest" uses the latest tag; pin a version tag or digest.`]],
      ["an empty tag", (d) => (firstContainer(d).image = "nginx:"), [`${where}: image "nginx:" has an empty tag; pin a version tag or digest (e.g. "nginx:1.4.2").`]],
      ["an empty digest", (d) => (firstContainer(d).image = "ghcr.io/shop/api@sha256:"), [
        `${where}: image "ghcr.io/shop/api@sha256:" has a malformed digest "sha256:"; pin the full digest (e.g. "@sha256:" and 64 hex digits) or a version tag.`,
      ]],
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

describe("ReplicationController and PodTemplate", () => {
  it.each<[string, string, () => Props, string]>([
    ["a ReplicationController", RC, replicationController, "spec.template.spec"],
    ["a PodTemplate", POD_TEMPLATE, podTemplate, "template.spec"],
  ])("judges %s's containers", (_name, type, make, path) => {
    for (const policy of [containerResources, imagePinned]) expect(violations(policy, type, make())).toEqual([]);
    const o = make();
    const c = (specOf(o, path).containers as Props[])[0];
    delete ((c.resources as Props).requests as Props).memory;
    c.image = "ghcr.io/shop/api";
    const kind = type.split(":")[2];
    expect(violations(containerResources, type, o)).toEqual([`${kind} shop/api, container "api": no memory request; set resources.requests.memory (e.g. "128Mi") so the scheduler reserves it.`]);
    expect(violations(imagePinned, type, o)).toEqual([`${kind} shop/api, container "api": image "ghcr.io/shop/api" has no tag; pin a version tag or digest (e.g. "ghcr.io/shop/api:1.4.2").`]);
  });

  it("asks probes of a ReplicationController's containers, not of a PodTemplate's (it runs no pods)", () => {
    expect(violations(containerProbes, RC, replicationController())).toEqual([]);
    const rc = replicationController();
    delete (specOf(rc, "spec.template.spec").containers as Props[])[0].livenessProbe;
    expect(violations(containerProbes, RC, rc)).toEqual(['ReplicationController shop/api, container "api": no liveness probe; add livenessProbe so a hung container is restarted.']);
    const template = podTemplate();
    delete (specOf(template, "template.spec").containers as Props[])[0].livenessProbe;
    expect(violations(containerProbes, POD_TEMPLATE, template)).toEqual([]);
  });
});

describe("malformed container lists", () => {
  it("skips null and non-object containers (well-formed-objects reports them)", () => {
    const d = deployment();
    (pod(d).containers as unknown[]).push(null, "sidecar");
    (pod(d).initContainers as unknown[]).unshift(7);
    for (const policy of [containerResources, containerProbes, imagePinned]) expect(violations(policy, DEPLOYMENT, d)).toEqual([]);
  });
});

describe("image-pinned on ephemeral containers", () => {
  it("judges a Pod's ephemeral (debug) containers too", () => {
    const p = { metadata: { name: "debug", namespace: "shop" }, spec: { ...pod(deployment()), ephemeralContainers: [{ name: "debugger", image: "busybox:1.36" }] } };
    expect(violations(imagePinned, POD, p)).toEqual([]);
    ((p.spec as Props).ephemeralContainers as Props[])[0].image = "busybox";
    expect(violations(imagePinned, POD, p)).toEqual(['Pod shop/debug, ephemeral container "debugger": image "busybox" has no tag; pin a version tag or digest (e.g. "busybox:1.4.2").']);
  });
});
