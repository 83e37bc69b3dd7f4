/**
 * The Helm values of the releases keel installs in an EKS cluster (cluster-software.ts): pure
 * functions of the resolved arguments, so tests can read each decision without a cluster.
 * Every chart's pods run non-root with RuntimeDefault seccomp and no added capability except
 * ingress-nginx's NET_BIND_SERVICE, which Pod Security `restricted` allows.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Labels } from "../core/labels";

/** Labels the ingress-nginx chart puts on the controller's pods itself (selector and common labels). */
export const INGRESS_NGINX_CHART_LABELS = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  managedBy: "app.kubernetes.io/managed-by",
} as const;

/** Labels that change with every chart upgrade: a NetworkPolicy selecting them would break on the next one. */
export const UNSTABLE_CHART_LABELS: readonly string[] = ["app.kubernetes.io/version", "helm.sh/chart"];

type Resources = { requests: Record<string, string>; limits: Record<string, string> };
const resources = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string): Resources => ({ requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit } });

/** Spread over zones and nodes; ScheduleAnyway so a zone short of room delays nothing. */
function spread(selector: Labels): Record<string, unknown>[] {
  return ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { ...selector } } }));
}

export interface IngressNginxValuesArgs {
  readonly releaseName: string;
  readonly className: string;
  readonly replicas: number;
  /** Pod labels beyond the ones the chart sets (controller.podLabels). */
  readonly extraPodLabels: Labels;
}

/**
 * ingress-nginx behind an internet-facing NLB in instance mode with externalTrafficPolicy Local:
 * the NLB forwards to a node port only on nodes that run a controller pod (its health check uses
 * the Service's healthCheckNodePort), so kube-proxy does not SNAT and nginx sees the client's own
 * address in `$remote_addr` — what `limit-rps` and `whitelist-source-range` need. Proxy protocol
 * would also carry it, but every connection then has to come through the NLB (a health check or
 * an in-cluster client without the header is refused), and the legacy NLB annotations need the
 * cloud provider and nginx to agree; Local has nothing to keep in step. No proxy sits in front of
 * the NLB, so `X-Forwarded-For` from a client is not trusted (`use-forwarded-headers: false`);
 * `compute-full-forwarded-for` appends the client address for the backends.
 */
export function ingressNginxValues(a: IngressNginxValuesArgs): Record<string, unknown> {
  const selector = { [INGRESS_NGINX_CHART_LABELS.name]: "ingress-nginx", [INGRESS_NGINX_CHART_LABELS.instance]: a.releaseName, [INGRESS_NGINX_CHART_LABELS.component]: "controller" };
  return {
    controller: {
      replicaCount: a.replicas,
      // The chart makes the PodDisruptionBudget when replicaCount > 1 (maxUnavailable wins over minAvailable).
      maxUnavailable: 1,
      topologySpreadConstraints: a.replicas > 1 ? spread(selector) : [],
      ingressClass: a.className,
      ingressClassResource: { name: a.className, enabled: true, default: false, controllerValue: "k8s.io/ingress-nginx" },
      ...(Object.keys(a.extraPodLabels).length > 0 ? { podLabels: { ...a.extraPodLabels } } : {}),
      // keel's Prometheus scrapes pods by annotation (its kubernetes-pods job).
      podAnnotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "10254" },
      config: {
        "use-forwarded-headers": "false",
        "compute-full-forwarded-for": "true",
        "use-proxy-protocol": "false",
      },
      // Snippets pass raw nginx directives from any Ingress author (the chart's default since 4.9; kept explicit).
      allowSnippetAnnotations: false,
      service: {
        type: "LoadBalancer",
        externalTrafficPolicy: "Local",
        annotations: {
          // Handled by EKS's cloud provider (no AWS Load Balancer Controller needed): an internet-facing
          // NLB (its default scheme) with instance targets.
          "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        },
      },
      metrics: { enabled: true, serviceMonitor: { enabled: false } },
      resources: resources("100m", "128Mi", "1", "512Mi"),
      // The certificate Jobs of the admission webhook (the chart's keys since 4.x: createSecretJob, patchWebhookJob).
      admissionWebhooks: { createSecretJob: { resources: resources("10m", "32Mi", "100m", "64Mi") }, patchWebhookJob: { resources: resources("10m", "32Mi", "100m", "64Mi") } },
    },
  };
}

