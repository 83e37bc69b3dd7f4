import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHART_VERSIONS, ClusterSoftware, ClusterSoftwareArgs, externalDnsPolicy, installClusterSoftware } from "../../../components/aws/cluster-software";
import { DEFAULT_ADAPTER_RULES, prometheusEndpoint } from "../../../components/aws/cluster-software-values";
import { RELEASE_POD_REQUESTS } from "../../../components/platform/aws-platform-pods";
import { PolicyDocument, leastPrivilegeProblems } from "../../../components/aws/iam";
import { Synthesized, synthesize, unwrap } from "../../helpers/synth";

/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs are JSON */

const asked: { role: string; namespace: string; serviceAccount: string; policy: PolicyDocument }[] = [];

const args = (provider: k8s.Provider, over: Partial<ClusterSoftwareArgs> = {}): ClusterSoftwareArgs => ({
  provider,
  dependsOn: [],
  cluster: { name: "shop-eks", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC", oidcIssuer: "oidc.eks.eu-west-1.amazonaws.com/id/ABC", vpcCidr: "10.0.0.0/16" },
  irsaRole: (role, namespace, serviceAccount, policy) => {
    asked.push({ role, namespace, serviceAccount, policy });
    return pulumi.output(`arn:aws:iam::123456789012:role/shop-${role}`);
  },
  ingress: { className: "nginx", namespace: "ingress-nginx", replicas: 3, podLabels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" } },
  certManager: { namespace: "cert-manager", issuer: { name: "shop-letsencrypt", email: "ops@example.com" } },
  ...over,
});

let made: ClusterSoftware | undefined;
const run = (over: Partial<ClusterSoftwareArgs> = {}) =>
  synthesize(() => {
    asked.length = 0;
    const provider = new k8s.Provider("eks", { kubeconfig: "{}" });
    made = installClusterSoftware("shop", args(provider, over), { parent: undefined });
  });
const full = () =>
  run({
    prometheusUrl: "http://req1-obs-prometheus.req1-monitoring.svc:9090",
    externalDns: { domainFilters: ["example.com"], zoneIds: ["Z0123456789ABC", "Z0987654321XYZ"], namespace: "external-dns" },
    externalSecrets: { namespace: "external-secrets", reloader: { namespace: "reloader" } },
  });

const release = (s: Synthesized, chart: string) => unwrap(s.resource(`shop-${chart}`, "helm.sh/v3:Release").inputs) as any;

describe("installClusterSoftware", () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await full();
  });

  it("installs each chart pinned, from its public repository, atomically, into its own namespace", () => {
    const expected = [
      ["ingress-nginx", "ingress-nginx", "https://kubernetes.github.io/ingress-nginx", "ingress-nginx"],
      ["cert-manager", "cert-manager", "https://charts.jetstack.io", "cert-manager"],
      ["metrics-server", "metrics-server", "https://kubernetes-sigs.github.io/metrics-server/", "metrics-server"],
      ["prometheus-adapter", "prometheus-adapter", "https://prometheus-community.github.io/helm-charts", "prometheus-adapter"],
      ["external-dns", "external-dns", "https://kubernetes-sigs.github.io/external-dns/", "external-dns"],
      ["external-secrets", "external-secrets", "https://charts.external-secrets.io", "external-secrets"],
      ["reloader", "reloader", "https://stakater.github.io/stakater-charts", "reloader"],
    ];
    for (const [chart, name, repo, namespace] of expected) {
      const r = release(s, chart);
      expect([r.chart, r.name, r.version, r.repositoryOpts.repo, r.namespace]).toEqual([chart, name, CHART_VERSIONS[chart as keyof typeof CHART_VERSIONS], repo, namespace]);
      expect([r.atomic, r.cleanupOnFail, r.timeout, r.skipAwait, r.createNamespace]).toEqual([true, true, 600, false, undefined]);
    }
    expect(CHART_VERSIONS).toEqual({ "ingress-nginx": "4.15.1", "cert-manager": "v1.21.2", "metrics-server": "3.13.1", "prometheus-adapter": "5.3.0", "external-dns": "1.21.1", "external-secrets": "2.9.0", reloader: "2.2.16" });
  });

  it("creates the namespaces itself, restricted and managed by keel, through the cluster's provider", () => {
    for (const ns of ["ingress-nginx", "cert-manager", "metrics-server", "prometheus-adapter", "external-dns", "external-secrets", "reloader"]) {
      const n = s.object("Namespace", ns);
      expect(n.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "keel", "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" });
    }
    const provider = s.resource("eks", "providers:kubernetes").urn;
    for (const r of s.resources.filter((x) => x.type.startsWith("kubernetes:"))) expect(r.provider.startsWith(`${provider}::`)).toBe(true);
  });

  it("keeps the client's address: an internet-facing NLB, externalTrafficPolicy Local, forwarded headers not trusted", () => {
    const c = release(s, "ingress-nginx").values.controller;
    expect(c.service).toEqual({ type: "LoadBalancer", externalTrafficPolicy: "Local", annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } });
    expect(c.admissionWebhooks).toEqual({ createSecretJob: { resources: expect.any(Object) }, patchWebhookJob: { resources: expect.any(Object) } });
    expect(c.config).toEqual({ "use-forwarded-headers": "false", "compute-full-forwarded-for": "true", "use-proxy-protocol": "false" });
    expect([c.replicaCount, c.maxUnavailable, c.ingressClass, c.ingressClassResource.name, c.metrics.enabled, c.podLabels]).toEqual([3, 1, "nginx", "nginx", true, undefined]);
    expect(c.topologySpreadConstraints.map((t: any) => [t.topologyKey, t.labelSelector.matchLabels])).toEqual(
      ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((k) => [k, { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/component": "controller" }]),
    );
    expect(c.resources.limits).toEqual({ cpu: "1", memory: "512Mi" });
  });

  it("installs cert-manager with its CRDs (crds.enabled), HA, and then the ClusterIssuer", () => {
    const v = release(s, "cert-manager").values;
    expect([v.crds, v.installCRDs, v.replicaCount, v.podDisruptionBudget, v.webhook.replicaCount, v.global.leaderElection.namespace]).toEqual([{ enabled: true, keep: true }, undefined, 2, { enabled: true, minAvailable: 1 }, 2, "cert-manager"]);
    const issuer = s.object("ClusterIssuer", "shop-letsencrypt");
    expect(issuer.spec).toMatchObject({ acme: { email: "ops@example.com", server: "https://acme-v02.api.letsencrypt.org/directory", solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }] } });
    expect(s.options("shop-issuer").dependsOn).toEqual(expect.arrayContaining([s.resource("shop-cert-manager", "Release").urn, s.resource("shop-ingress-nginx", "Release").urn]));
  });

  it("runs metrics-server and the adapter with two replicas and a budget when the ingress has more than one", () => {
    const m = release(s, "metrics-server").values;
    expect([m.replicas, m.podDisruptionBudget, m.defaultArgs]).toEqual([2, { enabled: true, minAvailable: 1 }, undefined]);
    const a = release(s, "prometheus-adapter").values;
    expect([a.replicas, a.podDisruptionBudget, a.prometheus]).toEqual([2, { enabled: true }, { url: "http://req1-obs-prometheus.req1-monitoring.svc", port: 9090, path: "" }]);
  });

  it("gives the adapter keel's documented rules (no default rules that map the collector's pod)", () => {
    const rules = release(s, "prometheus-adapter").values.rules;
    expect(rules.default).toBe(false);
    expect(rules.custom).toEqual(DEFAULT_ADAPTER_RULES.custom);
    expect(rules.custom.map((r: any) => [r.seriesQuery, r.name.as ?? r.name.matches, r.metricsQuery])).toEqual([
      ['active_sessions{k8s_namespace_name!="",k8s_pod_name!=""}', "^active_sessions$", "max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)"],
      ['http_server_request_duration_seconds_count{k8s_namespace_name!="",k8s_pod_name!=""}', "http_requests_per_minute", "sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>) * 60"],
    ]);
    for (const r of rules.custom) expect(r.resources).toEqual({ overrides: { k8s_namespace_name: { resource: "namespace" }, k8s_pod_name: { resource: "pod" } } });
    expect(rules.external.map((r: any) => [r.name.as, r.resources])).toEqual([["http_requests_per_minute", { overrides: { k8s_namespace_name: { resource: "namespace" } } }]]);
    expect(made!.metricsAdapterPods).toEqual({ namespace: "prometheus-adapter", podLabels: { "app.kubernetes.io/name": "prometheus-adapter", "app.kubernetes.io/instance": "prometheus-adapter" } });
  });

  it("runs external-dns upsert-only on Ingresses, owned by the cluster, with its IRSA role", () => {
    const v = release(s, "external-dns").values;
    expect([v.provider, v.sources, v.policy, v.registry, v.txtOwnerId, v.domainFilters, v.extraArgs]).toEqual([{ name: "aws" }, ["ingress"], "upsert-only", "txt", "shop-eks", ["example.com"], ["--zone-id-filter=Z0123456789ABC", "--zone-id-filter=Z0987654321XYZ"]]);
    expect(v.serviceAccount).toEqual({ create: true, name: "external-dns", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/shop-external-dns" } });
    expect(asked.map((a) => [a.role, a.namespace, a.serviceAccount])).toEqual([["external-dns", "external-dns", "external-dns"]]);
    expect(s.options("shop-external-dns", "Release").dependsOn).toEqual([s.resource("shop-ingress-nginx", "Release").urn]);
  });

  it("grants external-dns record changes in its zones only, and nothing but ListHostedZones on *", () => {
    const doc = JSON.parse(JSON.stringify(asked[0].policy)) as PolicyDocument;
    expect(leastPrivilegeProblems(doc)).toEqual([]);
    const [records, find] = doc.Statement;
    expect([records.Effect, records.Action, records.Resource]).toEqual([
      "Allow",
      ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResource", "route53:ListTagsForResources"],
      ["arn:aws:route53:::hostedzone/Z0123456789ABC", "arn:aws:route53:::hostedzone/Z0987654321XYZ"],
    ]);
    expect([find.Effect, find.Action, find.Resource]).toEqual(["Allow", ["route53:ListHostedZones"], "*"]);
    // No write action on "*": every action allowed on every resource only reads.
    for (const st of doc.Statement) {
      const resources = ([] as unknown[]).concat(st.Resource);
      if (resources.includes("*")) for (const a of ([] as string[]).concat(st.Action as string[])) expect(a).toMatch(/^route53:(List|Get)/);
    }
    expect(JSON.parse(JSON.stringify(externalDnsPolicy(["Z1"], "aws-cn").Statement[0].Resource))).toEqual(["arn:aws-cn:route53:::hostedzone/Z1"]);
  });

  it("states one fact per release, in the prerequisites' words", () => {
    expect(made!.installed).toEqual([
      { name: "ingress-nginx", chart: "ingress-nginx", version: "4.15.1", namespace: "ingress-nginx", provides: ["IngressClass nginx"] },
      { name: "cert-manager", chart: "cert-manager", version: "v1.21.2", namespace: "cert-manager", provides: ["cert-manager CRDs", "ClusterIssuer shop-letsencrypt"] },
      { name: "metrics-server", chart: "metrics-server", version: "3.13.1", namespace: "metrics-server", provides: ["metrics.k8s.io"] },
      { name: "prometheus-adapter", chart: "prometheus-adapter", version: "5.3.0", namespace: "prometheus-adapter", provides: ["custom.metrics.k8s.io", "external.metrics.k8s.io"] },
      { name: "external-dns", chart: "external-dns", version: "1.21.1", namespace: "external-dns", provides: ["DNS names under example.com"] },
      { name: "external-secrets", chart: "external-secrets", version: "2.9.0", namespace: "external-secrets", provides: ["the External Secrets Operator CRDs"] },
      { name: "reloader", chart: "reloader", version: "2.2.16", namespace: "reloader", provides: ["Reloader"] },
    ]);
    expect(made!.externalSecrets).toEqual({ namespace: "external-secrets", apiVersion: "external-secrets.io/v1", reloader: true });
  });

  it("installs the External Secrets Operator with its CRDs, HA, and without any IAM role", () => {
    const v = release(s, "external-secrets").values;
    expect([v.installCRDs, v.replicaCount, v.leaderElect, v.podDisruptionBudget]).toEqual([true, 2, true, { enabled: true, minAvailable: 1 }]);
    expect([v.webhook.replicaCount, v.webhook.podDisruptionBudget, v.certController.replicaCount]).toEqual([2, { enabled: true, minAvailable: 1 }, 1]);
    expect(v.topologySpreadConstraints.map((t: any) => t.labelSelector.matchLabels)).toEqual([1, 2].map(() => ({ "app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/instance": "external-secrets" })));
    expect(v.webhook.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual({ "app.kubernetes.io/name": "external-secrets-webhook", "app.kubernetes.io/instance": "external-secrets" });
    // No role: SecretStores authenticate with a workload's own ServiceAccount (auth.jwt.serviceAccountRef).
    for (const sa of [v.serviceAccount, v.webhook.serviceAccount, v.certController.serviceAccount]) expect(sa).toEqual({ create: true, annotations: {} });
    expect(JSON.stringify(v)).not.toContain("eks.amazonaws.com/role-arn");
    expect(asked.map((a) => a.role)).toEqual(["external-dns"]);
    // Left to the chart: cluster stores and cluster external secrets are processed (its defaults).
    expect([v.processClusterStore, v.processClusterExternalSecret]).toEqual([undefined, undefined]);
  });

  it("runs Reloader over every namespace with the annotations strategy, HA with a leader", () => {
    const v = release(s, "reloader").values;
    expect(v.fullnameOverride).toBe("reloader");
    const r = v.reloader;
    expect([r.watchGlobally, r.reloadStrategy, r.autoReloadAll, r.readOnlyRootFileSystem, r.enableHA, r.deployment.replicas, r.podDisruptionBudget]).toEqual([true, "annotations", false, true, true, 2, { enabled: true, minAvailable: 1 }]);
    expect(r.serviceAccount).toEqual({ create: true, annotations: {} });
    expect(r.namespaces).toBeUndefined();
  });

  it("runs every pod of the two under Pod Security restricted, as stated in the values", () => {
    const e = release(s, "external-secrets").values;
    const r = release(s, "reloader").values.reloader.deployment;
    const pods: [string, any, any][] = [
      ["external-secrets", e.podSecurityContext, e.securityContext],
      ["webhook", e.webhook.podSecurityContext, e.webhook.securityContext],
      ["cert-controller", e.certController.podSecurityContext, e.certController.securityContext],
      ["reloader", r.securityContext, r.containerSecurityContext],
    ];
    for (const [name, pod, container] of pods) {
      const effective = { ...pod, ...container };
      expect([name, effective.runAsNonRoot, effective.seccompProfile, container.allowPrivilegeEscalation, container.capabilities, container.readOnlyRootFilesystem]).toEqual([name, true, { type: "RuntimeDefault" }, false, { drop: ["ALL"] }, true]);
      expect(container.privileged).toBeUndefined();
      expect(container.capabilities.add).toBeUndefined();
    }
    expect([e.podSecurityContext.enabled, e.securityContext.enabled, e.securityContext.runAsUser, r.securityContext.runAsUser]).toEqual([true, true, 1000, 65534]);
  });

  it("requests in the values exactly what the node sizing counts for each release's pods", () => {
    const requests = (res: any) => ({ cpuMillis: Number(String(res.requests.cpu).replace(/m$/, "")), memoryMi: Number(String(res.requests.memory).replace(/Mi$/, "")) });
    const v = (chart: string) => release(s, chart).values;
    expect({
      "ingress-nginx": requests(v("ingress-nginx").controller.resources),
      "cert-manager": requests(v("cert-manager").resources),
      "cert-manager-webhook": requests(v("cert-manager").webhook.resources),
      "cert-manager-cainjector": requests(v("cert-manager").cainjector.resources),
      "metrics-server": requests(v("metrics-server").resources),
      "prometheus-adapter": requests(v("prometheus-adapter").resources),
      "external-dns": requests(v("external-dns").resources),
      "external-secrets": requests(v("external-secrets").resources),
      "external-secrets-webhook": requests(v("external-secrets").webhook.resources),
      "external-secrets-cert-controller": requests(v("external-secrets").certController.resources),
      reloader: requests(v("reloader").reloader.deployment.resources),
    }).toEqual(RELEASE_POD_REQUESTS);
    for (const res of [v("external-secrets").resources, v("external-secrets").webhook.resources, v("external-secrets").certController.resources, v("reloader").reloader.deployment.resources]) expect(Object.keys(res.limits)).toEqual(["cpu", "memory"]);
  });
});

describe("installClusterSoftware, minimal", () => {
  it("leaves the adapter and external-dns out when not asked, and runs single replicas without budgets", async () => {
    const s = await run({ ingress: { className: "public", namespace: "edge", replicas: 1, podLabels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": "edge", team: "platform" } }, charts: { "cert-manager": "v1.20.3" } });
    expect(s.resources.filter((r) => r.type.endsWith("Release")).map((r) => r.name)).toEqual(["shop-ingress-nginx", "shop-cert-manager", "shop-metrics-server"]);
    expect(s.all("Namespace").map((n) => n.metadata.name).sort()).toEqual(["cert-manager", "edge", "metrics-server"]);
    expect(Object.keys(made!.releases)).toEqual(["ingress-nginx", "cert-manager", "metrics-server"]);
    expect(made!.metricsAdapterPods).toBeUndefined();
    const c = release(s, "ingress-nginx");
    expect([c.name, c.values.controller.podLabels, c.values.controller.topologySpreadConstraints, c.values.controller.ingressClassResource.name]).toEqual(["edge", { team: "platform" }, [], "public"]);
    expect([release(s, "cert-manager").version, release(s, "cert-manager").values.podDisruptionBudget, release(s, "metrics-server").values.replicas]).toEqual(["v1.20.3", { enabled: false, minAvailable: 1 }, 1]);
  });

  it("installs the External Secrets Operator without Reloader when not asked, single replicas without budgets", async () => {
    const s = await run({ ingress: { className: "nginx", namespace: "ingress-nginx", replicas: 1, podLabels: {} }, externalSecrets: { namespace: "eso" }, charts: { "external-secrets": "1.3.2" } });
    expect(s.resources.filter((r) => r.type.endsWith("Release")).map((r) => r.name)).toEqual(["shop-ingress-nginx", "shop-cert-manager", "shop-metrics-server", "shop-external-secrets"]);
    const e = release(s, "external-secrets");
    expect([e.namespace, e.version, e.values.replicaCount, e.values.podDisruptionBudget, e.values.topologySpreadConstraints, e.values.webhook.replicaCount]).toEqual(["eso", "1.3.2", 1, { enabled: false, minAvailable: 1 }, [], 1]);
    expect(made!.externalSecrets).toEqual({ namespace: "eso", apiVersion: "external-secrets.io/v1", reloader: false });
    expect(made!.installed.map((i) => i.name)).toEqual(["ingress-nginx", "cert-manager", "metrics-server", "external-secrets"]);
  });

  it("rejects what would install something else than asked, with exact messages, before any resource", () => {
    const bad = args(undefined as unknown as k8s.Provider, {
      ingress: { className: "nginx", namespace: "kube-system", replicas: 0, podLabels: { "app.kubernetes.io/component": "web", "helm.sh/chart": "x" } },
      certManager: { namespace: "cert-manager", issuer: { name: "other", email: "ops@example.com" } },
      externalDns: { domainFilters: [], zoneIds: ["hostedzone/Z1"], namespace: "external-dns" },
      externalSecrets: { namespace: "External", reloader: { namespace: "kube-public" } },
      charts: { "ingress-nginx": "^4.15", reloader: "latest" },
    });
    let message = "";
    try {
      installClusterSoftware("shop", bad, {});
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split("\n")).toEqual([
      'ClusterSoftware "shop": ingress.namespace is "kube-system"; expected a namespace of your own: "default" and every "kube-*" namespace belong to Kubernetes (keel would set their Pod Security labels and deny all traffic in them, cutting off what runs there, e.g. CoreDNS)',
      'ClusterSoftware "shop": externalDns.domainFilters is []; expected at least one domain (external-dns publishes names under them only)',
      'ClusterSoftware "shop": externalDns.zoneIds[0] is "hostedzone/Z1"; expected a Route 53 hosted zone ID such as "Z0123456789ABCDEFGHIJ"',
      'ClusterSoftware "shop": externalSecrets.namespace is "External"; expected a DNS-1123 label',
      'ClusterSoftware "shop": externalSecrets.reloader.namespace is "kube-public"; expected a namespace of your own: "default" and every "kube-*" namespace belong to Kubernetes (keel would set their Pod Security labels and deny all traffic in them, cutting off what runs there, e.g. CoreDNS)',
      'ClusterSoftware "shop": ingress.replicas is 0; expected an integer from 1 to 20',
      'ClusterSoftware "shop": ingress.podLabels["app.kubernetes.io/component"] is "web"; expected "controller" (the ingress-nginx chart sets this label itself)',
      'ClusterSoftware "shop": ingress.podLabels["helm.sh/chart"] is "x"; expected a label that survives a chart upgrade (the chart changes this one with every version)',
      'ClusterSoftware "shop": certManager.issuer.name is "other"; expected "shop-letsencrypt" or "shop-letsencrypt-staging" (keel names its Let\'s Encrypt issuer after the system)',
      'ClusterSoftware "shop": charts.ingress-nginx is "^4.15"; expected an exact chart version such as "4.15.1" (no ranges: a release must not change by itself)',
      'ClusterSoftware "shop": charts.reloader is "latest"; expected an exact chart version such as "4.15.1" (no ranges: a release must not change by itself)',
    ]);
  });

  it("makes the staging issuer when named so, after the system it is given", async () => {
    const s = await run({ system: "req1", certManager: { namespace: "certs", issuer: { name: "req1-letsencrypt-staging", email: "ops@example.com" } } });
    expect((s.object("ClusterIssuer", "req1-letsencrypt-staging").spec as any).acme.server).toBe("https://acme-staging-v02.api.letsencrypt.org/directory");
    expect(made!.installed[1]).toEqual({ name: "cert-manager", chart: "cert-manager", version: "v1.21.2", namespace: "certs", provides: ["cert-manager CRDs", "ClusterIssuer req1-letsencrypt-staging"] });
  });

  it("reads the adapter's Prometheus endpoint from its URL", () => {
    expect(prometheusEndpoint("https://prom.example.svc/prometheus")).toEqual({ url: "https://prom.example.svc", port: 443, path: "/prometheus" });
  });
});
