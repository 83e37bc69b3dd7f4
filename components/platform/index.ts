export * from "./types";
export * from "./kubernetes";
