/**
 * What every data component (PostgresCluster, RedisStore, SeaweedStorage, KafkaCluster,
 * StatefulService) shares: argument checks for name/platform/image/storage, generated
 * passwords, anti-affinity between members, and the "clients" NetworkPolicy through which
 * consumers are admitted (`allowFrom`, connections).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { defaults } from "../core/defaults";
import { Validator, isKnown } from "../core/errors";
import { checkDeferredImage } from "../core/env";
import { Labels, imagePinProblem, imageVersion, standardLabels } from "../core/labels";
import { ChildObject, childName, componentNameProblem } from "../core/naming";
import type { Connection } from "../core/connection";
import type { ManagedServicePeer, NetworkEndpoint, NetworkPeer, NetworkPort, NetworkRule, WorkloadPeer } from "../core/network";
import { ingressRule, validateRules } from "../core/network";
import { dnsSubdomainProblem } from "../core/kubernetes-syntax";
import { parseStorage } from "../core/quantities";
import { EmptyDirWrite, TMP_WRITE } from "../core/resources";
import type { KubernetesTarget, Platform, Tier } from "../platform/types";
import { TIERS } from "../platform/types";
import { storageClassListProblem } from "../platform/cluster-facts";
import { NetworkAccess, NetworkPolicyHolder, connect, isNetworkPolicyHolder } from "./network-access";

/** A volume per member. `false`: an emptyDir (data is lost with the pod: dev and caches only). */
export interface StorageArgs {
  /** e.g. "10Gi". */
  readonly size?: string;
  /** @default the platform's storage class */
  readonly storageClass?: string;
}

export interface ResolvedStorage {
  readonly size: string;
  readonly bytes: number;
  readonly storageClass?: string;
}

export interface DataStoreBase {
  readonly name: string;
  /** The managed service (RDS, ElastiCache, MSK, S3) instead of pods: on aws unless `managed: false`. */
  readonly managed: boolean;
  readonly target: KubernetesTarget;
  readonly namespace: pulumi.Input<string>;
  readonly system: string;
  /** Labels shared by every member (name + part-of): clients and anti-affinity select on them. */
  readonly clusterSelector: Labels;
}

/**
 * Checks name, platform and tier; throws at once when the platform is unusable. On `aws` a store
 * that has a managed counterpart (RDS, ElastiCache, MSK, S3) is that managed service unless told
 * `managed: false` (then it runs in-cluster on EKS, as on kubernetes). A StatefulService always
 * runs in the cluster (`inCluster`).
 * `children`: the objects the store names after itself (`<name>-<role>`), which bound its name's length.
 */
