/** Validation and defaults for StatefulService: pure, every problem at once. */
import { checkArgShape } from "../core/arg-shape";
import type * as pulumi from "@pulumi/pulumi";
import { applyConnections } from "../core/connection";
import type { Platform } from "../platform/types";
import { WorkloadAwsNeeds, awsNeedsOf, checkWorkloadAwsNeeds } from "../aws/workload-access";
import { defaults } from "../core/defaults";
import { ResolvedEnv, resolveEnv } from "../core/env";
import { requireUnique } from "../core/duplicates";
import { Validator } from "../core/errors";
import { argvProblems, labelValueProblem, mountPathProblem, normalizeMountPath, portNameProblem } from "../core/kubernetes-syntax";
import { checkPeerPlatforms } from "../workload/network-access";
import { checkConfigObjectSizes } from "../workload/workload";
import { isDnsLabel } from "../core/naming";
import type { NetworkRule } from "../core/network";
import { ResolvedProbes, resolveProbes } from "../core/probes";
import { ResolvedResources, TMP_WRITE, checkEphemeralStorage, resolveResources } from "../core/resources";
import { ResolvedSecurity, resolveSecurity } from "../core/security";
import { DataStoreBase, ResolvedStorage, checkCount, checkImage, checkRules, resolveDataStoreBase, resolveStorage } from "../workload/data-store";
import { ResolvedDisruptionBudget, resolveDisruptionBudget } from "../workload/disruption";
import type { StatefulServiceArgs, StatefulServicePort } from "./index";

export interface ResolvedStatefulService extends DataStoreBase {
  readonly image: pulumi.Input<string>;
  /** Secrets Manager values and IAM statements (aws platform): a role for the ServiceAccount, ExternalSecrets. */
  readonly awsNeeds: WorkloadAwsNeeds;
  readonly platform: Platform;
  readonly ports: readonly StatefulServicePort[];
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly replicas: number;
  readonly volumes: readonly (ResolvedStorage & { readonly name: string; readonly mountPath: string })[];
  readonly probes: ResolvedProbes;
  readonly resources: ResolvedResources;
  readonly security: ResolvedSecurity;
  readonly env: ResolvedEnv;
  readonly metrics?: { readonly port: number; readonly path: string };
  readonly allowFrom: readonly NetworkRule[];
  readonly allowTo: readonly NetworkRule[];
  readonly clientEnv: Readonly<Record<string, string>>;
  readonly singleReplicaReason?: string;
  readonly disruptionBudget?: ResolvedDisruptionBudget;
  readonly protect: boolean;
  readonly component: string;
  readonly terminationGracePeriodSeconds: number;
}

/** What `clientEnv` templates may contain: the Service host and the first port. */
const CLIENT_ENV_PLACEHOLDERS = ["host", "port"];

const isPort = (p: unknown) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;

