import { cronProblem, isCronSchedule } from "../../../components/core/cron";
import { findDuplicates } from "../../../components/core/duplicates";
import { imageReferenceProblem, parseImageReference } from "../../../components/core/image-reference";
import {
  annotationProblems,
  configDataProblems,
  dnsLabelProblem,
  dnsSubdomainProblem,
  envNameProblem,
  ingressHostProblem,
  ingressPathProblem,
  labelProblems,
  percentProblem,
  portNameProblem,
  qualifiedKeyProblem,
  urlProblem,
} from "../../../components/core/kubernetes-syntax";
import { imagePinProblem, versionProblem } from "../../../components/core/labels";
import { parseCpu, parseMemory, parseStorage } from "../../../components/core/quantities";
import { isCronSchedule as postgresIsCron } from "../../../components/postgres-cluster";

describe("image references (the distribution/reference grammar)", () => {
  it.each([
    ["postgres:16.4-alpine", { path: "postgres", tag: "16.4-alpine" }],
    ["ghcr.io/acme/api:1.4.2", { domain: "ghcr.io", path: "acme/api", tag: "1.4.2" }],
    ["localhost:5000/team/app_x__y:v1", { domain: "localhost:5000", path: "team/app_x__y", tag: "v1" }],
    ["registry.local:443/a/b/c@sha256:" + "a".repeat(64), { domain: "registry.local:443", path: "a/b/c", digest: "sha256:" + "a".repeat(64) }],
    ["[::1]:5000/app:1", { domain: "[::1]:5000", path: "app", tag: "1" }],
    ["Docker.IO/library/redis:7", { domain: "Docker.IO", path: "library/redis", tag: "7" }],
  ])("parses %p", (ref, image) => {
    expect(parseImageReference(ref)).toEqual({ ok: true, image: { domain: undefined, tag: undefined, digest: undefined, ...image } });
  });

  it.each([
    ["ghcr.io/acme/api:1.4.2\n", "expected an image reference without spaces, newlines or control characters"],
    ["ghcr.io/acme/api :1", "expected an image reference without spaces, newlines or control characters"],
    ["ghcr.io/acme/api:", "expected a tag after ':' (an empty tag is not a tag)"],
    ["ghcr.io/Acme/api:1.0", "expected a lowercase repository path (registries refuse uppercase repository names)"],
    ["MyApp:1.0", "expected a lowercase repository path (registries refuse uppercase repository names)"],
    ["app:.hidden", "expected a tag of at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"],
    ["app:" + "a".repeat(129), "expected a tag of at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"],
    ["app@sha256:abc", "expected a digest of the form \"sha256:\" and 64 lowercase hex digits after '@'"],
    ["app@sha256:" + "A".repeat(64), "expected a digest of the form \"sha256:\" and 64 lowercase hex digits after '@'"],
    ["ghcr.io//api:1", "expected no empty path component (\"//\" or a leading or trailing '/')"],
    ["reg.io:99999/app:1", "expected a registry port from 1 to 65535 after \"reg.io:\""],
    ["-reg.io/app:1", "expected a registry host of letters, digits, '-' and '.' (got \"-reg.io\")"],
    ["acme/a--b_-c:1", "expected repository path components of lowercase letters and digits separated by '.', '_', '__' or '-' (got \"a--b_-c\")"],
    [":1.0", "expected a repository name before the tag or digest"],
    ["", "expected an image reference such as \"ghcr.io/org/app:1.4.2\""],
  ])("refuses %p", (ref, reason) => {
    expect(imageReferenceProblem(ref)).toBe(reason);
  });

  it("checks the grammar before pinning, and refuses latest in any case", () => {
    expect(imagePinProblem("ghcr.io/acme/api:")).toBe("expected a tag after ':' (an empty tag is not a tag)");
    expect(imagePinProblem("ghcr.io/acme/api:LATEST")).toBe("expected a pinned tag or digest; \"latest\" changes under a running Deployment");
    expect(imagePinProblem("ghcr.io/acme/api:latest@sha256:" + "0".repeat(64))).toBeUndefined();
    expect(versionProblem("latest")).toBe("expected a pinned version; \"latest\" changes under a running workload");
    expect(versionProblem("Latest")).toBe("expected a pinned version; \"latest\" changes under a running workload");
    expect(versionProblem("1.4.2")).toBeUndefined();
  });
});

