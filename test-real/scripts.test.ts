/** Start scripts run for real with stand-ins for the server binaries: what they hand the server. */
import * as fs from "fs";
import * as path from "path";
import { kafkaStartScript, renderProperties, serverProperties } from "../components";
import { exec } from "./processes";
import { workdir } from "./tools";

describe("KafkaCluster start script", () => {
  it("fills in the node id from the pod ordinal, the host and the keystore password, then formats and starts", async () => {
    const props = renderProperties(serverProperties({ brokers: 3, hostOf: (i) => `events-${i}.events-headless.data.svc.cluster.local`, replicationFactor: 3, minInsyncReplicas: 2, defaultPartitions: 3, retentionHours: 168, tls: true, logDir: "/data/logs", tlsDir: "/tls" }));
    const dir = workdir({ "server.properties": props, "start.sh": kafkaStartScript() });
    fs.mkdirSync(path.join(dir, "kafka/bin"), { recursive: true });
    fs.writeFileSync(path.join(dir, "kafka/bin/kafka-storage.sh"), '#!/bin/sh\necho "format $*"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "kafka/bin/kafka-server-start.sh"), '#!/bin/sh\necho "start $*"\ncat "$1"\n', { mode: 0o755 });
    const r = await exec("sh", [path.join(dir, "start.sh")], {
      env: { POD_NAME: "events-2", CLUSTER_ID: "MkU3OEVBNTcwNTJENDM2Qg", NODE_HOST: "events-2.events-headless.data.svc.cluster.local", KEYSTORE_PASSWORD: "ks-Secret-1", CONFIG_SOURCE: path.join(dir, "server.properties"), RUNTIME_DIR: fs.mkdtempSync(path.join(dir, "run-")), KAFKA_HOME: path.join(dir, "kafka") },
    });
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/^format format --cluster-id MkU3OEVBNTcwNTJENDM2Qg --config \S+\/run-\w+\/server\.properties --ignore-formatted$/m);
    expect(r.output).toMatch(/^node\.id=2$/m);
    expect(r.output).toMatch(/^advertised\.listeners=PLAINTEXT:\/\/events-2\.events-headless\.data\.svc\.cluster\.local:9092,SSL:\/\/events-2\.events-headless\.data\.svc\.cluster\.local:9093$/m);
    expect(r.output).toMatch(/^ssl\.keystore\.password=ks-Secret-1$/m);
    expect(r.output).not.toContain("${");
    expect(fs.statSync(path.join(dir, "server.properties")).mode & 0o077).toBe(0o044); // the source (a ConfigMap) holds no password
    expect(props).not.toContain("ks-Secret-1");
  });
});