/** cert-manager with its CRDs (`crds.enabled`; `installCRDs` is deprecated), kept on uninstall. */
export function certManagerValues(a: { readonly ha: boolean; readonly namespace: string }): Record<string, unknown> {
  const replicas = a.ha ? 2 : 1;
  const pdb = { enabled: a.ha, minAvailable: 1 };
  return {
    crds: { enabled: true, keep: true },
    // Leases in its own namespace, not kube-system (the chart's default), so it needs no Role there.
    global: { leaderElection: { namespace: a.namespace } },
    replicaCount: replicas,
    podDisruptionBudget: pdb,
    resources: resources("50m", "128Mi", "500m", "512Mi"),
    prometheus: { enabled: true, servicemonitor: { enabled: false } },
    webhook: { replicaCount: replicas, podDisruptionBudget: pdb, resources: resources("20m", "64Mi", "200m", "128Mi") },
    cainjector: { replicaCount: replicas, podDisruptionBudget: pdb, resources: resources("20m", "128Mi", "200m", "512Mi") },
    startupapicheck: { resources: resources("10m", "32Mi", "100m", "64Mi") },
  };
}

/**
 * metrics-server with the chart's defaults for the kubelet (`--kubelet-preferred-address-types=
 * InternalIP,ExternalIP,Hostname`, `--kubelet-use-node-status-port`): EKS nodes register their
 * InternalIP and their kubelet's serving certificate is signed by the cluster CA, so neither
 * `--kubelet-insecure-tls` nor host networking is needed.
 */
export function metricsServerValues(a: { readonly ha: boolean; readonly releaseName: string }): Record<string, unknown> {
  const selector = { "app.kubernetes.io/name": "metrics-server", "app.kubernetes.io/instance": a.releaseName };
  return {
    replicas: a.ha ? 2 : 1,
    podDisruptionBudget: { enabled: a.ha, minAvailable: 1 },
    topologySpreadConstraints: a.ha ? spread(selector) : [],
    resources: resources("100m", "200Mi", "500m", "400Mi"),
  };
}

/** One prometheus-adapter rule (its docs/config.md). */
export interface AdapterRule {
  readonly seriesQuery: string;
  readonly resources: { readonly overrides: Readonly<Record<string, { readonly resource: string }>> };
  readonly name: { readonly matches: string; readonly as?: string };
  readonly metricsQuery: string;
}

export interface AdapterRules {
  /** custom.metrics.k8s.io (Pods and Object metrics). */
  readonly custom: readonly AdapterRule[];
  /** external.metrics.k8s.io (External metrics); none: the chart registers no external APIService. */
  readonly external: readonly AdapterRule[];
}

const POD_OVERRIDES = { k8s_namespace_name: { resource: "namespace" }, k8s_pod_name: { resource: "pod" } };

/**
 * keel's documented rules (docs/observability.md, "prometheus-adapter rules"): series come from
 * the OpenTelemetry collector, so the service's pod is in `k8s_pod_name`/`k8s_namespace_name`,
 * mapped only through `overrides` (the `namespace`/`pod` labels name the collector's pod). The
 * custom rules are the ones the session-6 real test proved against Prometheus; the external rule
 * is the namespace-wide sum of the same request series (not run against a real Prometheus).
 */
