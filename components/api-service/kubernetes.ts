/** ApiService on a Kubernetes-backed platform (an existing cluster, or EKS on aws). */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaults } from "../core/defaults";
import { childName } from "../core/naming";
import { egressRule, ingressRule, NetworkPort, WorkloadPeer } from "../core/network";
import { toK8sResources } from "../core/resources";
import { containerSecurityContext, podSecurityContext } from "../core/security";
import { createConfigObjects } from "../workload/config-objects";
import { NetworkAccess, mirrorRules } from "../workload/network-access";
import { hpaSpec } from "./autoscaling";
import type { ApiServiceKubernetesResources } from "./index";
import { ingressAnnotations, ingressSpec } from "../workload/ingress";
import type { ResolvedApiService } from "./resolve";

type PodSpec = k8s.types.input.core.v1.PodSpec;

export interface KubernetesDeployment {
  readonly resources: ApiServiceKubernetesResources;
  readonly networkPeer: WorkloadPeer;
  readonly networkPorts: readonly NetworkPort[];
  readonly networkAccess: NetworkAccess;
}

function topologySpread(r: ResolvedApiService): PodSpec["topologySpreadConstraints"] {
  const spread = r.topologySpread;
  if (!spread) return undefined;
  const keys: string[] = [];
  if (spread.zones) keys.push(defaults.topologySpread.zoneKey);
  if (spread.nodes) keys.push(defaults.topologySpread.nodeKey);
  return keys.map((topologyKey) => ({
      maxSkew: defaults.topologySpread.maxSkew,
      topologyKey,
      whenUnsatisfiable: spread.whenUnsatisfiable,
      labelSelector: { matchLabels: r.selector },
    }));
}

function scrapeAnnotations(r: ResolvedApiService): Record<string, string> {
  if (!r.metrics || r.target.operators.prometheusOperator) return {};
  return { "prometheus.io/scrape": "true", "prometheus.io/port": String(r.metrics.port), "prometheus.io/path": r.metrics.path };
}

