/**
 * Container logs as the kubelet keeps them (CRI lines of containerd/CRI-O, docker json-file),
 * read by a real OpenTelemetry Collector running keel's generated node-log configuration, and
 * what reaches Loki's OTLP endpoint: the line, its time and stream, the namespace, pod and
 * container from the file path, a JSON body's fields and level.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { nodeLogsConfig } from "../components/observability-stack/node-logs-config";
import { ReceivedRecord, buildCollector, fakeLoki, freePort, httpStatus, httpText } from "./otel-collector";
import { daemon, waitFor } from "./processes";

jest.setTimeout(900_000);

/** Appends `lines` to the log file of container `container` of pod `pod` in `namespace`, as the kubelet lays them out. */
function writeLog(root: string, namespace: string, pod: string, container: string, lines: readonly string[]): string {
  const dir = path.join(root, `${namespace}_${pod}_0f6c2b9e-3b1a-4d6e-9f3c-${pod.length.toString().padStart(12, "0")}`, container);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "0.log");
  fs.appendFileSync(file, lines.map((l) => `${l}\n`).join(""));
  return file;
}

describe("node-log collector configuration, run by the OpenTelemetry Collector", () => {
  let collector: ReturnType<typeof daemon> | undefined;
  let loki: Awaited<ReturnType<typeof fakeLoki>>;
  let root: string;
  let metricsUrl: string;
  const received = (pod: string): ReceivedRecord[] => loki.records.filter((r) => r.resource["k8s.pod.name"] === pod);

  beforeAll(async () => {
    const binary = buildCollector();
    loki = await fakeLoki();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "keel-node-logs-"));
    root = path.join(work, "pods");
    const storage = path.join(work, "storage");
    fs.mkdirSync(root);
    fs.mkdirSync(storage);
    // A pod that was logging before the collector started: read from the end, not flooded.
    writeLog(root, "shop", "api-old", "api", ["2024-05-01T09:00:00.000000000Z stdout F written before the collector started"]);
    const config = nodeLogsConfig({ namespaces: ["shop", "data", "shop"], loki: `${loki.url}/otlp`, podLogs: root, storage }) as {
      exporters: Record<string, Record<string, unknown>>;
      extensions: { health_check: { endpoint: string } };
      service: { telemetry: { metrics: { address: string } } };
    };
    // Only what a loopback run needs differs: local ports, and JSON instead of protobuf on the wire.
    const health = await freePort();
    const metrics = await freePort();
    config.extensions.health_check.endpoint = `127.0.0.1:${health}`;
    config.service.telemetry.metrics.address = `127.0.0.1:${metrics}`;
    config.exporters["otlphttp/loki"].encoding = "json";
    metricsUrl = `http://127.0.0.1:${metrics}/metrics`;
    const file = path.join(work, "collector.yaml");
    fs.writeFileSync(file, stringify(config));
    collector = daemon(binary, [`--config=${file}`]);
    await waitFor("the collector's health check", async () => (await httpStatus(`http://127.0.0.1:${health}/`)) === 200, 60_000);
    // Let the first poll see the old file (and skip its content).
    await new Promise((r) => setTimeout(r, 1500));

    writeLog(root, "shop", "api-7d9f8b6c5-x2k4q", "api", [
      '2024-05-01T10:00:00.123456789Z stdout F {"level":"INFO","message":"order placed","order_id":42,"fields":{"user":"u-1"}}',
      "2024-05-01T10:00:01.000000000Z stderr P a long line the runtime split ",
      "2024-05-01T10:00:01.000000001Z stderr F in two parts",
      "2024-05-01T10:00:02.500000000+02:00 stdout F plain text, not JSON",
      '2024-05-01T10:00:03.000000000Z stdout F {"level":"error","message":"database unreachable"}',
      "2024-05-01T10:00:04.000000000Z stdout F {not json at all",
    ]);
    writeLog(root, "data", "db-0", "postgres", ['{"log":"{\\"level\\":\\"warn\\",\\"msg\\":\\"slow query\\"}\\n","stream":"stdout","time":"2024-05-01T10:00:05.5Z"}']);
    writeLog(root, "kube-system", "coredns-1", "coredns", ["2024-05-01T10:00:06.000000000Z stdout F not the system's namespace"]);
    await waitFor("6 records at the stand-in Loki", () => loki.records.length >= 6, 60_000).catch((err: Error) => {
      throw new Error(`${err.message} (got ${loki.records.length}); collector log:\n${collector?.log()}`);
    });
    await new Promise((r) => setTimeout(r, 2000)); // anything more would arrive by now
  });

  afterAll(async () => {
    await collector?.stop("SIGTERM");
    await loki?.close();
  });

  it("posts to Loki's OTLP logs path, and logs an error only for the body that is not JSON", () => {
    expect([...new Set(loki.paths)]).toEqual(["/otlp/v1/logs"]);
    const errors = (collector?.log() ?? "").split("\n").filter((l) => /\terror\t/.test(l));
    expect(errors.map((l) => l.split("\t")[3])).toEqual(["Failed to process entry", "failed to write entry"]);
    expect(errors[0]).toContain('"operator_id": "json-body"');
  });

  it("labels namespace, pod and container from the file path, only for the system's namespaces", () => {
    expect(loki.records.map((r) => `${r.resource["k8s.namespace.name"]}/${r.resource["k8s.pod.name"]}/${r.resource["k8s.container.name"]}`).sort()).toEqual([
      "data/db-0/postgres",
      "shop/api-7d9f8b6c5-x2k4q/api",
      "shop/api-7d9f8b6c5-x2k4q/api",
      "shop/api-7d9f8b6c5-x2k4q/api",
      "shop/api-7d9f8b6c5-x2k4q/api",
      "shop/api-7d9f8b6c5-x2k4q/api",
    ]);
    const [first] = received("api-7d9f8b6c5-x2k4q");
    expect(first.resource).toEqual({
      "k8s.namespace.name": "shop",
      "k8s.pod.name": "api-7d9f8b6c5-x2k4q",
      "k8s.pod.uid": "0f6c2b9e-3b1a-4d6e-9f3c-000000000019",
      "k8s.container.name": "api",
      "k8s.container.restart_count": "0",
    });
  });

  it("parses CRI lines: time, stream, partial lines joined, JSON bodies' fields and level", () => {
    const api = received("api-7d9f8b6c5-x2k4q");
    expect(api.map((r) => [r.body, r.timeUnixNano, r.attributes["log.iostream"], r.severityText ?? ""])).toEqual([
      ['{"level":"INFO","message":"order placed","order_id":42,"fields":{"user":"u-1"}}', "1714557600123456789", "stdout", "INFO"],
      ["a long line the runtime split in two parts", "1714557601000000000", "stderr", ""],
      ["plain text, not JSON", "1714550402500000000", "stdout", ""],
      ['{"level":"error","message":"database unreachable"}', "1714557603000000000", "stdout", "error"],
      ["{not json at all", "1714557604000000000", "stdout", ""],
    ]);
    expect(api[0].attributes).toMatchObject({ level: "INFO", message: "order placed", order_id: 42, fields: { user: "u-1" } });
    expect(api[0].severityNumber).toBe(9); // INFO
    expect(api[3].severityNumber).toBe(17); // ERROR
    expect(api[1].attributes.message).toBeUndefined();
  });

  it("parses docker json-file lines and their JSON bodies", () => {
    const [db] = received("db-0");
    expect([db.body, db.timeUnixNano, db.attributes["log.iostream"], db.attributes.msg, db.severityNumber]).toEqual(['{"level":"warn","msg":"slow query"}', "1714557605500000000", "stdout", "slow query", 13]);
  });

  it("skips what was written before it started, and other namespaces", () => {
    expect(received("api-old")).toEqual([]);
    expect(received("coredns-1")).toEqual([]);
  });

  it("serves its own metrics for Prometheus", async () => {
    expect(await httpText(metricsUrl)).toMatch(/otelcol_receiver_accepted_log_records\{[^}]*receiver="filelog"[^}]*\} 6/);
  });
});
