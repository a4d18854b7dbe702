#!/usr/bin/env bash
# shellcheck shell=bash
#
# The commit mode of a node (async, or quorum: ANY 1 of the standbys) and the primary's view of its
# standbys. Part of cluster/pg-functions.sh: source that file, not this one.

# wait_streaming PRIMARY_NODE COUNT SECONDS: until COUNT standbys stream from the primary.
wait_streaming() {
	# A deadline, not a count of tries: each try may take PGCONNECT_TIMEOUT on a hung server.
	local node="$1" want="$2" deadline=$((SECONDS + $3)) n
	while :; do
		n="$(psql_admin "$node" -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")"
		[ "$n" -ge "$want" ] && return 0
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.1
	done
	pg_die "only $n of $want standbys are streaming after $3 s"
}

# cluster_set_sync_mode PRIMARY_NODE async|quorum [STANDBY_NAME...]: commit mode of the running
# primary, applied by reload (no restart). The standbys that count are the given names, else
# PG_REPLICA_NAMES (after a failover, every node but the new primary).
#   async   every commit returns after the local WAL flush
#   quorum  synchronous_standby_names = 'ANY 1 (<standbys>)': a commit waits until at least one
#           standby has flushed its WAL, so losing the primary loses no acknowledged commit
cluster_set_sync_mode() {
	# ALTER SYSTEM would succeed on a standby too, and change nothing that matters now.
	[ "$(psql_admin "$1" -c 'SELECT pg_is_in_recovery()')" = f ] \
		|| pg_die "$1 is a standby: switch the mode on the primary"
	node_write_sync_mode "$@"
}

# node_write_sync_mode NODE async|quorum [STANDBY_NAME...]: the settings behind
# cluster_set_sync_mode, without its check: a failover writes them on the standby it is about to
# promote, so that the new primary never acknowledges a commit in a weaker mode.
node_write_sync_mode() {
	local node="$1" mode="$2" names
	shift 2
	names="$(sync_standby_names "$mode" "$@")" || exit 1
	psql_admin "$node" -v names="$names" >/dev/null <<-'EOF'
		ALTER SYSTEM SET synchronous_standby_names = :'names';
		ALTER SYSTEM SET synchronous_commit = 'on';
		SELECT pg_reload_conf();
	EOF
	pg_log "sync mode: $mode${names:+ ($names)}"
}

# sync_standby_names async|quorum [STANDBY_NAME...]: the synchronous_standby_names of a mode: empty
# for async; for quorum 'ANY 1 (<standbys>)', the given names, else PG_REPLICA_NAMES.
sync_standby_names() {
	local mode="$1" names standbys
	shift
	read -ra standbys <<<"${*:-$PG_REPLICA_NAMES}"
	case "$mode" in
		async) names="" ;;
		quorum) printf -v names '%s, ' "${standbys[@]}"; names="ANY 1 (${names%, })" ;;
		*) pg_die "sync mode must be 'async' or 'quorum', not '$mode'" ;;
	esac
	printf '%s' "$names"
}

# node_sync_mode NODE: async or quorum, as NODE's own synchronous_standby_names says. On a standby it
# is the mode it keeps when it is promoted (cluster_sync writes it on every standby).
node_sync_mode() {
	if [ -n "$(psql_admin "$1" -c 'SHOW synchronous_standby_names')" ]; then echo quorum; else echo async; fi
}

# cluster_apply_start_sync_mode PRIMARY_NODE: the start-up switch. PG_SYNC_MODE when it is set;
# unset keeps the mode the cluster was last switched to (ALTER SYSTEM persists it in PGDATA).
# The standbys that count are every node but this one (after a failover it is not 'primary').
cluster_apply_start_sync_mode() {
	local others
	[ -n "${PG_SYNC_MODE:-}" ] || return 0
	mapfile -t others < <(cluster_others "$(node_name "$1")")
	cluster_set_sync_mode "$1" "$PG_SYNC_MODE" "${others[@]}"
}

# cluster_status PRIMARY_NODE: from the primary, one line per standby: application_name, state,
# sync_state and the lag in bytes of what was sent, flushed and replayed.
cluster_status() {
	printf 'synchronous_standby_names = %s\n' "'$(psql_admin "$1" -c 'SHOW synchronous_standby_names')'"
	psql_admin "$1" -P tuples_only=off -P format=aligned -P footer=off -c "
		SELECT application_name, state, sync_state,
		       pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn)   AS sent_lag_bytes,
		       pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn)  AS flush_lag_bytes,
		       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS replay_lag_bytes
		  FROM pg_stat_replication ORDER BY application_name"
}
