#!/usr/bin/env bash
# Entrypoint of the PostgreSQL containers in docker-compose.yaml, and the switch for a running
# compose cluster. Every step is a function of cluster/pg-functions.sh (mounted at /cluster), the
# same ones bin/cluster runs locally: this file only wires them to the container.
#
#   pg-node.sh primary            first start: initdb, roles, slots; every start: PG_SYNC_MODE
#                                 if set; then the server in the foreground
#   pg-node.sh replica            first start: wait for the primary, pg_basebackup -R -X stream
#                                 through slot PG_NODE_NAME; then the hot standby in the foreground
#   pg-node.sh sync async|quorum  switch the commit mode (on the primary; reload, no restart)
#   pg-node.sh status             the primary's view of its standbys
#   pg-node.sh positions          a standby's receive/replay WAL positions (pick the freshest)
#   pg-node.sh promote [MODE]     promote this standby, keeping the commit mode (default async)
#   pg-node.sh slot NAME          create the physical slot NAME on this (new) primary
#   pg-node.sh follow HOST        repoint this standby to the primary at HOST (reload, no restart)
#
#   docker compose exec primary bash /docker/pg-node.sh sync quorum
#
# Runs as the 'postgres' user (compose: user: postgres). Environment: PG_NODE_NAME (replicas),
# PG_PRIMARY_HOST (primary), PG_PRIMARY_PORT and PG_PORT (5432), PG_NODE_DIR
# (/var/lib/postgresql/data), and the settings of cluster/pg-functions.sh.
set -Eeuo pipefail

# shellcheck source=cluster/pg-functions.sh source-path=SCRIPTDIR/..
source "${PG_FUNCTIONS:-/cluster/pg-functions.sh}"

# The node directory is the image's data volume; PGDATA is NODE/data, as in every node.
NODE="${PG_NODE_DIR:-/var/lib/postgresql/data}"
PORT="${PG_PORT:-5432}"

# wait_primary SECONDS: until the primary accepts connections (compose's depends_on covers the
# first 'up'; this covers a replica restarted on its own).
wait_primary() {
	local i
	for ((i = 0; i < $1; i++)); do
		pg_isready -q -h "$PG_PRIMARY_HOST" -p "$PG_PRIMARY_PORT" && return 0
		sleep 1
	done
	pg_die "primary $PG_PRIMARY_HOST:$PG_PRIMARY_PORT is not ready after $1 s"
}

run_primary() {
	local listen="$PG_LISTEN"
	# Until it is initialised and in its start-up mode the server listens on its private socket
	# only, like the official image's temporary server: no client, and no healthcheck, sees it
	# half-made.
	PG_LISTEN=''
	node_write_conf "$NODE" "$PORT" primary
	node_init_primary "$NODE" "$PORT" primary
	if [ -n "${PG_SYNC_MODE:-}" ]; then
		node_start "$NODE"
		cluster_apply_start_sync_mode "$NODE"
	fi
	node_stop "$NODE"
	PG_LISTEN="$listen"
	node_write_conf "$NODE" "$PORT" primary
	node_exec "$NODE"
}

run_replica() {
	local name="${PG_NODE_NAME:?PG_NODE_NAME (replica1, replica2) is required}"
	if [ ! -s "$NODE/data/PG_VERSION" ]; then wait_primary 120; fi
	node_clone_replica "$NODE" "$PORT" "$name" "$PG_PRIMARY_HOST" "$PG_PRIMARY_PORT"
	node_write_conf "$NODE" "$PORT" "$name"
	node_exec "$NODE"
}

main() {
	pg_setup_env
	: "${PG_PRIMARY_HOST:=primary}" "${PG_PRIMARY_PORT:=$PORT}"
	case "${1:-}" in
		primary) run_primary ;;
		replica) run_replica ;;
		sync) cluster_set_sync_mode "$NODE" "${2:?usage: pg-node.sh sync async|quorum}" ;;
		status) cluster_status "$NODE" ;;
		positions) node_wal_positions "$NODE" ;;
		promote)
			# Quorum names: the other nodes, so the new primary waits for a standby that exists.
			local others
			# shellcheck disable=SC2086 # PG_REPLICA_NAMES is a list
			mapfile -t others < <(names_except "$(node_name "$NODE")" primary $PG_REPLICA_NAMES)
			node_write_sync_mode "$NODE" "${2:-async}" "${others[@]}"
			node_promote "$NODE" ;;
		slot) node_ensure_slot "$NODE" "${2:?usage: pg-node.sh slot NAME}" ;;
		follow) node_follow "$NODE" "${2:?usage: pg-node.sh follow HOST}" "$PG_PRIMARY_PORT" ;;
		*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
}

main "$@"
