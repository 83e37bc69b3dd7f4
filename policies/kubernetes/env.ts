/** No secret values in plain environment variables or on the command line. */
import { resourcePolicy } from "../lib/define";
import { commandLineCredentials, findCredentials, listWhat } from "../lib/credentials";
import { secretByName } from "../lib/secret-names";
import { containersOf, describeContainer, isWorkload } from "../lib/kubernetes";
import { arr, obj, str } from "../lib/props";

export const noSecretEnvValues = resourcePolicy({
  name: "no-secret-env-values",
  description: "Secrets reach containers through secretKeyRef or mounted files, never in plain env values or on the command line.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    // Ephemeral (debug) containers too: their spec is as readable as the others'.
    for (const ref of containersOf(target, { ephemeral: true })) {
      const where = describeContainer(target, ref);
      for (const entry of arr(ref.container.env)) {
        const name = str(obj(entry).name) ?? "?";
        const value = str(obj(entry).value);
        if (value === undefined || value === "") continue;
        const found = findCredentials(value);
        if (found.length > 0) {
          report(`${where}: env ${name} holds ${listWhat(found)} in plain text; put it in a Secret and use valueFrom.secretKeyRef.`);
        } else if (secretByName(name, value) !== undefined) {
          report(`${where}: env ${name} looks like a secret in plain text; put it in a Secret and use valueFrom.secretKeyRef.`);
        }
      }
      // One argument list, as the kernel sees it: a flag in `command` may take its value from `args`.
      const command = arr(ref.container.command).map(str);
      const args = arr(ref.container.args).map(str);
      for (const { index, found } of commandLineCredentials([...command, ...args])) {
        const [field, at] = index < command.length ? ["command", index] : ["args", index - command.length];
        report(
          `${where}: ${field}[${at}] holds ${listWhat(found)} in plain text, readable in the pod spec and in the node's process list; ` +
            "put it in a Secret and have the program read it from an env var (valueFrom.secretKeyRef) or a mounted file.",
        );
      }
    }
  },
});
