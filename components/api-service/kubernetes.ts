/** ApiService on a Kubernetes-backed platform (an existing cluster, or EKS on aws). */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { defaults } from "../core/defaults";
import { childName } from "../core/naming";
import type { NetworkPort, NetworkRule, WorkloadPeer } from "../core/network";
import { createWorkloadAwsAccess } from "../aws/workload-access";
import { createConfigObjects } from "../workload/config-objects";
import { createIngress } from "../workload/ingress";
import { NetworkAccess, mirrorRules } from "../workload/network-access";
import { createWorkload, scrapedBy } from "../workload/workload";
import { hpaSpec } from "./autoscaling";
import type { ApiServiceKubernetesResources } from "./index";
import type { ResolvedApiService } from "./resolve";

export interface KubernetesDeployment {
  readonly resources: ApiServiceKubernetesResources;
  readonly networkPeer: WorkloadPeer;
  readonly networkPorts: readonly NetworkPort[];
  readonly networkAccess: NetworkAccess;
}

function topologySpread(r: ResolvedApiService): k8s.types.input.core.v1.TopologySpreadConstraint[] {
  const spread = r.topologySpread;
  if (!spread) return [];
  const keys: string[] = [];
  if (spread.zones) keys.push(defaults.topologySpread.zoneKey);
  if (spread.nodes) keys.push(defaults.topologySpread.nodeKey);
  return keys.map((topologyKey) => ({ maxSkew: defaults.topologySpread.maxSkew, topologyKey, whenUnsatisfiable: spread.whenUnsatisfiable, labelSelector: { matchLabels: r.selector } }));
}

/** `image`: the given image, or the digest reference of the one keel built (an Output). */
export function deployOnKubernetes(parent: pulumi.ComponentResource, r: ResolvedApiService, image: pulumi.Input<string>): KubernetesDeployment {
  const opts: pulumi.CustomResourceOptions = { parent, provider: r.target.provider };
  const { name, namespace, labels } = r;
  const metadata = { name, namespace, labels };
  const networkPorts: NetworkPort[] = [{ port: r.containerPort }];
  const metricsOnOwnPort = r.metrics !== undefined && r.metrics.port !== r.containerPort;
  const aws = createWorkloadAwsAccess({ name, namespace, labels, system: r.target.system, opts, platform: r.platform }, r.awsNeeds);
  const config = createConfigObjects({ name, namespace, labels, opts }, aws ? { ...r.env, references: { ...r.env.references, ...aws.references } } : r.env);

  const allowFrom: NetworkRule[] = [];
  if (r.ingress) allowFrom.push({ peer: { kind: "namespace", namespace: r.target.ingress.namespace, podLabels: r.target.ingress.podLabels }, ports: networkPorts });
  if (r.metrics) allowFrom.push(scrapedBy(r.target, r.metrics.port));
  allowFrom.push(...r.allowFrom.map((rule) => ({ peer: rule.peer, ports: rule.ports ?? networkPorts })));

  const w = createWorkload(parent, r.target, {
    kind: "Deployment",
    name,
    namespace,
    labels,
    selector: r.selector,
    replicas: r.replicas,
    minReplicas: r.minReplicas,
    security: r.security,
    serviceAccountAnnotations: { ...r.serviceAccountAnnotations, ...aws?.serviceAccountAnnotations },
    annotations: aws?.annotations,
    automountToken: r.tokenReason,
    podAnnotations: r.podAnnotations,
    rollingUpdate: r.rollingUpdate,
    topologySpread: topologySpread(r),
    terminationGracePeriodSeconds: r.terminationGracePeriodSeconds,
    disruptionBudget: r.disruptionBudget ?? false,
    containers: [
      {
        name,
        image,
        command: r.command,
        args: r.args,
        ports: [{ name: "http", containerPort: r.containerPort }, ...(r.metrics && metricsOnOwnPort ? [{ name: "metrics", containerPort: r.metrics.port }] : [])],
        env: config.env,
        resources: r.resources,
        startup: r.probes.startup,
        liveness: r.probes.liveness,
        readiness: r.probes.readiness,
        preStop: r.preStopSeconds > 0 ? { sleep: { seconds: r.preStopSeconds } } : undefined,
        volumeMounts: config.volumeMounts,
      },
    ],
    volumes: config.volumes,
    servicePorts: [
      { name: "http", port: r.servicePort, targetPort: "http" },
      ...(r.metrics && metricsOnOwnPort ? [{ name: "metrics", port: r.metrics.port, targetPort: "metrics" }] : []),
    ],
    metrics: r.metrics,
    allowFrom,
    allowTo: r.allowTo,
  });
  mirrorRules({ networkPeer: w.peer, networkPorts }, r.allowFrom, r.allowTo);

  let ingress: k8s.networking.v1.Ingress | undefined;
  if (r.ingress) {
    ingress = createIngress({ name, namespace: metadata.namespace, labels: metadata.labels, args: r.ingress, serviceName: name, servicePort: r.servicePort, backend: { tier: r.tier, podLabels: r.selector, containerPort: r.containerPort } }, r.target, { ...opts, dependsOn: [w.service] });
  }
  let autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | undefined;
  if (r.autoscaling) autoscaler = new k8s.autoscaling.v2.HorizontalPodAutoscaler(childName(name, "hpa"), { metadata, spec: hpaSpec(name, r.autoscaling) }, opts);
  return {
    resources: {
      deployment: w.workload as k8s.apps.v1.Deployment,
      service: w.service,
      serviceAccount: w.serviceAccount,
      networkPolicy: w.networkAccess.policy,
      ingress,
      autoscaler,
      disruptionBudget: w.disruptionBudget,
    },
    networkPeer: w.peer,
    networkPorts,
    networkAccess: w.networkAccess,
  };
}
