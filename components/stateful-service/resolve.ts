/** Validation and defaults for StatefulService: pure, every problem at once. */
import type * as pulumi from "@pulumi/pulumi";
import { applyConnections } from "../core/connection";
import { defaults } from "../core/defaults";
import { ResolvedEnv, resolveEnv } from "../core/env";
import { Validator } from "../core/errors";
import { isDnsLabel } from "../core/naming";
import type { NetworkRule } from "../core/network";
import { ResolvedProbes, resolveProbes } from "../core/probes";
import { ResolvedResources, resolveResources } from "../core/resources";
import { ResolvedSecurity, resolveSecurity } from "../core/security";
import { DataStoreBase, ResolvedStorage, checkCount, checkImage, checkRules, resolveDataStoreBase, resolveStorage } from "../workload/data-store";
import { ResolvedDisruptionBudget, resolveDisruptionBudget } from "../workload/disruption";
import type { StatefulServiceArgs, StatefulServicePort } from "./index";

export interface ResolvedStatefulService extends DataStoreBase {
  readonly image: pulumi.Input<string>;
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

const isPort = (p: unknown) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;

export function resolveStatefulServiceArgs(name: string, args: StatefulServiceArgs): ResolvedStatefulService {
  const v = new Validator("StatefulService", name);
  const base = resolveDataStoreBase(v, name, args, "data", true);
  checkImage(v, "image", args.image);
  const ports = args.ports ?? [];
  v.require(ports.length > 0, "ports", ports, "expected at least one port, e.g. [{ name: \"http\", port: 8080 }]");
  ports.forEach((p, i) => {
    v.require(isDnsLabel(p.name) && p.name.length <= 15, `ports[${i}].name`, p.name, "expected a port name of at most 15 lowercase letters, digits and '-'");
    v.require(isPort(p.port), `ports[${i}].port`, p.port, "expected a port from 1 to 65535");
  });
  const replicas = args.replicas ?? 1;
  checkCount(v, "replicas", replicas, 0, 100);
  const volumes = (args.volumes ?? []).map((vol, i) => {
    v.require(isDnsLabel(vol.name) && vol.name !== "tmp", `volumes[${i}].name`, vol.name, "expected a DNS-1123 name other than \"tmp\"");
    v.require(typeof vol.mountPath === "string" && vol.mountPath.startsWith("/") && vol.mountPath !== "/tmp", `volumes[${i}].mountPath`, vol.mountPath, "expected an absolute path other than /tmp");
    const storage = resolveStorage(v, `volumes[${i}]`, { size: vol.size, storageClass: vol.storageClass }, vol.size) as ResolvedStorage;
    return { ...storage, name: vol.name, mountPath: vol.mountPath };
  });
  const first = ports[0]?.port ?? 1;
  const probes = resolveProbes(
    v,
    "probes",
    args.probes ?? { startup: { tcpPort: first, periodSeconds: 5, failureThreshold: 60 }, liveness: { tcpPort: first, periodSeconds: 15, failureThreshold: 4 }, readiness: { tcpPort: first, periodSeconds: 5 } },
    first,
  );
  const resources = resolveResources(v, "resources", args.resources);
  const security = resolveSecurity(v, "security", args.security);
  const connected = applyConnections(v, args, args.connections);
  const env = resolveEnv(v, connected.args);
  let metrics: ResolvedStatefulService["metrics"];
  if (args.metrics) {
    metrics = { port: args.metrics.port, path: args.metrics.path ?? defaults.metrics.path };
    v.require(isPort(metrics.port), "metrics.port", metrics.port, "expected a port from 1 to 65535");
  }
  checkRules(v, "allowFrom", args.allowFrom);
  checkRules(v, "allowTo", args.allowTo);
  for (const [k, t] of Object.entries(args.clientEnv ?? {})) {
    v.require(/^[A-Z_][A-Z0-9_]*$/.test(k), "clientEnv", k, "expected an environment variable name such as \"RABBITMQ_URL\"");
    v.require(typeof t === "string", `clientEnv.${k}`, t, "expected a string with {host} and {port} placeholders");
  }
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
