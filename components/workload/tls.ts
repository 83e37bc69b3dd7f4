/**
 * Server certificates for in-cluster TLS from cert-manager: a namespace-local CA (a self-signed
 * root, then a CA Issuer) and a certificate for the server's DNS names. Public ACME issuers
 * cannot sign `*.svc.cluster.local` names, so data stores get their own CA.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Labels } from "../core/labels";
import { childName } from "../core/naming";
import type { KubernetesTarget } from "../platform/types";
import { statefulOptions } from "./data-store";

export interface ServerCertificateSpec {
  /** The store's name: objects are `<name>-selfsigned`, `<name>-ca`, `<name>-ca-issuer`, `<name>-tls`. */
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  readonly labels: Labels;
  readonly dnsNames: readonly pulumi.Input<string>[];
  /** Also write a PKCS12 keystore/truststore with the password in this Secret's `keystore-password` key (Java servers). */
  readonly pkcs12PasswordSecret?: pulumi.Input<string>;
  /** Protect the CA (its key signs every certificate clients trust). @default false */
  readonly protect?: boolean;
}

/** Creates the CA and the certificate; returns the name of the Secret cert-manager writes (`tls.crt`, `tls.key`, `ca.crt`). */
export function serverCertificate(parent: pulumi.Resource, target: KubernetesTarget, s: ServerCertificateSpec): pulumi.Output<string> {
  const opts = { parent, provider: target.provider };
  const cr = (role: string, kind: string, spec: Record<string, unknown>, extra?: pulumi.CustomResourceOptions) =>
    new k8s.apiextensions.CustomResource(childName(s.name, role), { apiVersion: "cert-manager.io/v1", kind, metadata: { name: childName(s.name, role), namespace: s.namespace, labels: s.labels }, spec }, { ...opts, ...extra });
  cr("selfsigned", "Issuer", { selfSigned: {} });
  cr("ca", "Certificate", { isCA: true, commonName: `${s.name} CA`, secretName: childName(s.name, "ca"), duration: "87600h", privateKey: { algorithm: "ECDSA", size: 256 }, issuerRef: { name: childName(s.name, "selfsigned"), kind: "Issuer" } }, statefulOptions(s.protect));
  cr("ca-issuer", "Issuer", { ca: { secretName: childName(s.name, "ca") } });
  cr("tls", "Certificate", {
    secretName: childName(s.name, "tls"),
    dnsNames: [...s.dnsNames],
    duration: "2160h",
    renewBefore: "360h",
    privateKey: { algorithm: "RSA", size: 2048, rotationPolicy: "Always" },
    usages: ["server auth", "client auth"],
    keystores: s.pkcs12PasswordSecret ? { pkcs12: { create: true, passwordSecretRef: { name: s.pkcs12PasswordSecret, key: "keystore-password" } } } : undefined,
    issuerRef: { name: childName(s.name, "ca-issuer"), kind: "Issuer" },
  });
  return pulumi.output(childName(s.name, "tls"));
}
