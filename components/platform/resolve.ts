/** KubernetesPlatform's validation and defaults, and the cluster facts it hands the whole-stack checks: pure, no resources. */
import { checkArgShape } from "../core/arg-shape";
import { defaults } from "../core/defaults";
import { Validator } from "../core/errors";
import { Labels, imagePinProblem } from "../core/labels";
import { dnsLabelProblem, dnsSubdomainProblem, labelProblems } from "../core/kubernetes-syntax";
import { componentNameProblem, isDnsLabel } from "../core/naming";
import { DnsTarget, ipCidrProblem, notePlatformDns } from "../core/network";
import { ClusterFacts, DISTRIBUTIONS, DISTRIBUTION_DEFAULTS, PRIVATE_POD_CIDRS, storageClassListProblem, systemNamespaceProblem } from "./cluster-facts";
import { createdIssuerFact, validateIssuer } from "./issuers";
import type { KubernetesPlatformArgs } from "./kubernetes";
import { ResolvedMesh, meshFact, resolveMesh } from "./mesh";
import { IngressControllerTarget, Operators, TIERS, Tier } from "./types";

const REASON = "expected a reason of 10 characters or more (who provides it, and how)";

/** The cluster facts the platform hands the whole-stack checks. */
function clusterFacts(name: string, args: KubernetesPlatformArgs, v: Validator, r: { ingress: IngressControllerTarget; dns: DnsTarget; operators: Operators; clusterIssuer: string; monitoringNamespace: string; monitoringPodLabels: Labels; mesh?: ResolvedMesh }) {
  const c = args.cluster ?? {};
  const distribution = c.distribution ?? "generic";
  v.require(DISTRIBUTIONS.includes(distribution), "cluster.distribution", distribution, `expected one of ${DISTRIBUTIONS.join(", ")}`);
  const preset = DISTRIBUTION_DEFAULTS[distribution] ?? DISTRIBUTION_DEFAULTS.generic;
  const storageClass = args.storageClass ?? preset.storageClass;
  if (distribution === "eks") v.require(storageClass !== undefined, "storageClass", storageClass, "expected a StorageClass name: EKS clusters have no default class (keel creates the one named, encrypted gp3, unless cluster.storageClasses lists it)");
  // On EKS the platform creates the class it names, unless the cluster already has it.
  const createStorageClass = distribution === "eks" && storageClass !== undefined && !(c.storageClasses ?? []).includes(storageClass);
  const gp3 = args.gp3StorageClasses ?? [];
  if (gp3.length > 0) v.require(distribution === "eks", "gp3StorageClasses", gp3.map((g) => g.name), "expected cluster.distribution \"eks\": keel creates gp3 classes on the EBS CSI driver only");
  gp3.forEach((g, i) => {
    if (dnsSubdomainProblem(g.name)) v.require(false, `gp3StorageClasses[${i}].name`, g.name, "expected a StorageClass name (lowercase letters, digits, '-' and '.', at most 253 characters)");
    else if (g.name === storageClass || (c.storageClasses ?? []).includes(g.name) || gp3.findIndex((x) => x.name === g.name) !== i) v.require(false, `gp3StorageClasses[${i}].name`, g.name, "expected a class the cluster does not have yet (not storageClass, cluster.storageClasses or an earlier entry)");
    if (g.iops !== undefined) v.require(Number.isInteger(g.iops) && g.iops >= 3000 && g.iops <= 16000, `gp3StorageClasses[${i}].iops`, g.iops, "expected an integer from 3000 to 16000 (gp3's baseline and most)");
  });
  const created = gp3.map((g) => g.name);
  for (const [i, cidr] of (c.apiServer?.cidrs ?? []).entries()) {
    const problem = ipCidrProblem(cidr);
    if (problem) v.require(false, `cluster.apiServer.cidrs[${i}]`, cidr, problem);
  }
  for (const [i, cidr] of (c.podCidrs ?? []).entries()) {
    const problem = ipCidrProblem(cidr);
    if (problem) v.require(false, `cluster.podCidrs[${i}]`, cidr, problem);
  }
  // The platform's own class must exist, unless the platform creates it (EKS).
  if (!createStorageClass) {
    const listProblem = storageClassListProblem(args.storageClass, c.storageClasses);
    if (listProblem) v.require(false, "storageClass", args.storageClass, listProblem);
  }
  if (c.apiServer) v.require(Number.isInteger(c.apiServer.port) && c.apiServer.port > 0 && c.apiServer.port < 65536, "cluster.apiServer.port", c.apiServer.port, "expected a port number such as 6443");
  for (const [i, e] of (args.externalObjects ?? []).entries()) {
    v.require(typeof e.kind === "string" && /^[A-Z][A-Za-z]+$/.test(e.kind), `externalObjects[${i}].kind`, e.kind, "expected a Kubernetes kind such as \"Secret\"");
    v.require(typeof e.name === "string" && dnsSubdomainProblem(e.name) === undefined, `externalObjects[${i}].name`, e.name, "expected the object's name (lowercase letters, digits, '-' and '.', at most 253 characters)");
    v.require(typeof e.reason === "string" && e.reason.trim().length >= 10, `externalObjects[${i}].reason`, e.reason, REASON);
  }
  for (const [i, u] of (args.userImages ?? []).entries()) {
    const imageProblem = typeof u.reference === "string" ? imagePinProblem(u.reference) : "expected an image reference";
    if (imageProblem) v.require(false, `userImages[${i}].reference`, u.reference, imageProblem);
    v.require(typeof u.reason === "string" && u.reason.trim().length >= 10, `userImages[${i}].reason`, u.reason, REASON);
  }
  const issuers = [...(c.issuers ?? []), ...(args.createIssuer ? [createdIssuerFact(args.system, args.createIssuer)] : [])];
  // keel's default issuer name says what it is: Let's Encrypt, solving HTTP-01 through the ingress class.
  if (!issuers.some((i) => i.kind === "ClusterIssuer" && i.name === r.clusterIssuer) && r.clusterIssuer === defaults.ingress.clusterIssuer) issuers.push({ kind: "ClusterIssuer", name: r.clusterIssuer, solver: "http01" });
  const enforced = c.networkPolicyEnforced ?? preset.networkPolicyEnforced;
  const apiServer = c.apiServer ?? preset.apiServer;
  const classes = c.storageClasses ?? preset.storageClasses;
  // What the owner states wins over the distribution's default, API by API.
  const metricsApis = Object.fromEntries(Object.entries({ ...preset.metricsApis, ...c.metricsApis }).filter(([, on]) => typeof on === "boolean"));
  const installed = c.installed ?? [];
  installed.forEach((i, n) => {
    const what = { name: "the Helm release's name", chart: "the chart's name", version: "the exact chart version" } as const;
    for (const key of ["name", "chart", "version"] as const) v.require(typeof i?.[key] === "string" && i[key].trim() !== "", `cluster.installed[${n}].${key}`, i?.[key], `expected ${what[key]} (a non-empty string)`);
    v.require(typeof i?.namespace === "string" && isDnsLabel(i.namespace), `cluster.installed[${n}].namespace`, i?.namespace, "expected the release's namespace (a DNS-1123 label)");
    v.require(Array.isArray(i?.provides) && i.provides.every((p) => typeof p === "string" && p !== ""), `cluster.installed[${n}].provides`, i?.provides, "expected a list of what the release makes the cluster serve, such as [\"IngressClass nginx\"]");
    if (i?.kind !== undefined) v.require(i.kind === "helm" || i.kind === "eks-addon", `cluster.installed[${n}].kind`, i.kind, "expected \"helm\" or \"eks-addon\"");
  });
  const facts: ClusterFacts = {
    platform: distribution === "generic" ? `kubernetes (${name})` : distribution,
    ingressController: { className: r.ingress.className, namespace: r.ingress.namespace, podLabels: r.ingress.podLabels },
    prometheus: { namespace: r.monitoringNamespace, podLabels: r.monitoringPodLabels },
    dns: { namespace: r.dns.namespace, podLabels: r.dns.podLabels, port: r.dns.port },
    ...(apiServer ? { apiServer } : {}),
    ...(enforced !== undefined ? { networkPolicy: { enforced, ipBlocks: enforced } } : {}),
    ...(distribution !== "generic" || c.storageClasses ? { storageClasses: { names: [...new Set([...classes, ...(args.storageClass ? [args.storageClass] : []), ...created])], default: preset.storageClass } } : {}),
    operators: r.operators,
    issuers,
    external: args.externalObjects ?? [],
    userImages: args.userImages ?? [],
    ...(r.mesh ? { mesh: meshFact(r.mesh) } : {}),
    ...(Object.keys(metricsApis).length > 0 ? { metricsApis } : {}),
    ...(c.installed ? { installed: installed.map((i) => ({ ...(i.kind ? { kind: i.kind } : {}), name: i.name, chart: i.chart, version: i.version, namespace: i.namespace, provides: [...i.provides] })) } : {}),
  };
  // Components' classes are checked against what the user listed (plus the class the platform creates).
  const storageClasses = c.storageClasses ? [...new Set([...c.storageClasses, ...(createStorageClass && storageClass ? [storageClass] : []), ...created])] : undefined;
  return { facts, storageClass, createStorageClass, storageClasses, gp3StorageClasses: distribution === "eks" ? gp3 : [], podCidrs: c.podCidrs ?? preset.podCidrs ?? PRIVATE_POD_CIDRS };
}

