/**
 * gRPC and protobuf as the analyzer stubs of @pulumi/pulumi load them. Credentials and messages
 * must come from the same copies the generated stubs use: with a nested install (a copy of
 * @grpc/grpc-js under @pulumi/pulumi and another one elsewhere) objects of the other copy are
 * refused ("Channel credentials must be a ChannelCredentials object").
 */
import type * as GrpcModule from "@grpc/grpc-js";
import type * as EmptyModule from "google-protobuf/google/protobuf/empty_pb";
import type * as StructModule from "google-protobuf/google/protobuf/struct_pb";

const stubs = require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb");
const fromStubs = <T>(id: string): T => require(require.resolve(id, { paths: [stubs] })) as T;

export const grpc = fromStubs<typeof GrpcModule>("@grpc/grpc-js");
export const { Empty } = fromStubs<typeof EmptyModule>("google-protobuf/google/protobuf/empty_pb");
export const { Struct } = fromStubs<typeof StructModule>("google-protobuf/google/protobuf/struct_pb");
export type ServiceError = GrpcModule.ServiceError;
