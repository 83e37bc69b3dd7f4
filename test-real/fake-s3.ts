/**
 * A minimal S3 (path-style PUT/GET/DELETE/ListObjectsV2) and Pushgateway on loopback, for the
 * backup scripts' real runs. Requests must carry a SigV4 Authorization header with the expected
 * access key (signatures are not verified). Listing pages hold 2 keys, so pagination is exercised.
 */
import * as http from "http";
import type { AddressInfo } from "net";

export interface FakeS3 {
  readonly url: string;
  readonly objects: Map<string, Buffer>;
  readonly pushed: string[];
  readonly unauthorized: string[];
  close(): Promise<void>;
}

const PAGE = 2;

/** `port`: listen on this port (e.g. to bring a stopped store back at the same address). @default any free port */
export async function startFakeS3(bucket: string, accessKeyId: string, port = 0): Promise<FakeS3> {
  const objects = new Map<string, Buffer>();
  const pushed: string[] = [];
  const unauthorized: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const body = Buffer.concat(chunks);
      if (url.pathname.startsWith("/metrics/job/")) {
        pushed.push(`${url.pathname}\n${body.toString()}`);
        res.writeHead(200).end();
        return;
      }
      const auth = req.headers.authorization ?? "";
      if (!auth.startsWith("AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/")) {
        unauthorized.push(`${req.method} ${req.url}`);
        res.writeHead(403).end("<Error><Code>AccessDenied</Code></Error>");
        return;
      }
      const [, b, ...rest] = decodeURIComponent(url.pathname).split("/");
      const key = rest.join("/");
      if (b !== bucket) {
        res.writeHead(404).end("<Error><Code>NoSuchBucket</Code></Error>");
        return;
      }
      if (req.method === "PUT") {
        objects.set(key, body);
        res.writeHead(200).end();
      } else if (req.method === "DELETE") {
        objects.delete(key);
        res.writeHead(204).end();
      } else if (req.method === "GET" && key === "" && url.searchParams.get("list-type") === "2") {
        const prefix = url.searchParams.get("prefix") ?? "";
        const after = url.searchParams.get("start-after") ?? "";
        const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
        const page = keys.slice(0, PAGE);
        const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${page.length}</KeyCount><IsTruncated>${keys.length > PAGE}</IsTruncated>${page.map((k) => `<Contents><Key>${k}</Key><Size>${objects.get(k)?.length}</Size></Contents>`).join("")}</ListBucketResult>`;
        res.writeHead(200, { "content-type": "application/xml" }).end(xml);
      } else if (req.method === "GET" && objects.has(key)) {
        res.writeHead(200).end(objects.get(key));
      } else {
        res.writeHead(404).end("<Error><Code>NoSuchKey</Code></Error>");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    pushed,
    unauthorized,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
