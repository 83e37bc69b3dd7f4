/**
 * A module as @pulumi/pulumi's analyzer stubs load it. Messages and gRPC credentials must come
 * from the copies the generated stubs use: with a nested install (a copy under @pulumi/pulumi
 * and another elsewhere) objects of the other copy are refused or never decoded.
 */
export function fromAnalyzerStubs<T>(id: string): T {
  const stubs = require.resolve("@pulumi/pulumi/proto/analyzer_pb");
  return require(require.resolve(id, { paths: [stubs] })) as T;
}
