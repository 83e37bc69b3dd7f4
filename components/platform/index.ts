export * from "./types";
export * from "./kubernetes";
export * from "./cluster-facts";
