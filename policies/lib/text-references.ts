/**
 * What a pod's configuration says it connects to: host names and ports in its env (values,
 * Secret and ConfigMap keys), command and args, and mounted ConfigMap/Secret files.
 */
import { arr, obj, str } from "./props";
import type { StackObjects, WorkloadEntry } from "./stack-objects";

export interface TextSource {
  /** `env DATABASE_URL`, `args of container "x"`, `file prometheus.yml (ConfigMap monitoring/cfg)`. */
  readonly where: string;
  readonly text: string;
  /** The whole text is a host name (an env var named like *_HOST, *_ADDR, *_SERVER, *_ENDPOINT). */
  readonly isHost?: boolean;
}

export interface HostReference {
  readonly host: string;
  /** Given explicitly, or by the URL scheme's default. */
  readonly port?: number;
  readonly where: string;
}

const SCHEME_PORTS: Record<string, number> = {
  http: 80, https: 443, ws: 80, wss: 443, postgres: 5432, postgresql: 5432, redis: 6379, rediss: 6379, "redis+sentinel": 26379,
  amqp: 5672, amqps: 5671, mongodb: 27017, mysql: 3306, nats: 4222, grpc: 80,
};

const HOST = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*";
const URL_RE = new RegExp(`([a-z][a-z0-9+.-]*)://(?:[^@/\\s"']*@)?((?:${HOST}(?::\\d{1,5})?)(?:,${HOST}(?::\\d{1,5})?)*)`, "gi");
const HOST_PORT_RE = new RegExp(`(?<![\\w.@/-])(${HOST}):(\\d{1,5})(?![\\w.])`, "gi");
const SVC_HOST_RE = new RegExp(`(?<![\\w.-])(${HOST}\\.svc(?:\\.${HOST})?)(?![\\w-])`, "gi");
const WHOLE_HOST_RE = new RegExp(`^${HOST}$`, "i");
const HOST_VAR = /(HOST|HOSTNAME|ADDR|ADDRESS|SERVER|SERVERS|ENDPOINT|BROKERS?)$/i;

/** Every host (with its port when the text gives one) a piece of text names. */
export function hostReferences(source: TextSource): HostReference[] {
  const found: HostReference[] = [];
  const seen = new Set<string>();
  const add = (host: string, port: number | undefined) => {
    const key = `${host.toLowerCase()}:${port ?? ""}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ host: host.toLowerCase(), port, where: source.where });
  };
  const text = source.text;
  for (const m of text.matchAll(URL_RE)) {
    const scheme = m[1].toLowerCase();
    for (const part of m[2].split(",")) {
      const [host, port] = part.split(":");
      add(host, port !== undefined ? Number(port) : SCHEME_PORTS[scheme]);
    }
  }
  for (const m of text.matchAll(HOST_PORT_RE)) add(m[1], Number(m[2]));
  for (const m of text.matchAll(SVC_HOST_RE)) if (![...seen].some((k) => k.startsWith(`${m[1].toLowerCase()}:`))) add(m[1], undefined);
  if (source.isHost && WHOLE_HOST_RE.test(text.trim()) && !/^\d+$/.test(text.trim())) add(text.trim(), undefined);
  return found;
}

/** The texts a workload's pods are configured with, each named by where it comes from. */
export function configTexts(stack: StackObjects, w: WorkloadEntry): TextSource[] {
  const ns = w.object.namespace;
  const sources: TextSource[] = [];
  const containers = [...arr(w.podSpec.initContainers), ...arr(w.podSpec.containers)].map(obj);
  for (const c of containers) {
    const name = str(c.name) ?? "?";
    for (const e of arr(c.env).map(obj)) {
      const envName = str(e.name) ?? "?";
      const isHost = HOST_VAR.test(envName);
      if (typeof e.value === "string") sources.push({ where: `env ${envName}`, text: e.value, isHost });
      const from = obj(e.valueFrom);
      for (const [refKey, kind] of [["secretKeyRef", "Secret"], ["configMapKeyRef", "ConfigMap"]] as const) {
        const ref = obj(from[refKey]);
        const value = str(ref.name) && str(ref.key) ? stack.dataOf(kind, ns, str(ref.name) as string)?.get(str(ref.key) as string) : undefined;
        if (value !== undefined) sources.push({ where: `env ${envName} (${kind} ${ns}/${str(ref.name)})`, text: value, isHost });
      }
    }
    for (const e of arr(c.envFrom).map(obj)) {
      for (const [refKey, kind] of [["secretRef", "Secret"], ["configMapRef", "ConfigMap"]] as const) {
        const refName = str(obj(e[refKey]).name);
        if (!refName) continue;
        for (const [key, value] of stack.dataOf(kind, ns, refName) ?? []) sources.push({ where: `env ${str(e.prefix) ?? ""}${key} (${kind} ${ns}/${refName})`, text: value, isHost: HOST_VAR.test(key) });
      }
    }
    const words = [...arr(c.command), ...arr(c.args)].filter((x): x is string => typeof x === "string");
    if (words.length) sources.push({ where: `command of container "${name}"`, text: words.join("\n") });
  }
  for (const v of arr(w.podSpec.volumes).map(obj)) {
    const refs: [kind: "ConfigMap" | "Secret", name: string | undefined][] = [
      ["ConfigMap", str(obj(v.configMap).name)],
      ["Secret", str(obj(v.secret).secretName)],
      ...arr(obj(v.projected).sources).map(obj).flatMap((s): [kind: "ConfigMap" | "Secret", name: string | undefined][] => [["ConfigMap", str(obj(s.configMap).name)], ["Secret", str(obj(s.secret).name)]]),
    ];
    for (const [kind, refName] of refs) {
      if (!refName) continue;
      for (const [key, value] of stack.dataOf(kind, ns, refName) ?? []) sources.push({ where: `file ${key} (${kind} ${ns}/${refName})`, text: value });
    }
  }
  return sources;
}
