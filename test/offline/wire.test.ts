import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { repeated, withStruct } from "../../offline/check/wire";
import type { Json } from "../../offline/values";

const props: Record<string, Json> = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", labels: { "app.kubernetes.io/name": "api" }, annotations: {} },
  spec: {
    replicas: 3,
    paused: false,
    ratio: 0.25,
    big: 2 ** 40,
    negative: -7,
    nothing: null,
    list: [1, "two", { three: [true, null] }, []],
    unicode: "grüße ✓ 你好",
    long: "x".repeat(300),
  },
};

describe("the analyzer wire encoding", () => {
  it("decodes, with the generated code, to the same request as google-protobuf's encoding", () => {
    const base = new analyzer.AnalyzeRequest();
    base.setType("kubernetes:apps/v1:Deployment");
    base.setUrn("urn:pulumi:s::p::kubernetes:apps/v1:Deployment::api");
    base.setName("api");
    const ours = analyzer.AnalyzeRequest.deserializeBinary(withStruct(base.serializeBinary(), 2, props));
    const theirs = analyzer.AnalyzeRequest.deserializeBinary(base.setProperties(Struct.fromJavaScript(props as Record<string, never>)).serializeBinary());
    expect(ours.toObject()).toEqual(theirs.toObject());
    expect(ours.getProperties()?.toJavaScript()).toEqual(props);
    expect(ours.getUrn()).toBe("urn:pulumi:s::p::kubernetes:apps/v1:Deployment::api");
  });

  it("encodes repeated messages the way the stack request carries resources", () => {
    const one = new analyzer.AnalyzerResource();
    one.setName("a");
    const two = new analyzer.AnalyzerResource();
    two.setName("b");
    const stack = analyzer.AnalyzeStackRequest.deserializeBinary(repeated(1, [Buffer.from(one.serializeBinary()), withStruct(two.serializeBinary(), 2, { x: 1 })]));
    expect(stack.getResourcesList().map((r) => r.getName())).toEqual(["a", "b"]);
    expect(stack.getResourcesList()[1].getProperties()?.toJavaScript()).toEqual({ x: 1 });
  });
});
