/** No credentials in ConfigMap data: anyone who may `get configmaps` in the namespace reads them. */
import { resourcePolicy } from "../lib/define";
import { decodeBase64, findCredentials, listWhat } from "../lib/credentials";
import { secretByName } from "../lib/secret-names";
import { describe, isKind, namespaceOf } from "../lib/kubernetes";
import { obj, str } from "../lib/props";

export const noSecretsInConfigMaps = resourcePolicy({
  name: "no-secrets-in-configmaps",
  description: "ConfigMap data and binaryData hold no private keys, cloud keys, tokens or passwords, and no keys named like a secret.",
  enforcementLevel: "mandatory",
  type: "kubernetes:core/v1:ConfigMap",
  appliesTo: (type) => isKind(type, "ConfigMap"),
  check(target, report) {
    const fix = `anyone who can get ConfigMaps in namespace ${namespaceOf(target)} can read it; move it to a Secret and mount or reference that Secret instead.`;
    for (const field of ["data", "binaryData"] as const) {
      for (const [key, raw] of Object.entries(obj(target.props[field]))) {
        const value = str(raw);
        if (value === undefined) continue;
        const text = field === "binaryData" ? decodeBase64(value) : value;
        if (text === undefined) continue;
        const found = findCredentials(text);
        // A key consumed through envFrom is an env var: `db_password: abc123` is a plain-text password.
        if (found.length > 0) report(`${describe(target)}: ${field}["${key}"] holds ${listWhat(found)}; ${fix}`);
        else if (secretByName(key, text) !== undefined) report(`${describe(target)}: ${field}["${key}"] is named like a secret; ${fix}`);
      }
    }
  },
});
