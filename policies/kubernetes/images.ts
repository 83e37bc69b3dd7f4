/** Images pinned to a version tag or a digest, ephemeral (debug) containers included. */
import { resourcePolicy } from "../lib/define";
import { containersOf, describeContainer, isWorkload } from "../lib/kubernetes";
import { str } from "../lib/props";

/** An OCI digest (`sha256:` and 64 hex digits, or another registered algorithm and its encoding). */
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}|[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,})$/;

export const imagePinned = resourcePolicy({
  name: "image-pinned",
  description: "Container images are pinned to a version tag or digest, never latest or untagged.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    for (const ref of containersOf(target, { ephemeral: true })) {
      const image = str(ref.container.image);
      if (image === undefined) continue;
      const where = describeContainer(target, ref);
      const at = image.indexOf("@");
      if (at >= 0) {
        const digest = image.slice(at + 1);
        if (!DIGEST.test(digest)) report(`${where}: image "${image}" has a malformed digest "${digest}"; pin the full digest (e.g. "@sha256:" and 64 hex digits) or a version tag.`);
        continue;
      }
      const last = image.slice(image.lastIndexOf("/") + 1);
      const tag = last.includes(":") ? last.slice(last.indexOf(":") + 1) : undefined;
      if (tag === undefined) report(`${where}: image "${image}" has no tag; pin a version tag or digest (e.g. "${image}:1.4.2").`);
      else if (tag === "") report(`${where}: image "${image}" has an empty tag; pin a version tag or digest (e.g. "${image}1.4.2").`);
      else if (tag === "latest") report(`${where}: image "${image}" uses the latest tag; pin a version tag or digest.`);
    }
  },
});