export function resolveStatefulServiceArgs(name: string, args: StatefulServiceArgs): ResolvedStatefulService {
  const v = new Validator("StatefulService", name);
  checkArgShape(v, "StatefulServiceArgs", args, () => resolveStatefulServiceArgs(name, args)); // unknown keys and wrong shapes, before anything reads them
  v.throwIfInvalid();
  const base = resolveDataStoreBase(v, name, args, "data", true);
  checkImage(v, "image", args.image);
  if (args.component !== undefined) {
    const problem = labelValueProblem(args.component);
    if (problem) v.require(false, "component", args.component, problem);
  }
  const ports = args.ports ?? [];
  v.require(ports.length > 0, "ports", ports, "expected at least one port, e.g. [{ name: \"http\", port: 8080 }]");
  ports.forEach((p, i) => {
    const problem = portNameProblem(p.name);
    if (problem) v.require(false, `ports[${i}].name`, p.name, problem);
    v.require(isPort(p.port), `ports[${i}].port`, p.port, "expected a port from 1 to 65535");
  });
  requireUnique(v, "ports", ports, "port", (p) => (isPort(p.port) ? p.port : undefined), "a port");
  requireUnique(v, "ports", ports, "name", (p) => (typeof p.name === "string" ? p.name : undefined), "a port name");
  const replicas = args.replicas ?? 1;
  checkCount(v, "replicas", replicas, 0, 100);
  const volumes = (args.volumes ?? []).map((vol, i) => {
    v.require(isDnsLabel(vol.name) && vol.name !== "tmp", `volumes[${i}].name`, vol.name, "expected a DNS-1123 name other than \"tmp\"");
    const mountProblem = mountPathProblem(vol.mountPath);
    if (mountProblem) v.require(false, `volumes[${i}].mountPath`, vol.mountPath, mountProblem);
    else v.require(normalizeMountPath(vol.mountPath) !== "/tmp", `volumes[${i}].mountPath`, vol.mountPath, "expected an absolute path other than /tmp (keel mounts its own writable /tmp)");
    const storage = resolveStorage(v, `volumes[${i}]`, { size: vol.size, storageClass: vol.storageClass }, vol.size, base.target.storageClasses) as ResolvedStorage;
    return { ...storage, name: vol.name, mountPath: vol.mountPath };
  });
  const volumeArgs = Array.isArray(args.volumes) ? args.volumes : [];
  requireUnique(v, "volumes", volumeArgs, "name", (vol) => (typeof vol.name === "string" ? vol.name : undefined), "a volume name");
  requireUnique(v, "volumes", volumeArgs, "mountPath", (vol) => (typeof vol.mountPath === "string" ? normalizeMountPath(vol.mountPath) : undefined), "a mount path");
  const filePaths = Object.keys(args.files ?? {}).map(normalizeMountPath);
  volumeArgs.forEach((vol, i) => {
    if (typeof vol.mountPath !== "string" || mountPathProblem(vol.mountPath)) return;
    const at = normalizeMountPath(vol.mountPath);
    const file = filePaths.find((f) => at === f || at.startsWith(`${f}/`));
    if (file !== undefined) v.require(false, `volumes[${i}].mountPath`, vol.mountPath, `expected a path outside the mounted file ${JSON.stringify(file)} (files.${file} is mounted there)`);
  });
  for (const [field, value, allowed] of argvProblems(args, '["server", "--port", "8080"]')) v.require(false, field, value, allowed);
  const first = ports[0]?.port ?? 1;
  const probes = resolveProbes(
    v,
    "probes",
    args.probes ?? { startup: { tcpPort: first, periodSeconds: 5, failureThreshold: 60 }, liveness: { tcpPort: first, periodSeconds: 15, failureThreshold: 4 }, readiness: { tcpPort: first, periodSeconds: 5 } },
    first,
  );
  const resources = resolveResources(v, "resources", args.resources);
  const security = resolveSecurity(v, "security", args.security);
  checkEphemeralStorage(v, resources, security.readOnlyRootFilesystem ? [TMP_WRITE] : []);
  const connected = applyConnections(v, args, args.connections);
  const env = resolveEnv(v, connected.args);
  checkConfigObjectSizes(v, env);
  let metrics: ResolvedStatefulService["metrics"];
  if (args.metrics) {
    metrics = { port: args.metrics.port, path: args.metrics.path ?? defaults.metrics.path };
    v.require(isPort(metrics.port), "metrics.port", metrics.port, "expected a port from 1 to 65535");
  }
  checkRules(v, "allowFrom", args.allowFrom);
  checkRules(v, "allowTo", args.allowTo);
  for (const [k, t] of Object.entries(args.clientEnv ?? {})) {
    v.require(/^[A-Z_][A-Z0-9_]*$/.test(k), "clientEnv", k, "expected an environment variable name such as \"RABBITMQ_URL\"");
    if (!v.require(typeof t === "string", `clientEnv.${k}`, t, "expected a string with {host} and {port} placeholders")) continue;
    const unknown = [...t.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]).filter((p) => !CLIENT_ENV_PLACEHOLDERS.includes(p));
    if (unknown.length > 0) v.require(false, `clientEnv.${k}`, t, `expected only the placeholders ${CLIENT_ENV_PLACEHOLDERS.map((p) => `{${p}}`).join(" and ")} ({${unknown[0]}} is not one)`);
  }
  checkPeerPlatforms(v, { name: args.platform.name, kubernetes: base.target }, args);
  const awsNeeds = awsNeedsOf(env, args.connections);
  checkWorkloadAwsNeeds(v, args.platform, awsNeeds);
  if (args.singleReplicaReason !== undefined) v.require(args.singleReplicaReason.trim().length >= 10, "singleReplicaReason", args.singleReplicaReason, "expected why one replica is enough (10 characters at least); it becomes the policy exemption");
  const grace = args.terminationGracePeriodSeconds ?? 60;
  checkCount(v, "terminationGracePeriodSeconds", grace, 0, 3600);
  const disruptionBudget = resolveDisruptionBudget(v, args.disruptionBudget, replicas);
  v.throwIfInvalid();
  return {
    ...base,
    image: args.image,
    ports,
    command: args.command,
    args: args.args,
    replicas,
    volumes,
    probes,
    resources,
    security,
    env,
    awsNeeds,
    platform: args.platform,
    metrics,
    allowFrom: args.allowFrom ?? [],
    allowTo: [...(args.allowTo ?? []), ...connected.allowTo],
    clientEnv: args.clientEnv ?? {},
    singleReplicaReason: args.singleReplicaReason,
    disruptionBudget,
    protect: args.protect ?? false,
    component: args.component ?? "stateful",
    terminationGracePeriodSeconds: grace,
  };
}