describe("cron schedules (what a CronJob accepts)", () => {
  it.each(["0 3 * * *", "*/15 * * * *", "0 0-23/2 1,15 * MON-FRI", "30 4 ? JAN-mar 0-7", "5 4 * * sun", "@daily", "@Hourly", "@annually", " 40 * * * * "])("accepts %p", (s) => {
    expect(cronProblem(s)).toBeUndefined();
    expect(isCronSchedule(s)).toBe(true);
  });

  it.each([
    ["60 * * * *", 'expected a valid cron expression: the minute field "60" is outside 0-59'],
    ["0 24 * * *", 'expected a valid cron expression: the hour field "24" is outside 0-23'],
    ["0 0 0 * *", 'expected a valid cron expression: the day of month field "0" is outside 1-31'],
    ["0 0 * 13 *", 'expected a valid cron expression: the month field "13" is outside 1-12 or JAN-DEC'],
    ["0 0 * * 8", 'expected a valid cron expression: the day of week field "8" is outside 0-7 or SUN-SAT'],
    ["0 0 * * FUNDAY", 'expected a valid cron expression: the day of week field "FUNDAY" is not a value, range or list of 0-7 or SUN-SAT'],
    ["*/0 * * * *", 'expected a valid cron expression: the minute field "*/0" has the step "/0"; a step is an integer from 1 to 60'],
    ["30-10 * * * *", 'expected a valid cron expression: the minute field "30-10" has a range that ends before it starts'],
    ["1,,2 * * * *", 'expected a valid cron expression: the minute field "1,,2" is not a value, range or list of 0-59'],
    ["? * * * *", 'expected a valid cron expression: the minute field "?" is not a value, range or list of 0-59'],
    ["0 3 * * * *", 'expected 5 fields (minute hour day-of-month month day-of-week) such as "0 3 * * *", or @hourly, @daily, @weekly, @monthly, @yearly'],
    ["@every 5m", 'expected 5 fields (minute hour day-of-month month day-of-week) such as "0 3 * * *", or @hourly, @daily, @weekly, @monthly, @yearly'],
    ["CRON_TZ=UTC 0 3 * * *", "expected no time zone in the schedule (CronJob schedules run in UTC here)"],
    ["0 3 * * *\n* * * * *", "expected one line of fields separated by spaces (no newlines, tabs or control characters)"],
  ])("refuses %p", (s, reason) => {
    expect(cronProblem(s)).toBe(reason);
  });

  it("keeps PostgresCluster's isCronSchedule export on the same rule", () => {
    expect(postgresIsCron("0 3 * * *")).toBe(true);
    expect(postgresIsCron("99 3 * * *")).toBe(false);
  });
});

