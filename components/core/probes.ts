/**
 * Probes as intent: which endpoint tells that the container started, is alive, is ready.
 * Exactly one handler per probe (HTTP path, TCP port, command or gRPC port); when none is
 * given, the HTTP path from {@link defaults} is used. Timings default per probe kind.
 */
import type * as k8s from "@pulumi/kubernetes";
import { defaults } from "./defaults";
import { Validator } from "./errors";

export interface ProbeArgs {
  /** HTTP GET path, e.g. `/health/ready`. */
  readonly path?: string;
  /** Port for the HTTP GET. @default the container port */
  readonly port?: number;
  /** @default "HTTP" */
  readonly scheme?: "HTTP" | "HTTPS";
  /** Probe by opening a TCP connection to this port instead of HTTP. */
  readonly tcpPort?: number;
  /** Probe by running this command in the container instead of HTTP. */
  readonly command?: readonly string[];
  /** Probe with the gRPC health protocol on this port instead of HTTP. */
  readonly grpcPort?: number;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
  /** @default 10 (liveness), 5 (readiness), 3 (startup) */
  readonly periodSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** @default 3 (liveness, readiness), 30 (startup) */
  readonly failureThreshold?: number;
  /** Must be 1 for liveness and startup probes. @default 1 */
  readonly successThreshold?: number;
}

export interface ProbesArgs {
  /**
   * Gates liveness and readiness until the application has started. `false` disables it.
   * @default the liveness endpoint, every 3 s, up to 30 failures
   */
  readonly startup?: ProbeArgs | false;
  /** Restarts the container when it fails. @default GET /health/live every 10 s */
  readonly liveness?: ProbeArgs;
  /** Takes the pod out of the Service when it fails. @default GET /health/ready every 5 s */
  readonly readiness?: ProbeArgs;
}

export type ProbeKind = "startup" | "liveness" | "readiness";
export type K8sProbe = k8s.types.input.core.v1.Probe;

export interface ResolvedProbes {
  readonly startup?: K8sProbe;
  readonly liveness: K8sProbe;
  readonly readiness: K8sProbe;
}

const TIMINGS = ["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold"] as const;

function handlerOf(v: Validator, field: string, p: ProbeArgs, fallbackPath: string | undefined, containerPort: number): Partial<K8sProbe> {
  const given = [p.path !== undefined, p.tcpPort !== undefined, p.command !== undefined, p.grpcPort !== undefined].filter(Boolean).length;
  if (given > 1) {
    v.fail(`${field} sets more than one of path, tcpPort, command and grpcPort; expected exactly one handler`);
  }
  const portOk = (port: number | undefined, name: string) =>
    port === undefined || v.require(Number.isInteger(port) && port >= 1 && port <= 65535, `${field}.${name}`, port, "expected a port from 1 to 65535");
  const handler = p.tcpPort !== undefined ? "tcpPort" : p.command !== undefined ? "command" : p.grpcPort !== undefined ? "grpcPort" : undefined;
  if (handler !== undefined) {
    for (const key of ["port", "scheme"] as const) {
      if (p[key] !== undefined) v.require(false, `${field}.${key}`, p[key], `expected none with ${handler} (${key} belongs to an HTTP probe and would be ignored)`);
    }
  }
  if (p.tcpPort !== undefined) {
    portOk(p.tcpPort, "tcpPort");
    return { tcpSocket: { port: p.tcpPort } };
  }
  if (p.command !== undefined) {
    v.require(Array.isArray(p.command) && p.command.length > 0, `${field}.command`, p.command, "expected a non-empty list of arguments");
    return { exec: { command: [...p.command] } };
  }
  if (p.grpcPort !== undefined) {
    portOk(p.grpcPort, "grpcPort");
    return { grpc: { port: p.grpcPort } };
  }
  const path = p.path ?? fallbackPath;
  v.require(typeof path === "string" && path.startsWith("/") && !/[\s\u0000-\u001f\u007f]/.test(path), `${field}.path`, path, "expected an absolute HTTP path such as \"/health/ready\", without spaces or control characters");
  portOk(p.port, "port");
  if (p.scheme !== undefined) v.require(p.scheme === "HTTP" || p.scheme === "HTTPS", `${field}.scheme`, p.scheme, "expected \"HTTP\" or \"HTTPS\" (upper case)");
  return { httpGet: { path, port: p.port ?? containerPort, scheme: p.scheme ?? "HTTP" } };
}

function resolveProbe(v: Validator, field: string, kind: ProbeKind, p: ProbeArgs, fallbackPath: string | undefined, containerPort: number): K8sProbe {
  const d = defaults.probes[kind];
  const probe: Record<string, unknown> = { ...handlerOf(v, field, p, fallbackPath, containerPort) };
  for (const key of TIMINGS) {
    const value = p[key] ?? d[key];
    const min = key === "initialDelaySeconds" ? 0 : 1;
    v.require(Number.isInteger(value) && value >= min, `${field}.${key}`, value, `expected an integer of at least ${min}`);
    probe[key] = value;
  }
  if (kind !== "readiness") {
    v.require(probe.successThreshold === 1, `${field}.successThreshold`, probe.successThreshold, `expected 1 (Kubernetes requires it for ${kind} probes)`);
  }
  return probe as K8sProbe;
}

/**
 * Resolves the three probes of a container serving on `containerPort`. Liveness must differ
 * from readiness: identical probes restart pods that are merely busy.
 */
export function resolveProbes(v: Validator, field: string, args: ProbesArgs = {}, containerPort: number): ResolvedProbes {
  const liveness = resolveProbe(v, `${field}.liveness`, "liveness", args.liveness ?? {}, defaults.probes.liveness.path, containerPort);
  const readiness = resolveProbe(v, `${field}.readiness`, "readiness", args.readiness ?? {}, defaults.probes.readiness.path, containerPort);
  if (JSON.stringify(liveness) === JSON.stringify(readiness)) {
    v.fail(`${field}.liveness is identical to ${field}.readiness; expected a different endpoint or timings (a busy pod would be restarted instead of taken out of rotation)`);
  }
  if (args.startup === false) return { liveness, readiness };
  const livenessPath = liveness.httpGet ? (liveness.httpGet as { path: string }).path : undefined;
  const startupArgs: ProbeArgs = args.startup ?? startupFromLiveness(args.liveness ?? {});
  const startup = resolveProbe(v, `${field}.startup`, "startup", startupArgs, livenessPath, containerPort);
  return { startup, liveness, readiness };
}

/** The default startup probe: the liveness handler with startup timings. */
function startupFromLiveness(liveness: ProbeArgs): ProbeArgs {
  const { path, port, scheme, tcpPort, command, grpcPort } = liveness;
  return { path, port, scheme, tcpPort, command, grpcPort };
}
