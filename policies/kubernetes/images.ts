/** Images pinned to a version tag or a digest. */
import { resourcePolicy } from "../lib/define";
import { containersOf, describeContainer, isWorkload } from "../lib/kubernetes";
import { str } from "../lib/props";

export const imagePinned = resourcePolicy({
  name: "image-pinned",
  description: "Container images are pinned to a version tag or digest, never latest or untagged.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    for (const ref of containersOf(target)) {
      const image = str(ref.container.image);
      if (image === undefined || image.includes("@sha256:")) continue;
      const last = image.slice(image.lastIndexOf("/") + 1);
      const tag = last.includes(":") ? last.slice(last.indexOf(":") + 1) : undefined;
      const where = describeContainer(target, ref);
      if (tag === undefined) report(`${where}: image "${image}" has no tag; pin a version tag or digest (e.g. "${image}:1.4.2").`);
      else if (tag === "latest") report(`${where}: image "${image}" uses the latest tag; pin a version tag or digest.`);
    }
  },
});
