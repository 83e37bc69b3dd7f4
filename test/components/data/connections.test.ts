import * as pulumi from "@pulumi/pulumi";
import { ApiService, Connection, KafkaCluster, PostgresCluster, RedisStore, SeaweedStorage, StatefulService } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));
const secret = (o: pulumi.Input<unknown>): Promise<boolean> => pulumi.isSecret(pulumi.output(o));

describe("connections of every data component", () => {
  it("name Services that exist, never say undefined, and keep anything with a password secret", async () => {
    const connections: Record<string, Connection> = {};
    const s = await synthesize(() => {
      const platform = testPlatform();
      const files = new SeaweedStorage("files", { platform, buckets: ["backups"] });
      connections.postgres = new PostgresCluster("db", { platform, replicas: 1 }).connection;
      connections.redis = new RedisStore("cache", { platform, persistence: "none", mode: "replication" }).connection;
      connections.s3 = files.connection;
      connections.kafka = new KafkaCluster("events", { platform }).connection;
      connections.service = new StatefulService("mq", { platform, image: "rabbitmq:3.13.7-alpine", ports: [{ name: "amqp", port: 5672 }], clientEnv: { RABBITMQ_URL: "amqp://{host}:{port}" } }).connection;
    });
    const services = new Set(s.all("Service").map((o) => `${o.metadata.name}.${o.metadata.namespace}.svc.cluster.local`));
    for (const [kind, c] of Object.entries(connections)) {
      const hosts = [await value(c.host), ...(c.readOnlyHost ? [await value(c.readOnlyHost)] : [])];
      for (const h of hosts) expect([kind, h, services.has(h)]).toEqual([kind, h, true]);
      const url = await value(c.url);
      expect([kind, url]).toEqual([kind, expect.not.stringMatching(/undefined|\[object|NaN/)]);
      for (const name of c.secretEnv) expect([kind, name, await secret(c.env[name])]).toEqual([kind, name, true]);
      if (c.password) {
        expect([kind, await secret(c.password)]).toEqual([kind, true]);
        const password = await value(c.password);
        if (url.includes(password)) expect([kind, "url", await secret(c.url)]).toEqual([kind, "url", true]);
        for (const [name, v] of Object.entries(c.env)) if (String(await value(pulumi.output(v))).includes(password)) expect(c.secretEnv).toContain(name);
      }
    }
    expect(Object.keys(connections.postgres.env)).toEqual(["DATABASE_URL", "DATABASE_READ_URL"]);
    expect(await value(connections.redis.url)).toMatch(/^redis:\/\/:[A-Za-z0-9]{32}@cache\.data\.svc\.cluster\.local:6379\/0$/);
    expect(await value(connections.kafka.url)).toBe("events.data.svc.cluster.local:9092");
  });

  it("refuse a variable set both by a connection and by env", async () => {
    await synthesize(() => {
      const platform = testPlatform();
      const db = new PostgresCluster("db", { platform });
      expect(() => new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", env: { DATABASE_URL: "postgres://elsewhere" }, connections: [db.connection] })).toThrow(
        'ApiService "api": env.DATABASE_URL is also set by connections[0] (the connection of "db"); expected a variable not also set by a connection (rename it with { connection, rename })',
      );
      const renamed = new ApiService("api2", { platform, image: "ghcr.io/acme/api:1.0.0", env: { DATABASE_URL: "postgres://elsewhere" }, connections: [{ connection: db.connection, rename: { DATABASE_URL: "APP_DB_URL" } }] });
      expect(renamed).toBeDefined();
    });
  });
});

describe("platforms", () => {
  it("refuse a managed store on an aws platform that is not attached to an AwsPlatform (no data subnets), and managed: true elsewhere", async () => {
    await synthesize(() => {
      const kubernetes = testPlatform();
      const k = kubernetes.kubernetes;
      const aws = { kind: "aws" as const, name: "prod", kubernetes: k, aws: { region: "eu-west-1" } };
      const unattached = 'is "prod"; expected an aws platform attached to an AwsPlatform (AwsPlatform.fromStackReference, aws.system() or AwsPlatform.fromExisting): a managed service needs its VPC\'s data subnets and the cluster\'s security group; or set managed: false to run in the cluster';
      expect(() => new PostgresCluster("db", { platform: aws })).toThrow(`PostgresCluster "db": platform ${unattached}`);
      expect(() => new RedisStore("cache", { platform: aws, managed: true, persistence: "aof" })).toThrow(`RedisStore "cache": platform ${unattached}`);
      expect(() => new RedisStore("cache2", { platform: kubernetes, managed: true, persistence: "aof" })).toThrow('RedisStore "cache2": managed is true; expected false or nothing on the kubernetes platform (managed services exist on aws only)');
      expect(new PostgresCluster("db2", { platform: aws, managed: false, database: "app", username: "app" })).toBeDefined();
      expect(new StatefulService("mq", { platform: aws, image: "rabbitmq:3.13.7-alpine", ports: [{ name: "amqp", port: 5672 }] })).toBeDefined();
    });
  });
});
