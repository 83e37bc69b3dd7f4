#!/usr/bin/env bash
# Restores a PostgresCluster's RDS instance (the aws platform) to a NEW instance: to a point in
# time (automated backups) or from a snapshot (e.g. the final snapshot of a deleted instance),
# with the source's subnet group, security groups, parameter group, KMS key, class and Multi-AZ.
# Waits until the new instance is available, prints its endpoint and the steps to cut over.
# docs/postgres.md, "On aws (RDS)". Needs the aws CLI v2 and credentials for the account.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/rds-restore.sh --source ID --target ID (--time T | --latest | --snapshot SNAP) [options]

Restores an RDS for PostgreSQL instance made by keel's PostgresCluster to a NEW instance; the
source is left untouched. Cut over afterwards (the steps are printed at the end).

  --source ID             the instance to restore from (e.g. shop-db); with --snapshot it is
                          optional and only supplies the network, parameter group and key
  --target ID             the new instance's identifier (e.g. shop-db-restored)
  --time T                point in time, UTC, e.g. 2026-11-22T03:15:00Z (within the backup retention)
  --latest                the latest restorable time (a few minutes ago)
  --snapshot SNAP         restore this DB snapshot instead (e.g. shop-db-final)
  --subnet-group NAME     DB subnet group            (default: the source's)
  --security-groups IDS   comma-separated sg ids     (default: the source's)
  --parameter-group NAME  DB parameter group         (default: the source's)
  --kms-key ARN           KMS key for storage and the new master secret (default: the source's)
  --instance-class CLASS  e.g. db.m7g.large          (default: the source's)
  --no-multi-az           a single-AZ instance       (default: the source's setting)
  --region REGION         AWS region                 (default: the CLI's)
  --no-wait               do not wait for the instance to be available
  --dry-run               run only read-only describe calls; print the commands that would change anything
  -h, --help              this text

Examples:
  scripts/rds-restore.sh --source shop-db --target shop-db-pitr --time 2026-11-22T03:15:00Z
  scripts/rds-restore.sh --snapshot shop-db-final --target shop-db --subnet-group shop-db-subnets \
    --security-groups sg-0123456789abcdef0 --parameter-group shop-db-postgres16 --kms-key arn:aws:kms:... --instance-class db.m7g.large
EOF
}

die() {
  echo "rds-restore: $*" >&2
  exit 2
}

source_id="" target_id="" restore_time="" latest=0 snapshot="" subnet_group="" security_groups="" parameter_group=""
kms_key="" instance_class="" multi_az="" region="" wait=1 dry_run=0

need_value() {
  if [ "$#" -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value (see --help)"; fi
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    --source) need_value "$@"; source_id="$2"; shift 2 ;;
    --target) need_value "$@"; target_id="$2"; shift 2 ;;
    --time) need_value "$@"; restore_time="$2"; shift 2 ;;
    --latest) latest=1; shift ;;
    --snapshot) need_value "$@"; snapshot="$2"; shift 2 ;;
    --subnet-group) need_value "$@"; subnet_group="$2"; shift 2 ;;
    --security-groups) need_value "$@"; security_groups="$2"; shift 2 ;;
    --parameter-group) need_value "$@"; parameter_group="$2"; shift 2 ;;
    --kms-key) need_value "$@"; kms_key="$2"; shift 2 ;;
    --instance-class) need_value "$@"; instance_class="$2"; shift 2 ;;
    --no-multi-az) multi_az="false"; shift ;;
    --region) need_value "$@"; region="$2"; shift 2 ;;
    --no-wait) wait=0; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# RDS instance identifiers: a letter, then letters, digits and single hyphens, at most 63, no trailing hyphen.
valid_identifier() {
  [[ "$1" =~ ^[a-z][a-z0-9-]{0,62}$ ]] && [[ "$1" != *--* ]] && [[ "$1" != *- ]]
}