export const DEFAULT_ADAPTER_RULES: AdapterRules = {
  custom: [
    {
      seriesQuery: 'active_sessions{k8s_namespace_name!="",k8s_pod_name!=""}',
      resources: { overrides: POD_OVERRIDES },
      name: { matches: "^active_sessions$" },
      metricsQuery: "max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)",
    },
    {
      seriesQuery: 'http_server_request_duration_seconds_count{k8s_namespace_name!="",k8s_pod_name!=""}',
      resources: { overrides: POD_OVERRIDES },
      name: { matches: "^http_server_request_duration_seconds_count$", as: "http_requests_per_minute" },
      metricsQuery: "sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>) * 60",
    },
  ],
  external: [
    {
      seriesQuery: 'http_server_request_duration_seconds_count{k8s_namespace_name!=""}',
      resources: { overrides: { k8s_namespace_name: { resource: "namespace" } } },
      name: { matches: "^http_server_request_duration_seconds_count$", as: "http_requests_per_minute" },
      metricsQuery: "sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>) * 60",
    },
  ],
};

/** The adapter's Prometheus from a URL such as "http://req1-obs-prometheus.req1-monitoring.svc:9090". */
export function prometheusEndpoint(url: string): { url: string; port: number; path: string } {
  const u = new URL(url);
  const port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
  return { url: `${u.protocol}//${u.hostname}`, port, path: u.pathname === "/" ? "" : u.pathname };
}

export function prometheusAdapterValues(a: { readonly ha: boolean; readonly releaseName: string; readonly prometheusUrl: string; readonly rules: AdapterRules }): Record<string, unknown> {
  const selector = { "app.kubernetes.io/name": "prometheus-adapter", "app.kubernetes.io/instance": a.releaseName };
  return {
    prometheus: prometheusEndpoint(a.prometheusUrl),
    replicas: a.ha ? 2 : 1,
    // The chart's budget is maxUnavailable: 1 (setting minAvailable too would give the PDB both fields).
    podDisruptionBudget: { enabled: a.ha },
    topologySpreadConstraints: a.ha ? spread(selector) : [],
    // The default rules map the `namespace`/`pod` labels (<<.Resource>>): they would tie every
    // OTLP series to the collector's pod. Resource metrics stay with metrics-server.
    rules: { default: false, custom: a.rules.custom, external: a.rules.external },
    resources: resources("50m", "128Mi", "500m", "512Mi"),
  };
}

/**
 * external-dns for Route 53: Ingress hosts only, in the given zones and domains. `upsert-only`:
 * it creates and updates records but never deletes one, so a mistyped domain filter, an Ingress
 * removed by accident or a second cluster cannot take a live name away; stale records are removed
 * by hand. The TXT registry records the owner (the cluster's name), so it never overwrites a
 * record another owner made.
 */
export function externalDnsValues(a: { readonly domainFilters: readonly string[]; readonly zoneIds: readonly string[]; readonly txtOwnerId: pulumi.Input<string>; readonly roleArn: pulumi.Input<string>; readonly serviceAccount: string }): Record<string, unknown> {
  return {
    provider: { name: "aws" },
    sources: ["ingress"],
    policy: "upsert-only",
    registry: "txt",
    txtOwnerId: a.txtOwnerId,
    domainFilters: [...a.domainFilters],
    // Only the zones the role may change (it is refused everywhere else).
    extraArgs: a.zoneIds.map((id) => `--zone-id-filter=${id}`),
    serviceAccount: { create: true, name: a.serviceAccount, annotations: { "eks.amazonaws.com/role-arn": a.roleArn } },
    resources: resources("20m", "64Mi", "200m", "128Mi"),
  };
}

/**
 * Pod Security `restricted`, stated rather than left to each chart's defaults: non-root, the
 * RuntimeDefault seccomp profile, no privilege escalation, every capability dropped, a read-only
 * root file system.
 */
export const RESTRICTED_POD_SECURITY_CONTEXT = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } as const;
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } as const;

