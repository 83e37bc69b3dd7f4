/** The bad-input probe over AwsPlatform: each attempt builds a VPC and an EKS cluster under mocks, so it runs in npm run test:cli. */
import { probeComponents } from "./probe-suite";
import { AWS_PROBE_TARGETS } from "./targets";

probeComponents(AWS_PROBE_TARGETS);
