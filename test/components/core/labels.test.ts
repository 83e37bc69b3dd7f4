import { childName, componentNameProblem, imagePinProblem, imageVersion, selectorLabels, standardLabels, toLabelValue } from "../../../components/core";

describe("labels", () => {
  it("sets the app.kubernetes.io labels", () => {
    expect(standardLabels({ name: "api", instance: "api", version: "1.2.3", component: "api", partOf: "shop" })).toEqual({
      "app.kubernetes.io/name": "api",
      "app.kubernetes.io/instance": "api",
      "app.kubernetes.io/version": "1.2.3",
      "app.kubernetes.io/component": "api",
      "app.kubernetes.io/part-of": "shop",
      "app.kubernetes.io/managed-by": "keel",
    });
  });

  it("never puts the version in a selector", () => {
    expect(selectorLabels({ name: "api", instance: "api" })).toEqual({ "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" });
  });

  it("makes label values of anything", () => {
    expect(toLabelValue("sha256:abc/def")).toBe("sha256-abc-def");
    expect(toLabelValue("-x-")).toBe("x");
  });
});

describe("images", () => {
  it.each([
    ["ghcr.io/org/api:1.4.2", "1.4.2"],
    ["localhost:5000/api:v2", "v2"],
    ["api", undefined],
    [`api@sha256:${"a".repeat(64)}`, "sha256-aaaaaaaaaaaa"],
  ])("reads the version of %p", (image, version) => {
    expect(imageVersion(image)).toBe(version);
  });

  it("accepts pinned tags and digests", () => {
    expect(imagePinProblem("ghcr.io/org/api:1.4.2")).toBeUndefined();
    expect(imagePinProblem(`ghcr.io/org/api@sha256:${"0".repeat(64)}`)).toBeUndefined();
  });

  it("rejects latest and untagged images", () => {
    expect(imagePinProblem("ghcr.io/org/api:latest")).toBe('expected a pinned tag or digest; "latest" changes under a running Deployment');
    expect(imagePinProblem("localhost:5000/api")).toBe('expected a pinned tag or digest, e.g. "ghcr.io/org/app:1.4.2" or "app@sha256:..."');
  });
});

describe("naming", () => {
  it("names children <name>-<role>", () => {
    expect(childName("api", "deployment")).toBe("api-deployment");
  });

  it.each(["API", "api_1", "-api", "a".repeat(41)])("rejects the component name %p", (name) => {
    expect(componentNameProblem(name)).toBeDefined();
  });
});
