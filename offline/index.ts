/** keel's offline engine, for programs and tests: `import { synth } from "keel/offline"`. */
export { synth, evaluate, render, summary, planOf } from "./synth";
export type { SynthOptions, SynthResult, Plan, PlanResource } from "./synth";
export { runInMockRuntime, SynthError } from "./runtime";
export type { RecordedResource, RecordedOptions, RunOptions, RunResult } from "./runtime";
export { duplicateObjectProblems } from "./identity";
export { manifestsOf, toKubernetesObject } from "./manifests";
export type { KubernetesObject, Manifest } from "./manifests";
export { topologyMermaid } from "./topology";
export { capacityMarkdown } from "./capacity";
export { registerCall } from "./providers";
export { REDACTED } from "./values";
export type { Json } from "./values";
