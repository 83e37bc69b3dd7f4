import { KeelValidationError, ObservabilityStack, SeaweedStorage, StatefulService, StatefulServiceArgs } from "../../../components";
import { requireDistinctPorts } from "../../../components/core/duplicates";
import { Validator, describeValue } from "../../../components/core/errors";
import { configKeyProblem, envFieldPathProblem, ingressPathProblem, mountPathProblem } from "../../../components/core/kubernetes-syntax";
import { componentNameProblem, maxComponentNameLength } from "../../../components/core/naming";
import { cidrContains, ipCidrProblem, parseCidr } from "../../../components/core/network";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

/** The message lines of what `build` throws under mocks, and the resources registered for `component`. */
async function attempt(component: string, build: (platform: ReturnType<typeof testPlatform>) => unknown) {
  let lines: string[] = [];
  const s = await synthesize(() => {
    const platform = testPlatform();
    try {
      build(platform);
    } catch (err) {
      expect(err).toBeInstanceOf(KeelValidationError);
      lines = (err as Error).message.split("\n");
    }
  });
  return { lines, registered: s.resources.filter((r) => r.urn.includes(component)) };
}

const mq = (extra: Partial<StatefulServiceArgs> = {}): Omit<StatefulServiceArgs, "platform"> => ({
  image: "rabbitmq:3.13.7-management-alpine",
  ports: [{ name: "amqp", port: 5672 }],
  ...extra,
});

describe("component names (DNS-1035, bounded by the objects they name)", () => {
  it("refuses a leading digit: the name is a Service name", () => {
    expect(componentNameProblem("1api")).toBe("expected lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (a DNS-1035 label: it names Services)");
    expect(componentNameProblem("api1")).toBeUndefined();
  });

  it("derives the longest name from the longest child of each kind", () => {
    expect(maxComponentNameLength([{ kind: "StatefulSet", role: "alertmanager" }, { kind: "Deployment", role: "kube-state-metrics" }]).max).toBe(39);
    expect(maxComponentNameLength([{ kind: "CronJob", role: "filer-backup" }]).max).toBe(39);
    expect(maxComponentNameLength([{ kind: "Deployment", role: "s3" }]).max).toBe(40);
    expect(componentNameProblem("d".repeat(40), [{ kind: "CronJob", role: "filer-backup" }])).toBe(
      "expected at most 39 characters: the CronJob \"<name>-filer-backup\" may have at most 52 (Kubernetes refuses longer CronJob names: it appends 11 characters to name each Job)",
    );
  });

  it.each<[string, string, (platform: ReturnType<typeof testPlatform>) => unknown, string]>([
    ["SeaweedStorage", "d".repeat(40), (platform) => new SeaweedStorage("d".repeat(40), { platform }), "expected at most 39 characters: the CronJob \"<name>-filer-backup\" may have at most 52 (Kubernetes refuses longer CronJob names: it appends 11 characters to name each Job)"],
    ["ObservabilityStack", "d".repeat(40), (platform) => new ObservabilityStack("d".repeat(40), { platform }), "expected at most 39 characters: the StatefulSet \"<name>-alertmanager\" may have at most 52 (its pods' controller-revision-hash label is the name, '-' and a hash of up to 10 characters, at most 63 in all)"],
    ["StatefulService", "9mq", (platform) => new StatefulService("9mq", { platform, ...mq() }), "expected lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (a DNS-1035 label: it names Services)"],
  ])("%s %s is refused before anything is registered", async (component, name, build, allowed) => {
    const { lines, registered } = await attempt(component, build);
    expect(lines).toEqual([`${component} "${name}": name is "${name}"; ${allowed}`]);
    expect(registered).toEqual([]);
  });
});

describe("StatefulService: shared rules", () => {
  const S = 'StatefulService "mq": ';
  it.each<[string, Partial<StatefulServiceArgs>, string[]]>([
    ["a component that is no label value", { component: "Message Queue" }, [`${S}component is "Message Queue"; expected letters, digits, '-', '_' and '.', starting and ending with a letter or digit (a label value)`]],
    [
      "a volume over the root, a volume inside a mounted file",
      { volumes: [{ name: "root", mountPath: "/", size: "1Gi" }, { name: "conf", mountPath: "/etc/mq/conf.d/", size: "1Gi" }], files: { "/etc/mq/conf.d": { content: "x" } } },
      [
        `${S}volumes[0].mountPath is "/"; expected a directory below "/" (a volume over the root would hide the image's files)`,
        `${S}volumes[1].mountPath is "/etc/mq/conf.d/"; expected a path outside the mounted file "/etc/mq/conf.d" (files./etc/mq/conf.d is mounted there)`,
      ],
    ],
    ["a peer namespace that is no DNS label", { allowFrom: [{ peer: { kind: "namespace", namespace: "Bad_NS" } }] }, [`${S}allowFrom[0].peer.namespace is "Bad_NS"; expected a namespace name: lowercase letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label)`]],
  ])("refuses %s", async (_case, extra, expected) => {
    const { lines, registered } = await attempt("StatefulService", (platform) => new StatefulService("mq", { platform, ...mq(extra) }));
    expect(lines).toEqual(expected);
    expect(registered).toEqual([]);
  });
});

