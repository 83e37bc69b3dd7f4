/**
 * ApiService: a stateless HTTP service. On Kubernetes (and on AWS, inside EKS) it is a
 * Deployment with a Service, optional Ingress (cert-manager TLS, nginx limits), HPA, PDB,
 * ServiceAccount, env and files from generated ConfigMaps/Secrets, probes, topology spread,
 * a hardened security context and a deny-by-default NetworkPolicy.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Connection, ConnectionUse } from "../core/connection";
import type { EnvArgs } from "../core/env";
import type { Labels } from "../core/labels";
import { NetworkEndpoint, NetworkPeer, NetworkPort, NetworkRule, WorkloadPeer } from "../core/network";
import type { ProbesArgs } from "../core/probes";
import type { ResourcesArgs } from "../core/resources";
import type { SecurityArgs } from "../core/security";
import type { TelemetryTarget } from "../core/telemetry";
import type { Platform, Tier } from "../platform/types";
import { ImageBuildArgs, PushedImage, buildAndPushImage } from "../aws/image";
import type { DisruptionBudgetArgs } from "../workload/disruption";
import { NetworkAccess, NetworkPolicyHolder, connect } from "../workload/network-access";
import type { AutoscalingArgs } from "./autoscaling";
import type { IngressArgs } from "../workload/ingress";
import { deployOnKubernetes } from "./kubernetes";
import { resolveApiServiceArgs } from "./resolve";

/** An image keel builds from a Dockerfile and pushes to an ECR repository of its own (see docs/images.md). */
export interface ApiServiceBuildArgs extends ImageBuildArgs {
  /**
   * The tag to push. The repository's tags are immutable, so a tag is pushed once: give a new
   * one whenever the image changes (a commit SHA, say). @default "ctx-" and a hash of the
   * context's files (less .dockerignore), the Dockerfile, buildArgs, target and platform
   */
  readonly tag?: string;
  /** The ECR repository, created for this service. @default "<system>/<name>" */
  readonly repositoryName?: string;
}

export interface ApiServiceArgs extends EnvArgs {
  /** Where the service runs (see `KubernetesPlatform`). */
  readonly platform: Platform;
  /**
   * Container image, pinned by tag or digest (`ghcr.io/org/api:1.4.2`); `latest` and untagged
   * images are rejected. Exactly one of `image` and `build`. @default none
   */
  readonly image?: pulumi.Input<string>;
  /**
   * Build the image from a Dockerfile and push it to ECR (aws platform only); the Deployment
   * runs the pushed digest. Exactly one of `image` and `build`. @default none
   */
  readonly build?: ApiServiceBuildArgs;
  /** `app.kubernetes.io/version`. @default the image tag (with `build`: the pushed tag, when it is a label value) */
  readonly version?: string;
  /** Port the container listens on. @default 8080 */
  readonly port?: number;
  /** Port of the Service in front of it. @default 80 */
  readonly servicePort?: number;
  /** Overrides the image's entrypoint. */
  readonly command?: readonly string[];
  /** Overrides the image's arguments. */
  readonly args?: readonly string[];
  /** Startup, liveness and readiness probes. @default GET /health/live (startup, liveness), /health/ready (readiness) */
  readonly probes?: ProbesArgs;
  /** @default requests 100m/128Mi, limits 500m/256Mi */
  readonly resources?: ResourcesArgs;
  /** Fixed replica count; not allowed with `autoscaling` (the HPA owns the count). @default 2 */
  readonly replicas?: number;
  /** A HorizontalPodAutoscaler; the Deployment then sets no replicas. */
  readonly autoscaling?: AutoscalingArgs;
  /** PodDisruptionBudget; `false` for none. @default maxUnavailable 1 when 2 or more replicas */
  readonly disruptionBudget?: DisruptionBudgetArgs | false;
  /** Rolling update pace. @default maxSurge "25%", maxUnavailable 0 */
  readonly rollingUpdate?: { readonly maxSurge?: number | string; readonly maxUnavailable?: number | string };
  /** Spread replicas across zones and nodes; `false` for none. @default both, ScheduleAnyway */
  readonly topologySpread?: { readonly zones?: boolean; readonly nodes?: boolean; readonly whenUnsatisfiable?: "ScheduleAnyway" | "DoNotSchedule" } | false;
  /**
   * The ServiceAccount's token is not mounted unless asked (`automountToken` with `tokenReason`,
   * which becomes the policy exemption); annotations e.g. for IRSA.
   */
  readonly serviceAccount?: { readonly automountToken?: boolean; readonly tokenReason?: string; readonly annotations?: Readonly<Record<string, string>> };
  /** Security context overrides; the defaults are hardened (non-root 10001, read-only root, no capabilities). */
  readonly security?: SecurityArgs;
  /** Public HTTP(S) route through the ingress controller. @default none */
  readonly ingress?: IngressArgs;
  /** Prometheus metrics endpoint; `false` if the service has none. @default GET /metrics on the container port */
  readonly metrics?: { readonly path?: string; readonly port?: number } | false;
  /** Who may reach this service (besides the ingress controller and Prometheus). Ports default to the container port. */
  readonly allowFrom?: readonly NetworkRule[];
  /** What this service may reach (besides cluster DNS). Ports default to the endpoint's ports. */
  readonly allowTo?: readonly NetworkRule[];
  /** The namespace tier. @default "app" */
  readonly tier?: Tier;
  /** `app.kubernetes.io/component`. @default "api" */
  readonly component?: string;
  /** Extra labels on every object (never in selectors). */
  readonly labels?: Readonly<Labels>;
  /** Extra pod annotations. */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * Data stores this service uses (`db.connection`, `cache.connection`, ...): each sets its
   * env (`DATABASE_URL`, `REDIS_URL`, ... ; values with a password go to a Secret) and allows
   * traffic both ways (an egress policy here, an ingress policy on the store).
   */
  readonly connections?: readonly (Connection | ConnectionUse)[];
  /** Send OpenTelemetry data here (an ObservabilityStack's `telemetry`): sets OTEL_* env and allows egress to the collector. */
  readonly telemetry?: TelemetryTarget;
  /** Seconds between SIGTERM and SIGKILL. @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Seconds a stopping pod keeps serving before it gets SIGTERM (a `preStop` sleep), so the
   * ingress controller and kube-proxy stop sending it requests first and rolling updates drop
   * none. Uses the kubelet's sleep action (Kubernetes 1.30 and later); 0 turns it off.
   * @default 5
   */
  readonly preStopSeconds?: number;
}

