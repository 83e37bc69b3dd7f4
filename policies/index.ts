/**
 * keel's CrossGuard policy pack. This file only builds the pack; the policies live in one
 * module per theme (kubernetes/, aws/, stack/), which the policy-pack issue fills in.
 * Constructing a PolicyPack starts its gRPC analyzer server: never import this file from tests.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("keel", { policies: [...policies] });
