/**
 * Validation and defaults for ApiService, as a pure function: every problem is reported
 * at once, before any resource is registered.
 */
import { checkArgShape } from "../core/arg-shape";
import { applyConnections } from "../core/connection";
import type { Platform } from "../platform/types";
import { WorkloadAwsNeeds, awsNeedsOf, checkWorkloadAwsNeeds } from "../aws/workload-access";
import { defaults } from "../core/defaults";
import { ResolvedEnv, checkDeferredImage, resolveEnv } from "../core/env";
import { Validator, isKnown } from "../core/errors";
import { annotationProblems, argvProblems, labelProblems, labelValueProblem } from "../core/kubernetes-syntax";
import { ListedPort, requireDistinctPorts } from "../core/duplicates";
import { Labels, imagePinProblem, imageVersion, isLabelValue, selectorLabels, standardLabels, versionProblem } from "../core/labels";
import { componentNameProblem } from "../core/naming";
import { NetworkRule, validateRules } from "../core/network";
import { ResolvedProbes, resolveProbes } from "../core/probes";
import { ResolvedResources, TMP_WRITE, checkEphemeralStorage, resolveResources } from "../core/resources";
import { ResolvedSecurity, resolveSecurity } from "../core/security";
import { telemetryEnv } from "../core/telemetry";
import { AwsPlatformContext, KubernetesTarget, TIERS, Tier } from "../platform/types";
import { ImagePushArgs, REPOSITORY_RULE, contentTag, imageBuildProblems, repositoryNameProblem } from "../aws/image";
import type { AwsTags } from "../aws/tags";
import { ResolvedDisruptionBudget, resolveDisruptionBudget } from "../workload/disruption";
import { checkPeerPlatforms } from "../workload/network-access";
import { checkConfigObjectSizes } from "../workload/workload";
import { AutoscalingArgs, validateAutoscaling } from "./autoscaling";
import { IngressArgs, claimIngressRoutes, validateIngress } from "../workload/ingress";
import type { ApiServiceArgs } from "./index";
import type * as pulumi from "@pulumi/pulumi";

export interface ResolvedApiService {
  readonly name: string;
  readonly target: KubernetesTarget;
  readonly tier: Tier;
  readonly namespace: pulumi.Input<string>;
  /** The image given; undefined when keel builds it (`build`). */
  readonly image?: pulumi.Input<string>;
  /** The image to build and push (tag and repository resolved), with the aws provider to push with. */
  readonly build?: ImagePushArgs & { readonly tag: string; readonly provider?: pulumi.ProviderResource };
  readonly labels: Labels;
  readonly selector: Labels;
  readonly containerPort: number;
  readonly servicePort: number;
  readonly command?: string[];
  readonly args?: string[];
  readonly probes: ResolvedProbes;
  readonly resources: ResolvedResources;
  /** Undefined under autoscaling. */
  readonly replicas?: number;
  readonly minReplicas: number;
  readonly autoscaling?: AutoscalingArgs;
  readonly disruptionBudget?: ResolvedDisruptionBudget;
  readonly rollingUpdate: { readonly maxSurge: number | string; readonly maxUnavailable: number | string };
  readonly topologySpread?: { readonly zones: boolean; readonly nodes: boolean; readonly whenUnsatisfiable: "ScheduleAnyway" | "DoNotSchedule" };
  /** Why the token is mounted, when it is. */
  readonly tokenReason?: string;
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  /** Secrets Manager values and IAM statements (aws platform): a role for the ServiceAccount, ExternalSecrets. */
  readonly awsNeeds: WorkloadAwsNeeds;
  readonly platform: Platform;
  readonly security: ResolvedSecurity;
  readonly ingress?: IngressArgs;
  readonly metrics?: { readonly path: string; readonly port: number };
  readonly allowFrom: readonly NetworkRule[];
  readonly allowTo: readonly NetworkRule[];
  readonly env: ResolvedEnv;
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly terminationGracePeriodSeconds: number;
  readonly preStopSeconds: number;
}

const PORT_RULE = "expected a port from 1 to 65535";
const SURGE = /^\d{1,3}%$/;

function isPort(p: unknown): p is number {
  return Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;
}

function checkSurge(v: Validator, field: string, value: number | string, maxPercent = 999): boolean {
  const ok = typeof value === "number" ? Number.isInteger(value) && value >= 0 : SURGE.test(value) && Number(value.slice(0, -1)) <= maxPercent;
  return v.require(ok, field, value, `expected a non-negative integer or a percentage from 0% to ${maxPercent}% such as "25%"`);
}

