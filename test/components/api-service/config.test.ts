import * as pulumi from "@pulumi/pulumi";
import { ApiService } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { at, synthesize } from "../../helpers/synth";

const image = "ghcr.io/shop/api:1.4.2";
const SECRET = "s3cr3t-value-never-written";

describe("ApiService env, files and secrets", () => {
  it("reads plain env from a generated ConfigMap and secrets from a generated Secret", async () => {
    const s = await synthesize(() => {
      new ApiService("api", {
        platform: testPlatform(),
        image,
        env: { LOG_LEVEL: "info", EXISTING: { secretKeyRef: { name: "oidc", key: "client-secret" } }, POD_IP: { fieldPath: "status.podIP" } },
        secretEnv: { API_TOKEN: SECRET },
      });
    });
    const configMap = s.all("ConfigMap")[0];
    const secret = s.all("Secret")[0];
    expect(configMap.metadata.name).toMatch(/^api-env-[0-9a-f]{8}$/);
    expect(at(configMap, "data")).toEqual({ LOG_LEVEL: "info" });
    expect(at(secret, "stringData")).toEqual({ API_TOKEN: "[secret]" });
    expect(at(s.object("Deployment", "api"), "spec.template.spec.containers.0.env")).toEqual([
      { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "API_TOKEN" } } },
      { name: "EXISTING", valueFrom: { secretKeyRef: { name: "oidc", key: "client-secret" } } },
      { name: "LOG_LEVEL", valueFrom: { configMapKeyRef: { name: configMap.metadata.name, key: "LOG_LEVEL" } } },
      { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    ]);
  });

  it("never writes a secret value: not in the plan, manifests, diagram or capacity", async () => {
    const s = await synthesize(() => {
      new ApiService("api", {
        platform: testPlatform(),
        image,
        secretEnv: { API_TOKEN: SECRET, DB: pulumi.secret(`postgres://app:${SECRET}@db:5432/app`) },
        files: { "/etc/api/key.pem": { content: SECRET, secret: true } },
      });
    });
    expect(s.written()).not.toContain(SECRET);
    expect(s.written()).toContain("[secret]");
  });

  it("keeps secret inputs secret on the wire", async () => {
    const s = await synthesize(() => {
      new ApiService("api", { platform: testPlatform(), image, secretEnv: { API_TOKEN: SECRET } });
    });
    const secret = s.resources.find((r) => r.type === "kubernetes:core/v1:Secret");
    expect(JSON.stringify(secret?.inputs.stringData)).toContain("1b47061264138c4ac30d75fd1eb44270");
  });

  it("mounts files read-only from a ConfigMap or a Secret", async () => {
    const s = await synthesize(() => {
      new ApiService("api", {
        platform: testPlatform(),
        image,
        files: { "/etc/api/config.yaml": { content: "level: info\n" }, "/etc/api/tls/key.pem": { content: SECRET, secret: true } },
      });
    });
    const pod = at(s.object("Deployment", "api"), "spec.template.spec") as Record<string, unknown>;
    expect(at(pod, "containers.0.volumeMounts")).toEqual([
      { name: "tmp", mountPath: "/tmp" },
      { name: "files", mountPath: "/etc/api/config.yaml", subPath: "etc-api-config.yaml", readOnly: true },
      { name: "secret-files", mountPath: "/etc/api/tls/key.pem", subPath: "etc-api-tls-key.pem", readOnly: true },
    ]);
    const files = s.all("ConfigMap").find((c) => c.metadata.name.startsWith("api-files-"));
    expect(at(files, "data")).toEqual({ "etc-api-config.yaml": "level: info\n" });
    expect((pod.volumes as unknown[])[2]).toEqual({ name: "secret-files", secret: { secretName: expect.stringMatching(/^api-secret-files-/), defaultMode: 0o440 } });
  });
});