/**
 * The External Secrets Operator with its CRDs (`installCRDs`; external-secrets.io/v1 served,
 * v1beta1 not). Its ServiceAccounts carry no IAM role, and the node's role is out of reach (IMDSv2
 * with a hop limit of 1): a SecretStore authenticates with `auth.jwt.serviceAccountRef`, for which
 * ESO requests a token of the named ServiceAccount (the chart's `serviceaccounts/token` RBAC) and
 * assumes that account's IRSA role, so each system reads its own secrets only. The controller
 * elects a leader (Lease in its own namespace): with two replicas one reconciles, the other
 * waits. The webhook validates every ExternalSecret and SecretStore (failurePolicy Fail): two
 * replicas and a budget on an HA platform. The cert-controller only renews the webhook's
 * certificate and CA bundles: one replica.
 */
export function externalSecretsValues(a: { readonly ha: boolean; readonly releaseName: string }): Record<string, unknown> {
  const replicas = a.ha ? 2 : 1;
  const pdb = { enabled: a.ha, minAvailable: 1 };
  // The chart renders `enabled` away (its switch for each context); runAsUser is the chart's own.
  const podSecurityContext = { enabled: true, ...RESTRICTED_POD_SECURITY_CONTEXT };
  const securityContext = { enabled: true, ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, runAsUser: 1000 };
  const serviceAccount = { create: true, annotations: {} };
  const selector = (name: string) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/instance": a.releaseName });
  return {
    installCRDs: true,
    replicaCount: replicas,
    leaderElect: true,
    podDisruptionBudget: pdb,
    topologySpreadConstraints: a.ha ? spread(selector("external-secrets")) : [],
    serviceAccount,
    podSecurityContext,
    securityContext,
    resources: resources("50m", "128Mi", "500m", "512Mi"),
    webhook: {
      replicaCount: replicas,
      podDisruptionBudget: pdb,
      topologySpreadConstraints: a.ha ? spread(selector("external-secrets-webhook")) : [],
      serviceAccount,
      podSecurityContext,
      securityContext,
      resources: resources("20m", "64Mi", "200m", "256Mi"),
    },
    certController: {
      replicaCount: 1,
      serviceAccount,
      podSecurityContext,
      securityContext,
      // It watches the CRDs (large objects) to inject their CA bundles.
      resources: resources("20m", "128Mi", "200m", "512Mi"),
    },
  };
}

/**
 * Stakater Reloader over every namespace, with the annotations strategy: when a Secret or
 * ConfigMap changes, it rolls the Deployments and StatefulSets whose annotations ask for it
 * (`secret.reloader.stakater.com/reload: <name>` or `reloader.stakater.com/auto: "true"`) by
 * setting an annotation on their pod template; nothing else is restarted. To see every Secret it
 * may read all of them (the chart's ClusterRole). On an HA platform two replicas elect a leader.
 * Its container context is empty in the chart: set here so the pod passes `restricted`
 * (`readOnlyRootFileSystem` also mounts an emptyDir at /tmp).
 */
export function reloaderValues(a: { readonly ha: boolean; readonly releaseName: string }): Record<string, unknown> {
  const replicas = a.ha ? 2 : 1;
  return {
    // Pods and objects named after the release ("reloader"), not "<release>-reloader".
    fullnameOverride: a.releaseName,
    reloader: {
      watchGlobally: true,
      reloadStrategy: "annotations",
      autoReloadAll: false,
      readOnlyRootFileSystem: true,
      enableHA: a.ha,
      podDisruptionBudget: a.ha ? { enabled: true, minAvailable: 1 } : { enabled: false },
      deployment: {
        replicas,
        securityContext: { ...RESTRICTED_POD_SECURITY_CONTEXT, runAsUser: 65534 },
        containerSecurityContext: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT },
        // It keeps every Secret and ConfigMap of the cluster in its cache.
        resources: resources("20m", "128Mi", "200m", "512Mi"),
      },
      serviceAccount: { create: true, annotations: {} },
    },
  };
}
