/** Ingress intent: host, paths, TLS through cert-manager, nginx rate limiting and body size. */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/naming";
import { defaults } from "../core/defaults";
import { findDuplicates } from "../core/duplicates";
import { Validator } from "../core/errors";
import { annotationProblems, dnsSubdomainProblem, ingressHostProblem, ingressPathProblem, ingressRouteKey } from "../core/kubernetes-syntax";
import type { Labels } from "../core/labels";
import { meshIngressBackend } from "../platform/mesh";
import type { KubernetesTarget, Tier } from "../platform/types";

export interface IngressTlsArgs {
  /** Secret holding the certificate; cert-manager writes it. @default `${name}-tls` */
  readonly secretName?: string;
  /** cert-manager ClusterIssuer. @default the platform's (`letsencrypt-prod`) */
  readonly clusterIssuer?: string;
}

export interface RateLimitArgs {
  /** Requests per second per client IP (`limit-rps`). */
  readonly requestsPerSecond?: number;
  /** Concurrent connections per client IP (`limit-connections`). */
  readonly connections?: number;
  /** Burst allowed above the rate, as a multiplier (`limit-burst-multiplier`). @default 5 (nginx's) */
  readonly burstMultiplier?: number;
}

export interface IngressArgs {
  /** Public host name, e.g. `api.example.com`. */
  readonly host: string;
  /** Further host names served by the same rules and certificate. */
  readonly additionalHosts?: readonly string[];
  /** @default ["/"] */
  readonly paths?: readonly string[];
  /** @default "Prefix" */
  readonly pathType?: "Prefix" | "Exact" | "ImplementationSpecific";
  /** TLS settings; `false` serves plain HTTP (flagged by the policy pack). @default cert-manager with the platform's issuer */
  readonly tls?: IngressTlsArgs | false;
  /** @default the platform's ingress class ("nginx") */
  readonly className?: string;
  readonly rateLimit?: RateLimitArgs;
  /** Largest request body, nginx size syntax (`"10m"`). @default "1m" */
  readonly maxBodySize?: string;
  /**
   * Extra annotations, e.g. other nginx settings. Not the ones keel sets from other args (see
   * {@link KEEL_INGRESS_ANNOTATIONS}) and no `*-snippet` (raw nginx configuration).
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

const NGINX_SIZE = /^\d+[kKmMgG]?$/;

/** Annotations keel writes on an Ingress, with the arg that sets each: `ingress.annotations` may not set them. */
export const KEEL_INGRESS_ANNOTATIONS: Readonly<Record<string, string>> = {
  "nginx.ingress.kubernetes.io/proxy-body-size": "maxBodySize",
  "nginx.ingress.kubernetes.io/ssl-redirect": "tls (false serves plain HTTP)",
  "nginx.ingress.kubernetes.io/force-ssl-redirect": "tls (false serves plain HTTP)",
  "cert-manager.io/cluster-issuer": "tls.clusterIssuer",
  "nginx.ingress.kubernetes.io/limit-rps": "rateLimit.requestsPerSecond",
  "nginx.ingress.kubernetes.io/limit-connections": "rateLimit.connections",
  "nginx.ingress.kubernetes.io/limit-burst-multiplier": "rateLimit.burstMultiplier",
};

/** Why `key` may not be given in `ingress.annotations` (keel sets it, or it carries raw nginx configuration), or undefined. */
export function ingressAnnotationKeyProblem(key: string, field: string): string | undefined {
  const arg = Object.hasOwn(KEEL_INGRESS_ANNOTATIONS, key) ? KEEL_INGRESS_ANNOTATIONS[key] : undefined;
  if (arg !== undefined) return `expected an annotation keel does not set itself; use ${field}.${arg} instead`;
  if (/-snippet$/.test(key)) return "expected no *-snippet annotation: raw nginx configuration bypasses keel's checks, and ingress-nginx 1.9 and later refuse it by default";
  return undefined;
}

export function validateIngress(v: Validator, a: IngressArgs, target: KubernetesTarget, field = "ingress"): void {
  const hosts: unknown[] = [a.host, ...(Array.isArray(a.additionalHosts) ? a.additionalHosts : [])];
  hosts.forEach((host, i) => {
    const problem = ingressHostProblem(host);
    if (problem) v.require(false, i === 0 ? `${field}.host` : `${field}.additionalHosts[${i - 1}]`, host, problem);
  });
  for (const d of findDuplicates(hosts, (h) => (typeof h === "string" ? h : undefined))) {
    v.require(false, `${field}.additionalHosts[${d.index - 1}]`, d.key, `expected a host not already served (${d.first === 0 ? `${field}.host` : `${field}.additionalHosts[${d.first - 1}]`} is the same): the same host and path twice is one route`);
  }
  const pathType = a.pathType ?? defaults.ingress.pathType;
  const paths: unknown[] = Array.isArray(a.paths) ? a.paths : ["/"];
  v.require(paths.length > 0, `${field}.paths`, a.paths, "expected at least one path, such as [\"/\"]");
  const nginx = /nginx/i.test(String(a.className ?? target.ingress.className));
  paths.forEach((p, i) => {
    const problem = ingressPathProblem(p, pathType, nginx);
    if (problem) v.require(false, `${field}.paths[${i}]`, p, problem);
  });
  for (const d of findDuplicates(paths, (p) => (typeof p === "string" ? ingressRouteKey(p, pathType) : undefined))) {
    v.require(false, `${field}.paths[${d.index}]`, paths[d.index], `expected a path not already routed by ${field}.paths[${d.first}] (the same host and path twice)`);
  }
  if (a.className !== undefined) {
    const problem = dnsSubdomainProblem(a.className);
    if (problem) v.require(false, `${field}.className`, a.className, `expected an IngressClass name: ${problem.replace(/^expected /, "")}`);
  }
  for (const [f, value, allowed] of annotationProblems(`${field}.annotations`, a.annotations)) v.require(false, f, value, allowed);
  for (const key of Object.keys(a.annotations ?? {})) {
    const problem = ingressAnnotationKeyProblem(key, field);
    if (problem) v.require(false, `${field}.annotations`, key, problem);
  }
  checkRouteClaims(v, a, target, field);
  const size = a.maxBodySize;
  if (size !== undefined) v.require(NGINX_SIZE.test(size), `${field}.maxBodySize`, size, "expected an nginx size such as \"10m\" or \"512k\"");
  const rl = a.rateLimit ?? {};
  for (const key of ["requestsPerSecond", "connections", "burstMultiplier"] as const) {
    const value = rl[key];
    if (value !== undefined) v.require(Number.isInteger(value) && value >= 1, `${field}.rateLimit.${key}`, value, "expected an integer of at least 1");
  }
  const secretName = a.tls === false ? undefined : a.tls?.secretName;
  if (secretName !== undefined) {
    v.require(dnsSubdomainProblem(secretName) === undefined, `${field}.tls.secretName`, secretName, "expected a Secret name (lowercase letters, digits, '-' and '.', at most 253 characters)");
  }
  const issuer = a.tls === false ? undefined : a.tls?.clusterIssuer;
  if (issuer !== undefined) v.require(dnsSubdomainProblem(issuer) === undefined, `${field}.tls.clusterIssuer`, issuer, "expected a ClusterIssuer name (lowercase letters, digits, '-' and '.', at most 253 characters)");
  if (a.tls !== false && !target.operators.certManager && secretName === undefined) {
    v.require(false, `${field}.tls.secretName`, undefined, "expected the name of an existing TLS Secret, since the platform has no cert-manager (operators.certManager is false)");
  }
}

/**
 * Routes (host + path) served on each platform, by the component that serves them: two
 * components routing the same host and path would be two Ingresses the controller merges, one
 * of them silently losing. A component's routes are claimed once its args are valid.
 */
const claimedRoutes = new WeakMap<KubernetesTarget, Map<string, string>>();

function routesOf(a: IngressArgs): { route: string; shown: string }[] {
  const pathType = a.pathType ?? defaults.ingress.pathType;
  const hosts = [a.host, ...(a.additionalHosts ?? [])].filter((h): h is string => typeof h === "string");
  const paths = (Array.isArray(a.paths) ? a.paths : ["/"]).filter((p): p is string => typeof p === "string");
  return hosts.flatMap((host) => paths.map((path) => ({ route: `${host.toLowerCase()} ${ingressRouteKey(path, pathType)}`, shown: `${host}${path}` })));
}

/** Routes of `a` another component on the same platform already serves. */
function checkRouteClaims(v: Validator, a: IngressArgs, target: KubernetesTarget, field: string): void {
  const claimed = claimedRoutes.get(target);
  if (!claimed) return;
  const owner = `${v.component} "${v.name}"`;
  for (const { route, shown } of routesOf(a)) {
    const other = claimed.get(route);
    if (other !== undefined && other !== owner) v.fail(`${field} routes ${shown}, which ${other} already routes on this platform; expected each host and path served by one component (give one of them another host or path)`);
  }
}

/** Records the routes of a component whose args are valid (call after `throwIfInvalid`). */
export function claimIngressRoutes(component: string, name: string, a: IngressArgs | undefined, target: KubernetesTarget): void {
  if (!a) return;
  let claimed = claimedRoutes.get(target);
  if (!claimed) claimedRoutes.set(target, (claimed = new Map()));
  for (const { route } of routesOf(a)) if (!claimed.has(route)) claimed.set(route, `${component} "${name}"`);
}

/** nginx and cert-manager annotations for the Ingress. */
export function ingressAnnotations(a: IngressArgs, target: KubernetesTarget): Record<string, string> {
  const annotations: Record<string, string> = {
    "nginx.ingress.kubernetes.io/proxy-body-size": a.maxBodySize ?? defaults.ingress.maxBodySize,
  };
  if (a.tls !== false) {
    annotations["nginx.ingress.kubernetes.io/ssl-redirect"] = "true";
    annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"] = "true";
    if (target.operators.certManager) {
      annotations["cert-manager.io/cluster-issuer"] = a.tls?.clusterIssuer ?? target.clusterIssuer;
    }
  }
  const rl = a.rateLimit;
  if (rl?.requestsPerSecond !== undefined) annotations["nginx.ingress.kubernetes.io/limit-rps"] = String(rl.requestsPerSecond);
  if (rl?.connections !== undefined) annotations["nginx.ingress.kubernetes.io/limit-connections"] = String(rl.connections);
  if (rl?.burstMultiplier !== undefined) annotations["nginx.ingress.kubernetes.io/limit-burst-multiplier"] = String(rl.burstMultiplier);
  return { ...(a.annotations ?? {}), ...annotations };
}

/** The Ingress spec routing every host and path to `serviceName:servicePort`. */
export function ingressSpec(name: string, a: IngressArgs, target: KubernetesTarget, serviceName: string, servicePort: number): k8s.types.input.networking.v1.IngressSpec {
  const hosts = [a.host, ...(a.additionalHosts ?? [])];
  const paths = (a.paths ?? ["/"]).map((path) => ({
    path,
    pathType: a.pathType ?? defaults.ingress.pathType,
    backend: { service: { name: serviceName, port: { number: servicePort } } },
  }));
  return {
    ingressClassName: a.className ?? target.ingress.className,
    tls: a.tls === false ? undefined : [{ hosts, secretName: a.tls?.secretName ?? `${name}-tls` }],
    rules: hosts.map((host) => ({ host, http: { paths } })),
  };
}

function dependencies(d: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  return d === undefined ? [] : Array.isArray(d) ? [...d] : [d as pulumi.Input<pulumi.Resource>];
}

export interface IngressResourceArgs {
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  readonly labels: Readonly<Record<string, string>>;
  readonly args: IngressArgs;
  readonly serviceName: string;
  readonly servicePort: number;
  /** The backend's pods (tier, selector, the container port the Service targets): in a meshed tier they accept the controller (docs/mesh.md). */
  readonly backend?: { readonly tier: Tier; readonly podLabels: Labels; readonly containerPort: number };
}

/**
 * The Ingress routing `args` to the Service. (cert-manager's HTTP-01 solver pods are admitted by
 * the platform, in every namespace it denies by default.)
 */
export function createIngress(i: IngressResourceArgs, target: KubernetesTarget, opts: pulumi.CustomResourceOptions): k8s.networking.v1.Ingress {
  const metadata = { name: i.name, namespace: i.namespace, labels: { ...i.labels } };
  const mesh = i.backend
    ? meshIngressBackend(target, { name: i.name, tier: i.backend.tier, namespace: i.namespace, podLabels: i.backend.podLabels, ports: [i.backend.containerPort], serviceName: i.serviceName }, opts)
    : { annotations: {} };
  return new k8s.networking.v1.Ingress(
    childName(i.name, "ingress"),
    { metadata: { ...metadata, annotations: { ...ingressAnnotations(i.args, target), ...mesh.annotations } }, spec: ingressSpec(i.name, i.args, target, i.serviceName, i.servicePort) },
    { ...opts, dependsOn: [...dependencies(opts.dependsOn), ...(target.issuer ? [target.issuer] : [])] },
  );
}
