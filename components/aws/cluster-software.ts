/**
 * What keel's stacks need installed in an EKS cluster, as Helm releases with pinned chart
 * versions, in dependency order: ingress-nginx (the IngressClass), cert-manager and then its
 * ClusterIssuer, metrics-server, and when asked prometheus-adapter, external-dns, the External
 * Secrets Operator and Stakater Reloader. Each release
 * gets its own Namespace (Pod Security `restricted`: every chart's pods run non-root with
 * RuntimeDefault seccomp; ingress-nginx adds only NET_BIND_SERVICE, which restricted allows), so
 * NetworkPolicies elsewhere select it by kubernetes.io/metadata.name. The facts returned say what
 * each release makes the cluster serve, in the words `keel check`'s prerequisites use.
 *
 * ingress-nginx: the Kubernetes project retired it in March 2026 (SIG Network and the Security
 * Response Committee announced it on 2025-11-11; best-effort maintenance ended in March 2026, so
 * there are no further releases or security fixes). 4.15.1 (controller v1.15.1) is its last chart.
 * It stays here because keel's stacks and NetworkPolicies are written for it; a Gateway API
 * implementation is the way forward.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { InstalledSoftwareFact } from "../../policies/lib/cluster-facts";
import { Validator } from "../core/errors";
import { LABEL_MANAGED_BY, type Labels } from "../core/labels";
import { childName, isDnsLabel } from "../core/naming";
import { systemNamespaceProblem } from "../platform/cluster-facts";
import { createIssuer, createdIssuerFact } from "../platform/issuers";
import {
  type AdapterRules,
  DEFAULT_ADAPTER_RULES,
  INGRESS_NGINX_CHART_LABELS,
  UNSTABLE_CHART_LABELS,
  certManagerValues,
  externalDnsValues,
  externalSecretsValues,
  ingressNginxValues,
  metricsServerValues,
  prometheusAdapterValues,
  reloaderValues,
} from "./cluster-software-values";
import type { PolicyDocument } from "./iam";

export type ChartName = "ingress-nginx" | "cert-manager" | "metrics-server" | "prometheus-adapter" | "external-dns" | "external-secrets" | "reloader";
export const CHART_NAMES: readonly ChartName[] = ["ingress-nginx", "cert-manager", "metrics-server", "prometheus-adapter", "external-dns", "external-secrets", "reloader"];

/**
 * The chart versions keel pins (newest confirmed as of late 2026): ingress-nginx 4.15.1 (its
 * last, March 2026), cert-manager v1.21.2 (its charts are tagged with the `v`), metrics-server
 * 3.13.1 (metrics-server 0.8.1), prometheus-adapter 5.3.0 (adapter v0.12.0), external-dns 1.21.1;
 * external-secrets 2.9.0 (ESO v2.9.0, August 2026: upstream supports only its newest minor, so
 * 1.x is past its end of life; the API systems use, external-secrets.io/v1, is the same) and
 * reloader 2.2.16 (Reloader v1.4.21), read from the projects' chart sources, not checked against
 * the Helm repositories here.
 */
export const CHART_VERSIONS: Readonly<Record<ChartName, string>> = {
  "ingress-nginx": "4.15.1",
  "cert-manager": "v1.21.2",
  "metrics-server": "3.13.1",
  "prometheus-adapter": "5.3.0",
  "external-dns": "1.21.1",
  "external-secrets": "2.9.0",
  reloader: "2.2.16",
};

/** Each chart's public Helm repository. */
export const CHART_REPOSITORIES: Readonly<Record<ChartName, string>> = {
  "ingress-nginx": "https://kubernetes.github.io/ingress-nginx",
  "cert-manager": "https://charts.jetstack.io",
  "metrics-server": "https://kubernetes-sigs.github.io/metrics-server/",
  "prometheus-adapter": "https://prometheus-community.github.io/helm-charts",
  "external-dns": "https://kubernetes-sigs.github.io/external-dns/",
  "external-secrets": "https://charts.external-secrets.io",
  reloader: "https://stakater.github.io/stakater-charts",
};

