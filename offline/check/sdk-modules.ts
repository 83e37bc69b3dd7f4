/** gRPC and protobuf as the analyzer stubs of @pulumi/pulumi load them (policies/lib/analyzer-stubs.ts says why). */
import type * as GrpcModule from "@grpc/grpc-js";
import type * as EmptyModule from "google-protobuf/google/protobuf/empty_pb";
import type * as StructModule from "google-protobuf/google/protobuf/struct_pb";
import { fromAnalyzerStubs } from "../../policies/lib/analyzer-stubs";

export const grpc = fromAnalyzerStubs<typeof GrpcModule>("@grpc/grpc-js");
export const { Empty } = fromAnalyzerStubs<typeof EmptyModule>("google-protobuf/google/protobuf/empty_pb");
export const { Struct } = fromAnalyzerStubs<typeof StructModule>("google-protobuf/google/protobuf/struct_pb");
export type ServiceError = GrpcModule.ServiceError;
