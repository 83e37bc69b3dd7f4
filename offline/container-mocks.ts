/** What Docker and Helm would return offline: image digests that follow the image and build, a release as installed (see offline/mock-values.ts). */
import type { NewResource, ProviderResult } from "./providers";
import { digest, unwrap } from "./values";
import { Inputs, Values, at, keepInputs } from "./mock-values";

/** `registry/repo:tag` → `registry/repo` (a digest or tag after the last `/` removed). */
function repository(image: string): string {
  const slash = image.lastIndexOf("/");
  const tail = image.slice(slash + 1).replace(/[@:].*$/, "");
  return `${image.slice(0, slash + 1)}${tail}`;
}

function registryOf(image: string): string {
  const first = image.split("/")[0];
  return image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : "docker.io";
}

/** The id and outputs of a `docker:` resource; the digest follows the image name and build. */
export function dockerResource(r: NewResource): ProviderResult {
  const inputs = unwrap(r.inputs) as Inputs;
  const v = new Values(r, inputs);
  const sha = `sha256:${digest(`${r.urn}#${JSON.stringify([inputs.imageName ?? inputs.name ?? null, inputs.build ?? null])}`, 64)}`;
  const kind = r.type.split(":").pop();
  let result: ProviderResult;
  if (kind === "Image") {
    const image = v.str("imageName") ?? r.name;
    const repoDigest = `${repository(image)}@${sha}`;
    const context = typeof at(inputs.build, "context") === "string" ? (at(inputs.build, "context") as string) : ".";
    result = { id: repoDigest, outputs: { baseImageName: image, repoDigest, registryServer: (at(inputs.registry, "server") as string | undefined) ?? registryOf(image), context, dockerfile: `${context}/Dockerfile` } };
  } else if (kind === "RegistryImage") result = { id: sha, outputs: { sha256Digest: sha } };
  else if (kind === "RemoteImage") {
    const image = v.str("name") ?? r.name;
    result = { id: `${sha}${image}`, outputs: { repoDigest: `${repository(image)}@${sha}`, imageId: sha } };
  } else if (kind === "Volume") {
    const name = v.name();
    result = { id: name, outputs: { name, driver: "local", mountpoint: `/var/lib/docker/volumes/${name}/_data` } };
  } else if (kind === "Container" || kind === "Network") result = { id: v.hex("id", 64), outputs: { name: v.name() } };
  else result = { id: `${r.name}-${digest(r.urn)}`, outputs: {} };
  return { id: result.id, outputs: keepInputs(r.inputs, result.outputs) };
}

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** A Helm release as installed: `status` with its name, namespace, chart version, `deployed`. */
export function helmRelease(r: NewResource): ProviderResult {
  const inputs = unwrap(r.inputs) as Inputs;
  const name = typeof inputs.name === "string" && inputs.name.length > 0 ? inputs.name : `${r.name}-${digest(r.urn)}`;
  const namespace = typeof inputs.namespace === "string" && inputs.namespace.length > 0 ? inputs.namespace : "default";
  const version = typeof inputs.version === "string" ? inputs.version : "";
  const chart = typeof inputs.chart === "string" ? inputs.chart.split("/").pop() ?? "" : "";
  return { id: `${namespace}/${name}`, outputs: keepInputs(r.inputs, { name, namespace, status: { name, namespace, version, chart, status: "deployed", revision: 1, appVersion: version } }) };
}
