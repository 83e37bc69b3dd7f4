/**
 * keel's node-log collector configuration run by a real OpenTelemetry Collector: the
 * components it uses (filelog receiver, file_storage, health_check, memory_limiter, batch,
 * otlphttp) at the release of keel's image, built from the collector's Go modules
 * (test-real/otelcol), and a stand-in Loki that records what the collector sends to its OTLP
 * endpoint.
 */
import * as http from "http";
import * as zlib from "zlib";
import { goBuild } from "./tools";


/** Builds the collector and returns its path. */
export function buildCollector(): string {
  return goBuild("otelcol", "otelcol-keel");
}

/** One log record as Loki's OTLP endpoint receives it, flattened. */
export interface ReceivedRecord {
  readonly resource: Record<string, string>;
  readonly attributes: Record<string, unknown>;
  readonly body: string;
  readonly timeUnixNano: string;
  readonly severityNumber?: number;
  readonly severityText?: string;
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; kvlistValue?: { values?: KeyValue[] }; arrayValue?: { values?: AnyValue[] } };
type KeyValue = { key: string; value: AnyValue };

function plain(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.kvlistValue) return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, plain(kv.value)]));
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(plain);
  return undefined;
}

const attrs = (list: KeyValue[] | undefined) => Object.fromEntries((list ?? []).map((kv) => [kv.key, plain(kv.value)]));

/** An HTTP server on loopback standing in for Loki's OTLP endpoint (OTLP/HTTP with JSON encoding). */
export async function fakeLoki(): Promise<{ url: string; paths: string[]; records: ReceivedRecord[]; close: () => Promise<void> }> {
  const records: ReceivedRecord[] = [];
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = zlib.gunzipSync(body);
      paths.push(req.url ?? "");
      const payload = JSON.parse(body.toString("utf8")) as { resourceLogs?: { resource?: { attributes?: KeyValue[] }; scopeLogs?: { logRecords?: Record<string, unknown>[] }[] }[] };
      for (const rl of payload.resourceLogs ?? []) {
        const resource = attrs(rl.resource?.attributes) as Record<string, string>;
        for (const sl of rl.scopeLogs ?? []) {
          for (const r of sl.logRecords ?? []) {
            records.push({
              resource,
              attributes: attrs(r.attributes as KeyValue[]),
              body: String(plain(r.body as AnyValue)),
              timeUnixNano: String(r.timeUnixNano),
              severityNumber: r.severityNumber as number | undefined,
              severityText: r.severityText as string | undefined,
            });
          }
        }
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, paths, records, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** GET `url`; resolves to the status code, or 0 when nothing answers. */
export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** GET `url`'s body (empty when nothing answers). */
export function httpText(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve(text));
    });
    req.on("error", () => resolve(""));
  });
}
