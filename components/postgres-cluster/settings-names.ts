/**
 * Every parameter of PostgreSQL 16, the major keel deploys (postgres:16 images): name, type,
 * context, unit and enum values. Taken from pg_settings of PostgreSQL 15 (Debian 15, with
 * pg_stat_statements loaded, as keel's shared_preload_libraries does) and brought to 16 with its
 * release notes: added createrole_self_grant, debug_io_direct, debug_logical_replication_streaming,
 * debug_parallel_query, enable_presorted_aggregate, gss_accept_delegation, icu_validation_level,
 * max_parallel_apply_workers_per_subscription, reserved_connections, scram_iterations,
 * send_abort_for_crash, send_abort_for_kill, vacuum_buffer_usage_limit; removed
 * force_parallel_mode (now debug_parallel_query), promote_trigger_file, vacuum_defer_cleanup_age,
 * lc_collate, lc_ctype. Regenerate: `postgres --describe-config`, or
 * `SELECT name, vartype, context, unit, enumvals FROM pg_settings` on a 16 server.
 */

export type PgSettingType = "bool" | "integer" | "real" | "string" | "enum";
/** When a setting may change: `internal` ones are read-only (compiled in or fixed at initdb). */
export type PgSettingContext = "internal" | "postmaster" | "sighup" | "superuser-backend" | "backend" | "superuser" | "user";

export interface PgSetting {
  readonly name: string;
  readonly type: PgSettingType;
  readonly context: PgSettingContext;
  /** The unit a bare number is in: B, kB, 8kB, MB (memory) or ms, s, min (time). */
  readonly unit?: string;
  /** The accepted values of an enum (case-insensitive). */
  readonly values?: readonly string[];
}

