/**
 * The ranges of PostgreSQL's numeric settings, in each setting's own unit (settings-names.ts):
 * `name min max`, from `postgres --describe-config` of PostgreSQL 15 (Debian). A value outside its
 * range makes the server refuse to start ("configuration file contains errors"), so keel refuses
 * it first. Settings new in 16 and extensions' settings have no entry (not range-checked).
 */
const TABLE = `
archive_timeout 0 1073741823
authentication_timeout 1 600
autovacuum_analyze_scale_factor 0 100
autovacuum_analyze_threshold 0 2147483647
autovacuum_freeze_max_age 100000 2000000000
autovacuum_max_workers 1 262143
autovacuum_multixact_freeze_max_age 10000 2000000000
autovacuum_naptime 1 2147483
autovacuum_vacuum_cost_delay -1 100
autovacuum_vacuum_cost_limit -1 10000
autovacuum_vacuum_insert_scale_factor 0 100
autovacuum_vacuum_insert_threshold -1 2147483647
autovacuum_vacuum_scale_factor 0 100
autovacuum_vacuum_threshold 0 2147483647
autovacuum_work_mem -1 2147483647
backend_flush_after 0 256
bgwriter_delay 10 10000
bgwriter_flush_after 0 256
bgwriter_lru_maxpages 0 1073741823
bgwriter_lru_multiplier 0 10
checkpoint_completion_target 0 1
checkpoint_flush_after 0 256
checkpoint_timeout 30 86400
checkpoint_warning 0 2147483647
client_connection_check_interval 0 2147483647
commit_delay 0 100000
commit_siblings 0 1000
cpu_index_tuple_cost 0 1.79769e+308
cpu_operator_cost 0 1.79769e+308
cpu_tuple_cost 0 1.79769e+308
cursor_tuple_fraction 0 1
deadlock_timeout 1 2147483647
default_statistics_target 1 10000
effective_cache_size 1 2147483647
effective_io_concurrency 0 1000
extra_float_digits -15 3
from_collapse_limit 1 2147483647
geqo_effort 1 10
geqo_generations 0 2147483647
geqo_pool_size 0 2147483647
geqo_seed 0 1
geqo_selection_bias 1.5 2
geqo_threshold 2 2147483647
gin_fuzzy_search_limit 0 2147483647
gin_pending_list_limit 64 2147483647
hash_mem_multiplier 1 1000
huge_page_size 0 2147483647
idle_in_transaction_session_timeout 0 2147483647
idle_session_timeout 0 2147483647
jit_above_cost -1 1.79769e+308
jit_inline_above_cost -1 1.79769e+308
jit_optimize_above_cost -1 1.79769e+308
join_collapse_limit 1 2147483647
lock_timeout 0 2147483647
log_autovacuum_min_duration -1 2147483647
log_file_mode 0 511
log_min_duration_sample -1 2147483647
log_min_duration_statement -1 2147483647
log_parameter_max_length -1 1073741823
log_parameter_max_length_on_error -1 1073741823
log_rotation_age 0 35791394
log_rotation_size 0 2097151
log_startup_progress_interval 0 2147483647
log_statement_sample_rate 0 1
log_temp_files -1 2147483647
log_transaction_sample_rate 0 1
logical_decoding_work_mem 64 2147483647
maintenance_io_concurrency 0 1000
maintenance_work_mem 1024 2147483647
max_connections 1 262143
max_files_per_process 64 2147483647
max_locks_per_transaction 10 2147483647
max_logical_replication_workers 0 262143
max_parallel_maintenance_workers 0 1024
max_parallel_workers 0 1024
max_parallel_workers_per_gather 0 1024
max_pred_locks_per_page 0 2147483647
max_pred_locks_per_relation -2147483648 2147483647
max_pred_locks_per_transaction 10 2147483647
max_prepared_transactions 0 262143
max_replication_slots 0 262143
max_slot_wal_keep_size -1 2147483647
max_stack_depth 100 2147483647
max_standby_archive_delay -1 2147483647
max_standby_streaming_delay -1 2147483647
max_sync_workers_per_subscription 0 262143
max_wal_senders 0 262143
max_wal_size 2 2147483647
max_worker_processes 0 262143
min_dynamic_shared_memory 0 2147483647
min_parallel_index_scan_size 0 715827882
min_parallel_table_scan_size 0 715827882
min_wal_size 2 2147483647
old_snapshot_threshold -1 86400
parallel_setup_cost 0 1.79769e+308
parallel_tuple_cost 0 1.79769e+308
port 1 65535
random_page_cost 0 1.79769e+308
recovery_min_apply_delay 0 2147483647
recursive_worktable_factor 0.001 1e+06
seq_page_cost 0 1.79769e+308
shared_buffers 16 1073741823
statement_timeout 0 2147483647
superuser_reserved_connections 0 262143
tcp_keepalives_count 0 2147483647
tcp_keepalives_idle 0 2147483647
tcp_keepalives_interval 0 2147483647
tcp_user_timeout 0 2147483647
temp_buffers 100 1073741823
temp_file_limit -1 2147483647
track_activity_query_size 100 1048576
unix_socket_permissions 0 511
vacuum_cost_delay 0 100
vacuum_cost_limit 1 10000
vacuum_cost_page_dirty 0 10000
vacuum_cost_page_hit 0 10000
vacuum_cost_page_miss 0 10000
vacuum_defer_cleanup_age 0 1000000
vacuum_failsafe_age 0 2100000000
vacuum_freeze_min_age 0 1000000000
vacuum_freeze_table_age 0 2000000000
vacuum_multixact_failsafe_age 0 2100000000
vacuum_multixact_freeze_min_age 0 1000000000
vacuum_multixact_freeze_table_age 0 2000000000
wal_buffers -1 262143
wal_decode_buffer_size 65536 1073741823
wal_keep_size 0 2147483647
wal_receiver_status_interval 0 2147483
wal_receiver_timeout 0 2147483647
wal_retrieve_retry_interval 1 2147483647
wal_sender_timeout 0 2147483647
wal_skip_threshold 0 2147483647
wal_writer_delay 1 10000
wal_writer_flush_after 0 2147483647
work_mem 64 2147483647
`;

/** [min, max] of a numeric setting, in its unit. */
export const PG_SETTING_RANGES: ReadonlyMap<string, readonly [number, number]> = new Map(
  TABLE.trim()
    .split("\n")
    .map((line) => {
      const [name, min, max] = line.split(" ");
      return [name, [Number(min), Number(max)]] as const;
    }),
);