describe("rule functions", () => {
  it("one CIDR rule for IPv4 and IPv6", () => {
    expect(ipCidrProblem("10.0.0.0/8")).toBeUndefined();
    expect(ipCidrProblem("fd00::/8")).toBeUndefined();
    expect(ipCidrProblem("::ffff:10.0.0.0/104")).toBeUndefined();
    expect(ipCidrProblem("1.2.3.4/40")).toBe("expected an IPv4 prefix length from 0 to 32");
    expect(ipCidrProblem("fd00::/129")).toBe("expected an IPv6 prefix length from 0 to 128");
    expect(ipCidrProblem("999.0.0.0/8")).toBe('expected an IPv4 or IPv6 CIDR such as "10.244.0.0/16" or "fd00::/64"');
    expect(parseCidr("2001:db8::1/128")).toEqual({ family: 6, address: 0x20010db8000000000000000000000001n, prefix: 128 });
    expect(cidrContains("2001:db8::/32", "2001:db8:1::/48")).toBe(true);
    expect(cidrContains("2001:db8::/32", "2001:db9::/48")).toBe(false);
    expect(cidrContains("10.0.0.0/8", "10.1.0.0/16")).toBe(true);
    expect(cidrContains("10.0.0.0/8", "fd00::/16")).toBe(false);
  });

  it("env field paths: the API server's list, label and annotation keys inside", () => {
    for (const ok of ["metadata.name", "status.podIPs", "metadata.labels['app.kubernetes.io/name']", "metadata.annotations['a']"]) expect(envFieldPathProblem(ok)).toBeUndefined();
    expect(envFieldPathProblem("metadata.labels['bad key']")).toBe("expected a valid label key inside metadata.labels['...']: [prefix/]name: an optional DNS subdomain prefix (at most 253 characters) and a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
    expect(envFieldPathProblem("metadata.labels")).toMatch(/^expected one of metadata.name/);
  });

  it("mount paths and ConfigMap keys", () => {
    expect(mountPathProblem("/var/lib/app")).toBeUndefined();
    expect(mountPathProblem("//")).toBe('expected a directory below "/" (a volume over the root would hide the image\'s files)');
    expect(mountPathProblem("/a\tb")).toBe("expected a path without newlines or control characters");
    expect(mountPathProblem("/a/../b")).toBe('expected no ".." segment');
    expect(configKeyProblem("a".repeat(253))).toBeUndefined();
    expect(configKeyProblem("a".repeat(254))).toBe("expected a key of at most 253 letters, digits, '-', '_' and '.' (a ConfigMap key)");
    expect(configKeyProblem("..")).toBe("expected a key of at most 253 letters, digits, '-', '_' and '.' (a ConfigMap key)");
  });

  it("ImplementationSpecific paths carry no nginx syntax; regex anchors pass", () => {
    expect(ingressPathProblem("/api(/|$)(.*)", "ImplementationSpecific")).toBeUndefined();
    for (const bad of ["/a;", "/a{1}", "/a$host", "/a'", '/a"']) expect(ingressPathProblem(bad, "ImplementationSpecific")).toMatch(/^expected no ; \{ \} quotes/);
    expect(ingressPathProblem("/a;", "ImplementationSpecific", false)).toBeUndefined();
  });

  it("one port per object", () => {
    const v = new Validator("X", "x");
    requireDistinctPorts(v, "the Service", [{ field: "a", port: 80 }, { field: "b", port: 80, protocol: "UDP" }, { field: "c", port: 80 }]);
    expect(() => v.throwIfInvalid()).toThrow('X "x": c is 80; expected a port other than a\'s: the Service would list 80/TCP twice, which Kubernetes refuses');
  });

  it("values described as they are", () => {
    expect(describeValue(() => 1)).toBe("a function");
    expect(describeValue(BigInt(3000))).toBe("a bigint 3000n");
    expect(describeValue(null)).toBe("null");
    expect(describeValue(Symbol("s"))).toBe("Symbol(s)");
  });
});
