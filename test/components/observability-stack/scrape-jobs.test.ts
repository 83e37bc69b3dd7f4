/**
 * The scrape jobs of prometheus.yml, field by field against Prometheus' documented
 * scrape_config, kubernetes_sd_config and relabel_config (promtool here is built without
 * Kubernetes discovery; test-real runs the jobs in a real Prometheus).
 */
import { prometheusConfig } from "../../../components";

type Job = Record<string, unknown> & { job_name: string; relabel_configs?: Record<string, unknown>[] };

const KSM = { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": "obs-kube-state-metrics" };
const config = prometheusConfig({ namespaces: ["shop", "monitoring"], ruleFiles: [], kubeStateMetrics: { namespace: "monitoring", podLabels: KSM } });
const jobs = config.scrape_configs as Job[];
const job = (name: string) => jobs.find((j) => j.job_name === name) as Job;

/** scrape_config fields (prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config) keel may use. */
const SCRAPE_FIELDS = ["job_name", "scrape_interval", "scrape_timeout", "metrics_path", "honor_labels", "honor_timestamps", "scheme", "params", "authorization", "tls_config", "kubernetes_sd_configs", "static_configs", "relabel_configs", "metric_relabel_configs"];
/** relabel_config fields and actions. */
const RELABEL_FIELDS = ["source_labels", "separator", "target_label", "regex", "modulus", "replacement", "action"];
const ACTIONS = ["replace", "keep", "drop", "keepequal", "dropequal", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase"];
/** Meta labels of the node and pod roles that keel's rules read. */
const META = [/^__meta_kubernetes_node_name$/, /^__meta_kubernetes_namespace$/, /^__meta_kubernetes_pod_(name|phase)$/, /^__meta_kubernetes_pod_(label|annotation)_[a-z0-9_]+$/, /^__address__$/];

describe("prometheus.yml scrape jobs", () => {
  it("are the self-scrape, annotated pods, kube-state-metrics, the kubelets and their cAdvisor", () => {
    expect(jobs.map((j) => j.job_name)).toEqual(["prometheus", "kubernetes-pods", "kube-state-metrics", "kubernetes-kubelet", "kubernetes-cadvisor"]);
  });

  it("use only documented scrape_config and relabel_config fields, actions and meta labels", () => {
    for (const j of jobs) {
      expect([j.job_name, Object.keys(j).filter((k) => !SCRAPE_FIELDS.includes(k))]).toEqual([j.job_name, []]);
      for (const r of j.relabel_configs ?? []) {
        expect([j.job_name, Object.keys(r).filter((k) => !RELABEL_FIELDS.includes(k))]).toEqual([j.job_name, []]);
        expect(ACTIONS).toContain(r.action ?? "replace");
        for (const l of (r.source_labels as string[] | undefined) ?? []) expect([l, META.some((re) => re.test(l))]).toEqual([l, true]);
        if (typeof r.regex === "string") expect(() => new RegExp(`^(?:${r.regex})$`)).not.toThrow();
      }
    }
  });

  it("scrape every kubelet's cAdvisor through the API server's node proxy, with the service account's token", () => {
    expect(job("kubernetes-cadvisor")).toEqual({
      job_name: "kubernetes-cadvisor",
      scheme: "https",
      tls_config: { ca_file: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt" },
      authorization: { credentials_file: "/var/run/secrets/kubernetes.io/serviceaccount/token" },
      kubernetes_sd_configs: [{ role: "node" }],
      relabel_configs: [
        { action: "labelmap", regex: "__meta_kubernetes_node_label_(.+)" },
        { source_labels: ["__meta_kubernetes_node_name"], target_label: "node" },
        { target_label: "__address__", replacement: "kubernetes.default.svc:443" },
        { source_labels: ["__meta_kubernetes_node_name"], regex: "(.+)", target_label: "__metrics_path__", replacement: "/api/v1/nodes/$1/proxy/metrics/cadvisor" },
      ],
    });
    // The proxy path of node "ip-10-0-1-7" as Prometheus' replace action builds it.
    const rule = job("kubernetes-cadvisor").relabel_configs?.[3] as { regex: string; replacement: string };
    expect("ip-10-0-1-7".replace(new RegExp(`^(?:${rule.regex})$`), rule.replacement)).toBe("/api/v1/nodes/ip-10-0-1-7/proxy/metrics/cadvisor");
    expect(job("kubernetes-kubelet").relabel_configs?.[3]).toMatchObject({ replacement: "/api/v1/nodes/$1/proxy/metrics" });
  });

  it("honour the exported labels on the kube-state-metrics job only, and keep its pod out of the annotation job", () => {
    expect(jobs.filter((j) => j.honor_labels !== undefined).map((j) => [j.job_name, j.honor_labels])).toEqual([["kube-state-metrics", true]]);
    const select = {
      source_labels: ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_app_kubernetes_io_name", "__meta_kubernetes_pod_label_app_kubernetes_io_instance"],
      regex: "monitoring;kube-state-metrics;obs-kube-state-metrics",
    };
    expect(job("kube-state-metrics").relabel_configs?.[0]).toEqual({ ...select, action: "keep" });
    expect(job("kubernetes-pods").relabel_configs).toContainEqual({ ...select, action: "drop" });
    // Its series' own namespace/pod stay: the job adds none of the exporter's.
    expect(job("kube-state-metrics").relabel_configs?.map((r) => r.target_label).filter(Boolean)).toEqual(["__metrics_path__", "__address__"]);
  });

  it("leave kube-state-metrics to the annotation job when there is none", () => {
    const plain = prometheusConfig({ namespaces: ["shop"], ruleFiles: [] }).scrape_configs as Job[];
    expect(plain.map((j) => j.job_name)).toEqual(["prometheus", "kubernetes-pods", "kubernetes-kubelet", "kubernetes-cadvisor"]);
    expect(plain.some((j) => j.honor_labels)).toBe(false);
  });
});
