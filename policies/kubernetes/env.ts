/** No secret values in plain environment variables. */
import { resourcePolicy } from "../lib/define";
import { containersOf, describeContainer, isWorkload } from "../lib/kubernetes";
import { arr, obj, str } from "../lib/props";

const SECRET_NAME = /(PASS(WORD|WD)?|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|ACCESS_?KEY)/i;
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/:@\s]+:[^/@\s]+@/i;

export const noSecretEnvValues = resourcePolicy({
  name: "no-secret-env-values",
  description: "Secrets reach containers through secretKeyRef, never as plain environment values.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    for (const ref of containersOf(target)) {
      for (const entry of arr(ref.container.env)) {
        const name = str(obj(entry).name) ?? "?";
        const value = str(obj(entry).value);
        if (value === undefined || value === "") continue;
        const where = describeContainer(target, ref);
        if (URL_WITH_PASSWORD.test(value)) {
          report(`${where}: env ${name} holds a URL with a password in plain text; put it in a Secret and use valueFrom.secretKeyRef.`);
        } else if (SECRET_NAME.test(name)) {
          report(`${where}: env ${name} looks like a secret in plain text; put it in a Secret and use valueFrom.secretKeyRef.`);
        }
      }
    }
  },
});
