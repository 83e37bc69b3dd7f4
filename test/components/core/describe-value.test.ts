import * as pulumi from "@pulumi/pulumi";
import { describeValue } from "../../../components/core/errors";

describe("describeValue (the value in an error message)", () => {
  it("never prints an Output's or a Promise's contents (they may be secrets, and are not known yet)", () => {
    expect(describeValue(pulumi.output("a"))).toBe("an Output");
    expect(describeValue(pulumi.secret({ token: "s3cr3t" }))).toBe("an Output");
    expect(describeValue(Promise.resolve(1))).toBe("a Promise");
  });

  it("prints plain values as JSON, strings quoted", () => {
    expect([describeValue("a\nb"), describeValue(-1), describeValue({ apply: 1 }), describeValue(undefined)]).toEqual(['"a\\nb"', "-1", '{"apply":1}', "undefined"]);
  });
});
