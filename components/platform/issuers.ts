/**
 * The cert-manager ClusterIssuer a platform creates for Ingress certificates, so every environment
 * has one that can work: a self-signed CA for clusters no public ACME server can reach (dev, kind),
 * or a Let's Encrypt issuer solving HTTP-01 through the platform's ingress class. Each issuer is
 * created after what it needs (the CA issuer after its CA certificate); cert-manager and its CRDs
 * are a prerequisite of the cluster.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Validator } from "../core/errors";
import { childName } from "../core/naming";
import { statefulOptions } from "../workload/data-store";
import type { IssuerFact } from "./cluster-facts";

/** An issuer keel creates. */
export type IssuerToCreate =
  | {
      /** A self-signed root CA (ECDSA P-256, 10 years) and a CA ClusterIssuer signing with it: browsers warn; clients can trust the CA Secret. */
      readonly type: "self-signed-ca";
    }
  | {
      /** Let's Encrypt, HTTP-01 through the platform's ingress class (the cluster must be reachable from the internet on port 80). */
      readonly type: "acme";
      /** Where Let's Encrypt sends expiry notices. */
      readonly email: string;
      /** Let's Encrypt's staging server (untrusted certificates, generous rate limits). @default false */
      readonly staging?: boolean;
    };

const ACME_SERVERS = { production: "https://acme-v02.api.letsencrypt.org/directory", staging: "https://acme-staging-v02.api.letsencrypt.org/directory" };
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;

export function validateIssuer(v: Validator, issuer: IssuerToCreate | undefined, certManager: boolean): void {
  if (issuer === undefined) return;
  const types = ["self-signed-ca", "acme"];
  if (!v.require(types.includes(issuer.type), "createIssuer.type", issuer.type, `expected one of ${types.join(", ")}`)) return;
  v.require(certManager, "createIssuer", issuer, "expected operators.certManager to be true: the issuer is a cert-manager resource");
  if (issuer.type === "acme") v.require(typeof issuer.email === "string" && EMAIL.test(issuer.email), "createIssuer.email", issuer.email, "expected an e-mail address such as \"ops@example.com\"");
}

/** The name and fact of the issuer keel creates for `system`. */
export function createdIssuerFact(system: string, issuer: IssuerToCreate): IssuerFact {
  return issuer.type === "acme"
    ? { kind: "ClusterIssuer", name: `${system}-letsencrypt${issuer.staging ? "-staging" : ""}`, solver: "http01", managed: true }
    : { kind: "ClusterIssuer", name: `${system}-ca`, solver: "ca", managed: true };
}

export interface IssuerContext {
  readonly platformName: string;
  readonly system: string;
  readonly ingressClassName: string;
  /** cert-manager's cluster resource namespace, where a ClusterIssuer's CA Secret lives. */
  readonly certManagerNamespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Protect the CA certificate (its Secret holds the CA key every issued certificate chains to). @default false */
  readonly protect?: boolean;
}

/** Creates the issuer; returns the ClusterIssuer that Ingresses name (Ingresses should depend on it). */
export function createIssuer(c: IssuerContext, issuer: IssuerToCreate, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
  const name = createdIssuerFact(c.system, issuer).name;
  const metadata = (n: string, namespace?: string) => ({ name: n, namespace, labels: { ...c.labels } });
  if (issuer.type === "acme") {
    return new k8s.apiextensions.CustomResource(
      childName(c.platformName, "issuer"),
      {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: metadata(name),
        spec: {
          acme: {
            email: issuer.email,
            server: issuer.staging ? ACME_SERVERS.staging : ACME_SERVERS.production,
            privateKeySecretRef: { name: `${name}-account` },
            solvers: [{ http01: { ingress: { ingressClassName: c.ingressClassName } } }],
          },
        },
      },
      opts,
    );
  }
  const selfSigned = new k8s.apiextensions.CustomResource(
    childName(c.platformName, "selfsigned-issuer"),
    { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: metadata(`${c.system}-selfsigned`), spec: { selfSigned: {} } },
    opts,
  );
  const ca = new k8s.apiextensions.CustomResource(
    childName(c.platformName, "ca-certificate"),
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: metadata(name, c.certManagerNamespace),
      spec: {
        isCA: true,
        commonName: `${c.system} CA`,
        secretName: name,
        duration: "87600h",
        privateKey: { algorithm: "ECDSA", size: 256 },
        issuerRef: { kind: "ClusterIssuer", name: `${c.system}-selfsigned`, group: "cert-manager.io" },
      },
    },
    { ...opts, ...statefulOptions(c.protect), dependsOn: [selfSigned] },
  );
  return new k8s.apiextensions.CustomResource(
    childName(c.platformName, "issuer"),
    { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: metadata(name), spec: { ca: { secretName: name } } },
    { ...opts, dependsOn: [ca] },
  );
}