/** The API version of the External Secrets resources systems create (ExternalSecret, SecretStore). */
export const EXTERNAL_SECRETS_API_VERSION = "external-secrets.io/v1" as const;
/** What the external-secrets release makes the cluster serve, in the prerequisites' words (`<operator> CRDs`, as keel check names the CRDs of external-secrets.io). */
export const EXTERNAL_SECRETS_PROVIDES = "the External Secrets Operator CRDs";
/** What the reloader release makes the cluster serve. */
export const RELOADER_PROVIDES = "Reloader";

export interface ClusterSoftwareArgs {
  /** The cluster's Kubernetes provider: every release and object goes through it. */
  readonly provider: k8s.Provider;
  /** What must exist first (node groups and add-ons). */
  readonly dependsOn: pulumi.Resource[];
  readonly cluster: { readonly name: pulumi.Input<string>; readonly oidcProviderArn: pulumi.Input<string>; readonly oidcIssuer: pulumi.Input<string>; readonly vpcCidr: string };
  /** Makes an IRSA role for one ServiceAccount with this policy; returns its ARN. */
  readonly irsaRole: (role: string, namespace: string, serviceAccount: string, policy: PolicyDocument) => pulumi.Output<string>;
  /**
   * The ingress controller: its IngressClass, namespace, replicas (more than 1: a
   * PodDisruptionBudget, spread over zones and nodes, and every other release HA too) and the pod
   * labels keel's NetworkPolicies select. `app.kubernetes.io/instance` names the Helm release.
   */
  readonly ingress: { readonly className: string; readonly namespace: string; readonly replicas: number; readonly podLabels: Labels };
  /** cert-manager's namespace and the Let's Encrypt ClusterIssuer made after it (named `<system>-letsencrypt[-staging]`). */
  readonly certManager: { readonly namespace: string; readonly issuer: { readonly name: string; readonly email: string } };
  /** The Prometheus prometheus-adapter queries (a system's). @default adapter not installed */
  readonly prometheusUrl?: string;
  /** external-dns publishing Ingress hosts under these domains in these Route 53 zones. @default not installed */
  readonly externalDns?: { readonly domainFilters: readonly string[]; readonly zoneIds: readonly string[]; readonly namespace: string };
  /**
   * The External Secrets Operator (CRDs included), without an IAM role of its own: each system's
   * namespaced SecretStore authenticates with `auth.jwt.serviceAccountRef`, so ESO asks for a token
   * of that workload's ServiceAccount and reads as its IRSA role. With `reloader`, Stakater
   * Reloader too, watching every namespace with the annotations strategy. @default not installed
   */
  readonly externalSecrets?: { readonly namespace: string; readonly reloader?: { readonly namespace: string } };
  /** Chart versions over {@link CHART_VERSIONS}. */
  readonly charts?: Partial<Record<ChartName, string>>;
  /** The system the issuer is named after. @default the platform's name */
  readonly system?: string;
  /** metrics-server's namespace (never kube-system: keel would create and label it). @default "metrics-server" */
  readonly metricsServerNamespace?: string;
  /** prometheus-adapter's namespace and rules. @default namespace "prometheus-adapter", keel's documented rules */
  readonly metricsAdapter?: { readonly namespace?: string; readonly rules?: AdapterRules };
  /** The AWS partition for Route 53 ARNs. @default "aws" */
  readonly partition?: string;
}

export interface ClusterSoftware {
  readonly releases: Readonly<Partial<Record<ChartName, k8s.helm.v3.Release>>>;
  /** The ClusterIssuer (Ingresses should depend on it). */
  readonly issuer: pulumi.Resource;
  /** One fact per release, for the cluster facts. */
  readonly installed: readonly InstalledSoftwareFact[];
  /** Where prometheus-adapter runs (admit it with ObservabilityStack.allowPrometheusQueriesFrom). */
  readonly metricsAdapterPods?: { readonly namespace: string; readonly podLabels: Labels };
  /** Where the External Secrets Operator runs, the API version it serves, and whether Reloader runs too. */
  readonly externalSecrets?: { readonly namespace: string; readonly apiVersion: typeof EXTERNAL_SECRETS_API_VERSION; readonly reloader: boolean };
  readonly namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
}

