import { Validator } from "../../../components/core/errors";
import { resolveResources } from "../../../components/core/resources";

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
