import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ApiService, ApiServiceArgs, peers } from "../../../components";
import { ROOT, keel } from "../../helpers/cli";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";
import { attemptApiService } from "../../helpers/api-service";

const image = "ghcr.io/shop/api:1.4.2";

const attempt = attemptApiService;

const P = 'ApiService "api": ';

describe("ApiService: red-team findings", () => {
  it.each<[string, Partial<ApiServiceArgs>, string[]]>([
    // 3: one Service cannot list the same port twice.
    ["metrics on the Service port", { servicePort: 9100, metrics: { port: 9100 } }, [`${P}metrics.port is 9100; expected a port other than servicePort's: the Service would list 9100/TCP twice, which Kubernetes refuses`]],
    // 4: ConfigMap keys are at most 253 characters.
    ["a file path over 253 characters", { files: { [`/etc/${"a".repeat(300)}`]: { content: "k" } } }, [`${P}files is "/etc/${"a".repeat(300)}"; expected each file or directory name to have at most 255 bytes (one has 300)`, `${P}files is "/etc/${"a".repeat(300)}"; expected a path whose ConfigMap key (the path without its leading '/', other characters as '-') has at most 253 characters; it has 304`]],
    // 5: references name real objects and keys, and pod fields the API server exposes.
    [
      "bad references",
      { env: { A: { secretKeyRef: { name: "Bad_Name", key: "a/b" } }, B: { secretKeyRef: { name: "", key: "k" } }, C: { configMapKeyRef: { name: "c", key: "" } }, D: { fieldPath: "spec.bogus" }, E: { fieldPath: "metadata.labels['app.kubernetes.io/name']" } } },
      [
        `${P}env.A.secretKeyRef.name is "Bad_Name"; expected the name of a Secret: dot-separated DNS-1123 labels: lowercase letters, digits and '-', each starting and ending with a letter or digit (a DNS-1123 subdomain)`,
        `${P}env.A.secretKeyRef.key is "a/b"; expected a key of at most 253 letters, digits, '-', '_' and '.' (a ConfigMap key)`,
        `${P}env.B.secretKeyRef.name is ""; expected the name of a Secret: dot-separated DNS-1123 labels: lowercase letters, digits and '-', each starting and ending with a letter or digit (a DNS-1123 subdomain)`,
        `${P}env.C.configMapKeyRef.key is ""; expected a key of at most 253 letters, digits, '-', '_' and '.' (a ConfigMap key)`,
        `${P}env.D.fieldPath is "spec.bogus"; expected one of metadata.name, metadata.namespace, metadata.uid, spec.nodeName, spec.serviceAccountName, status.hostIP, status.hostIPs, status.podIP, status.podIPs, metadata.labels['<key>'] or metadata.annotations['<key>']`,
      ],
    ],
    // 6: peers are checked where the rule is.
    [
      "bad peers",
      { allowTo: [{ peer: peers.workload("Bad Name", "Bad NS", { "bad key": "v" }) }], allowFrom: [{ peer: peers.namespace("Bad_NS") }] },
      [
        `${P}allowFrom[0].peer.namespace is "Bad_NS"; expected a namespace name: lowercase letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label)`,
        `${P}allowTo[0].peer.name is "Bad Name"; expected lowercase letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label) (it names the NetworkPolicy)`,
        `${P}allowTo[0].peer.namespace is "Bad NS"; expected a namespace name: lowercase letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label)`,
        `${P}allowTo[0].peer.podLabels is "bad key"; expected [prefix/]name: an optional DNS subdomain prefix (at most 253 characters) and a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
      ],
    ],
    // 7: the component label is a label value.
    ["a component that is no label value", { component: "Message Queue" }, [`${P}component is "Message Queue"; expected letters, digits, '-', '_' and '.', starting and ending with a letter or digit (a label value)`]],
    // 8: keel's own Ingress annotations, snippets and nginx syntax in a path.
    [
      "annotations keel sets, a snippet and nginx syntax in a path",
      {
        ingress: {
          host: "api.example.com",
          pathType: "ImplementationSpecific",
          paths: ["/a${x};", "/api(/|$)(.*)"],
          annotations: { "nginx.ingress.kubernetes.io/ssl-redirect": "false", "cert-manager.io/cluster-issuer": "evil", "nginx.ingress.kubernetes.io/proxy-body-size": "0", "nginx.ingress.kubernetes.io/configuration-snippet": "return 200;" },
        },
      },
      [
        `${P}ingress.paths[0] is "/a\${x};"; expected no ; { } quotes, backslash or nginx variable ($name, \${name}) in an ImplementationSpecific path (ingress-nginx writes it into its configuration); a regex end anchor "$" is fine`,
        `${P}ingress.annotations is "nginx.ingress.kubernetes.io/ssl-redirect"; expected an annotation keel does not set itself; use ingress.tls (false serves plain HTTP) instead`,
        `${P}ingress.annotations is "cert-manager.io/cluster-issuer"; expected an annotation keel does not set itself; use ingress.tls.clusterIssuer instead`,
        `${P}ingress.annotations is "nginx.ingress.kubernetes.io/proxy-body-size"; expected an annotation keel does not set itself; use ingress.maxBodySize instead`,
        `${P}ingress.annotations is "nginx.ingress.kubernetes.io/configuration-snippet"; expected no *-snippet annotation: raw nginx configuration bypasses keel's checks, and ingress-nginx 1.9 and later refuse it by default`,
      ],
    ],
    // 9: memory no node has, and a request above its limit.
    [
      "100Ti of memory and ephemeral storage above its limit",
      { resources: { requests: { memory: "100Ti", ephemeralStorage: "2Gi" }, limits: { memory: "100Ti", ephemeralStorage: "1Gi" } } },
      [
        `${P}resources.requests.memory is "100Ti"; expected at most "32Ti" (more memory than the largest nodes have: no pod with it could be scheduled)`,
        `${P}resources.limits.memory is "100Ti"; expected at most "32Ti" (more memory than the largest nodes have: no pod with it could be scheduled)`,
        `${P}resources.requests.ephemeralStorage is "2Gi"; expected at most the limit "1Gi" (Kubernetes requires every request to be at most its limit)`,
      ],
    ],
    // 10: ids beyond what Kubernetes accepts.
    ["a user id above 2^31-1", { security: { runAsUser: 4294967296 } }, [`${P}security.runAsUser is 4294967296; expected an integer user id from 1 to 2147483647 (containers never run as root; Kubernetes allows at most 2147483647)`]],
    // 11: mount paths.
    [
      "a newline in a file path and a file inside another file",
      { files: { "/etc/a\nb": { content: "x" }, "/etc/app": { content: "x" }, "/etc/app/x": { content: "y" } } },
      [
        `${P}files is "/etc/a\\nb"; expected a path without newlines or control characters`,
        `${P}files is "/etc/app/x"; expected a path outside the mounted file "/etc/app" (a file cannot contain another file)`,
      ],
    ],
    // 13: a key JavaScript objects do not keep.
    ["an env key __proto__", { env: JSON.parse('{"__proto__":"x"}') }, [`${P}env is "__proto__"; expected another variable name: JavaScript objects (and Pulumi's serialization) do not keep a "__proto__" key, so the variable would be dropped`]],
    // 14: network intent.
    [
      "an empty port list, a rule twice, bad CIDRs; IPv6 accepted",
      {
        allowTo: [
          { peer: peers.internet(), ports: [] },
          { peer: peers.cidr("2001:db8::/32"), ports: [{ port: 443 }] },
          { peer: peers.cidr("2001:db8::/32"), ports: [{ port: 443 }] },
          { peer: peers.cidr("1.2.3.4/40") },
          { peer: peers.cidr("999.0.0.0/8") },
          { peer: peers.cidr("2001:db8::/32", ["2001:db8:1::/48", "10.0.0.0/8"]) },
        ],
      },
      [
        `${P}allowTo[0].ports is []; expected at least one port; leave ports out to allow the peer's own ports (an empty list opens every port)`,
        `${P}allowTo[3].peer.cidr is "1.2.3.4/40"; expected an IPv4 prefix length from 0 to 32`,
        `${P}allowTo[4].peer.cidr is "999.0.0.0/8"; expected an IPv4 or IPv6 CIDR such as "10.244.0.0/16" or "fd00::/64"`,
        `${P}allowTo[5].peer.except[1] is "10.0.0.0/8"; expected a range inside 2001:db8::/32 and smaller than it (Kubernetes refuses other exceptions)`,
        `${P}allowTo[2] is the same rule as allowTo[1] (the same peer and ports); expected each rule once`,
      ],
    ],
  ])("refuses %s before registering anything", async (_case, args, expected) => {
    const { lines, registered } = await attempt(args);
    expect(lines).toEqual(expected);
    expect(registered).toEqual([]);
  });

  it("refuses a name starting with a digit (Service names are DNS-1035 labels)", async () => {
    const { lines, registered } = await attempt({}, "1api");
    expect(lines).toEqual([`ApiService "1api": name is "1api"; expected lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (a DNS-1035 label: it names Services)`]);
    expect(registered).toEqual([]);
  });

  it.each([
    ["image-output", `keel synth: ApiService "api": image is "nginx:1.0\\nfoo"; expected an image reference without spaces, newlines or control characters`],
    ["image-output-store", `keel synth: StatefulService "mq": image is "rabbitmq:latest"; expected a pinned tag or digest; "latest" changes under a running Deployment`],
  ])("checks an image given as an Output (%s) when it resolves, by the rule a plain string meets", (fixture, expected) => {
    const r = keel(["synth", "--stack", "test", "--dir", path.join(ROOT, "test", "fixtures", fixture), "--out", fs.mkdtempSync(path.join(os.tmpdir(), "keel-io-"))]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(expected);
  });

  it("deploys an image Output that passes the rule", async () => {
    const s = await synthesize(() => new ApiService("api", { platform: testPlatform(), image: pulumi.output(image) }));
    expect(JSON.stringify(s.object("Deployment", "api"))).toContain(image);
  });

  it("messages describe the value given", async () => {
    const cases: [Partial<ApiServiceArgs> | ((p: ReturnType<typeof testPlatform>) => unknown), string[]][] = [
      [{ replicas: pulumi.output(3) as unknown as number }, [`${P}replicas is an Output; expected an integer from 0 to 1000`]],
      [() => new (class X {})(), [`${P}args is a X; expected an object with platform`]],
      [{ security: { addCapabilities: "NET_ADMIN" as unknown as string[] } }, [`${P}security.addCapabilities is "NET_ADMIN"; expected a list`]],
      [{ env: { A: (() => "1") as unknown as string } }, [`${P}env.A is a function; expected a string, an Output or a reference such as { secretKeyRef: { name, key } } (numbers and booleans must be quoted)`]],
      [{ port: BigInt(3000) as unknown as number }, [`${P}port is a bigint 3000n; expected a number`]],
      [{ connections: [null as never] }, [`${P}connections[0] is null; expected a data component's \`connection\` (or { connection, rename })`]],
      [{ env: [["A", "1"]] as never }, [`${P}env is [["A","1"]]; expected an object such as { NAME: "value" }`]],
      [{ env: Object.defineProperty({}, "A", { enumerable: true, get() { throw new Error("boom"); } }) }, [`${P}env.A cannot be read: boom`]],
      [(platform) => ({ platform, image, [Symbol("x")]: 1 }), [`${P}args has a Symbol key Symbol(x); expected string keys only (keel does not read Symbol keys)`]],
    ];
    for (const [args, expected] of cases) {
      const { lines, registered } = await attempt(args);
      expect(lines).toEqual(expected);
      expect(registered).toEqual([]);
    }
  });
});
