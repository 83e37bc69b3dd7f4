import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { decodeStructsDirectly } from "../../policies/lib/fast-struct";

const props = {
  apiVersion: "apps/v1",
  metadata: { name: "api", labels: { a: "b" }, annotations: {} },
  spec: { replicas: 3, paused: false, ratio: 0.5, none: null, list: [1, "two", { three: [true, null] }, []], text: "grüße ✓" },
};

describe("the pack's direct Struct decoding", () => {
  it("gives the same plain value as google-protobuf's decoding", () => {
    const req = new analyzer.AnalyzeRequest();
    req.setType("t");
    req.setProperties(Struct.fromJavaScript(props as unknown as Record<string, never>));
    const bytes = req.serializeBinary();
    const before = analyzer.AnalyzeRequest.deserializeBinary(bytes).getProperties()?.toJavaScript();
    decodeStructsDirectly();
    const decoded = analyzer.AnalyzeRequest.deserializeBinary(bytes);
    expect(decoded.getProperties()?.toJavaScript()).toEqual(before);
    expect(decoded.getProperties()?.toJavaScript()).toEqual(props);
    expect(decoded.getType()).toBe("t");
  });
});