/** Object names and labels the platform hands every component: their Kubernetes syntax. */
function checkNames(v: Validator, args: KubernetesPlatformArgs, ingress: IngressControllerTarget, dns: DnsTarget, clusterIssuer: string, monitoringPodLabels: Labels): void {
  const subdomain = (field: string, value: unknown, what: string) => {
    if (value !== undefined && dnsSubdomainProblem(value)) v.require(false, field, value, `expected ${/^[AEIOU]/.test(what) ? "an" : "a"} ${what} name (lowercase letters, digits, '-' and '.', at most 253 characters)`);
  };
  subdomain("storageClass", args.storageClass, "StorageClass");
  (Array.isArray(args.cluster?.storageClasses) ? args.cluster.storageClasses : []).forEach((c, i) => subdomain(`cluster.storageClasses[${i}]`, c, "StorageClass"));
  subdomain("ingressController.className", ingress.className, "IngressClass");
  if (!args.createIssuer) subdomain("clusterIssuer", clusterIssuer, "ClusterIssuer");
  v.require(Number.isInteger(dns.port) && dns.port >= 1 && dns.port <= 65535, "dns.port", dns.port, "expected a port from 1 to 65535");
  if (dnsLabelProblem(dns.namespace)) v.require(false, "dns.namespace", dns.namespace, "expected a DNS-1123 label");
  for (const [field, labels] of [["ingressController.podLabels", ingress.podLabels], ["dns.podLabels", dns.podLabels], ["monitoring.podLabels", monitoringPodLabels], ["monitoring.serviceMonitorLabels", args.monitoring?.serviceMonitorLabels]] as const) {
    for (const [f, value, allowed] of labelProblems(field, labels)) v.require(false, f, value, allowed);
  }
}