// name type context unit values ("-": none; values separated by '|')
const TABLE = `
DateStyle string user - -
IntervalStyle enum user - postgres|postgres_verbose|sql_standard|iso_8601
TimeZone string user - -
allow_in_place_tablespaces bool superuser - -
allow_system_table_mods bool superuser - -
application_name string user - -
archive_cleanup_command string sighup - -
archive_command string sighup - -
archive_library string sighup - -
archive_mode enum postmaster - always|on|off
archive_timeout integer sighup s -
array_nulls bool user - -
authentication_timeout integer sighup s -
autovacuum bool sighup - -
autovacuum_analyze_scale_factor real sighup - -
autovacuum_analyze_threshold integer sighup - -
autovacuum_freeze_max_age integer postmaster - -
autovacuum_max_workers integer postmaster - -
autovacuum_multixact_freeze_max_age integer postmaster - -
autovacuum_naptime integer sighup s -
autovacuum_vacuum_cost_delay real sighup ms -
autovacuum_vacuum_cost_limit integer sighup - -
autovacuum_vacuum_insert_scale_factor real sighup - -
autovacuum_vacuum_insert_threshold integer sighup - -
autovacuum_vacuum_scale_factor real sighup - -
autovacuum_vacuum_threshold integer sighup - -
autovacuum_work_mem integer sighup kB -
backend_flush_after integer user 8kB -
backslash_quote enum user - safe_encoding|on|off
backtrace_functions string superuser - -
bgwriter_delay integer sighup ms -
bgwriter_flush_after integer sighup 8kB -
bgwriter_lru_maxpages integer sighup - -
bgwriter_lru_multiplier real sighup - -
block_size integer internal - -
bonjour bool postmaster - -
bonjour_name string postmaster - -
bytea_output enum user - escape|hex
check_function_bodies bool user - -
checkpoint_completion_target real sighup - -
checkpoint_flush_after integer sighup 8kB -
checkpoint_timeout integer sighup s -
checkpoint_warning integer sighup s -
client_connection_check_interval integer user ms -
client_encoding string user - -
client_min_messages enum user - debug5|debug4|debug3|debug2|debug1|log|notice|warning|error
cluster_name string postmaster - -
commit_delay integer superuser - -
commit_siblings integer user - -
compute_query_id enum superuser - auto|regress|on|off
config_file string postmaster - -
constraint_exclusion enum user - partition|on|off
cpu_index_tuple_cost real user - -
cpu_operator_cost real user - -
cpu_tuple_cost real user - -
createrole_self_grant string user - -
cursor_tuple_fraction real user - -
data_checksums bool internal - -
data_directory string postmaster - -
data_directory_mode integer internal - -
data_sync_retry bool postmaster - -
db_user_namespace bool sighup - -
deadlock_timeout integer superuser ms -
debug_assertions bool internal - -
debug_discard_caches integer superuser - -
debug_io_direct string postmaster - -
debug_logical_replication_streaming enum user - buffered|immediate
debug_parallel_query enum user - off|on|regress
debug_pretty_print bool user - -
debug_print_parse bool user - -
debug_print_plan bool user - -
debug_print_rewritten bool user - -
default_statistics_target integer user - -
default_table_access_method string user - -
default_tablespace string user - -
default_text_search_config string user - -
default_toast_compression enum user - pglz|lz4
default_transaction_deferrable bool user - -
default_transaction_isolation enum user - serializable|repeatable read|read committed|read uncommitted
default_transaction_read_only bool user - -
dynamic_library_path string superuser - -
dynamic_shared_memory_type enum postmaster - posix|sysv|mmap
effective_cache_size integer user 8kB -
effective_io_concurrency integer user - -
enable_async_append bool user - -
enable_bitmapscan bool user - -
enable_gathermerge bool user - -
enable_hashagg bool user - -
enable_hashjoin bool user - -
enable_incremental_sort bool user - -
enable_indexonlyscan bool user - -
enable_indexscan bool user - -
enable_material bool user - -
enable_memoize bool user - -
enable_mergejoin bool user - -
enable_nestloop bool user - -
enable_parallel_append bool user - -
enable_parallel_hash bool user - -
enable_partition_pruning bool user - -
enable_partitionwise_aggregate bool user - -
enable_partitionwise_join bool user - -
enable_presorted_aggregate bool user - -
enable_seqscan bool user - -
enable_sort bool user - -
enable_tidscan bool user - -
escape_string_warning bool user - -
event_source string postmaster - -
exit_on_error bool user - -
extension_destdir string superuser - -
external_pid_file string postmaster - -
extra_float_digits integer user - -
from_collapse_limit integer user - -
fsync bool sighup - -
full_page_writes bool sighup - -
geqo bool user - -
geqo_effort integer user - -
geqo_generations integer user - -
geqo_pool_size integer user - -
geqo_seed real user - -
geqo_selection_bias real user - -
geqo_threshold integer user - -
gin_fuzzy_search_limit integer user - -
gin_pending_list_limit integer user kB -
gss_accept_delegation bool sighup - -
hash_mem_multiplier real user - -
hba_file string postmaster - -
hot_standby bool postmaster - -
hot_standby_feedback bool sighup - -
huge_page_size integer postmaster kB -
huge_pages enum postmaster - off|on|try
icu_validation_level enum user - disabled|debug5|debug4|debug3|debug2|debug1|log|notice|warning|error
ident_file string postmaster - -
idle_in_transaction_session_timeout integer user ms -
idle_session_timeout integer user ms -
ignore_checksum_failure bool superuser - -
ignore_invalid_pages bool postmaster - -
ignore_system_indexes bool backend - -
in_hot_standby bool internal - -
integer_datetimes bool internal - -
jit bool user - -
jit_above_cost real user - -
jit_debugging_support bool superuser-backend - -
jit_dump_bitcode bool superuser - -
jit_expressions bool user - -
jit_inline_above_cost real user - -
jit_optimize_above_cost real user - -
jit_profiling_support bool superuser-backend - -
jit_provider string postmaster - -
jit_tuple_deforming bool user - -
join_collapse_limit integer user - -
krb_caseins_users bool sighup - -
krb_server_keyfile string sighup - -
lc_messages string superuser - -
lc_monetary string user - -
lc_numeric string user - -
lc_time string user - -
listen_addresses string postmaster - -
lo_compat_privileges bool superuser - -
local_preload_libraries string user - -
lock_timeout integer user ms -
log_autovacuum_min_duration integer sighup ms -
log_checkpoints bool sighup - -
log_connections bool superuser-backend - -
log_destination string sighup - -
log_directory string sighup - -
log_disconnections bool superuser-backend - -
log_duration bool superuser - -
log_error_verbosity enum superuser - terse|default|verbose
log_executor_stats bool superuser - -
log_file_mode integer sighup - -
log_filename string sighup - -
log_hostname bool sighup - -
log_line_prefix string sighup - -
log_lock_waits bool superuser - -
log_min_duration_sample integer superuser ms -
log_min_duration_statement integer superuser ms -
log_min_error_statement enum superuser - debug5|debug4|debug3|debug2|debug1|info|notice|warning|error|log|fatal|panic
log_min_messages enum superuser - debug5|debug4|debug3|debug2|debug1|info|notice|warning|error|log|fatal|panic
log_parameter_max_length integer superuser B -
log_parameter_max_length_on_error integer user B -
log_parser_stats bool superuser - -
log_planner_stats bool superuser - -
log_recovery_conflict_waits bool sighup - -
log_replication_commands bool superuser - -
log_rotation_age integer sighup min -
log_rotation_size integer sighup kB -
log_startup_progress_interval integer sighup ms -
log_statement enum superuser - none|ddl|mod|all
log_statement_sample_rate real superuser - -
log_statement_stats bool superuser - -
log_temp_files integer superuser kB -
log_timezone string sighup - -
log_transaction_sample_rate real superuser - -
log_truncate_on_rotation bool sighup - -
logging_collector bool postmaster - -
logical_decoding_work_mem integer user kB -
maintenance_io_concurrency integer user - -
maintenance_work_mem integer user kB -
max_connections integer postmaster - -
max_files_per_process integer postmaster - -
max_function_args integer internal - -
max_identifier_length integer internal - -
max_index_keys integer internal - -
max_locks_per_transaction integer postmaster - -
max_logical_replication_workers integer postmaster - -
max_parallel_apply_workers_per_subscription integer sighup - -
max_parallel_maintenance_workers integer user - -
max_parallel_workers integer user - -
max_parallel_workers_per_gather integer user - -
max_pred_locks_per_page integer sighup - -
max_pred_locks_per_relation integer sighup - -
max_pred_locks_per_transaction integer postmaster - -
max_prepared_transactions integer postmaster - -
max_replication_slots integer postmaster - -
max_slot_wal_keep_size integer sighup MB -
max_stack_depth integer superuser kB -
max_standby_archive_delay integer sighup ms -
max_standby_streaming_delay integer sighup ms -
max_sync_workers_per_subscription integer sighup - -
max_wal_senders integer postmaster - -
max_wal_size integer sighup MB -
max_worker_processes integer postmaster - -
min_dynamic_shared_memory integer postmaster MB -
min_parallel_index_scan_size integer user 8kB -
min_parallel_table_scan_size integer user 8kB -
min_wal_size integer sighup MB -
old_snapshot_threshold integer postmaster min -
parallel_leader_participation bool user - -
parallel_setup_cost real user - -
parallel_tuple_cost real user - -
password_encryption enum user - md5|scram-sha-256
pg_stat_statements.max integer postmaster - -
pg_stat_statements.save bool sighup - -
pg_stat_statements.track enum superuser - none|top|all
pg_stat_statements.track_planning bool superuser - -
pg_stat_statements.track_utility bool superuser - -
plan_cache_mode enum user - auto|force_generic_plan|force_custom_plan
port integer postmaster - -
post_auth_delay integer backend s -
pre_auth_delay integer sighup s -
primary_conninfo string sighup - -
primary_slot_name string sighup - -
quote_all_identifiers bool user - -
random_page_cost real user - -
recovery_end_command string sighup - -
recovery_init_sync_method enum sighup - fsync|syncfs
recovery_min_apply_delay integer sighup ms -
recovery_prefetch enum sighup - off|on|try
recovery_target string postmaster - -
recovery_target_action enum postmaster - pause|promote|shutdown
recovery_target_inclusive bool postmaster - -
recovery_target_lsn string postmaster - -
recovery_target_name string postmaster - -
recovery_target_time string postmaster - -
recovery_target_timeline string postmaster - -
recovery_target_xid string postmaster - -
recursive_worktable_factor real user - -
remove_temp_files_after_crash bool sighup - -
reserved_connections integer postmaster - -
restart_after_crash bool sighup - -
restore_command string sighup - -
restrict_nonsystem_relation_kind string user - -
row_security bool user - -
scram_iterations integer user - -
search_path string user - -
segment_size integer internal 8kB -
send_abort_for_crash bool sighup - -
send_abort_for_kill bool sighup - -
seq_page_cost real user - -
server_encoding string internal - -
server_version string internal - -
server_version_num integer internal - -
session_preload_libraries string superuser - -
session_replication_role enum superuser - origin|replica|local
shared_buffers integer postmaster 8kB -
shared_memory_size integer internal MB -
shared_memory_size_in_huge_pages integer internal - -
shared_memory_type enum postmaster - sysv|mmap
shared_preload_libraries string postmaster - -
ssl bool sighup - -
ssl_ca_file string sighup - -
ssl_cert_file string sighup - -
ssl_ciphers string sighup - -
ssl_crl_dir string sighup - -
ssl_crl_file string sighup - -
ssl_dh_params_file string sighup - -
ssl_ecdh_curve string sighup - -
ssl_key_file string sighup - -
ssl_library string internal - -
ssl_max_protocol_version enum sighup - |TLSv1|TLSv1.1|TLSv1.2|TLSv1.3
ssl_min_protocol_version enum sighup - TLSv1|TLSv1.1|TLSv1.2|TLSv1.3
ssl_passphrase_command string sighup - -
ssl_passphrase_command_supports_reload bool sighup - -
ssl_prefer_server_ciphers bool sighup - -
standard_conforming_strings bool user - -
statement_timeout integer user ms -
stats_fetch_consistency enum user - none|cache|snapshot
superuser_reserved_connections integer postmaster - -
synchronize_seqscans bool user - -
synchronous_commit enum user - local|remote_write|remote_apply|on|off
synchronous_standby_names string sighup - -
syslog_facility enum sighup - local0|local1|local2|local3|local4|local5|local6|local7
syslog_ident string sighup - -
syslog_sequence_numbers bool sighup - -
syslog_split_messages bool sighup - -
tcp_keepalives_count integer user - -
tcp_keepalives_idle integer user s -
tcp_keepalives_interval integer user s -
tcp_user_timeout integer user ms -
temp_buffers integer user 8kB -
temp_file_limit integer superuser kB -
temp_tablespaces string user - -
timezone_abbreviations string user - -
trace_notify bool user - -
trace_recovery_messages enum sighup - debug5|debug4|debug3|debug2|debug1|log|notice|warning|error
trace_sort bool user - -
track_activities bool superuser - -
track_activity_query_size integer postmaster B -
track_commit_timestamp bool postmaster - -
track_counts bool superuser - -
track_functions enum superuser - none|pl|all
track_io_timing bool superuser - -
track_wal_io_timing bool superuser - -
transaction_deferrable bool user - -
transaction_isolation enum user - serializable|repeatable read|read committed|read uncommitted
transaction_read_only bool user - -
transform_null_equals bool user - -
unix_socket_directories string postmaster - -
unix_socket_group string postmaster - -
unix_socket_permissions integer postmaster - -
update_process_title bool superuser - -
vacuum_buffer_usage_limit integer user kB -
vacuum_cost_delay real user ms -
vacuum_cost_limit integer user - -
vacuum_cost_page_dirty integer user - -
vacuum_cost_page_hit integer user - -
vacuum_cost_page_miss integer user - -
vacuum_failsafe_age integer user - -
vacuum_freeze_min_age integer user - -
vacuum_freeze_table_age integer user - -
vacuum_multixact_failsafe_age integer user - -
vacuum_multixact_freeze_min_age integer user - -
vacuum_multixact_freeze_table_age integer user - -
wal_block_size integer internal - -
wal_buffers integer postmaster 8kB -
wal_compression enum superuser - pglz|lz4|zstd|on|off
wal_consistency_checking string superuser - -
wal_decode_buffer_size integer postmaster B -
wal_init_zero bool superuser - -
wal_keep_size integer sighup MB -
wal_level enum postmaster - minimal|replica|logical
wal_log_hints bool postmaster - -
wal_receiver_create_temp_slot bool sighup - -
wal_receiver_status_interval integer sighup s -
wal_receiver_timeout integer sighup ms -
wal_recycle bool superuser - -
wal_retrieve_retry_interval integer sighup ms -
wal_segment_size integer internal B -
wal_sender_timeout integer user ms -
wal_skip_threshold integer user kB -
wal_sync_method enum sighup - fsync|fdatasync|open_sync|open_datasync
wal_writer_delay integer sighup ms -
wal_writer_flush_after integer sighup 8kB -
work_mem integer user kB -
xmlbinary enum user - base64|hex
xmloption enum user - content|document
zero_damaged_pages bool superuser - -
`;

/** By lowercase name (PostgreSQL's names are case-insensitive; DateStyle is datestyle). */
export const PG_SETTINGS: ReadonlyMap<string, PgSetting> = new Map(
  TABLE.trim()
    .split("\n")
    .map((line) => {
      const [name, type, context, unit, values] = line.split(" ");
      const setting: PgSetting = { name, type: type as PgSettingType, context: context as PgSettingContext, unit: unit === "-" ? undefined : unit, values: values === "-" ? undefined : values.split("|") };
      return [name.toLowerCase(), setting] as const;
    }),
);
