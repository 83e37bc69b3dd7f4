/**
 * The platform a component runs on. Components take a `platform` arg and dispatch on `kind`;
 * each kind carries its providers and context. `kubernetes` is an existing cluster; `aws`
 * provisions EKS and managed data services (its cluster is a {@link KubernetesTarget} too);
 * `docker` runs containers on one host.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { DnsTarget } from "../core/network";
import type { Labels } from "../core/labels";
import type { AwsPlatformShape } from "./aws-shape";

export type PlatformKind = "kubernetes" | "aws" | "docker";

/** The tiers keel places workloads in (seed 000): one namespace each on Kubernetes. */
export type Tier = "app" | "data" | "storage" | "monitoring";
export const TIERS: readonly Tier[] = ["app", "data", "storage", "monitoring"];

/** Cluster add-ons keel may emit custom resources for. Plain booleans: they decide which resources exist. */
export interface Operators {
  /** cert-manager is installed (Certificates for Ingress TLS). @default true */
  readonly certManager: boolean;
  /** The Prometheus operator is installed (ServiceMonitor instead of scrape annotations). @default false */
  readonly prometheusOperator: boolean;
  /** Strimzi is installed (Kafka custom resources instead of StatefulSets). @default false */
  readonly strimzi: boolean;
}

/** The ingress controller that fronts the cluster. */
export interface IngressControllerTarget {
  /** IngressClass name. */
  readonly className: string;
  /** Namespace the controller pods run in, for NetworkPolicy ingress rules. */
  readonly namespace: string;
  /** Labels of the controller pods. */
  readonly podLabels: Labels;
}

/** Where Prometheus runs and how it discovers targets. */
export interface MonitoringTarget {
  /** Namespace of the Prometheus pods (admitted to scrape metrics ports). */
  readonly namespace: pulumi.Input<string>;
  /** Labels of the Prometheus pods. */
  readonly podLabels: Labels;
  /** Labels the operator's `serviceMonitorSelector` matches, put on every ServiceMonitor. */
  readonly serviceMonitorLabels: Labels;
}

/** An Istio mesh (sidecar mode) some tiers run in; see components/platform/mesh.ts and docs/mesh.md. */
export interface MeshTarget {
  readonly kind: "istio";
  /** The tiers whose namespace has sidecar injection on (STRICT mutual TLS). */
  readonly tiers: readonly Tier[];
  /** Namespace name per meshed tier. */
  readonly namespaces: Readonly<Partial<Record<Tier, string>>>;
  /** The ingress controller runs with a sidecar (speaks mTLS); else it sends plaintext. */
  readonly ingressControllerInMesh: boolean;
}

/** Everything a component needs to place resources in a Kubernetes cluster. */
export interface KubernetesTarget {
  /** The provider bound to the cluster; undefined means the ambient kubeconfig. */
  readonly provider?: k8s.Provider;
  /** Namespace per tier; an Output of the Namespace resource when keel created it. */
  readonly namespaces: Readonly<Record<Tier, pulumi.Input<string>>>;
  readonly operators: Operators;
  readonly ingress: IngressControllerTarget;
  readonly monitoring: MonitoringTarget;
  readonly dns: DnsTarget;
  /** cert-manager ClusterIssuer used for Ingress TLS. */
  readonly clusterIssuer: string;
  /** The ClusterIssuer resource when the platform created it: Ingresses are created after it. */
  readonly issuer?: pulumi.Resource;
  /** The ranges pod addresses come from: for configs that admit clients by address. */
  readonly podCidrs: readonly string[];
  /** StorageClass for PersistentVolumeClaims; undefined uses the cluster default. */
  readonly storageClass?: string;
  /** The StorageClasses the cluster has, when the platform was told (`cluster.storageClasses`): a component's class must be one of them. */
  readonly storageClasses?: readonly string[];
  /** The system these components belong to (`app.kubernetes.io/part-of`). */
  readonly system: string;
  /** The service mesh some tiers run in, when the platform was told (`mesh`): an Ingress backend there calls meshIngressBackend. */
  readonly mesh?: MeshTarget;
}

/** An existing Kubernetes cluster. */
export interface KubernetesPlatformContext {
  readonly kind: "kubernetes";
  readonly name: string;
  readonly kubernetes: KubernetesTarget;
}

/** AWS: workloads on EKS (a Kubernetes target), data on managed services. Provided by the aws platform. */
export interface AwsPlatformContext {
  readonly kind: "aws";
  readonly name: string;
  readonly kubernetes: KubernetesTarget;
  readonly aws: {
    readonly region: string;
    /** The aws provider resources are created with; undefined: the stack's default provider. */
    readonly provider?: pulumi.ProviderResource;
    /** The platform the system runs on (VPC, subnets, IRSA identity, installed software), when attached to one. */
    readonly shape?: AwsPlatformShape;
  };
}

/** One Docker host. Provided by the docker platform. */
export interface DockerPlatformContext {
  readonly kind: "docker";
  readonly name: string;
  readonly docker: {
    readonly provider?: pulumi.ProviderResource;
    /** The network every container of the system joins. */
    readonly network: pulumi.Input<string>;
  };
}

export type Platform = KubernetesPlatformContext | AwsPlatformContext | DockerPlatformContext;
