import { KeelValidationError, Validator } from "../../../components/core/errors";
import { checkEphemeralStorage, resolveResources, toK8sResources } from "../../../components/core/resources";

function resolve(args: Parameters<typeof resolveResources>[2]) {
  const v = new Validator("ApiService", "api");
  const resources = resolveResources(v, "resources", args);
  return { resources, error: () => v.throwIfInvalid() };
}

describe("resources", () => {
  it("always sets requests and limits", () => {
    expect(resolve({}).resources).toMatchObject({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
  });

  it("keeps the user's spelling (seed 003 backend: 500m/512Mi, 2000m/2Gi)", () => {
    const { resources } = resolve({ requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" } });
    expect(resources.requests).toEqual({ cpu: "500m", memory: "512Mi" });
    expect(resources.limits).toEqual({ cpu: "2000m", memory: "2Gi" });
    expect(resources.limitMillicores).toBe(2000);
  });

  it("turns CPU numbers into quantities", () => {
    expect(resolve({ requests: { cpu: 0.1 }, limits: { cpu: 1 } }).resources).toMatchObject({ requests: { cpu: "100m" }, limits: { cpu: "1" } });
  });

  it("raises a default limit below a larger request", () => {
    expect(resolve({ requests: { cpu: "1", memory: "1Gi" } }).resources.limits).toEqual({ cpu: "1", memory: "1Gi" });
  });

  it("rejects \"12 GB\" with the field, the value and what is allowed", () => {
    expect(resolve({ limits: { memory: "12 GB" } }).error).toThrow(
      'ApiService "api": resources.limits.memory is "12 GB"; expected bytes with a unit such as "512Mi", "2Gi" or "500M" (did you mean "12Gi"?)',
    );
  });

  it("rejects requests above limits", () => {
    expect(resolve({ requests: { cpu: "2" }, limits: { cpu: "1" } }).error).toThrow('ApiService "api": resources.requests.cpu is "2"; expected at most the limit "1"');
    expect(resolve({ requests: { memory: "1Gi" }, limits: { memory: "512Mi" } }).error).toThrow(
      'ApiService "api": resources.requests.memory is "1Gi"; expected at most the limit "512Mi"',
    );
  });
});

describe("ephemeral storage", () => {
  const tmp = { volume: "tmp", sizeLimit: "64Mi" };
  const scratch = { volume: "scratch", sizeLimit: "10Gi" };

  it("defaults to 64Mi/256Mi for logs, plus the sizeLimits of the emptyDir volumes the container writes", () => {
    const { resources } = resolve({});
    expect(toK8sResources(resources, [])).toEqual({ requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" }, limits: { cpu: "500m", memory: "256Mi", "ephemeral-storage": "256Mi" } });
    expect(toK8sResources(resources, [tmp, scratch])).toMatchObject({ requests: { "ephemeral-storage": "10368Mi" }, limits: { "ephemeral-storage": "10560Mi" } });
    // Decimal sizes stay exact (bytes), never rounded below what the volumes hold.
    expect(toK8sResources(resources, [{ volume: "cache", sizeLimit: "1G" }])).toMatchObject({ requests: { "ephemeral-storage": String(64 * 2 ** 20 + 1e9) }, limits: { "ephemeral-storage": String(256 * 2 ** 20 + 1e9) } });
  });

  it("keeps the user's figures, and derives the missing one without contradicting them", () => {
    expect(toK8sResources(resolve({ requests: { ephemeralStorage: "1Gi" }, limits: { ephemeralStorage: "12Gi" } }).resources, [tmp, scratch])).toMatchObject({
      requests: { "ephemeral-storage": "1Gi" },
      limits: { "ephemeral-storage": "12Gi" },
    });
    // A request above the default limit raises the limit to it; a limit below the default request lowers the request to it.
    expect(toK8sResources(resolve({ requests: { ephemeralStorage: "20Gi" } }).resources, [tmp, scratch]).limits).toMatchObject({ "ephemeral-storage": "20Gi" });
    expect(toK8sResources(resolve({ limits: { ephemeralStorage: "100Mi" } }).resources, [tmp]).requests).toMatchObject({ "ephemeral-storage": "100Mi" });
    expect(toK8sResources(resolve({ limits: { ephemeralStorage: "2Gi" } }).resources, [tmp])).toMatchObject({ requests: { "ephemeral-storage": "128Mi" }, limits: { "ephemeral-storage": "2Gi" } });
  });

  it("rejects a limit smaller than the emptyDir volumes the container writes, naming component, field, value and what is allowed", () => {
    const { resources, error } = resolve({ limits: { ephemeralStorage: "1Gi" } });
    const v = new Validator("ApiService", "api");
    checkEphemeralStorage(v, resources, [tmp, scratch]);
    const message =
      'ApiService "api": resources.limits.ephemeralStorage is "1Gi"; expected at least "10304Mi", the sizeLimits of the disk-backed emptyDir volumes the container writes (tmp "64Mi", scratch "10Gi"), with room for its logs on top: the kubelet evicts the pod once its ephemeral storage passes the limit';
    expect(() => v.throwIfInvalid()).toThrow(message);
    expect(error).not.toThrow();
    // The same error where a pod is built, should a resolve function have missed it.
    expect(() => toK8sResources(resources, [tmp, scratch])).toThrow(new KeelValidationError("ApiService", "api", [message.slice('ApiService "api": '.length)]));
    // As large as the volumes is enough.
    const exact = new Validator("ApiService", "api");
    checkEphemeralStorage(exact, resolve({ limits: { ephemeralStorage: "10304Mi" } }).resources, [tmp, scratch]);
    expect(exact.valid).toBe(true);
  });
});