export function resolveApiServiceArgs(name: string, args: ApiServiceArgs): ResolvedApiService {
  const v = new Validator("ApiService", name);
  checkArgShape(v, "ApiServiceArgs", args, () => resolveApiServiceArgs(name, args)); // unknown keys and wrong shapes, before anything reads them
  v.throwIfInvalid();
  const nameProblem = componentNameProblem(name);
  if (nameProblem) v.require(false, "name", name, nameProblem);
  if (!args || typeof args !== "object") {
    v.fail("args are missing; expected at least { platform, image }");
    v.throwIfInvalid();
  }
  const platform = args.platform;
  if (!platform || (platform.kind !== "kubernetes" && platform.kind !== "aws")) {
    v.require(false, "platform.kind", platform?.kind, "expected \"kubernetes\" or \"aws\" (the docker platform does not run ApiService yet)");
    v.throwIfInvalid();
  }
  const target = (platform as { kubernetes: KubernetesTarget }).kubernetes;

  const build = args.build;
  const hasBuild = build !== undefined && build !== null;
  if (hasBuild) {
    checkBuild(v, platform, args);
  } else if (isKnown(args.image)) {
    const problem = typeof args.image === "string" ? imagePinProblem(args.image) : "expected a string";
    if (problem) v.require(false, "image", args.image, problem);
  } else {
    v.require(args.image !== undefined && args.image !== null, "image", args.image, "expected an image reference such as \"ghcr.io/org/api:1.4.2\", or build (a Dockerfile keel builds and pushes to ECR, on the aws platform)");
  }
  const versionIssue = args.version === undefined ? undefined : versionProblem(args.version);
  if (versionIssue) v.require(false, "version", args.version, versionIssue);
  const component = args.component ?? "api";
  const componentProblem = labelValueProblem(component);
  if (componentProblem) v.require(false, "component", component, componentProblem);
  const tier = args.tier ?? "app";
  v.require(TIERS.includes(tier), "tier", tier, `expected one of ${TIERS.join(", ")}`);

  const containerPort = args.port ?? defaults.apiService.containerPort;
  const servicePort = args.servicePort ?? defaults.apiService.servicePort;
  v.require(isPort(containerPort), "port", containerPort, PORT_RULE);
  v.require(isPort(servicePort), "servicePort", servicePort, PORT_RULE);

  const probes = resolveProbes(v, "probes", args.probes, containerPort);
  const resources = resolveResources(v, "resources", args.resources);

  let replicas: number | undefined;
  let minReplicas: number;
  if (args.autoscaling) {
    validateAutoscaling(v, args.autoscaling);
    if (args.replicas !== undefined) {
      v.require(false, "replicas", args.replicas, "expected no fixed replicas when autoscaling is set (the HPA owns the count; use autoscaling.minReplicas)");
    }
    minReplicas = args.autoscaling.minReplicas;
  } else {
    replicas = args.replicas ?? defaults.apiService.replicas;
    v.require(Number.isInteger(replicas) && replicas >= 0 && replicas <= 1000, "replicas", replicas, "expected an integer from 0 to 1000");
    minReplicas = replicas;
  }
  const disruptionBudget = resolveDisruptionBudget(v, args.disruptionBudget, minReplicas);

  const rollingUpdate = {
    maxSurge: args.rollingUpdate?.maxSurge ?? defaults.apiService.rollingUpdate.maxSurge,
    maxUnavailable: args.rollingUpdate?.maxUnavailable ?? defaults.apiService.rollingUpdate.maxUnavailable,
  };
  const surgeOk = checkSurge(v, "rollingUpdate.maxSurge", rollingUpdate.maxSurge);
  const unavailableOk = checkSurge(v, "rollingUpdate.maxUnavailable", rollingUpdate.maxUnavailable, 100);
  const isZero = (x: number | string) => x === 0 || x === "0%";
  if (surgeOk && unavailableOk && isZero(rollingUpdate.maxSurge) && isZero(rollingUpdate.maxUnavailable)) {
    v.fail("rollingUpdate sets maxSurge and maxUnavailable both to 0; expected at least one above 0, or no rollout can progress");
  }

  const spreadArgs = args.topologySpread;
  const topologySpread = spreadArgs === false ? undefined : {
    zones: spreadArgs?.zones ?? true,
    nodes: spreadArgs?.nodes ?? true,
    whenUnsatisfiable: spreadArgs?.whenUnsatisfiable ?? defaults.topologySpread.whenUnsatisfiable,
  };
  if (topologySpread) v.require(["ScheduleAnyway", "DoNotSchedule"].includes(topologySpread.whenUnsatisfiable), "topologySpread.whenUnsatisfiable", topologySpread.whenUnsatisfiable, "expected \"ScheduleAnyway\" or \"DoNotSchedule\"");

  if (args.ingress) validateIngress(v, args.ingress, target);
  let metrics: { path: string; port: number } | undefined;
  if (args.metrics !== false) {
    metrics = { path: args.metrics?.path ?? defaults.metrics.path, port: args.metrics?.port ?? containerPort };
    v.require(typeof metrics.path === "string" && metrics.path.startsWith("/") && !/[\s\u0000-\u001f\u007f]/.test(metrics.path), "metrics.path", metrics.path, "expected an absolute HTTP path such as \"/metrics\", without spaces or control characters");
    if (args.metrics?.port !== undefined) v.require(isPort(metrics.port), "metrics.port", metrics.port, PORT_RULE);
  }
  // The Service lists servicePort and a metrics port of its own; the container its port and that metrics port.
  const metricsOwnPort: ListedPort[] = metrics && metrics.port !== containerPort ? [{ field: "metrics.port", port: metrics.port }] : [];
  requireDistinctPorts(v, "the Service", [{ field: "servicePort", port: servicePort }, ...metricsOwnPort]);
  requireDistinctPorts(v, "the container", [{ field: "port", port: containerPort }, ...metricsOwnPort]);
  validateRules(v, "allowFrom", args.allowFrom);
  validateRules(v, "allowTo", args.allowTo);

  const grace = args.terminationGracePeriodSeconds ?? defaults.apiService.terminationGracePeriodSeconds;
  v.require(Number.isInteger(grace) && grace >= 0 && grace <= 3600, "terminationGracePeriodSeconds", grace, "expected an integer from 0 to 3600");
  const preStop = args.preStopSeconds ?? defaults.apiService.preStopSeconds;
  if (v.require(Number.isInteger(preStop) && preStop >= 0 && preStop <= 120, "preStopSeconds", preStop, "expected an integer from 0 to 120")) {
    v.require(preStop < grace || preStop === 0, "preStopSeconds", preStop, `expected less than terminationGracePeriodSeconds (${grace}), so the process still gets time to shut down`);
  }
  if (args.serviceAccount?.automountToken) {
    const reason = args.serviceAccount.tokenReason ?? "";
    v.require(reason.trim().length >= 10, "serviceAccount.tokenReason", args.serviceAccount.tokenReason, "expected why the pod calls the Kubernetes API (10 characters at least), since serviceAccount.automountToken is true; it becomes the policy exemption");
  }
  const security = resolveSecurity(v, "security", args.security);
  checkEphemeralStorage(v, resources, security.readOnlyRootFilesystem ? [TMP_WRITE] : []);
  if (isPort(containerPort) && containerPort < 1024 && !security.addCapabilities.includes("NET_BIND_SERVICE")) {
    v.require(false, "port", containerPort, "expected a port of 1024 or above (containers run as non-root), or security.addCapabilities: [\"NET_BIND_SERVICE\"] to bind it");
  }
  const telemetry = args.telemetry;
  const connected = applyConnections(v, args, args.connections);
  const withConnections = connected.args;
  // With telemetry: the OTEL_* variables, and the pod's name and namespace as resource attributes (inline, expanded by the kubelet).
  const otel = telemetry ? telemetryEnv(telemetry, name, target.system, withConnections.env) : undefined;
  for (const expanded of otel?.expanded ?? []) {
    if (Object.prototype.hasOwnProperty.call(withConnections.secretEnv ?? {}, expanded.name)) {
      v.fail(`secretEnv.${expanded.name} is [secret]; expected a name telemetry does not set (keel writes ${expanded.name} with the pod's name and namespace; give your own attributes in env as a plain string, which keel appends)`);
    }
  }
  const resolved = resolveEnv(v, otel ? { ...withConnections, env: otel.env } : withConnections);
  const env: ResolvedEnv = otel ? { ...resolved, expanded: otel.expanded } : resolved;
  checkConfigObjectSizes(v, env);
  const allowTo: NetworkRule[] = [...(args.allowTo ?? []), ...connected.allowTo];
  if (telemetry) allowTo.push({ peer: telemetry.collector, ports: [{ port: 4317 }, { port: 4318 }] });
  for (const [field, value, allowed] of argvProblems(args, '["node", "server.js"]')) v.require(false, field, value, allowed);
  checkPeerPlatforms(v, platform as { name: string; kubernetes: KubernetesTarget }, args);
  const awsNeeds = awsNeedsOf(env, args.connections);
  checkWorkloadAwsNeeds(v, platform, awsNeeds, args.serviceAccount?.annotations);
  for (const [field, value, allowed] of [
    ...labelProblems("labels", args.labels),
    ...annotationProblems("podAnnotations", args.podAnnotations),
    ...annotationProblems("serviceAccount.annotations", args.serviceAccount?.annotations),
  ]) v.require(false, field, value, allowed);
  for (const key of Object.keys(args.labels ?? {})) {
    v.require(!key.startsWith("app.kubernetes.io/"), "labels", key, "expected a label outside app.kubernetes.io/ (keel sets those)");
  }
  v.throwIfInvalid();
  // Reads the build context (the content tag) before anything is claimed.
  const pushed = hasBuild ? resolveBuild(name, platform as AwsPlatformContext, args) : undefined;
  claimIngressRoutes("ApiService", name, args.ingress, target);
  const version = args.version ?? (typeof args.image === "string" ? imageVersion(args.image) : pushed && isLabelValue(pushed.tag) ? pushed.tag : undefined);

  const info = { name, instance: name, version, component, partOf: target.system };
  return {
    name,
    target,
    tier,
    namespace: target.namespaces[tier],
    // A built image is pinned by digest by construction: no string check to defer.
    image: hasBuild ? undefined : checkDeferredImage("ApiService", name, "image", args.image as pulumi.Input<string>, imagePinProblem),
    build: pushed,
    labels: { ...(args.labels ?? {}), ...standardLabels(info) },
    selector: selectorLabels(info),
    containerPort,
    servicePort,
    command: args.command ? [...args.command] : undefined,
    args: args.args ? [...args.args] : undefined,
    probes,
    resources,
    replicas,
    minReplicas,
    autoscaling: args.autoscaling,
    disruptionBudget,
    rollingUpdate,
    topologySpread,
    tokenReason: args.serviceAccount?.automountToken ? args.serviceAccount.tokenReason : undefined,
    serviceAccountAnnotations: args.serviceAccount?.annotations ?? {},
    security,
    ingress: args.ingress,
    metrics,
    allowFrom: args.allowFrom ?? [],
    allowTo,
    env,
    awsNeeds,
    platform,
    podAnnotations: args.podAnnotations ?? {},
    terminationGracePeriodSeconds: grace,
    preStopSeconds: preStop,
  };
}