/** Checks {@link KubernetesPlatformArgs} and applies defaults: pure, no resources. */
export function resolveKubernetesPlatformArgs(name: string, args: KubernetesPlatformArgs) {
  const v = new Validator("KubernetesPlatform", name);
  checkArgShape(v, "KubernetesPlatformArgs", args, () => resolveKubernetesPlatformArgs(name, args)); // unknown keys and wrong shapes, before anything reads them
  v.throwIfInvalid();
  const nameProblem = componentNameProblem(name);
  if (nameProblem) v.require(false, "name", name, nameProblem);
  v.require(isDnsLabel(args.system), "system", args.system, "expected a DNS-1123 label such as \"req1\"");
  const namespaces: Record<Tier, string> = {
    app: args.namespaces?.app ?? args.system,
    data: args.namespaces?.data ?? defaults.namespaces.data,
    storage: args.namespaces?.storage ?? defaults.namespaces.storage,
    monitoring: args.namespaces?.monitoring ?? defaults.namespaces.monitoring,
  };
  for (const tier of TIERS) {
    v.require(isDnsLabel(namespaces[tier]), `namespaces.${tier}`, namespaces[tier], "expected a DNS-1123 label");
    const systemProblem = systemNamespaceProblem(namespaces[tier]);
    if (systemProblem) v.require(false, `namespaces.${tier}`, namespaces[tier], systemProblem);
  }
  const standards = ["restricted", "baseline", "privileged"];
  const pss = args.podSecurityStandard ?? defaults.podSecurityStandard;
  v.require(standards.includes(pss), "podSecurityStandard", pss, `expected one of ${standards.join(", ")}`);
  const ingress: IngressControllerTarget = {
    className: args.ingressController?.className ?? defaults.ingress.className,
    namespace: args.ingressController?.namespace ?? defaults.ingressController.namespace,
    podLabels: args.ingressController?.podLabels ?? defaults.ingressController.podLabels,
  };
  v.require(isDnsLabel(ingress.namespace), "ingressController.namespace", ingress.namespace, "expected a DNS-1123 label");
  v.require(Object.keys(ingress.podLabels).length > 0, "ingressController.podLabels", ingress.podLabels, "expected at least one label (an empty selector would admit every pod)");
  const dns: DnsTarget = notePlatformDns({
    namespace: args.dns?.namespace ?? defaults.dns.namespace,
    podLabels: args.dns?.podLabels ?? defaults.dns.podLabels,
    port: args.dns?.port ?? defaults.dns.port,
  }, name);
  const operators: Operators = {
    certManager: args.operators?.certManager ?? true,
    prometheusOperator: args.operators?.prometheusOperator ?? false,
    strimzi: args.operators?.strimzi ?? false,
  };
  for (const [key, value] of Object.entries(operators)) {
    v.require(typeof value === "boolean", `operators.${key}`, value, "expected true or false (a plain boolean: it decides which resources exist)");
  }
  const monitoringPodLabels = args.monitoring?.podLabels ?? { "app.kubernetes.io/name": "prometheus" };
  const createNamespaces = args.createNamespaces ?? true;
  const mesh = resolveMesh(v, args.mesh, { pss, namespaces, createNamespaces });
  validateIssuer(v, args.createIssuer, operators.certManager);
  if (args.createIssuer && args.clusterIssuer !== undefined) v.fail(`clusterIssuer and createIssuer are both set; give one (createIssuer names its issuer "${args.system}-...")`);
  const created = args.createIssuer && ["self-signed-ca", "acme"].includes(args.createIssuer.type) ? createdIssuerFact(args.system, args.createIssuer) : undefined;
  const clusterIssuer = created?.name ?? args.clusterIssuer ?? defaults.ingress.clusterIssuer;
  const certManagerNamespace = args.certManagerNamespace ?? "cert-manager";
  v.require(isDnsLabel(certManagerNamespace), "certManagerNamespace", certManagerNamespace, "expected a DNS-1123 label");
  checkNames(v, args, ingress, dns, clusterIssuer, monitoringPodLabels);
  const { facts, storageClass, createStorageClass, storageClasses, gp3StorageClasses, podCidrs } = clusterFacts(name, args, v, { ingress, dns, operators, clusterIssuer, monitoringNamespace: namespaces.monitoring, monitoringPodLabels, mesh });
  v.throwIfInvalid();
  return {
    facts,
    storageClass,
    createStorageClass,
    storageClasses,
    gp3StorageClasses,
    certManagerNamespace,
    podCidrs,
    namespaces,
    pss,
    ingress,
    dns,
    operators,
    createNamespaces,
    mesh,
    defaultDeny: args.defaultDeny ?? true,
    clusterIssuer,
    monitoringPodLabels,
    serviceMonitorLabels: args.monitoring?.serviceMonitorLabels ?? defaults.serviceMonitorLabels,
  };
}