export function resolveDataStoreBase(v: Validator, name: string, args: { readonly platform: Platform; readonly tier?: Tier; readonly managed?: boolean }, defaultTier: Tier, inCluster = false, children: readonly ChildObject[] = [{ kind: "StatefulSet" }]): DataStoreBase {
  const problem = componentNameProblem(name, children);
  if (problem) v.require(false, "name", name, problem);
  const platform = args?.platform;
  if (!platform || (platform.kind !== "kubernetes" && platform.kind !== "aws")) {
    v.require(false, "platform.kind", platform?.kind, "expected \"kubernetes\" or \"aws\" (EKS); the docker platform is not supported yet");
    v.throwIfInvalid();
  }
  let managed = false;
  if (!inCluster) {
    if (args.managed !== undefined) v.require(typeof args.managed === "boolean", "managed", args.managed, "expected true or false (a plain boolean: it decides which resources exist)");
    if (platform.kind === "aws") {
      managed = args.managed !== false;
      if (managed && platform.aws.shape === undefined) {
        v.require(false, "platform", platform.name, "expected an aws platform attached to an AwsPlatform (AwsPlatform.fromStackReference, aws.system() or AwsPlatform.fromExisting): a managed service needs its VPC's data subnets and the cluster's security group; or set managed: false to run in the cluster");
        v.throwIfInvalid();
      }
    } else if (args.managed === true) {
      v.require(false, "managed", true, `expected false or nothing on the ${platform.kind} platform (managed services exist on aws only)`);
    }
  }
  const target = (platform as { kubernetes: KubernetesTarget }).kubernetes;
  const tier = args.tier ?? defaultTier;
  v.require(TIERS.includes(tier), "tier", tier, `expected one of ${TIERS.join(", ")}`);
  return {
    name,
    managed,
    target,
    namespace: target.namespaces[tier] ?? target.namespaces[defaultTier],
    system: target.system,
    clusterSelector: { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": target.system },
  };
}

/** Labels of one role of a data store: name = the store, instance = `<store>-<role>`. */
export function memberLabels(base: DataStoreBase, role: string, component: string, image?: pulumi.Input<string>) {
  const info = { name: base.name, instance: childName(base.name, role), component, partOf: base.system, version: typeof image === "string" ? imageVersion(image) : undefined };
  return { labels: standardLabels(info), selector: { "app.kubernetes.io/name": info.name, "app.kubernetes.io/instance": info.instance } };
}

export function checkImage(v: Validator, field: string, image: pulumi.Input<string> | undefined): void {
  if (isKnown(image)) {
    const problem = typeof image === "string" ? imagePinProblem(image) : "expected a string";
    if (problem) v.require(false, field, image, problem);
  } else {
    if (v.require(image !== undefined && image !== null, field, image, "expected an image reference such as \"postgres:16.4-alpine\"")) checkDeferredImage(v.component, v.name, field, image as pulumi.Input<string>, imagePinProblem);
  }
}

/**
 * A volume's size and class. `knownClasses`: the cluster's StorageClasses when the platform lists
 * them (a claim naming another class stays Pending).
 */
/** The emptyDir a member writes its data to when the store has no volume (`storage: false`). */
export const DATA_EMPTY_DIR = { name: "data", emptyDir: { sizeLimit: defaults.dataEmptyDir.sizeLimit } };

/**
 * The disk-backed emptyDir volumes a store's server container writes (its ephemeral-storage limit
 * must hold them): /tmp, `extra`, and its data when the store has no volume.
 */
export function serverWrites(storage: ResolvedStorage | undefined, extra: readonly EmptyDirWrite[] = []): EmptyDirWrite[] {
  return [TMP_WRITE, ...extra, ...(storage ? [] : [{ volume: DATA_EMPTY_DIR.name, sizeLimit: DATA_EMPTY_DIR.emptyDir.sizeLimit }])];
}

export function resolveStorage(v: Validator, field: string, args: StorageArgs | false | undefined, defaultSize: string, knownClasses?: readonly string[]): ResolvedStorage | undefined {
  if (args === false) return undefined;
  const size = args?.size ?? defaultSize;
  const parsed = parseStorage(size);
  if (!parsed.ok) v.require(false, `${field}.size`, size, parsed.reason);
  if (args && args.storageClass !== undefined && dnsSubdomainProblem(args.storageClass)) v.require(false, `${field}.storageClass`, args.storageClass, "expected a StorageClass name (lowercase letters, digits, '-' and '.', at most 253 characters)");
  else {
    const listProblem = storageClassListProblem(args ? args.storageClass : undefined, knownClasses);
    if (listProblem) v.require(false, `${field}.storageClass`, args ? args.storageClass : undefined, listProblem);
  }
  return { size, bytes: parsed.ok ? parsed.value : 0, storageClass: args?.storageClass };
}

export function checkCount(v: Validator, field: string, value: number, min: number, max: number, why = ""): boolean {
  return v.require(Number.isInteger(value) && value >= min && value <= max, field, value, `expected an integer from ${min} to ${max}${why}`);
}

export function checkRules(v: Validator, field: string, rules: readonly NetworkRule[] | undefined): void {
  validateRules(v, field, rules);
}

/**
 * A generated password (letters and digits: safe in URLs, configs and shells). Secret; protected
 * with a protected store (a lost passphrase makes every backup unreadable).
 */
export function generatedPassword(parent: pulumi.Resource, store: { readonly name: string; readonly protect?: boolean }, role: string, length = 32): pulumi.Output<string> {
  return pulumi.secret(new random.RandomPassword(childName(store.name, `${role}-password`), { length, special: false }, { parent, ...statefulOptions(store.protect) }).result);
}

/** Prefer spreading members of the same store over nodes (and zones). */
export function spreadMembers(selector: Labels): k8s.types.input.core.v1.Affinity {
  const term = (topologyKey: string, weight: number) => ({ weight, podAffinityTerm: { topologyKey, labelSelector: { matchLabels: selector } } });
  return { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term(defaults.topologySpread.nodeKey, 100), term(defaults.topologySpread.zoneKey, 50)] } };
}

/**
 * The StatefulSet fields every data store's members share: identity, count, anti-affinity when
 * there are several, and the replicas-minimum exemption carrying the reason when there is one.
 */
export function memberSet(store: { readonly name: string; readonly namespace: pulumi.Input<string> }, labels: Labels, selector: Labels, replicas: number, singleReason?: string) {
  const single = replicas < 2;
  return {
    kind: "StatefulSet" as const,
    name: store.name,
    namespace: store.namespace,
    labels,
    selector,
    replicas,
    affinity: single ? undefined : spreadMembers(selector),
    annotations: single && singleReason ? { "exempt.keel.dev/replicas-minimum": singleReason } : undefined,
  };
}

/** A Secret with a fixed name (others reference it) and the given keys; credentials: protected with a protected store. */
export function namedSecret(parent: pulumi.Resource, target: KubernetesTarget, name: string, namespace: pulumi.Input<string>, labels: Labels, stringData: Record<string, pulumi.Input<string>>, protect = false): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(name, { metadata: { name, namespace, labels }, type: "Opaque", stringData }, { parent, provider: target.provider, ...statefulOptions(protect) });
}

