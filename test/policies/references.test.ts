/** stack-references: every reference resolves, every selector selects; external objects only when declared. */
import { stackReferences } from "../../policies/stack/references";
import { stackViolations } from "./harness";
import { FACTS, fixture, get, k8s, netpol } from "./stack-fixture";

type Props = Record<string, unknown>;
const run = (resources: ReturnType<typeof fixture>["all"], facts: Props = FACTS) => stackViolations(stackReferences, resources, { cluster: facts }).map((v) => v.message);
const apiContainer = (f: ReturnType<typeof fixture>) => (get(f.byName("shop-api-Deployment"), "spec.template.spec").containers as Props[])[0];

describe("stack-references", () => {
  it("passes a stack whose references all resolve", () => {
    expect(run(fixture().all)).toEqual([]);
  });

  it("reports a Secret nobody creates, naming the reader, the key and the fix", () => {
    const f = fixture();
    expect(run(f.all.filter((t) => t.name !== "shop-db-url-Secret"))).toEqual([
      'Deployment shop/api: container "api" env DATABASE_URL reads Secret shop/db-url key "url", but Secret shop/db-url is not in the stack; create it in the stack, or declare it as external (with a reason) so it is listed as a prerequisite.',
    ]);
  });

  it("reports a key the Secret does not have, and accepts optional references", () => {
    const f = fixture();
    const ref = ((apiContainer(f).env as Props[])[0].valueFrom as Props).secretKeyRef as Props;
    ref.key = "uri";
    expect(run(f.all)).toEqual(['Deployment shop/api: container "api" env DATABASE_URL reads Secret shop/db-url key "uri", but Secret shop/db-url has no key "uri" (keys: url); create it in the stack, or declare it as external (with a reason) so it is listed as a prerequisite.']);
    ref.optional = true;
    expect(run(f.all)).toEqual([]);
  });

  it("accepts an object declared external with a reason, and refuses one without", () => {
    const f = fixture();
    const all = f.all.filter((t) => t.name !== "shop-db-url-Secret");
    expect(run(all, { ...FACTS, external: [{ kind: "Secret", namespace: "shop", name: "db-url", keys: ["url"], reason: "synced from Vault by external-secrets" }] })).toEqual([]);
    expect(run(all, { ...FACTS, external: [{ kind: "Secret", namespace: "shop", name: "db-url", reason: "todo" }] })).toEqual([
      'Deployment shop/api: container "api" env DATABASE_URL reads Secret shop/db-url key "url", but Secret shop/db-url is declared external, but "todo" is not a reason; create it in the stack, or declare it as external (with a reason) so it is listed as a prerequisite.',
      'external Secret shop/db-url is declared without a real reason ("todo" is not a reason); say who provides it and how.',
    ]);
    expect(run(all, { ...FACTS, external: [{ kind: "Secret", namespace: "shop", name: "db-url", keys: ["password"], reason: "synced from Vault by external-secrets" }] })).toEqual([
      'Deployment shop/api: container "api" env DATABASE_URL reads Secret shop/db-url key "url", but Secret shop/db-url is declared external with keys password, not "url"; create it in the stack, or declare it as external (with a reason) so it is listed as a prerequisite.',
    ]);
  });

  it("reports volumes: projected ConfigMap keys, PVCs, mounts without a volume", () => {
    const f = fixture();
    const spec = get(f.byName("shop-api-Deployment"), "spec.template.spec");
    spec.volumes = [
      { name: "cfg", projected: { sources: [{ configMap: { name: "settings", items: [{ key: "app.yaml", path: "app.yaml" }] } }] } },
      { name: "files", persistentVolumeClaim: { claimName: "uploads" } },
    ];
    apiContainer(f).volumeMounts = [{ name: "cfg", mountPath: "/etc/app" }, { name: "cache", mountPath: "/cache" }];
    expect(run(f.all)).toEqual([
      'Deployment shop/api: container "api" mounts volume "cache", which the pod does not define; add it to spec.volumes (or volumeClaimTemplates).',
      'Deployment shop/api: volume "cfg" (projected) reads ConfigMap shop/settings key "app.yaml", but ConfigMap shop/settings is not in the stack; create it in the stack, or declare it as external (with a reason) so it is listed as a prerequisite.',
      'Deployment shop/api: volume "files" claims PersistentVolumeClaim shop/uploads, but PersistentVolumeClaim shop/uploads is not in the stack; create it in the stack, or declare it as external (with a reason) so it is listed as a prerequisite.',
    ]);
    f.all.push(k8s("kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "shop" }, data: { "app.yaml": "a: 1" } }));
    f.all.push(k8s("kubernetes:core/v1:PersistentVolumeClaim", { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "uploads", namespace: "shop" }, spec: {} }));
    (spec.volumes as Props[]).push({ name: "cache", emptyDir: {} });
    expect(run(f.all)).toEqual([]);
  });

  it("reports a missing ServiceAccount (default always exists)", () => {
    const f = fixture();
    expect(run(f.all.filter((t) => t.name !== "shop-api-ServiceAccount"))).toEqual([
      "Deployment shop/api: its pods run as ServiceAccount shop/api, but ServiceAccount shop/api is not in the stack; create it in the stack, or declare it as external (with a reason) so it is listed as a prerequisite.",
    ]);
    get(f.byName("shop-api-Deployment"), "spec.template.spec").serviceAccountName = "default";
    expect(run(f.all.filter((t) => t.name !== "shop-api-ServiceAccount"))).toEqual([]);
  });

  it("reports an Ingress backend Service or port that does not exist", () => {
    const f = fixture();
    const backend = get(f.byName("shop-api-Ingress"), "spec").rules as Props[];
    const service = (((backend[0].http as Props).paths as Props[])[0].backend as Props).service as Props;
    service.port = { number: 8080 };
    expect(run(f.all)).toEqual(["Ingress shop/api: backend Service shop/api has no port 8080 (ports: http=80); use one of them."]);
    service.port = { name: "http" };
    expect(run(f.all)).toEqual([]);
    service.name = "web";
    expect(run(f.all)).toEqual([
      "Ingress shop/api: backend Service shop/web is not in the stack; the ingress controller answers 503. Create it in the stack, or declare it as external (with a reason) so it is listed as a prerequisite.",
    ]);
  });

  it("reports a TLS Secret nobody makes, unless cert-manager issues it", () => {
    const f = fixture();
    const meta = get(f.byName("shop-api-Ingress"), "metadata");
    delete meta.annotations;
    expect(run(f.all)).toEqual([
      "Ingress shop/api: TLS Secret shop/api-tls: Secret shop/api-tls is not in the stack; create it in the stack, or declare it as external (with a reason) so it is listed as a prerequisite, or let cert-manager issue it (cert-manager.io/cluster-issuer annotation).",
    ]);
    f.all.push(k8s("kubernetes:cert-manager.io/v1:Certificate", { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "api", namespace: "shop" }, spec: { secretName: "api-tls", issuerRef: { kind: "ClusterIssuer", name: "letsencrypt" } } }));
    expect(run(f.all)).toEqual([]);
  });

  it("reports a Service whose named target port no selected pod declares", () => {
    const f = fixture();
    (get(f.byName("shop-api-Service"), "spec").ports as Props[])[0].targetPort = "web";
    expect(run(f.all)).toEqual(['Service shop/api: port http targets the container port named "web", which Deployment shop/api does not declare (http); traffic to it is refused. Name the container port, or target its number.']);
  });

  it("reports an HPA whose target is missing", () => {
    const f = fixture();
    f.all.push(k8s("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "api", namespace: "shop" }, spec: { minReplicas: 2, maxReplicas: 4, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "apii" } } }));
    expect(run(f.all)).toEqual(["HorizontalPodAutoscaler shop/api: scales Deployment shop/apii, which is not in the stack; point scaleTargetRef at the workload."]);
  });

  it("reports selectors that select no pods: Service, PDB, NetworkPolicy", () => {
    const f = fixture();
    get(f.byName("shop-api-Service"), "spec").selector = { "app.kubernetes.io/name": "apí" };
    f.all.push(k8s("kubernetes:policy/v1:PodDisruptionBudget", { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "api", namespace: "shop" }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: "api" } } } }));
    f.all.push(netpol("data", "api", { podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } }, policyTypes: ["Ingress"] }));
    expect(run(f.all)).toEqual([
      'Service shop/api: its selector {"app.kubernetes.io/name":"apí"} selects no pods in the stack; traffic to it goes nowhere. Match the workload\'s pod labels.',
      "PodDisruptionBudget shop/api: its selector selects no pods in the stack, so it protects nothing. Match the workload's pod labels.",
      "NetworkPolicy data/api: its podSelector selects no pods in the stack, so it allows or denies nothing. Match the workload's pod labels.",
    ]);
  });

  it("takes a policy for cert-manager's HTTP-01 solver pods as selecting them, also in a stack without Ingress or Certificate", () => {
    const f = fixture();
    const withoutTls = f.all.filter((t) => !/Ingress|Certificate/.test(t.type));
    expect(withoutTls.some((t) => t.name.includes("acme-solver"))).toBe(true);
    expect(run(withoutTls)).toEqual([]);
  });

  it("selects one StatefulSet pod by the pod-name label its controller sets, while that ordinal exists", () => {
    const f = fixture();
    const replicas = (get(f.byName("data-db-StatefulSet"), "spec").replicas as number | undefined) ?? 1;
    const primary = (pod: string) => k8s("kubernetes:core/v1:Service", { apiVersion: "v1", kind: "Service", metadata: { name: "db-primary", namespace: "data" }, spec: { selector: { "app.kubernetes.io/name": "db", "statefulset.kubernetes.io/pod-name": pod }, ports: [{ name: "pg", port: 5432, targetPort: "pg" }] } });
    expect(run([...f.all, primary("db-0")])).toEqual([]);
    expect(run([...f.all, primary(`db-${replicas}`)])).toEqual([`Service data/db-primary: its selector {"app.kubernetes.io/name":"db","statefulset.kubernetes.io/pod-name":"db-${replicas}"} selects no pods in the stack; traffic to it goes nowhere. Match the workload's pod labels.`]);
  });

  it("takes the Prometheus operator's pods as selected by a policy, when the stack has their Prometheus", () => {
    const f = fixture();
    const policy = netpol("monitoring", "prometheus", { podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": "main" } }, policyTypes: ["Ingress"] });
    const prometheus = k8s("kubernetes:monitoring.coreos.com/v1:Prometheus", { apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", metadata: { name: "main", namespace: "monitoring" }, spec: { replicas: 1 } });
    expect(run([...f.all, policy, prometheus])).toEqual([]);
    expect(run([...f.all, policy])).toEqual(["NetworkPolicy monitoring/prometheus: its podSelector selects no pods in the stack, so it allows or denies nothing. Match the workload's pod labels."]);
  });

  it("reports a StatefulSet whose headless Service is missing, not headless, or selects other pods", () => {
    const f = fixture();
    const headless = get(f.byName("data-db-headless-Service"), "spec");
    headless.selector = { "app.kubernetes.io/name": "cache" };
    expect(run(f.all)).toContain("StatefulSet data/db: its headless Service data/db-headless does not select its pods; pod DNS names do not resolve. Give the Service the pods' labels as selector.");
    delete headless.clusterIP;
    headless.selector = { "app.kubernetes.io/name": "db" };
    expect(run(f.all)).toEqual(["StatefulSet data/db: its governing Service data/db-headless is not headless (clusterIP: None); pods get no stable DNS names."]);
    expect(run(f.all.filter((t) => t.name !== "data-db-headless-Service"))).toEqual([
      'StatefulSet data/db: spec.serviceName is "db-headless", but Service data/db-headless is not in the stack; its pods get no DNS names. Create the headless Service.',
    ]);
  });
});