describe("Kubernetes names, labels and annotations", () => {
  it("tells DNS labels from subdomains", () => {
    expect(dnsLabelProblem("a".repeat(63))).toBeUndefined();
    expect(dnsLabelProblem("a".repeat(64))).toBe("expected at most 63 characters (a DNS-1123 label)");
    expect(dnsLabelProblem("a.b")).toMatch(/^expected lowercase letters/);
    expect(dnsSubdomainProblem("fast.ssd-class")).toBeUndefined();
    expect(dnsSubdomainProblem("Fast")).toMatch(/a DNS-1123 subdomain\)$/);
    expect(dnsSubdomainProblem("a..b")).toMatch(/a DNS-1123 subdomain\)$/);
    expect(dnsSubdomainProblem(`${"a".repeat(63)}.`.repeat(4) + "a")).toBe("expected at most 253 characters (a DNS-1123 subdomain)");
  });

  it.each([
    ["team", true],
    ["example.com/team", true],
    ["a/b/c", false],
    ["Example.com/team", false],
    ["example.com/", false],
    ["/team", false],
    ["team-", false],
    ["x".repeat(64), false],
    [`${"a".repeat(254)}/x`, false],
  ])("label/annotation key %p valid: %p", (key, ok) => {
    expect(qualifiedKeyProblem(key) === undefined).toBe(ok);
  });

  it("checks label values, and annotations' keys and total size", () => {
    expect(labelProblems("labels", { team: "shop", "bad key": "x", tier: "-x", empty: "" })).toEqual([
      ["labels", "bad key", expect.stringMatching(/^expected \[prefix\/\]name/)],
      ["labels.tier", "-x", "expected letters, digits, '-', '_' and '.', starting and ending with a letter or digit (a label value)"],
    ]);
    expect(annotationProblems("podAnnotations", { a: "x".repeat(256 * 1024) })).toEqual([
      ["podAnnotations", "262145 bytes", "expected at most 262144 bytes (256 KiB) of keys and values together, the API server's limit per object"],
    ]);
    expect(annotationProblems("podAnnotations", { a: "x".repeat(256 * 1024 - 1) })).toEqual([]);
  });

  it.each([
    ["http", true],
    ["metrics-2", true],
    ["a".repeat(15), true],
    ["a".repeat(16), false],
    ["8080", false],
    ["-http", false],
    ["http-", false],
    ["ht--tp", false],
    ["HTTP", false],
    ["h_ttp", false],
  ])("port name %p valid: %p", (name, ok) => {
    expect(portNameProblem(name) === undefined).toBe(ok);
  });

  it("checks env names, percentages and URLs", () => {
    expect(envNameProblem("DATABASE_URL")).toBeUndefined();
    expect(envNameProblem("my.var-1")).toBeUndefined();
    expect(envNameProblem("1VAR")).toBe("expected an environment variable name: letters, digits, '_', '-' and '.', not starting with a digit");
    expect(envNameProblem("A=B")).toBeDefined();
    expect(percentProblem("100%")).toBeUndefined();
    expect(percentProblem("101%")).toBe('expected a percentage from 0% to 100% such as "25%"');
    expect(urlProblem("https://idp.example.com/realms/x", { schemes: ["https"] })).toBeUndefined();
    expect(urlProblem("http://idp.example.com", { schemes: ["https"] })).toBe("expected an https:// URL");
    expect(urlProblem("https://user:pw@idp.example.com", { schemes: ["https"] })).toBe("expected no user or password in the URL (give credentials as a secret)");
    expect(urlProblem("https://", { schemes: ["https"] })).toBe("expected an absolute https:// URL");
    expect(urlProblem("https://a.example.com/\nx", { schemes: ["https"] })).toBe("expected an absolute https:// URL without spaces or control characters");
  });
});

describe("Ingress hosts and paths", () => {
  it.each([
    ["api.example.com", undefined],
    ["*.example.com", undefined],
    ["localhost", undefined],
    ["api.example.com:443", "expected a DNS name without a port or scheme (Ingress rules match the name only)"],
    ["10.0.0.1", "expected a DNS name, not an IP address (Ingress hosts cannot be addresses)"],
    ["api.*.example.com", "expected a wildcard only as the whole leftmost label (\"*.example.com\")"],
    ["*api.example.com", "expected a wildcard only as the whole leftmost label (\"*.example.com\")"],
    ["*.", "expected a lowercase DNS name such as \"api.example.com\" (letters, digits and '-' in dot-separated labels)"],
    ["API.example.com", "expected a lowercase DNS name such as \"api.example.com\" (letters, digits and '-' in dot-separated labels)"],
    ["api..example.com", "expected a lowercase DNS name such as \"api.example.com\" (letters, digits and '-' in dot-separated labels)"],
    [`${"a".repeat(64)}.example.com`, `expected each dot-separated label to have at most 63 characters ("${"a".repeat(20)}..." has 64)`],
    [`${"a".repeat(60)}.`.repeat(5) + "com", "expected at most 253 characters"],
  ])("host %p: %p", (host, problem) => {
    expect(ingressHostProblem(host)).toBe(problem);
  });

  it.each([
    ["/", "Prefix", undefined],
    ["/api/v1.0", "Prefix", undefined],
    ["/api/../admin", "Prefix", 'expected no ".." segment'],
    ["/api/..", "ImplementationSpecific", 'expected no ".." segment'],
    ["/a b", "Prefix", "expected no spaces, newlines or control characters"],
    ["/a\n", "Exact", "expected no spaces, newlines or control characters"],
    ["api", "Prefix", 'expected a path starting with "/"'],
    ["/a//b", "Prefix", 'expected a plain Prefix path without "//", "/./", "%2f" or a trailing "/." (the API server refuses them)'],
    ["/a/.", "Exact", 'expected a plain Exact path without "//", "/./", "%2f" or a trailing "/." (the API server refuses them)'],
    ["/a%2Fb", "Prefix", 'expected a plain Prefix path without "//", "/./", "%2f" or a trailing "/." (the API server refuses them)'],
    ["/api(/|$)(.*)", "Prefix", 'expected letters, digits and - . _ ~ / only in a Prefix path (regex characters need pathType "ImplementationSpecific")'],
    ["/api(/|$)(.*)", "ImplementationSpecific", undefined],
  ])("path %p (%s): %p", (path, type, problem) => {
    expect(ingressPathProblem(path, type)).toBe(problem);
  });

  it("allows regex characters in a Prefix path for another controller than nginx", () => {
    expect(ingressPathProblem("/api(v1)", "Prefix", false)).toBeUndefined();
  });
});

