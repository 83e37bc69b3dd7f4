export * from "./types";
export * from "./kubernetes";
export * from "./cluster-facts";
export { ISTIO_PORTS, meshIngressBackend } from "./mesh";
export type { IstioMeshArgs, MeshArgs, MeshIngress, MeshIngressBackend, ResolvedMesh } from "./mesh";
export type { IssuerToCreate } from "./issuers";
export type { ExternalObjectFact, UserImageFact } from "../../policies/lib/cluster-facts";
