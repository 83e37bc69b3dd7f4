/**
 * Runs policies the way the pack's gRPC server does (through their validateResource /
 * validateStack wrappers), on plain fixtures: a fresh compliant object per test.
 */
import type { ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import type { Target } from "../../policies/lib/define";

type Props = Record<string, unknown>;

export function target(type: string, props: Props, name = "fixture"): Target {
  return { type, urn: `urn:pulumi:test::test::${type}::${name}`, name, props };
}

export function violations(policy: ResourceValidationPolicy, type: string, props: Props, config: Props = {}): string[] {
  const messages: string[] = [];
  const t = target(type, props);
  const args = {
    type,
    props,
    urn: t.urn,
    name: t.name,
    opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {} },
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: () => config,
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason}`);
    },
  } as unknown as ResourceValidationArgs;
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
  for (const validate of validations) validate(args, (message: string) => messages.push(message));
  return messages;
}

export function stackViolations(policy: StackValidationPolicy, resources: readonly Target[], config: Props = {}): { urn: string; message: string }[] {
  const found: { urn: string; message: string }[] = [];
  const args = {
    resources: resources.map((r) => ({ ...r, dependencies: (r.dependencies ?? []).map((urn) => ({ urn })), propertyDependencies: {}, opts: {} })),
    stackTags: new Map<string, string>(),
    getConfig: () => config,
    notApplicable: () => {
      throw new Error("not applicable");
    },
  } as unknown as StackValidationArgs;
  policy.validateStack(args, (message: string, urn?: string) => found.push({ urn: urn ?? "", message }));
  return found;
}

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** A mutation of the compliant Deployment, and the exact messages it must produce. */
export type DeploymentCase = [name: string, mutate: (d: Props) => void, expected: string[]];

/** The two tests every workload policy gets: the fixture passes; each mutation reports exactly its messages. */
export function judgesDeployments(policy: ResourceValidationPolicy, cases: readonly DeploymentCase[]): void {
  it("passes a compliant Deployment", () => {
    expect(violations(policy, DEPLOYMENT, deployment())).toEqual([]);
  });

  it.each(cases)("reports %s", (_name, mutate, expected) => {
    const d = deployment();
    mutate(d);
    expect(violations(policy, DEPLOYMENT, d)).toEqual(expected);
  });
}
export const STATEFULSET = "kubernetes:apps/v1:StatefulSet";
export const CRONJOB = "kubernetes:batch/v1:CronJob";
export const POD = "kubernetes:core/v1:Pod";
export const SERVICE = "kubernetes:core/v1:Service";

const hardened = () => ({
  runAsNonRoot: true,
  runAsUser: 10001,
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
});

export function container(name = "api"): Props {
  return {
    name,
    image: "ghcr.io/shop/api:1.4.2",
    ports: [{ name: "http", containerPort: 8080 }],
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    livenessProbe: { httpGet: { path: "/health/live", port: 8080 }, periodSeconds: 10 },
    readinessProbe: { httpGet: { path: "/health/ready", port: 8080 }, periodSeconds: 5 },
    securityContext: hardened(),
    env: [{ name: "LOG_LEVEL", value: "info" }],
  };
}

/** A compliant Deployment, as keel's ApiService writes it; each call returns a fresh copy. */
export function deployment(name = "api", replicas: number | undefined = 3): Props {
  const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "shop", labels: { ...labels } },
    spec: {
      replicas,
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
          topologySpreadConstraints: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { ...labels } } })),
          initContainers: [{ ...container("migrate"), livenessProbe: undefined, readinessProbe: undefined }],
          containers: [container(name)],
        },
      },
    },
  };
}

/** The Deployment's pod spec, for mutations. */
export function pod(d: Props): Props {
  return ((d.spec as Props).template as Props).spec as Props;
}

export function firstContainer(d: Props): Props {
  return (pod(d).containers as Props[])[0];
}

export function initContainer(d: Props): Props {
  return (pod(d).initContainers as Props[])[0];
}
