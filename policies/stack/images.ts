/**
 * keel's own images run as they were built: the commands and scripts a container runs exist in
 * its image, it runs as a user the image has, and with a read-only root filesystem every path
 * the image writes is a volume. Checked against keel's image manifest (setting `images`).
 */
import { stackPolicy } from "../lib/define";
import { IMAGE_MANIFEST_SETTING, ManifestImage, containerRun, readImageManifest, scriptCommands } from "../lib/image-manifest";
import { Obj, arr, num, obj, str } from "../lib/props";
import type { WorkloadEntry } from "../lib/stack-objects";
import { wholeStack } from "./whole-stack";

function containerProblems(w: WorkloadEntry, c: Obj, image: ManifestImage, run: ReturnType<typeof containerRun>): string[] {
  const problems: string[] = [];
  const mounts = arr(c.volumeMounts).map((m) => str(obj(m).mountPath) ?? "").filter(Boolean);
  const under = (path: string) => mounts.some((m) => path === m || path.startsWith(m.endsWith("/") ? m : `${m}/`));
  const has = (tool: string) => image.tools.includes(tool.split("/").pop() as string);
  if (run.executable && !under(run.executable) && !has(run.executable)) problems.push(`runs ${run.executable}, which image ${image.reference} does not have`);
  if (run.script) {
    const missing = scriptCommands(run.script.text).filter((cmd) => !under(cmd) && !has(cmd));
    if (missing.length) problems.push(`${run.script.where} calls ${missing.join(", ")}, which image ${image.reference} does not have`);
  }
  const sc = obj(c.securityContext);
  const podSc = obj(w.podSpec.securityContext);
  const uid = num(sc.runAsUser) ?? num(podSc.runAsUser);
  if (uid !== undefined && uid !== 0 && !image.anyUid && uid !== image.user.uid && !image.uids.includes(uid)) {
    problems.push(`runs as uid ${uid}, which image ${image.reference} does not have (its users: ${[image.user.uid, ...image.uids].filter((u, i, a) => a.indexOf(u) === i).join(", ")}); run as ${image.user.uid}`);
  }
  if (sc.readOnlyRootFilesystem === true) {
    const unwritable = image.writablePaths.filter((p) => !under(p));
    if (unwritable.length) problems.push(`has a read-only root filesystem, but image ${image.reference} writes ${unwritable.join(", ")}; mount a volume there`);
  }
  return problems;
}

export const imageContents = stackPolicy({
  name: "image-contents",
  description: "Containers on keel's images call only tools the image has, run as a user it has, and can write where it writes.",
  enforcementLevel: "mandatory",
  config: IMAGE_MANIFEST_SETTING,
  check(resources, report, config) {
    const manifest = readImageManifest(config.images);
    if (manifest.size === 0) return; // no manifest given: stack-prerequisites lists every image as unverified
    const { stack } = wholeStack(resources, {});
    for (const w of stack.workloads) {
      for (const [index, c] of [...arr(w.podSpec.initContainers), ...arr(w.podSpec.containers)].map(obj).entries()) {
        const image = manifest.get(str(c.image) ?? "");
        if (!image) continue;
        const isInit = index < arr(w.podSpec.initContainers).length;
        for (const p of containerProblems(w, c, image, containerRun(stack, w, c))) {
          report(w.object.urn, `${w.group.id}, ${isInit ? "init container" : "container"} "${str(c.name)}": ${p}.`);
        }
      }
    }
  },
});
