/**
 * One system on an aws platform: its tier namespaces on the shared EKS cluster, created like a
 * KubernetesPlatform's (Pod Security restricted, default deny, the ACME solver admitted), with the
 * platform's ingress controller, ClusterIssuer, StorageClasses and installed software as the
 * cluster facts. Components take it as their `platform` (kind "aws").
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { checkArgShape } from "../core/arg-shape";
import { Validator } from "../core/errors";
import { childName, isDnsLabel } from "../core/naming";
import { AwsPlatformShape, shapeClusterDescription } from "./aws-shape";
import type { ClusterFacts, ExternalObject, UserImage } from "./cluster-facts";
import { KubernetesPlatform, KubernetesPlatformArgs } from "./kubernetes";
import type { MeshArgs } from "./mesh";
import { AwsPlatformContext, KubernetesTarget, Tier } from "./types";

/** What a system says when it attaches to an aws platform. */
export interface AwsSystemArgs {
  /** The system (`app.kubernetes.io/part-of`), and the prefix of its namespaces. */
  readonly system: string;
  /** Namespace per tier. @default { app: system, data: `${system}-data`, storage: `${system}-storage`, monitoring: `${system}-monitoring` } (systems share the cluster) */
  readonly namespaces?: Readonly<Partial<Record<Tier, string>>>;
  /** Protect the namespaces (prod). @default false */
  readonly protect?: boolean;
  /** Objects the system reads but does not create, each with a reason. */
  readonly externalObjects?: readonly ExternalObject[];
  /** Images the system's team provides, each with a reason. */
  readonly userImages?: readonly UserImage[];
  /** More encrypted gp3 classes are the platform's to create (`storage.gp3StorageClasses`); a system names one of the platform's classes. @default the platform's default class */
  readonly storageClass?: string;
  /** An Istio mesh installed in the cluster (see KubernetesPlatformArgs.mesh). */
  readonly mesh?: MeshArgs;
  /** Installed operators besides cert-manager (the platform installs it). */
  readonly operators?: { readonly prometheusOperator?: boolean; readonly strimzi?: boolean };
}

/** The providers a system's resources are created with. */
export interface AttachProviders {
  readonly provider: k8s.Provider;
  readonly awsProvider?: pulumi.ProviderResource;
}

export class AwsSystemPlatform extends pulumi.ComponentResource implements AwsPlatformContext {
  public readonly kind = "aws" as const;
  public readonly name: string;
  public readonly kubernetes: KubernetesTarget;
  public readonly aws: AwsPlatformContext["aws"];
  /** The platform this system runs on. */
  public readonly shape: AwsPlatformShape;
  public readonly facts: ClusterFacts;
  private readonly cluster: KubernetesPlatform;

  constructor(name: string, args: AwsSystemArgs, shape: AwsPlatformShape, providers: AttachProviders, opts?: pulumi.ComponentResourceOptions) {
    checkAwsSystemArgs(name, args);
    super("keel:components:AwsSystemPlatform", name, {}, opts);
    this.name = name;
    this.shape = shape;
    const system = args.system;
    const k8sArgs: KubernetesPlatformArgs = {
      system,
      provider: providers.provider,
      namespaces: { app: system, data: `${system}-data`, storage: `${system}-storage`, monitoring: `${system}-monitoring`, ...args.namespaces },
      protect: args.protect,
      operators: { certManager: true, prometheusOperator: args.operators?.prometheusOperator ?? false, strimzi: args.operators?.strimzi ?? false },
      ingressController: { className: shape.ingress.className, namespace: shape.ingress.namespace, podLabels: { ...shape.ingress.podLabels } },
      clusterIssuer: shape.issuer.name,
      certManagerNamespace: shape.certManagerNamespace,
      storageClass: args.storageClass ?? shape.storageClass,
      cluster: shapeClusterDescription(shape),
      ...(args.externalObjects ? { externalObjects: args.externalObjects } : {}),
      ...(args.userImages ? { userImages: args.userImages } : {}),
      ...(args.mesh ? { mesh: args.mesh } : {}),
    };
    this.cluster = new KubernetesPlatform(name, k8sArgs, { parent: this });
    this.kubernetes = this.cluster.kubernetes;
    this.aws = { region: shape.region, provider: providers.awsProvider, shape };
    this.facts = this.cluster.facts;
    this.registerOutputs({ namespaces: this.kubernetes.namespaces });
  }

  /** A system on a platform another stack created, or keel did not create: its own provider from the kubeconfig. */
  static withKubeconfig(name: string, args: AwsSystemArgs, shape: AwsPlatformShape, kubeconfig: pulumi.Input<string>, awsProvider: pulumi.ProviderResource | undefined, opts?: pulumi.ComponentResourceOptions): AwsSystemPlatform {
    checkAwsSystemArgs(name, args);
    const provider = new k8s.Provider(childName(name, "eks"), { kubeconfig: pulumi.secret(kubeconfig), upsertExistingObjects: false }, opts);
    return new AwsSystemPlatform(name, args, shape, { provider, awsProvider }, opts);
  }

  /** A platform whose app tier is `namespace` (see KubernetesPlatform.appNamespace): still on aws. */
  appNamespace(namespace: string): AwsPlatformContext {
    const context = this.cluster.appNamespace(namespace);
    return { kind: "aws", name: this.name, kubernetes: context.kubernetes, aws: this.aws };
  }
}

/** AwsSystemArgs' shape (unknown keys, wrong types) and names: before anything is created. The KubernetesPlatform it makes checks the rest. */
export function checkAwsSystemArgs(name: string, args: AwsSystemArgs): void {
  const v = new Validator("AwsSystemPlatform", name);
  checkArgShape(v, "AwsSystemArgs", args, () => checkAwsSystemArgs(name, args));
  v.throwIfInvalid();
  v.require(isDnsLabel(args.system), "system", args.system, "expected a DNS-1123 label such as \"req1\"");
  v.throwIfInvalid();
}

/**
 * The facts of the platform stack itself, from its shape. It runs no system, so no Prometheus:
 * the fact names where a system's would be by default, and nothing in the stack is scraped.
 */
export function platformStackFacts(name: string, shape: AwsPlatformShape): ClusterFacts {
  const d = shapeClusterDescription(shape);
  return {
    platform: `eks (${name})`,
    ingressController: { className: shape.ingress.className, namespace: shape.ingress.namespace, podLabels: shape.ingress.podLabels },
    prometheus: { namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "prometheus" } },
    dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, port: 53 },
    apiServer: d.apiServer,
    networkPolicy: { enforced: true, ipBlocks: true },
    storageClasses: { names: [...shape.storageClasses], default: shape.storageClass },
    operators: { certManager: true, prometheusOperator: false, strimzi: false },
    issuers: [{ ...shape.issuer, managed: true }],
    external: [],
    userImages: [],
    metricsApis: shape.metricsApis,
    installed: shape.installed,
  };
}