/**
 * The store as clients see it: a peer selecting every member, and a NetworkPolicy admitting
 * its clients (`allowFrom` at construction, `admit` later). Implements NetworkPolicyHolder, so
 * `allowTo: [store]` or a connection on the client opens both sides.
 */
export class ClientAccess implements NetworkPolicyHolder {
  readonly networkPeer: WorkloadPeer;
  readonly networkAccess: NetworkAccess;

  constructor(
    parent: pulumi.Resource,
    base: DataStoreBase,
    readonly networkPorts: readonly NetworkPort[],
    allowFrom: readonly NetworkRule[],
    labels: Labels,
    /** The pods clients talk to. @default every member of the store */
    podLabels: Labels = base.clusterSelector,
  ) {
    this.networkPeer = { kind: "workload", name: base.name, namespace: base.namespace, podLabels };
    this.networkAccess = new NetworkAccess(
      { name: childName(base.name, "clients"), namespace: base.namespace, podSelector: podLabels, labels, dns: base.target.dns, ports: networkPorts, opts: { parent, provider: base.target.provider } },
      { ingress: allowFrom.map((r) => ingressRule(r, networkPorts)), egress: [] },
    );
  }

  /** Lets `source` reach the store on its client ports. */
  allowFrom(source: NetworkPeer | NetworkEndpoint, ports?: readonly NetworkPort[]): void {
    connect(source, this, ports);
  }
}

/**
 * The one rule for state: Pulumi options for every object whose loss loses data or access
 * (StatefulSets with volumes, operator resources that own volumes or topics, credential
 * Secrets, generated passwords and keys, CA certificates): protected (`pulumi destroy` and a
 * replacement fail) and kept on delete, when the component's `protect` is set (prod). Derived
 * configuration (auto-named ConfigMaps and Secrets rebuilt from args) is never protected: its
 * replacement on every change must stay possible.
 */
export function statefulOptions(protect: boolean | undefined): Pick<pulumi.CustomResourceOptions, "protect" | "retainOnDelete"> | undefined {
  return protect ? { protect: true, retainOnDelete: true } : undefined;
}

/**
 * The base of every data component: the store as a network endpoint (its client access) and
 * `allowFrom`. Subclasses call `attachClients` once their objects exist.
 */
export abstract class DataStoreComponent extends pulumi.ComponentResource implements NetworkPolicyHolder {
  /** What clients use: host, port, credentials, env (see each component). */
  public abstract readonly connection: Connection;
  private clientAccess?: ClientAccess;
  private managedAccess?: ManagedEndpoint;

  protected attachClients(clients: ClientAccess): void {
    this.clientAccess = clients;
  }

  /**
   * For a managed store (RDS, ElastiCache, MSK): clients reach `endpoint` (the data subnets), and
   * the store's security group admits the cluster. Keel components named in `allowFrom` get the
   * egress rule; the store has no NetworkPolicy of its own.
   */
  protected attachManaged(endpoint: ManagedEndpoint, allowFrom: readonly NetworkRule[] = []): void {
    this.managedAccess = endpoint;
    for (const rule of allowFrom) {
      if (isNetworkPolicyHolder(rule.peer)) rule.peer.networkAccess.reach(endpoint, rule.ports);
    }
  }

  private get clients(): ClientAccess {
    if (!this.clientAccess) throw new Error(`${this.constructor.name}: used as a network endpoint before its resources exist`);
    return this.clientAccess;
  }

  /** The pods clients talk to; for a managed store, the data subnets it runs in. */
  get networkPeer(): WorkloadPeer | ManagedServicePeer {
    return this.managedAccess ? this.managedAccess.networkPeer : this.clients.networkPeer;
  }

  /** The ports clients use. */
  get networkPorts(): readonly NetworkPort[] {
    return this.managedAccess ? this.managedAccess.networkPorts : this.clients.networkPorts;
  }

  /** The NetworkPolicy admitting clients (none for a managed store: its security group admits the cluster). */
  get networkAccess(): NetworkAccess {
    if (this.managedAccess) throw new Error(`${this.constructor.name} "${this.managedAccess.networkPeer.name}": a managed service has no NetworkPolicy; its security group admits the cluster, and a client's own egress rule narrows who reaches it`);
    return this.clients.networkAccess;
  }

  /** Lets `source` connect (on the store's client ports unless `ports` say otherwise). For a managed store: the source's egress only. */
  allowFrom(source: NetworkPeer | NetworkEndpoint, ports?: readonly NetworkPort[]): void {
    if (this.managedAccess) connect(source, this.managedAccess, ports);
    else this.clients.allowFrom(source, ports);
  }
}

/** A managed service as clients reach it: the subnets it runs in, on its ports. */
export interface ManagedEndpoint extends NetworkEndpoint {
  readonly networkPeer: ManagedServicePeer;
}