modes=$(( (${#restore_time} > 0) + latest + (${#snapshot} > 0) ))
[ "$modes" -eq 1 ] || die "give exactly one of --time, --latest or --snapshot"
[ -n "$target_id" ] || die "--target is required (the new instance's identifier)"
valid_identifier "$target_id" || die "--target '$target_id' is not an RDS identifier (lowercase letters, digits and single hyphens, starting with a letter, at most 63)"
if [ -z "$snapshot" ]; then
  [ -n "$source_id" ] || die "--source is required for a point-in-time restore"
fi
if [ -n "$source_id" ]; then
  valid_identifier "$source_id" || die "--source '$source_id' is not an RDS identifier"
  [ "$source_id" != "$target_id" ] || die "--target must differ from --source (the restore makes a new instance; rename afterwards to cut over)"
fi
if [ -n "$restore_time" ]; then
  [[ "$restore_time" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] || die "--time '$restore_time' is not a UTC time such as 2026-11-22T03:15:00Z"
fi
if [ -n "$snapshot" ]; then
  [[ "$snapshot" =~ ^[A-Za-z][A-Za-z0-9:-]*$ ]] || die "--snapshot '$snapshot' is not a DB snapshot identifier or ARN"
fi
if [ -n "$security_groups" ]; then
  [[ "$security_groups" =~ ^sg-[0-9a-f]{8,17}(,sg-[0-9a-f]{8,17})*$ ]] || die "--security-groups '$security_groups' is not a comma-separated list of sg-... ids"
fi
if [ -n "$instance_class" ]; then
  [[ "$instance_class" =~ ^db\.[a-z][a-z0-9-]*\.[a-z0-9-]+$ ]] || die "--instance-class '$instance_class' is not an RDS class such as db.m7g.large"
fi

aws_cmd=(aws)
[ -z "$region" ] || aws_cmd+=(--region "$region")

# Read-only: runs in --dry-run too.
describe() {
  "${aws_cmd[@]}" rds describe-db-instances --db-instance-identifier "$1" --query "DBInstances[0].$2" --output text
}

# Changes something: printed (and not run) with --dry-run.
run() {
  if [ "$dry_run" -eq 1 ]; then
    printf '%q ' "${aws_cmd[@]}" "$@"
    printf '\n'
  else
    "${aws_cmd[@]}" "$@"
  fi
}

if [ -n "$source_id" ]; then
  [ -n "$subnet_group" ] || subnet_group=$(describe "$source_id" "DBSubnetGroup.DBSubnetGroupName")
  [ -n "$security_groups" ] || security_groups=$(describe "$source_id" "VpcSecurityGroups[].VpcSecurityGroupId | join(',', @)")
  [ -n "$parameter_group" ] || parameter_group=$(describe "$source_id" "DBParameterGroups[0].DBParameterGroupName")
  [ -n "$kms_key" ] || kms_key=$(describe "$source_id" "KmsKeyId")
  [ -n "$instance_class" ] || instance_class=$(describe "$source_id" "DBInstanceClass")
  [ -n "$multi_az" ] || multi_az=$(describe "$source_id" "MultiAZ" | tr '[:upper:]' '[:lower:]')
fi
for pair in "subnet-group:$subnet_group" "security-groups:$security_groups" "parameter-group:$parameter_group" "kms-key:$kms_key" "instance-class:$instance_class"; do
  if [ -z "${pair#*:}" ] || [ "${pair#*:}" = "None" ]; then die "--${pair%%:*} is required when --source does not supply it"; fi
done
[ -n "$multi_az" ] || multi_az="true"

IFS=',' read -r -a sg_ids <<<"$security_groups"
common=(
  --db-subnet-group-name "$subnet_group"
  --vpc-security-group-ids "${sg_ids[@]}"
  --db-parameter-group-name "$parameter_group"
  --db-instance-class "$instance_class"
  --storage-type gp3
  --no-publicly-accessible
  --copy-tags-to-snapshot
  --enable-cloudwatch-logs-exports postgresql upgrade
  --manage-master-user-password
  --master-user-secret-kms-key-id "$kms_key"
  --deletion-protection
)
if [ "$multi_az" = "true" ]; then common+=(--multi-az); else common+=(--no-multi-az); fi

if [ -n "$snapshot" ]; then
  # A snapshot keeps its KMS key; the new master secret uses --master-user-secret-kms-key-id.
  run rds restore-db-instance-from-db-snapshot --db-snapshot-identifier "$snapshot" --db-instance-identifier "$target_id" "${common[@]}"
else
  when=(--use-latest-restorable-time)
  [ -z "$restore_time" ] || when=(--restore-time "$restore_time")
  run rds restore-db-instance-to-point-in-time --source-db-instance-identifier "$source_id" --target-db-instance-identifier "$target_id" "${when[@]}" --kms-key-id "$kms_key" "${common[@]}"
fi

if [ "$wait" -eq 1 ]; then
  echo "rds-restore: waiting for $target_id to be available (often 10-30 minutes)..." >&2
  run rds wait db-instance-available --db-instance-identifier "$target_id"
fi

if [ "$dry_run" -eq 1 ]; then
  endpoint="<address of $target_id>"
  secret="<master secret ARN of $target_id>"
else
  endpoint=$(describe "$target_id" "Endpoint.Address")
  secret=$(describe "$target_id" "MasterUserSecret.SecretArn")
fi
old="${source_id:-<old instance>}"
cat <<EOF
Restored: $target_id
  endpoint: $endpoint:5432 (TLS required)
  master user secret: $secret

Next steps (docs/postgres.md, "On aws (RDS)"):
 1. Check the data: connect with the master secret's credentials, e.g. from a pod of the cluster
    (the security group admits the cluster's nodes): psql "postgresql://<user>@$endpoint:5432/<db>?sslmode=require".
 2. Cut over by name, so clients' hosts stay the same: stop writes, then
      aws rds modify-db-instance --db-instance-identifier $old --new-db-instance-identifier $old-old --apply-immediately
      aws rds modify-db-instance --db-instance-identifier $target_id --new-db-instance-identifier $old --apply-immediately
 3. Point Pulumi's state at the new instance (its id is the instance's resource id, which changed):
      pulumi state unprotect '<urn of the $old instance>'        # when the cluster has protect: true
      pulumi state delete '<urn of the $old instance>'
      pulumi import aws:rds/instance:Instance <pulumi name, e.g. $old> $old --parent '<urn of the PostgresCluster>' --protect
    then 'pulumi up': it updates the clients' ExternalSecrets to the new master secret (a new ARN)
    and shows any setting that differs. Read replicas still follow the old primary: replace them
    ('pulumi up --target-replace <urn of each replica>').
 4. When satisfied, delete the old instance (keep a final snapshot):
      aws rds modify-db-instance --db-instance-identifier $old-old --no-deletion-protection --apply-immediately
      aws rds delete-db-instance --db-instance-identifier $old-old --final-db-snapshot-identifier $old-old-final
EOF