/** Release names, fixed so the pods' `app.kubernetes.io/instance` label is known in advance. */
const RELEASES = { certManager: "cert-manager", metricsServer: "metrics-server", adapter: "prometheus-adapter", externalDns: "external-dns", externalSecrets: "external-secrets", reloader: "reloader" } as const;
const ZONE_ID = /^[A-Z0-9]{1,32}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Checks the arguments; returns the resolved names and versions. */
export function resolveClusterSoftware(name: string, args: ClusterSoftwareArgs) {
  const v = new Validator("ClusterSoftware", name);
  const system = args.system ?? name;
  const namespace = (field: string, ns: unknown) => {
    if (!v.require(typeof ns === "string" && isDnsLabel(ns), field, ns, "expected a DNS-1123 label")) return;
    const problem = systemNamespaceProblem(ns);
    if (problem) v.require(false, field, ns, problem);
  };
  namespace("ingress.namespace", args.ingress.namespace);
  namespace("certManager.namespace", args.certManager.namespace);
  const metricsServerNamespace = args.metricsServerNamespace ?? "metrics-server";
  namespace("metricsServerNamespace", metricsServerNamespace);
  const adapterNamespace = args.metricsAdapter?.namespace ?? "prometheus-adapter";
  if (args.prometheusUrl !== undefined) {
    namespace("metricsAdapter.namespace", adapterNamespace);
    v.require(/^https?:\/\/[a-z0-9.-]+(:\d+)?(\/\S*)?$/.test(args.prometheusUrl), "prometheusUrl", args.prometheusUrl, "expected a Prometheus URL such as \"http://req1-obs-prometheus.req1-monitoring.svc:9090\"");
  }
  if (args.externalDns) {
    const e = args.externalDns;
    namespace("externalDns.namespace", e.namespace);
    v.require(e.domainFilters.length > 0, "externalDns.domainFilters", e.domainFilters, "expected at least one domain (external-dns publishes names under them only)");
    e.domainFilters.forEach((d, i) => v.require(DOMAIN.test(d), `externalDns.domainFilters[${i}]`, d, "expected a domain name such as \"example.com\""));
    v.require(e.zoneIds.length > 0, "externalDns.zoneIds", e.zoneIds, "expected at least one Route 53 hosted zone ID (the only zones its role may change)");
    e.zoneIds.forEach((z, i) => v.require(ZONE_ID.test(z), `externalDns.zoneIds[${i}]`, z, "expected a Route 53 hosted zone ID such as \"Z0123456789ABCDEFGHIJ\""));
  }
  if (args.externalSecrets) {
    namespace("externalSecrets.namespace", args.externalSecrets.namespace);
    if (args.externalSecrets.reloader) namespace("externalSecrets.reloader.namespace", args.externalSecrets.reloader.namespace);
  }
  v.require(Number.isInteger(args.ingress.replicas) && args.ingress.replicas >= 1 && args.ingress.replicas <= 20, "ingress.replicas", args.ingress.replicas, "expected an integer from 1 to 20");
  v.require(isDnsLabel(args.ingress.className), "ingress.className", args.ingress.className, "expected an IngressClass name (a DNS-1123 label)");
  // The chart sets these pod labels itself: podLabels may name them only with the chart's values.
  const labels = args.ingress.podLabels;
  const releaseName = labels[INGRESS_NGINX_CHART_LABELS.instance] ?? "ingress-nginx";
  v.require(isDnsLabel(releaseName), `ingress.podLabels["${INGRESS_NGINX_CHART_LABELS.instance}"]`, releaseName, "expected the Helm release name (a DNS-1123 label)");
  const chartSets: Labels = { [INGRESS_NGINX_CHART_LABELS.name]: "ingress-nginx", [INGRESS_NGINX_CHART_LABELS.instance]: releaseName, [INGRESS_NGINX_CHART_LABELS.component]: "controller", [INGRESS_NGINX_CHART_LABELS.partOf]: "ingress-nginx", [INGRESS_NGINX_CHART_LABELS.managedBy]: "Helm" };
  const extraPodLabels: Labels = {};
  for (const [key, value] of Object.entries(labels)) {
    if (UNSTABLE_CHART_LABELS.includes(key)) v.require(false, `ingress.podLabels["${key}"]`, value, "expected a label that survives a chart upgrade (the chart changes this one with every version)");
    else if (key in chartSets) v.require(chartSets[key] === value, `ingress.podLabels["${key}"]`, value, `expected "${chartSets[key]}" (the ingress-nginx chart sets this label itself)`);
    else extraPodLabels[key] = value;
  }
  const issuerNames = [false, true].map((staging) => createdIssuerFact(system, { type: "acme", email: args.certManager.issuer.email, staging }).name);
  v.require(issuerNames.includes(args.certManager.issuer.name), "certManager.issuer.name", args.certManager.issuer.name, `expected "${issuerNames[0]}" or "${issuerNames[1]}" (keel names its Let's Encrypt issuer after the system)`);
  const versions = { ...CHART_VERSIONS };
  for (const [chart, version] of Object.entries(args.charts ?? {})) {
    if (!v.require(CHART_NAMES.includes(chart as ChartName), `charts.${chart}`, version, `expected a version of one of ${CHART_NAMES.join(", ")}`)) continue;
    if (v.require(typeof version === "string" && /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version), `charts.${chart}`, version, "expected an exact chart version such as \"4.15.1\" (no ranges: a release must not change by itself)")) versions[chart as ChartName] = version as string;
  }
  v.throwIfInvalid();
  return { system, releaseName, extraPodLabels, staging: args.certManager.issuer.name === issuerNames[1], versions, metricsServerNamespace, adapterNamespace, ha: args.ingress.replicas > 1 };
}

