import { ApiService, peers } from "../../components";
import { capacityMarkdown } from "../../offline/capacity";
import { topologyMermaid } from "../../offline/topology";
import { testPlatform } from "../helpers/platform";
import { synthesize } from "../helpers/synth";

const image = "ghcr.io/shop/app:1.0.0";

describe("topology diagram", () => {
  it("draws a flow only where both sides' policies allow it", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      const backend = new ApiService("backend", { platform, image, port: 3000, metrics: false, tier: "data" });
      new ApiService("frontend", { platform, image, metrics: false, allowTo: [{ peer: backend }] });
      // Egress from "lonely" to backend is allowed on lonely's side only: backend does not admit it.
      new ApiService("lonely", { platform, image, metrics: false, allowTo: [{ peer: peers.workload("backend", "data", backend.networkPeer.podLabels) }] });
    });
    const diagram = topologyMermaid("test", s.objects);
    expect(diagram).toContain('subgraph ns_data["namespace data"]');
    expect(diagram).toContain('w_shop_frontend -->|"TCP 3000"| w_data_backend');
    expect(diagram).not.toContain("w_shop_lonely -->");
  });

  it("decides flows with the pack's evaluator: named ports resolve to the pod's container port", () => {
    const pod = (name: string, ns: string, ports: { name: string; containerPort: number }[]) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: ns },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, ports }] } } },
    });
    const policy = (name: string, ns: string, spec: Record<string, unknown>) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: ns }, spec });
    const objects = [
      pod("client", "a", []),
      pod("db", "b", [{ name: "pg", containerPort: 5432 }]),
      policy("client", "a", { podSelector: { matchLabels: { app: "client" } }, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "db" } } }], ports: [{ port: "pg" }] }] }),
      policy("db", "b", { podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "a" } } }], ports: [{ port: 5432 }] }] }),
    ];
    expect(topologyMermaid("test", objects as never)).toContain('w_a_client -->|"TCP 5432"| w_b_db');
    (objects[3].spec as { ingress: { ports: unknown[] }[] }).ingress[0].ports = [{ port: 5433 }];
    expect(topologyMermaid("test", objects as never)).not.toContain("w_a_client -->");
  });

  it("shows replicas and HPA bounds, and stateful workloads as data stores", async () => {
    const s = await synthesize(() => {
      new ApiService("api", { platform: testPlatform(), image, autoscaling: { minReplicas: 2, maxReplicas: 6 } });
    });
    expect(topologyMermaid("test", s.objects)).toContain('w_shop_api["api<br/>Deployment x2-6"]');
  });
});

describe("capacity table", () => {
  it("counts requests at min replicas and limits at max replicas", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      new ApiService("api", {
        platform,
        image,
        resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" } },
        autoscaling: { minReplicas: 3, maxReplicas: 10 },
      });
      new ApiService("web", { platform, image, replicas: 3, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } } });
    });
    const table = capacityMarkdown("test", s.objects);
    expect(table).toContain("| shop | api | Deployment | 3-10 (HPA) | 1.5 | 20 | 1.5Gi | 20Gi | - |");
    expect(table).toContain("| shop | web | Deployment | 3 | 300m | 1.5 | 384Mi | 1.5Gi | - |");
    expect(table).toContain("| **all** | **total** |  |  | **1.8** | **21.5** | **1.88Gi** | **21.5Gi** | **-** |");
  });
});

describe("provider functions answered offline", () => {
  it("splits YAML for k8s.yaml.ConfigGroup like the provider", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const k8s = require("@pulumi/kubernetes") as typeof import("@pulumi/kubernetes");
    const s = await synthesize(() => {
      new k8s.yaml.ConfigGroup("extra", { yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  a: b\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n" });
    });
    expect(s.object("ConfigMap", "settings").data).toEqual({ a: "b" });
    expect(s.all("Namespace").map((n) => n.metadata.name)).toEqual(["shop"]);
  });
});
