/** Ingress intent: host, paths, TLS through cert-manager, nginx rate limiting and body size. */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/naming";
import { defaults } from "../core/defaults";
import { Validator } from "../core/errors";
import type { KubernetesTarget } from "../platform/types";

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
  /** Extra annotations, e.g. other nginx settings. They override keel's. */
  readonly annotations?: Readonly<Record<string, string>>;
}

const HOST = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/;
const NGINX_SIZE = /^\d+[kKmMgG]?$/;

export function validateIngress(v: Validator, a: IngressArgs, target: KubernetesTarget, field = "ingress"): void {
  for (const host of [a.host, ...(a.additionalHosts ?? [])]) {
    v.require(typeof host === "string" && HOST.test(host), `${field}.host`, host, "expected a lowercase DNS name such as \"api.example.com\"");
  }
  (a.paths ?? ["/"]).forEach((p, i) => v.require(typeof p === "string" && p.startsWith("/"), `${field}.paths[${i}]`, p, "expected a path starting with \"/\""));
  const size = a.maxBodySize;
  if (size !== undefined) v.require(NGINX_SIZE.test(size), `${field}.maxBodySize`, size, "expected an nginx size such as \"10m\" or \"512k\"");
  const rl = a.rateLimit ?? {};
  for (const key of ["requestsPerSecond", "connections", "burstMultiplier"] as const) {
    const value = rl[key];
    if (value !== undefined) v.require(Number.isInteger(value) && value >= 1, `${field}.rateLimit.${key}`, value, "expected an integer of at least 1");
  }
  const secretName = a.tls === false ? undefined : a.tls?.secretName;
  if (secretName !== undefined) {
    v.require(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(secretName) && secretName.length <= 253, `${field}.tls.secretName`, secretName, "expected a Secret name (lowercase letters, digits, '-' and '.')");
  }
  if (a.tls !== false && !target.operators.certManager && secretName === undefined) {
    v.require(false, `${field}.tls.secretName`, undefined, "expected the name of an existing TLS Secret, since the platform has no cert-manager (operators.certManager is false)");
  }
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
  return { ...annotations, ...(a.annotations ?? {}) };
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
}

/**
 * The Ingress routing `args` to the Service. (cert-manager's HTTP-01 solver pods are admitted by
 * the platform, in every namespace it denies by default.)
 */
export function createIngress(i: IngressResourceArgs, target: KubernetesTarget, opts: pulumi.CustomResourceOptions): k8s.networking.v1.Ingress {
  const metadata = { name: i.name, namespace: i.namespace, labels: { ...i.labels } };
  return new k8s.networking.v1.Ingress(
    childName(i.name, "ingress"),
    { metadata: { ...metadata, annotations: ingressAnnotations(i.args, target) }, spec: ingressSpec(i.name, i.args, target, i.serviceName, i.servicePort) },
    { ...opts, dependsOn: [...dependencies(opts.dependsOn), ...(target.issuer ? [target.issuer] : [])] },
  );
}