/** The Route 53 policy of external-dns: record changes in its zones only; finding zones needs "*". */
export function externalDnsPolicy(zoneIds: readonly string[], partition = "aws"): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RecordsInOwnZones",
        Effect: "Allow",
        // ListTagsForResources is the batch call external-dns makes (its AWS tutorial); ListTagsForResource the single one.
        Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResource", "route53:ListTagsForResources"],
        Resource: zoneIds.map((id) => `arn:${partition}:route53:::hostedzone/${id}`),
      },
      // ListHostedZones has no resource to scope it to: it is read-only.
      { Sid: "FindZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: "*" },
    ],
  };
}

/** Installs the releases and the ClusterIssuer; returns them with their facts. */
export function installClusterSoftware(name: string, args: ClusterSoftwareArgs, opts: pulumi.CustomResourceOptions): ClusterSoftware {
  const r = resolveClusterSoftware(name, args);
  const k8sOpts: pulumi.CustomResourceOptions = { ...opts, provider: args.provider };
  const namespaces: Record<string, k8s.core.v1.Namespace> = {};
  const namespaceOf = (ns: string): pulumi.Output<string> => {
    // One Namespace per name, even when two releases share it.
    namespaces[ns] ??= new k8s.core.v1.Namespace(
      childName(name, `ns-${ns}`),
      { metadata: { name: ns, labels: { [LABEL_MANAGED_BY]: "keel", "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" } } },
      { ...k8sOpts, dependsOn: args.dependsOn },
    );
    return namespaces[ns].metadata.name;
  };
  const installed: InstalledSoftwareFact[] = [];
  const releases: Partial<Record<ChartName, k8s.helm.v3.Release>> = {};
  const release = (chart: ChartName, releaseName: string, ns: string, values: Record<string, unknown>, provides: string[], dependsOn: pulumi.Resource[] = []) => {
    const version = r.versions[chart];
    releases[chart] = new k8s.helm.v3.Release(
      childName(name, chart),
      {
        name: releaseName,
        chart,
        version,
        repositoryOpts: { repo: CHART_REPOSITORIES[chart] },
        namespace: namespaceOf(ns),
        values,
        // A failed install or upgrade rolls back instead of leaving half a release.
        atomic: true,
        cleanupOnFail: true,
        timeout: 600,
        skipAwait: false,
      },
      { ...k8sOpts, dependsOn: [...args.dependsOn, ...dependsOn] },
    );
    installed.push({ name: releaseName, chart, version, namespace: ns, provides });
    return releases[chart] as k8s.helm.v3.Release;
  };

  const ingress = release("ingress-nginx", r.releaseName, args.ingress.namespace, ingressNginxValues({ releaseName: r.releaseName, className: args.ingress.className, replicas: args.ingress.replicas, extraPodLabels: r.extraPodLabels }), [`IngressClass ${args.ingress.className}`]);
  const certManager = release("cert-manager", RELEASES.certManager, args.certManager.namespace, certManagerValues({ ha: r.ha, namespace: args.certManager.namespace }), ["cert-manager CRDs", `ClusterIssuer ${args.certManager.issuer.name}`]);
  // The issuer needs cert-manager's CRDs and webhook, and solves HTTP-01 through the ingress class.
  const issuer = createIssuer(
    { platformName: name, system: r.system, ingressClassName: args.ingress.className, certManagerNamespace: args.certManager.namespace, labels: { [LABEL_MANAGED_BY]: "keel" } },
    { type: "acme", email: args.certManager.issuer.email, staging: r.staging },
    { ...k8sOpts, dependsOn: [certManager, ingress] },
  );
  release("metrics-server", RELEASES.metricsServer, r.metricsServerNamespace, metricsServerValues({ ha: r.ha, releaseName: RELEASES.metricsServer }), ["metrics.k8s.io"]);
  let metricsAdapterPods: ClusterSoftware["metricsAdapterPods"];
  if (args.prometheusUrl !== undefined) {
    const rules = args.metricsAdapter?.rules ?? DEFAULT_ADAPTER_RULES;
    const provides = ["custom.metrics.k8s.io", ...(rules.external.length > 0 ? ["external.metrics.k8s.io"] : [])];
    release("prometheus-adapter", RELEASES.adapter, r.adapterNamespace, prometheusAdapterValues({ ha: r.ha, releaseName: RELEASES.adapter, prometheusUrl: args.prometheusUrl, rules }), provides);
    metricsAdapterPods = { namespace: r.adapterNamespace, podLabels: { "app.kubernetes.io/name": "prometheus-adapter", "app.kubernetes.io/instance": RELEASES.adapter } };
  }
  if (args.externalDns) {
    const e = args.externalDns;
    const roleArn = args.irsaRole("external-dns", e.namespace, "external-dns", externalDnsPolicy(e.zoneIds, args.partition));
    const values = externalDnsValues({ domainFilters: e.domainFilters, zoneIds: e.zoneIds, txtOwnerId: args.cluster.name, roleArn, serviceAccount: "external-dns" });
    // After the controller: the records point at its load balancer's address.
    release("external-dns", RELEASES.externalDns, e.namespace, values, e.domainFilters.map((d) => `DNS names under ${d}`), [ingress]);
  }
  let externalSecrets: ClusterSoftware["externalSecrets"];
  if (args.externalSecrets) {
    const e = args.externalSecrets;
    // No IAM role: every SecretStore names the ServiceAccount (and so the IRSA role) it reads as.
    release("external-secrets", RELEASES.externalSecrets, e.namespace, externalSecretsValues({ ha: r.ha, releaseName: RELEASES.externalSecrets }), [EXTERNAL_SECRETS_PROVIDES]);
    if (e.reloader) release("reloader", RELEASES.reloader, e.reloader.namespace, reloaderValues({ ha: r.ha, releaseName: RELEASES.reloader }), [RELOADER_PROVIDES]);
    externalSecrets = { namespace: e.namespace, apiVersion: EXTERNAL_SECRETS_API_VERSION, reloader: e.reloader !== undefined };
  }
  return { releases, issuer, installed, ...(metricsAdapterPods ? { metricsAdapterPods } : {}), ...(externalSecrets ? { externalSecrets } : {}), namespaces };
}
