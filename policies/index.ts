/**
 * keel's CrossGuard policy pack. This file only builds the pack; the policies live in one
 * module per theme (kubernetes/, stack/, aws/), listed in policies.ts.
 * Constructing a PolicyPack starts its gRPC analyzer server: never import this file from tests.
 */
import { PolicyPack } from "@pulumi/policy";
import { deserializePropertiesOnce } from "./lib/deserialize-once";
import { dispatchByType } from "./lib/dispatch-by-type";
import { decodeStructsDirectly } from "./lib/fast-struct";
import { policies } from "./policies";

decodeStructsDirectly();
deserializePropertiesOnce();
new PolicyPack("keel", { policies: dispatchByType(policies) });
