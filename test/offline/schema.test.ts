import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApiService, peers } from "../../components";
import { synth } from "../../offline/synth";
import { ROOT } from "../helpers/cli";
import { testPlatform } from "../helpers/platform";
import { integrityProblems } from "../helpers/integrity";
import { schemaProblems } from "../helpers/schema";
import { synthesize } from "../helpers/synth";

describe("manifests against the Kubernetes OpenAPI and CRD schemas", () => {
  it("accepts an ApiService with every option, ServiceMonitor included", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform({ operators: { prometheusOperator: true } });
      const db = new ApiService("db-proxy", { platform, image: "ghcr.io/shop/proxy:1.0.0", port: 6432, replicas: 1, metrics: false });
      new ApiService("api", {
        platform,
        image: `ghcr.io/shop/api@sha256:${"ab".repeat(32)}`,
        command: ["/app/api"],
        args: ["--serve"],
        port: 3000,
        servicePort: 80,
        env: { LOG: "info", REF: { configMapKeyRef: { name: "shared", key: "x" } } },
        secretEnv: { TOKEN: "t" },
        files: { "/etc/api/app.toml": { content: "a = 1" }, "/etc/api/key": { content: "k", secret: true } },
        probes: { startup: { path: "/health/startup" }, liveness: { tcpPort: 3000 }, readiness: { path: "/ready", scheme: "HTTPS" } },
        resources: { requests: { cpu: 0.5, memory: "512Mi", ephemeralStorage: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
        autoscaling: { minReplicas: 3, maxReplicas: 10, memoryUtilization: 70, customMetrics: [{ name: "queue_depth", averageValue: "100", type: "external", selector: { queue: "orders" } }] },
        disruptionBudget: { minAvailable: "50%" },
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
        topologySpread: { zones: true, nodes: false, whenUnsatisfiable: "DoNotSchedule" },
        serviceAccount: { automountToken: true, tokenReason: "reads its own ConfigMaps through the API", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/api" } },
        security: { runAsUser: 2000, addCapabilities: ["NET_BIND_SERVICE"] },
        ingress: { host: "api.example.com", additionalHosts: ["www.example.com"], pathType: "Exact", rateLimit: { requestsPerSecond: 5, burstMultiplier: 3 } },
        metrics: { port: 9102 },
        allowFrom: [{ peer: peers.namespace("partners") }],
        allowTo: [{ peer: db }, { peer: peers.cidr("203.0.113.0/24"), ports: [{ port: 5432 }] }],
        labels: { team: "checkout" },
        podAnnotations: { "example.com/owner": "checkout" },
        terminationGracePeriodSeconds: 60,
      });
    });
    expect(s.objects.map((o) => o.kind)).toEqual(expect.arrayContaining(["ServiceMonitor", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "Secret"]));
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    // The one reference to something outside the program: the shared ConfigMap the env points at.
    expect(integrityProblems(s.objects)).toEqual(["Deployment/shop/api reads ConfigMap shared, which does not exist"]);
  });

  it("accepts every object of the prod stack", async () => {
    const result = await synth({ stack: "prod", dir: ROOT, out: fs.mkdtempSync(path.join(os.tmpdir(), "keel-prod-")) });
    const kinds = new Set(result.manifests.map((m) => m.object.kind));
    expect([...kinds].sort()).toEqual([
      "ClusterRole",
      "ClusterRoleBinding",
      "ConfigMap",
      "DaemonSet",
      "Deployment",
      "ExternalSecret",
      "HorizontalPodAutoscaler",
      "Ingress",
      "Namespace",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "Secret",
      "SecretStore",
      "Service",
      "ServiceAccount",
      "StatefulSet",
    ]);
    expect(result.manifests.map((m) => schemaProblems(m.object)).filter(Boolean)).toEqual([]);
    // The OIDC client secret of req1 lives in a Secret managed outside Pulumi.
    expect(integrityProblems(result.manifests.map((m) => m.object), ["req1-oidc"])).toEqual([]);
  });

  it("catches dangling references and undefined values (the check can fail)", () => {
    const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: "a" }, spec: { template: { spec: { serviceAccountName: "x", containers: [{ name: "x", env: [{ name: "URL", value: "postgres://undefined:5432" }] }] } } } };
    expect(integrityProblems([deployment])).toEqual([
      'Deployment/a/x.spec.template.spec.containers[0].env[0].value is "postgres://undefined:5432"',
      "Deployment/a/x runs as ServiceAccount x, which does not exist",
    ]);
  });

  it("catches what the schema forbids (the check can fail)", () => {
    const broken = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { selector: {}, template: { spec: { containers: [{ name: "x", image: "x:1", resources: { limits: { memory: "12 GB" } } }] } } } };
    expect(schemaProblems(broken)).toContain('must match format "quantity"');
  });
});
