export * from "./types";
export * from "./kubernetes";
export * from "./cluster-facts";
export { ISTIO_PORTS, meshIngressBackend } from "./mesh";
export type { IstioMeshArgs, MeshArgs, MeshIngress, MeshIngressBackend } from "./mesh";