export function deployOnKubernetes(parent: pulumi.ComponentResource, r: ResolvedApiService): KubernetesDeployment {
  const opts: pulumi.CustomResourceOptions = { parent, provider: r.target.provider };
  const { name, namespace, labels } = r;
  const metadata = { name, namespace, labels };
  const networkPeer: WorkloadPeer = { kind: "workload", name, namespace, podLabels: r.selector };
  const metricsOnOwnPort = r.metrics !== undefined && r.metrics.port !== r.containerPort;
  const networkPorts: NetworkPort[] = [{ port: r.containerPort }];

  const serviceAccount = new k8s.core.v1.ServiceAccount(
    childName(name, "sa"),
    { metadata: { ...metadata, annotations: { ...r.serviceAccountAnnotations } }, automountServiceAccountToken: r.automountToken },
    opts,
  );
  const config = createConfigObjects({ name, namespace, labels, opts }, r.env);

  const containerPorts = [{ name: "http", containerPort: r.containerPort, protocol: "TCP" }];
  if (r.metrics && metricsOnOwnPort) containerPorts.push({ name: "metrics", containerPort: r.metrics.port, protocol: "TCP" });
  const tmp = r.security.readOnlyRootFilesystem ? [{ name: "tmp", emptyDir: { sizeLimit: defaults.tmpVolume.sizeLimit } }] : [];
  const tmpMount = tmp.length > 0 ? [{ name: "tmp", mountPath: defaults.tmpVolume.mountPath }] : [];

  const deployment = new k8s.apps.v1.Deployment(
    childName(name, "deployment"),
    {
      metadata,
      spec: {
        replicas: r.replicas,
        revisionHistoryLimit: defaults.apiService.revisionHistoryLimit,
        selector: { matchLabels: r.selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { ...r.rollingUpdate } },
        template: {
          metadata: { labels, annotations: { ...scrapeAnnotations(r), ...r.podAnnotations } },
          spec: {
            serviceAccountName: serviceAccount.metadata.name,
            automountServiceAccountToken: r.automountToken,
            securityContext: podSecurityContext(r.security),
            terminationGracePeriodSeconds: r.terminationGracePeriodSeconds,
            topologySpreadConstraints: topologySpread(r),
            containers: [
              {
                name,
                image: r.image,
                imagePullPolicy: "IfNotPresent",
                command: r.command,
                args: r.args,
                ports: containerPorts,
                env: config.env.length > 0 ? config.env : undefined,
                resources: toK8sResources(r.resources),
                startupProbe: r.probes.startup,
                livenessProbe: r.probes.liveness,
                readinessProbe: r.probes.readiness,
                securityContext: containerSecurityContext(r.security),
                volumeMounts: [...tmpMount, ...config.volumeMounts],
              },
            ],
            volumes: [...tmp, ...config.volumes],
          },
        },
      },
    },
    opts,
  );

  const servicePorts = [{ name: "http", port: r.servicePort, targetPort: "http", protocol: "TCP" }];
  if (r.metrics && metricsOnOwnPort) servicePorts.push({ name: "metrics", port: r.metrics.port, targetPort: "metrics", protocol: "TCP" });
  const service = new k8s.core.v1.Service(
    childName(name, "service"),
    { metadata, spec: { type: "ClusterIP", selector: r.selector, ports: servicePorts } },
    opts,
  );

  const ingressRules = [];
  if (r.ingress) {
    ingressRules.push(ingressRule({ peer: { kind: "namespace", namespace: r.target.ingress.namespace, podLabels: r.target.ingress.podLabels } }, networkPorts));
  }
  if (r.metrics) {
    const prometheus = { kind: "namespace" as const, namespace: r.target.monitoring.namespace, podLabels: r.target.monitoring.podLabels };
    ingressRules.push(ingressRule({ peer: prometheus }, [{ port: r.metrics.port }]));
  }
  for (const rule of r.allowFrom) ingressRules.push(ingressRule(rule, networkPorts));
  const networkAccess = new NetworkAccess(
    { name, namespace, podSelector: r.selector, labels, dns: r.target.dns, ports: networkPorts, opts },
    { ingress: ingressRules, egress: r.allowTo.map(egressRule) },
  );
  const endpoint = { networkPeer, networkPorts };
  mirrorRules(endpoint, r.allowFrom, r.allowTo);

  let ingress: k8s.networking.v1.Ingress | undefined;
  if (r.ingress) {
    ingress = new k8s.networking.v1.Ingress(
      childName(name, "ingress"),
      { metadata: { ...metadata, annotations: ingressAnnotations(r.ingress, r.target) }, spec: ingressSpec(name, r.ingress, r.target, name, r.servicePort) },
      { ...opts, dependsOn: [service] },
    );
  }
  let autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | undefined;
  if (r.autoscaling) {
    autoscaler = new k8s.autoscaling.v2.HorizontalPodAutoscaler(childName(name, "hpa"), { metadata, spec: hpaSpec(name, r.autoscaling) }, opts);
  }
  let disruptionBudget: k8s.policy.v1.PodDisruptionBudget | undefined;
  if (r.disruptionBudget) {
    disruptionBudget = new k8s.policy.v1.PodDisruptionBudget(childName(name, "pdb"), { metadata, spec: { ...r.disruptionBudget, selector: { matchLabels: r.selector } } }, opts);
  }
  if (r.metrics && r.target.operators.prometheusOperator) {
    new k8s.apiextensions.CustomResource(
      childName(name, "monitor"),
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { ...metadata, labels: { ...labels, ...r.target.monitoring.serviceMonitorLabels } },
        spec: {
          selector: { matchLabels: r.selector },
          endpoints: [{ port: metricsOnOwnPort ? "metrics" : "http", path: r.metrics.path, interval: "30s" }],
        },
      },
      opts,
    );
  }
  return {
    resources: { deployment, service, serviceAccount, networkPolicy: networkAccess.policy, ingress, autoscaler, disruptionBudget },
    networkPeer,
    networkPorts,
    networkAccess,
  };
}
