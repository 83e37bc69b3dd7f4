import type { Policy } from "@pulumi/policy";
import {
  elasticacheEncryption,
  elasticacheFailover,
  mskEncryption,
  mskLogging,
  mskPrivate,
  rdsBackupRetention,
  rdsDeletionProtection,
  rdsMultiAz,
  rdsNotPublic,
  rdsStorageEncrypted,
} from "./data-services";
import { iamLeastPrivilege } from "./iam";
import { eksControlPlaneLogging, eksEndpointRestricted, eksSecretsEncryption, securityGroupOpenIngress } from "./platform";
import { s3Buckets } from "./s3";

export const dataServicePolicies: readonly Policy[] = [
  rdsStorageEncrypted,
  rdsNotPublic,
  rdsBackupRetention,
  rdsMultiAz,
  rdsDeletionProtection,
  elasticacheEncryption,
  elasticacheFailover,
  mskEncryption,
  mskLogging,
  mskPrivate,
  s3Buckets,
  eksEndpointRestricted,
  eksSecretsEncryption,
  eksControlPlaneLogging,
  securityGroupOpenIngress,
  iamLeastPrivilege,
];
