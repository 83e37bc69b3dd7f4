/** The AWS provider functions keel answers offline (a mocks file may override them): zones, caller, partition, region, EKS and ECR tokens. */
import { Json, digest, secretValue } from "./values";
import { AWS_ACCOUNT, AWS_PARTITION, regionOf, shortRegion } from "./mock-values";

/** The region of a call: its `region` arg, else the stack's. */
function callRegion(args: Record<string, Json>): string {
  return regionOf(args);
}

const REGION_NAMES: Record<string, string> = {
  "eu-west-1": "Europe (Ireland)",
  "eu-west-2": "Europe (London)",
  "eu-west-3": "Europe (Paris)",
  "eu-central-1": "Europe (Frankfurt)",
  "eu-north-1": "Europe (Stockholm)",
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
};

const list = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);

/** The AWS provider functions keel answers, by token (results on the wire: secrets marked). */
export const AWS_CALLS: Readonly<Record<string, (args: Record<string, Json>) => Record<string, Json>>> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": (args) => {
    const region = callRegion(args);
    const state = typeof args.state === "string" ? args.state : undefined;
    const zones = (state === undefined || state === "available" ? ["a", "b", "c"] : []).map((s, i) => ({ name: `${region}${s}`, zoneId: `${shortRegion(region)}-az${i + 1}` }));
    const kept = zones.filter((z) => !list(args.excludeNames).includes(z.name) && !list(args.excludeZoneIds).includes(z.zoneId));
    return { id: region, region, names: kept.map((z) => z.name), zoneIds: kept.map((z) => z.zoneId), groupNames: kept.map(() => region), ...(state ? { state } : {}) };
  },
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({ id: AWS_ACCOUNT, accountId: AWS_ACCOUNT, arn: `arn:${AWS_PARTITION}:sts::${AWS_ACCOUNT}:assumed-role/keel-deployer/session`, userId: "AROAKEELDEPLOYER00000:session" }),
  "aws:index/getPartition:getPartition": () => ({ id: AWS_PARTITION, partition: AWS_PARTITION, dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" }),
  "aws:index/getRegion:getRegion": (args) => {
    const region = typeof args.name === "string" && args.name.length > 0 ? args.name : callRegion(args);
    return { id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: REGION_NAMES[region] ?? region };
  },
  "aws:eks/getClusterAuth:getClusterAuth": (args) => {
    const name = typeof args.name === "string" ? args.name : "";
    const region = callRegion(args);
    const url = `https://sts.${region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Credential=KEELOFFLINE&X-Amz-Signature=${digest(`${name}#token`, 64)}`;
    const token = `k8s-aws-v1.${Buffer.from(url).toString("base64url")}`;
    return { id: name, name, region, token: secretValue(token) as Json };
  },
  "aws:ecr/getAuthorizationToken:getAuthorizationToken": (args) => {
    const region = callRegion(args);
    const password = `offline-${digest(`${region}#ecr`, 32)}`;
    return {
      id: region,
      region,
      ...(typeof args.registryId === "string" ? { registryId: args.registryId } : {}),
      proxyEndpoint: `https://${AWS_ACCOUNT}.dkr.ecr.${region}.amazonaws.com`,
      userName: "AWS",
      password: secretValue(password) as Json,
      authorizationToken: secretValue(Buffer.from(`AWS:${password}`).toString("base64")) as Json,
      expiresAt: "2026-01-01T12:00:00Z",
    };
  },
};