/** `image` and `build` exclude each other; `build` needs the aws platform; the build's own problems. */
function checkBuild(v: Validator, platform: ApiServiceArgs["platform"], args: ApiServiceArgs): void {
  if (args.image !== undefined && args.image !== null) {
    v.fail("image and build are both set; expected exactly one of them: image for an image built elsewhere, build for keel to build and push it");
    return;
  }
  if (platform.kind !== "aws") {
    v.require(false, "build", args.build, `expected no build on platform kind "${platform.kind}": the ECR repository and the push need the aws platform's provider; on ${platform.kind}, build the image in CI and pass image`);
    return;
  }
  const build = args.build as NonNullable<ApiServiceArgs["build"]>;
  for (const [field, value, allowed] of imageBuildProblems("build", build)) v.require(false, field, value, allowed);
  if (build.repositoryName === undefined) {
    const fallback = defaultRepositoryName(platform.kubernetes.system, v.name);
    if (repositoryNameProblem(fallback)) v.require(false, "build.repositoryName", build.repositoryName, `${REPOSITORY_RULE} (the default "${fallback}", from the system and the service name, is not one)`);
  }
}

function defaultRepositoryName(system: string, name: string): string {
  return `${system}/${name}`;
}

/** The build with its tag (given, or the content hash of the context: files are read here) and repository. */
function resolveBuild(name: string, platform: AwsPlatformContext, args: ApiServiceArgs): NonNullable<ResolvedApiService["build"]> {
  const build = args.build as NonNullable<ApiServiceArgs["build"]>;
  // The aws platform's tags, once it carries them (read optionally until AwsPlatformContext has the field).
  const tags: AwsTags = (platform.aws as { readonly tags?: AwsTags }).tags ?? {};
  return {
    context: build.context,
    dockerfile: build.dockerfile,
    platform: build.platform,
    buildArgs: build.buildArgs,
    target: build.target,
    repositoryName: build.repositoryName ?? defaultRepositoryName(platform.kubernetes.system, name),
    tag: build.tag ?? contentTag(build),
    tags,
    provider: platform.aws.provider,
  };
}