describe("quantities that cannot be meant", () => {
  it("refuses more than 1000 cores, 1 PiB of memory, 64 TiB of storage, and zero", () => {
    expect(parseCpu("1000")).toEqual({ ok: true, value: 1_000_000 });
    expect(parseCpu("2000")).toEqual({ ok: false, reason: 'expected at most 1000 cores (did you mean millicores, e.g. "500m"?)' });
    expect(parseCpu(5000)).toEqual({ ok: false, reason: 'expected at most 1000 cores (did you mean millicores, e.g. "500m"?)' });
    expect(parseMemory("1Pi").ok).toBe(true);
    expect(parseMemory("2Pi")).toEqual({ ok: false, reason: 'expected at most "1Pi" (more than any node or volume holds)' });
    expect(parseMemory("1E")).toEqual({ ok: false, reason: 'expected at most "1Pi" (more than any node or volume holds)' });
    expect(parseStorage("64Ti").ok).toBe(true);
    expect(parseStorage("65Ti")).toEqual({ ok: false, reason: 'expected at most "64Ti" (the largest volume a storage class provisions)' });
    expect(parseStorage("0Gi")).toEqual({ ok: false, reason: "expected an amount greater than zero" });
  });
});

describe("findDuplicates", () => {
  it("reports each later item with the index of the first", () => {
    expect(findDuplicates([80, 443, 80, 9090, 80], (p) => p)).toEqual([
      { key: 80, first: 0, index: 2 },
      { key: 80, first: 0, index: 4 },
    ]);
    expect(findDuplicates(["a", undefined, undefined], (x) => x)).toEqual([]);
  });
});

describe("ConfigMap data", () => {
  it("refuses more than 1 MiB in one ConfigMap, and keys the API server refuses", () => {
    expect(configDataProblems("files", { "app.yaml": "x".repeat(1024 * 1024 - 8) })).toEqual([]);
    expect(configDataProblems("files", { "app.yaml": "x".repeat(1024 * 1024 - 7) })).toEqual([
      ["files", "1048577 bytes", "expected at most 1048576 bytes (1 MiB) of keys and values together, the API server's limit per ConfigMap; mount large files from an image or a volume"],
    ]);
    expect(configDataProblems("files", { "conf/app.yaml": "x", "..": "y" })).toEqual([
      ["files", "conf/app.yaml", "expected a key of at most 253 letters, digits, '-', '_' and '.' (a ConfigMap key)"],
      ["files", "..", "expected a key of at most 253 letters, digits, '-', '_' and '.' (a ConfigMap key)"],
    ]);
  });
});

describe("argvProblems (container command and args)", () => {
  it("wants lists, and a command whose first word names a program", () => {
    const { argvProblems } = jest.requireActual("../../../components/core/kubernetes-syntax") as typeof import("../../../components/core/kubernetes-syntax");
    expect(argvProblems({ command: ["/app/server"], args: ["--port", ""] }, "[]")).toEqual([]);
    expect(argvProblems({ command: "node server.js" }, '["node", "server.js"]')).toEqual([["command", "node server.js", 'expected a list of strings, one per argument (e.g. ["node", "server.js"]); a single string is not split into words']]);
    expect(argvProblems({ command: [" "] }, "[]")).toEqual([["command[0]", " ", "expected the program to run (a path or a name on PATH), not an empty string"]]);
    expect(argvProblems({ args: "x" }, "[]").map((p) => p[0])).toEqual(["args"]);
  });
});
