/**
 * The ports of Istio's sidecar mode, one table for the platform that opens them
 * (components/platform/mesh.ts) and the checks that need them (needed-flows, prerequisites).
 */
export const ISTIO_PORTS = {
  /** istiod: xDS and certificates (mTLS), what every sidecar connects to. */
  xds: 15012,
  /** The sidecar's agent: merged Prometheus metrics (`/stats/prometheus`) and rewritten probes, plaintext, never captured. */
  agent: 15020,
  /** The sidecar's health endpoint (`/healthz/ready`), probed by the kubelet. */
  health: 15021,
  /** Envoy's own Prometheus endpoint, never captured. */
  envoyStats: 15090,
  /** istiod's injection and validation webhooks, called by the API server. */
  webhook: 15017,
} as const;
