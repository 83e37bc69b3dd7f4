/** DockerDaemon: a privileged dind DaemonSet in a namespace of its own, with the exemptions and reasons it needs. */
import { ApiService, DOCKER_DAEMON_EXEMPTIONS, DockerDaemon } from "../../../components";
import { integrityProblems } from "../../helpers/integrity";
import { testPlatform } from "../../helpers/platform";
import { schemaProblems } from "../../helpers/schema";
import { at, synthesize } from "../../helpers/synth";

describe("DockerDaemon", () => {
  it("runs docker:dind privileged on every node, its data root on an emptyDir of its own, the API on 2375 for the peers admitted", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      const docker = new DockerDaemon("docker", { platform, namespace: "sandbox", image: "docker:29.7.2-dind", dataRootSize: "40Gi", workspaces: { size: "500Gi", storageClass: "efs-sc" } });
      new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", env: { DOCKER_HOST: docker.dockerHost }, allowTo: [{ peer: docker }] });
    });
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(s.objects)).toEqual([]);
    const ns = s.object("Namespace", "sandbox");
    expect(ns.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "privileged" });
    expect(ns.metadata.annotations?.["keel.dev/pod-security"]).toMatch(/^privileged: /);
    expect(s.all("NetworkPolicy").filter((p) => p.metadata.name === "default-deny" && p.metadata.namespace === "sandbox").map((p) => p.spec)).toEqual([{ podSelector: {}, policyTypes: ["Ingress", "Egress"] }]);

    const ds = s.object("DaemonSet", "docker");
    expect(ds.metadata.namespace).toBe("sandbox");
    expect(ds.metadata.annotations).toEqual(DOCKER_DAEMON_EXEMPTIONS);
    for (const reason of Object.values(DOCKER_DAEMON_EXEMPTIONS)) expect(reason.length).toBeGreaterThan(30);
    const c = at(ds, "spec.template.spec.containers.0") as Record<string, unknown>;
    expect(c.image).toBe("docker:29.7.2-dind");
    expect(c.args).toEqual(["--tls=false"]);
    expect(c.env).toEqual([{ name: "DOCKER_TLS_CERTDIR", value: "" }]);
    expect(c.ports).toEqual([{ name: "docker", containerPort: 2375, protocol: "TCP" }]);
    expect(at(c, "securityContext")).toMatchObject({ privileged: true, runAsUser: 0 });
    expect(at(c, "resources")).toMatchObject({ requests: { cpu: "2000m", memory: "4Gi" }, limits: { cpu: "8000m", memory: "16Gi" } });
    expect(at(c, "readinessProbe.tcpSocket.port")).toBe(2375);
    expect(at(c, "volumeMounts")).toEqual([{ name: "docker-data", mountPath: "/var/lib/docker" }, { name: "workspaces", mountPath: "/workspaces" }]);
    const volumes = at(ds, "spec.template.spec.volumes") as Record<string, unknown>[];
    expect(volumes).toEqual([{ name: "docker-data", emptyDir: { sizeLimit: "40Gi" } }, { name: "workspaces", persistentVolumeClaim: { claimName: "docker-workspaces" } }]);
    // Nothing of the host: no hostPath, host network or PID namespace.
    expect(JSON.stringify(at(ds, "spec.template.spec"))).not.toMatch(/hostPath|hostNetwork|hostPID/);
    expect(at(s.object("PersistentVolumeClaim", "docker-workspaces"), "spec")).toEqual({ accessModes: ["ReadWriteMany"], storageClassName: "efs-sc", resources: { requests: { storage: "500Gi" } } });
    // Each client to the daemon on its own node (the daemons share no state).
    expect(at(s.object("Service", "docker"), "spec.internalTrafficPolicy")).toBe("Local");
    expect(at(s.object("Service", "docker"), "spec.clusterIP")).toBeUndefined();

    // The API: the client reaches 2375, the daemons admit it there; they reach the internet on 443 (registries).
    expect(at(s.object("NetworkPolicy", "docker-from-api"), "spec.ingress.0.ports")).toEqual([{ port: 2375, protocol: "TCP" }]);
    expect(at(s.object("NetworkPolicy", "api-netpol"), "spec.egress")).toContainEqual(expect.objectContaining({ ports: [{ port: 2375, protocol: "TCP" }] }));
    expect(at(s.object("NetworkPolicy", "docker-netpol"), "spec.egress.1")).toMatchObject({ ports: [{ port: 443, protocol: "TCP" }] });
    expect((s.all("ConfigMap").find((m) => m.metadata.name.startsWith("api-env"))?.data as Record<string, string>).DOCKER_HOST).toBe("tcp://docker.sandbox.svc.cluster.local:2375");
  });

  it("allowFrom opens both ends: the client's egress and the daemons' ingress on 2375", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      const docker = new DockerDaemon("docker", { platform, namespace: "sandbox", image: "docker:29.7.2-dind" });
      docker.allowFrom(new ApiService("runner", { platform, image: "ghcr.io/acme/runner:1.0.0" }));
    });
    expect(at(s.object("NetworkPolicy", "docker-from-runner"), "spec.ingress.0.ports")).toEqual([{ port: 2375, protocol: "TCP" }]);
    expect(at(s.object("NetworkPolicy", "runner-to-docker"), "spec.egress.0.ports")).toEqual([{ port: 2375, protocol: "TCP" }]);
  });

  it("protects the namespace and the workspaces in prod", async () => {
    const s = await synthesize(() => {
      new DockerDaemon("docker", { platform: testPlatform(), namespace: "sandbox", image: "docker:29.7.2-dind", workspaces: { size: "10Gi", accessMode: "ReadWriteOnce" }, protect: true });
    });
    expect(s.options("docker-ns-sandbox", "Namespace")).toMatchObject({ protect: true, retainOnDelete: true });
    expect(s.options("docker-workspaces", "PersistentVolumeClaim")).toMatchObject({ protect: true, retainOnDelete: true });
  });

  it("explains bad input per field", async () => {
    await synthesize(() => {
      const platform = testPlatform();
      expect(() => new DockerDaemon("docker", { platform, namespace: "data", image: "docker:latest", dataRootSize: "50 GB", workspaces: { size: "1 TB" } })).toThrow(
        [
          'DockerDaemon "docker": namespace is "data"; expected a namespace of the daemons\' own: a platform tier\'s namespace enforces Pod Security restricted, which refuses a privileged pod',
          'DockerDaemon "docker": image is "docker:latest"; expected a pinned tag or digest; \"latest\" changes under a running Deployment',
          'DockerDaemon "docker": dataRootSize is "50 GB"; expected bytes with a unit such as "512Mi", "2Gi" or "500M" (did you mean "50Gi"?)',
          'DockerDaemon "docker": workspaces.size is "1 TB"; expected bytes with a unit such as "512Mi", "2Gi" or "500M" (did you mean "1Ti"?)',
        ].join("\n"),
      );
      expect(() => new DockerDaemon("docker", { platform, namespace: "sandbox", image: "docker:29.7.2-dind", workspaces: { size: "1Ti", accessMode: "ReadOnlyMany" as never } })).toThrow(/^DockerDaemon "docker": workspaces\.accessMode is "ReadOnlyMany"; expected /);
      expect(() => new DockerDaemon("docker", { platform, namespace: "kube-docker", image: "docker:29.7.2-dind" })).toThrow(/namespace is "kube-docker"; expected a namespace of your own/);
    });
  });
});
