/**
 * req1 (seed 000): a Rust/Axum API serving REST and the SPA, behind nginx ingress with
 * cert-manager TLS, scaled by an HPA in prod. Its PostgreSQL (primary + replica), Redis and
 * SeaweedFS join when the data components land.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, KubernetesPlatform, peers } from "../components";
import { StackConfig, requireString } from "./config";

export interface Req1Outputs {
  readonly apiUrl: pulumi.Output<string>;
  readonly publicUrl?: pulumi.Output<string>;
  readonly namespaces: Record<string, pulumi.Input<string>>;
}

export function req1(stack: StackConfig): Req1Outputs {
  const settings = stack.config.requireObject<Record<string, unknown>>("req1");
  const image = requireString(settings, "req1", "image");
  const host = requireString(settings, "req1", "host");
  const oidcIssuer = requireString(settings, "req1", "oidcIssuer");
  const oidcClientSecret = stack.config.getSecret("req1OidcClientSecret");

  const platform = new KubernetesPlatform("req1", {
    system: "req1",
    protect: stack.environment.protect,
    ...stack.kubernetes,
  });

  const api = new ApiService("req1-api", {
    platform,
    image,
    port: 8080,
    component: "api",
    ...stack.environment.api,
    probes: {
      liveness: { path: "/health/live" },
      readiness: { path: "/health/ready" },
    },
    env: {
      RUST_LOG: stack.environment.name === "prod" ? "info" : "debug",
      OIDC_ISSUER: oidcIssuer,
      OIDC_CLIENT_ID: "req1",
      // Without a configured secret, the client secret comes from a Secret managed outside Pulumi.
      ...(oidcClientSecret === undefined ? { OIDC_CLIENT_SECRET: { secretKeyRef: { name: "req1-oidc", key: "client-secret" } } } : {}),
    },
    secretEnv: oidcClientSecret === undefined ? undefined : { OIDC_CLIENT_SECRET: oidcClientSecret },
    ingress: {
      host,
      rateLimit: { requestsPerSecond: 20, connections: 50 },
      maxBodySize: "10m",
    },
    // The identity provider is outside the cluster: HTTPS only.
    allowTo: [{ peer: peers.internet(), ports: [{ port: 443 }] }],
  });

  return { apiUrl: api.url, publicUrl: api.publicUrl, namespaces: { ...platform.kubernetes.namespaces } };
}