/** The Kubernetes objects an ApiService created (when on a Kubernetes-backed platform). */
export interface ApiServiceKubernetesResources {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly service: k8s.core.v1.Service;
  readonly serviceAccount: k8s.core.v1.ServiceAccount;
  readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
  readonly ingress?: k8s.networking.v1.Ingress;
  readonly autoscaler?: k8s.autoscaling.v2.HorizontalPodAutoscaler;
  readonly disruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
}

export class ApiService extends pulumi.ComponentResource implements NetworkEndpoint, NetworkPolicyHolder {
  /** In-cluster URL: `http://<name>.<namespace>.svc.cluster.local:<servicePort>`. */
  public readonly url: pulumi.Output<string>;
  /** Public URL when an ingress is set: `https://<host>`. */
  public readonly publicUrl?: pulumi.Output<string>;
  public readonly namespace: pulumi.Output<string>;
  public readonly networkPeer: WorkloadPeer;
  public readonly networkPorts: readonly NetworkPort[];
  public readonly networkAccess: NetworkAccess;
  public readonly kubernetes: ApiServiceKubernetesResources;
  /** The ECR repository and the image pushed there, when `build` was given. */
  public readonly builtImage?: PushedImage;

  constructor(name: string, args: ApiServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const resolved = resolveApiServiceArgs(name, args);
    super("keel:components:ApiService", name, {}, opts);
    // A built image: the repository and the push use the aws provider; the Deployment runs the digest.
    this.builtImage = resolved.build ? buildAndPushImage(name, resolved.build, { parent: this, provider: resolved.build.provider }) : undefined;
    const deployed = deployOnKubernetes(this, resolved, this.builtImage?.reference ?? (resolved.image as pulumi.Input<string>));
    this.namespace = pulumi.output(resolved.namespace);
    this.networkPeer = deployed.networkPeer;
    this.networkPorts = deployed.networkPorts;
    this.networkAccess = deployed.networkAccess;
    this.kubernetes = deployed.resources;
    this.url = pulumi.interpolate`http://${deployed.resources.service.metadata.name}.${this.namespace}.svc.cluster.local:${resolved.servicePort}`;
    if (resolved.ingress) this.publicUrl = pulumi.output(`${resolved.ingress.tls === false ? "http" : "https"}://${resolved.ingress.host}`);
    this.registerOutputs({ url: this.url, publicUrl: this.publicUrl, namespace: this.namespace, image: this.builtImage?.reference });
  }

  /** Lets `source` reach this service (on its container port unless `ports` say otherwise). */
  allowFrom(source: NetworkPeer | NetworkEndpoint, ports?: readonly NetworkPort[]): void {
    connect(source, this, ports);
  }

  /** Lets this service reach `target` (on the target's ports unless `ports` say otherwise). */
  allowTo(target: NetworkPeer | NetworkEndpoint, ports?: readonly NetworkPort[]): void {
    connect(this, target, ports);
  }
}

export type { AutoscalingArgs, CustomMetricArgs, ScalingRateArgs } from "./autoscaling";
export type { ImageBuildArgs, ImagePushArgs, PushedImage } from "../aws/image";
export type { IngressArgs, IngressTlsArgs, RateLimitArgs } from "../workload/ingress";
export { resolveApiServiceArgs } from "./resolve";
export type { ResolvedApiService } from "./resolve";
