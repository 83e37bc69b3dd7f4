import { Validator } from "../../../components/core/errors";
import { resolveProbes } from "../../../components/core/probes";

function resolve(args: Parameters<typeof resolveProbes>[2]) {
  const v = new Validator("ApiService", "api");
  const probes = resolveProbes(v, "probes", args, 8080);
  return { probes, error: () => v.throwIfInvalid() };
}

describe("probes", () => {
  it("defaults to /health/live, /health/ready and a startup probe on the liveness endpoint", () => {
    const { probes } = resolve({});
    expect(probes.liveness.httpGet).toEqual({ path: "/health/live", port: 8080, scheme: "HTTP" });
    expect(probes.readiness.httpGet).toEqual({ path: "/health/ready", port: 8080, scheme: "HTTP" });
    expect(probes.startup).toMatchObject({ httpGet: { path: "/health/live" }, periodSeconds: 3, failureThreshold: 30, timeoutSeconds: 5 });
  });

  it("expresses seed 003's probes exactly", () => {
    const { probes } = resolve({
      startup: { path: "/health/startup", initialDelaySeconds: 0, periodSeconds: 3, failureThreshold: 30, timeoutSeconds: 5 },
      liveness: { path: "/health/live", initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
      readiness: { path: "/health/ready", initialDelaySeconds: 10, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 },
    });
    expect(probes.startup).toEqual({ httpGet: { path: "/health/startup", port: 8080, scheme: "HTTP" }, initialDelaySeconds: 0, periodSeconds: 3, timeoutSeconds: 5, failureThreshold: 30, successThreshold: 1 });
    expect(probes.liveness).toMatchObject({ initialDelaySeconds: 30, periodSeconds: 10 });
    expect(probes.readiness).toMatchObject({ initialDelaySeconds: 10, periodSeconds: 5 });
  });

  it("accepts the same path when the timings differ (seed 002)", () => {
    const { error } = resolve({ liveness: { path: "/health", initialDelaySeconds: 30, periodSeconds: 10 }, readiness: { path: "/health", initialDelaySeconds: 5, periodSeconds: 5 } });
    expect(error).not.toThrow();
  });

  it("rejects identical liveness and readiness probes", () => {
    const same = { path: "/health", periodSeconds: 10 };
    expect(resolve({ liveness: same, readiness: same }).error).toThrow(
      'ApiService "api": probes.liveness is identical to probes.readiness; expected a different endpoint or timings (a busy pod would be restarted instead of taken out of rotation)',
    );
  });

  it("supports tcp, exec and grpc handlers", () => {
    const { probes } = resolve({ liveness: { tcpPort: 5432 }, readiness: { command: ["pg_isready"] }, startup: { grpcPort: 9090 } });
    expect(probes.liveness.tcpSocket).toEqual({ port: 5432 });
    expect(probes.readiness.exec).toEqual({ command: ["pg_isready"] });
    expect(probes.startup?.grpc).toEqual({ port: 9090 });
  });

  it("rejects two handlers, bad paths and bad timings", () => {
    expect(resolve({ liveness: { path: "/a", tcpPort: 80 } }).error).toThrow(
      'ApiService "api": probes.liveness sets more than one of path, tcpPort, command and grpcPort; expected exactly one handler',
    );
    expect(resolve({ readiness: { path: "ready" } }).error).toThrow('ApiService "api": probes.readiness.path is "ready"; expected an absolute HTTP path such as "/health/ready"');
    expect(resolve({ liveness: { periodSeconds: 0 } }).error).toThrow('ApiService "api": probes.liveness.periodSeconds is 0; expected an integer of at least 1');
    expect(resolve({ liveness: { successThreshold: 2 } }).error).toThrow(
      'ApiService "api": probes.liveness.successThreshold is 2; expected 1 (Kubernetes requires it for liveness probes)',
    );
  });

  it("can switch the startup probe off", () => {
    expect(resolve({ startup: false }).probes.startup).toBeUndefined();
  });
});
