#!/usr/bin/env bash
# shellcheck shell=bash
#
# Cluster operations for PostgreSQL streaming replication, one small function per step.
#
# This file is the single implementation of those steps. Source it; do not copy from it:
#   bin/cluster            local processes (machines without Docker)
#   docker/*.sh            the compose containers
#   bin/compose-cluster    the compose cluster from the host (docker compose exec)
#   the Java tests         through bin/cluster
#   the failover drill     through bin/cluster or bin/compose-cluster
#
#   source cluster/pg-functions.sh
#   pg_setup_env
#   node_init_primary /path/to/node 15432
#
# Layout of a node directory ("NODE"):
#   NODE/data        PGDATA
#   NODE/node.conf   settings that belong to this node, not to the cluster (port, listen
#                    address, name). postgresql.conf includes it by relative path, and it lives
#                    outside PGDATA on purpose: pg_basebackup and pg_rewind copy PGDATA from
#                    another node, and must not carry that node's port along.
#   NODE/sock        unix socket directory (0700): the owner's administrative channel
#   NODE/postgres.log
#
# Settings come from the environment (each secret also as *_FILE, like the official image):
#   PG_DATABASE (socialnet)  PG_USER (socialnet)  PG_PASSWORD (socialnet)
#   PG_SUPERUSER_PASSWORD (postgres)
#   PG_REPLICATION_USER (replicator)  PG_REPLICATION_PASSWORD (replicator)
#   PG_LISTEN (127.0.0.1)    PG_HBA_NET (127.0.0.1/32; compose uses samenet)
#   PG_REPLICA_NAMES ("replica1 replica2")  standbys the primary makes slots for
#   PG_SYNC_MODE (async | quorum)            commit mode at start-up; unset: async at init, and
#                                            later starts keep the mode last switched to

# pg_log MESSAGE...: progress on stderr, so stdout stays machine-readable.
pg_log() { printf '%s [pg] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# pg_die MESSAGE...: refuse loudly and stop.
pg_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# file_env VAR [DEFAULT]: VAR from VAR or VAR_FILE (not both), else DEFAULT.
file_env() {
	local var="$1" def="${2:-}" fvar="${1}_FILE"
	local val="$def"
	if [ -n "${!var:-}" ] && [ -n "${!fvar:-}" ]; then
		pg_die "both $var and $fvar are set (but are exclusive)"
	fi
	if [ -n "${!var:-}" ]; then
		val="${!var}"
	elif [ -n "${!fvar:-}" ]; then
		val="$(< "${!fvar}")"
	fi
	export "$var"="$val"
	unset "$fvar"
}

# pg_setup_env: read every setting once, with its default; find the server binaries.
pg_setup_env() {
	file_env PG_PASSWORD socialnet
	file_env PG_SUPERUSER_PASSWORD postgres
	file_env PG_REPLICATION_PASSWORD replicator
	: "${PG_DATABASE:=socialnet}" "${PG_USER:=socialnet}" "${PG_REPLICATION_USER:=replicator}"
	: "${PG_LISTEN:=127.0.0.1}" "${PG_HBA_NET:=127.0.0.1/32}"
	: "${PG_REPLICA_NAMES:=replica1 replica2}"
	export PG_DATABASE PG_USER PG_REPLICATION_USER PG_LISTEN PG_HBA_NET PG_REPLICA_NAMES
	case "${PG_SYNC_MODE:-}" in
		'' | async | quorum) ;;
		*) pg_die "PG_SYNC_MODE must be 'async' or 'quorum' (or unset), not '$PG_SYNC_MODE'" ;;
	esac
	local ident='^[a-z_][a-z0-9_]*$'
	for v in "$PG_DATABASE" "$PG_USER" "$PG_REPLICATION_USER" $PG_REPLICA_NAMES; do
		[[ "$v" =~ $ident ]] || pg_die "'$v' is not a plain lower-case SQL identifier"
	done
	for v in PG_PASSWORD PG_SUPERUSER_PASSWORD PG_REPLICATION_PASSWORD; do
		[ -n "${!v}" ] || pg_die "$v is empty; a role without a password cannot log in over TCP"
	done
	PG_BINDIR="$(pg_find_bindir)" || pg_die "PostgreSQL server binaries not found: run bin/install-deps (or put initdb on PATH)"
	export PG_BINDIR
}

# pg_find_bindir: directory holding initdb/pg_ctl: PATH, then pg_config, then /usr/lib/postgresql/*.
pg_find_bindir() {
	local d
	# readlink: a symlinked initdb (/usr/local/bin/initdb, say) points at the real bindir,
	# where pg_basebackup, pg_rewind and pgbench sit beside it.
	if d="$(command -v initdb 2>/dev/null)" && [ -n "$d" ]; then dirname "$(readlink -f "$d")"; return; fi
	if command -v pg_config >/dev/null 2>&1; then
		d="$(pg_config --bindir 2>/dev/null)"
		if [ -x "$d/initdb" ]; then echo "$d"; return; fi
	fi
	for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
		if [ -x "$d/initdb" ]; then echo "$d"; return; fi
	done
	return 1
}

# pg_as_owner CMD...: run CMD as the OS user that owns the servers. PostgreSQL refuses to run
# as root, so root hands the work to the 'postgres' user; anyone else runs it as themselves.
pg_as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- env PATH="$PG_BINDIR:$PATH" "$@"
	else
		env PATH="$PG_BINDIR:$PATH" "$@"
	fi
}

# node_prepare_dir NODE: create NODE owned by the server's OS user.
node_prepare_dir() {
	mkdir -p "$1"
	if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$1"; fi
	chmod 0700 "$1"
	pg_as_owner mkdir -p "$1/sock"
	pg_as_owner chmod 0700 "$1/sock"
}

# node_write_conf NODE PORT NAME: this node's own settings (see the layout above).
node_write_conf() {
	local node="$1" port="$2" name="$3"
	pg_as_owner tee "$node/node.conf" >/dev/null <<-EOF
		# Written by cluster/pg-functions.sh: the identity of this node. Not copied by
		# pg_basebackup or pg_rewind, because it lives outside PGDATA.
		port = $port
		listen_addresses = '$(node_addr "$node")'
		unix_socket_directories = '$node/sock'
		cluster_name = '$name'
	EOF
}

# psql_admin NODE [psql args...]: superuser session over the node's private unix socket.
psql_admin() {
	local node="$1"; shift
	local port
	port="$(sed -n 's/^port = //p' "$node/node.conf")"
	# A hung server (kill -STOP) must not hang every command that asks it something.
	pg_as_owner env PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-5}" \
		psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$node/sock" -p "$port" -U postgres -d postgres "$@"
}

# node_init_primary NODE PORT [NAME]: initdb, cluster-wide settings, roles, database, one
# physical slot per replica name. Idempotent: an initialised NODE is left as it is.
node_init_primary() {
	local node="$1" port="$2" name="${3:-primary}"
	if [ -s "$node/data/PG_VERSION" ]; then pg_log "$name: already initialised"; return 0; fi
	node_prepare_dir "$node"
	node_write_conf "$node" "$port" "$name"
	local pwfile="$node/.pwfile"
	# shellcheck disable=SC2016 # $1 is expanded by the inner sh
	pg_as_owner sh -c 'umask 077; cat > "$1"' _ "$pwfile" <<<"$PG_SUPERUSER_PASSWORD"
	pg_log "$name: initdb"
	pg_as_owner initdb -D "$node/data" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
		--auth-local=trust --auth-host=scram-sha-256 --data-checksums >"$node/initdb.log" 2>&1 \
		|| { cat "$node/initdb.log" >&2; pg_die "initdb failed"; }
	rm -f "$pwfile"
	node_write_cluster_conf "$node"
	node_write_hba "$node"
	node_start "$node"
	node_create_roles "$node"
	local r
	for r in $PG_REPLICA_NAMES; do node_ensure_slot "$node" "$r"; done
	cluster_set_sync_mode "$node" "${PG_SYNC_MODE:-async}"
}

# PG_SHARED_CONF: the server settings every mode shares (cluster/postgresql.shared.conf), found
# next to this file wherever it is (the repository, /cluster in compose, the Patroni image).
PG_SHARED_CONF="${PG_SHARED_CONF:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/postgresql.shared.conf}"

# node_write_cluster_conf NODE: the shared settings, and the include of the node's own. They go
# into PGDATA/postgresql.conf, so pg_basebackup hands them to the replicas and pg_rewind keeps them.
node_write_cluster_conf() {
	[ -r "$PG_SHARED_CONF" ] || pg_die "cannot read the shared server settings: $PG_SHARED_CONF"
	{
		printf '\n# --- socialnet-replication (cluster/pg-functions.sh) ---\n'
		printf "include_if_exists = '../node.conf'  # port, listen address, name: per node\n"
		printf '# --- from cluster/postgresql.shared.conf: the settings every mode shares ---\n'
		cat "$PG_SHARED_CONF"
	} | pg_as_owner tee -a "$1/data/postgresql.conf" >/dev/null
}

# pg_shared_settings: the shared settings as 'NAME<TAB>VALUE' lines (comments dropped, quotes
# removed), for configurations that are not a postgresql.conf (Patroni's) and for the tests.
pg_shared_settings() {
	[ -r "$PG_SHARED_CONF" ] || pg_die "cannot read the shared server settings: $PG_SHARED_CONF"
	local line name value
	while IFS= read -r line || [ -n "$line" ]; do
		line="${line#"${line%%[![:space:]]*}"}"
		case "$line" in '' | '#'*) continue ;; esac
		[[ "$line" == *=* ]] || pg_die "$PG_SHARED_CONF: not 'name = value': $line"
		name="${line%%=*}" value="${line#*=}"
		name="${name%"${name##*[![:space:]]}"}"
		value="${value#"${value%%[![:space:]]*}"}"
		if [[ "$value" == "'"* ]]; then
			value="${value#\'}"
			[[ "$value" == *"'"* ]] || pg_die "$PG_SHARED_CONF: unterminated quote: $line"
			value="${value%%\'*}"
		else
			value="${value%%[[:space:]#]*}"
		fi
		printf '%s\t%s\n' "$name" "$value"
	done <"$PG_SHARED_CONF"
}

# node_write_hba NODE: scram-sha-256 for TCP from PG_HBA_NET only; trust only on the private socket.
node_write_hba() {
	pg_as_owner tee "$1/data/pg_hba.conf" >/dev/null <<-EOF
		# TYPE  DATABASE     USER                  ADDRESS        METHOD
		local   all          all                                  trust
		host    replication  $PG_REPLICATION_USER  $PG_HBA_NET    scram-sha-256
		host    all          all                   $PG_HBA_NET    scram-sha-256
	EOF
}

# sql_literal TEXT: TEXT as a quoted SQL string literal.
sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

# node_create_roles NODE: replication role, application role and its database, pg_stat_statements.
node_create_roles() {
	local node="$1"
	psql_admin "$node" <<-EOF
		SET password_encryption = 'scram-sha-256';
		CREATE ROLE $PG_REPLICATION_USER WITH REPLICATION LOGIN PASSWORD $(sql_literal "$PG_REPLICATION_PASSWORD");
		CREATE ROLE $PG_USER WITH LOGIN PASSWORD $(sql_literal "$PG_PASSWORD");
		CREATE DATABASE $PG_DATABASE OWNER $PG_USER;
		GRANT pg_monitor TO $PG_USER;
	EOF
	psql_admin "$node" -d "$PG_DATABASE" -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
}

# slot_sql: creates the physical slot :'slot' unless it exists, reserving WAL at once: the
# standby it is for may need WAL from now on before it first connects (a rewound node does).
slot_sql() {
	cat <<-'EOF'
		SELECT pg_create_physical_replication_slot(:'slot', true)
		WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = :'slot');
	EOF
}

# node_ensure_slot NODE SLOT: physical replication slot SLOT on NODE (a primary), if missing.
node_ensure_slot() { slot_sql | psql_admin "$1" -v slot="$2" >/dev/null; }

# node_clone_replica NODE PORT NAME PRIMARY_HOST PRIMARY_PORT: pg_basebackup -R -X stream from
# the primary through slot NAME, as application_name NAME. Idempotent like node_init_primary.
node_clone_replica() {
	local node="$1" port="$2" name="$3" phost="$4" pport="$5"
	if [ -s "$node/data/PG_VERSION" ]; then pg_log "$name: already cloned"; return 0; fi
	node_prepare_dir "$node"
	node_write_conf "$node" "$port" "$name"
	pg_log "$name: pg_basebackup from $phost:$pport (slot $name)"
	# The password goes through the environment, never the command line; -R writes it into
	# postgresql.auto.conf (0600, in PGDATA) so the standby can reconnect by itself.
	pg_as_owner env PGPASSWORD="$PG_REPLICATION_PASSWORD" pg_basebackup \
		-d "host=$phost port=$pport user=$PG_REPLICATION_USER application_name=$name" \
		-D "$node/data" -R -X stream -S "$name" -c fast --no-password \
		|| { pg_as_owner rm -rf "$node/data"; pg_die "pg_basebackup for $name failed"; }
}

# node_port NODE: the port NODE listens on.
node_port() { sed -n 's/^port = //p' "$1/node.conf"; }

# node_postmaster_pid NODE: the pid in NODE's lock file when that process is alive and not a
# zombie (a kill -9'ed postmaster lingers as one for a second or two, and kill -0 still succeeds).
node_postmaster_pid() {
	local pid state
	pid="$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null)" || return 1
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)" || return 1
	[ -n "$state" ] && [ "$state" != Z ] || return 1
	# A pid from a stale lock file may have been reused by another program since.
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ] || return 1
	echo "$pid"
}

# node_is_running NODE: true while NODE's postmaster is alive (hung or not: see node_answers).
node_is_running() { [ -s "$1/data/PG_VERSION" ] && node_postmaster_pid "$1" >/dev/null; }

# node_answers NODE: true when NODE's server answers a query (a SIGSTOPped one is running, but
# does not answer).
node_answers() { psql_admin "$1" -c 'SELECT 1' >/dev/null 2>&1; }

# node_start NODE: start and wait until it accepts connections (a standby: read-only ones).
node_start() {
	local node="$1"
	if node_is_running "$node"; then return 0; fi
	node_wait_port_closed "$node" 20 \
		|| pg_die "port $(node_port "$node") is still taken; is another server using it?"
	wait_postmaster_gone "$node"
	node_as_owner "$node" pg_ctl -D "$node/data" -l "$node/postgres.log" -w -t 60 start >/dev/null \
		|| { tail -n 20 "$node/postgres.log" >&2; pg_die "node $node did not start"; }
}

# node_stop NODE [MODE]: pg_ctl stop (MODE fast by default) and wait until the port is free.
node_stop() {
	local node="$1" mode="${2:-fast}"
	if node_is_running "$node"; then
		pg_as_owner pg_ctl -D "$node/data" -m "$mode" -w -t 60 stop >/dev/null || true
	fi
	node_wait_port_closed "$node" 20 || true
}

# node_kill NODE: kill -9 the postmaster and its processes, as a crash would, then wait until its
# port is closed (not for the pid: the zombie lingers; see wait_postmaster_gone).
node_kill() {
	local node="$1" pid
	pid="$(head -n 1 "$node/data/postmaster.pid" 2>/dev/null)" || return 0
	[ -n "$pid" ] || return 0
	kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
	pkill -9 -P "$pid" 2>/dev/null || true
	node_wait_port_closed "$node" 20 || true
	pg_event "$(node_name "$node") is down: killed, its port is closed"
}

# wait_postmaster_gone NODE: a new postmaster refuses to start while the pid in the old lock file
# is alive, and a kill -9'ed one lingers as a zombie for a second or two.
wait_postmaster_gone() {
	local pid i
	pid="$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null)" || return 0
	[ -n "$pid" ] || return 0
	for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_port_free HOST PORT SECONDS: until nothing listens on HOST:PORT.
wait_port_free() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		port_open "$1" "$2" || return 0
		sleep 0.1
	done
	return 1
}

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

# node_exec NODE: replace this shell with NODE's postmaster in the foreground, as a container's main
# process (docker stop's signal reaches the server itself; logs go to stderr). Run it as the
# server's OS user: it does not step down from root the way pg_as_owner does.
node_exec() {
	[ "$(id -u)" != 0 ] || pg_die "node_exec: run as the server's OS user, not root"
	exec "$PG_BINDIR/postgres" -D "$1/data"
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

# ---------------------------------------------------------------------------------------------
# Failover: promote the freshest standby, repoint the others, rejoin a failed primary.
# ---------------------------------------------------------------------------------------------

# pg_event TEXT: one timeline line on stdout, "event <epoch ms> <text>", for the drill's report.
pg_event() { printf 'event %s %s\n' "$(date +%s%3N)" "$*"; pg_log "$*"; }

# names_except NAME NAME...: the names after the first, without the first, one per line (the
# standbys a quorum counts on are every node but the primary).
names_except() {
	local skip="$1" n
	shift
	for n in "$@"; do [ "$n" = "$skip" ] || echo "$n"; done
}

# CLUSTER_COMMAND: the command an operator runs on this cluster, named in refusals.
CLUSTER_COMMAND="${CLUSTER_COMMAND:-bin/cluster}"

# cluster_others NAME: every node of a cluster of 'primary' and PG_REPLICA_NAMES but NAME, one per
# line (the compose cluster, whose nodes know only their own files).
# shellcheck disable=SC2086 # PG_REPLICA_NAMES is a list
cluster_others() { names_except "$1" primary $PG_REPLICA_NAMES; }

# node_name NODE: the node's name (cluster_name, also its application_name and slot name).
node_name() { sed -n "s/^cluster_name = '\(.*\)'$/\1/p" "$1/node.conf"; }

# node_in_recovery NODE: prints t for a standby, f for a primary (fails when the node is down).
node_in_recovery() { psql_admin "$1" -c 'SELECT pg_is_in_recovery()'; }

# node_wal_positions NODE: "<receive_lsn> <replay_lsn> <has_lsn>" of a standby. has_lsn is the
# furthest WAL it holds: the receive position, except right after a restart, when the receiver
# reports the start of its segment and replay is further.
node_wal_positions() {
	psql_admin "$1" -F ' ' -c "SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(),
		greatest(coalesce(pg_last_wal_receive_lsn(), '0/0'), pg_last_wal_replay_lsn())"
}

# node_promote NODE: end recovery (pg_promote, waiting until it is done) on a standby, then a
# checkpoint, so that its control file names the new timeline too (see "Who may lead" below:
# the history file and the WAL already do; this is the evidence every tool reads).
node_promote() {
	local promoted
	promoted="$(psql_admin "$1" -c 'SELECT pg_promote(wait => true, wait_seconds => 60)')"
	[ "$promoted" = t ] || pg_die "$(node_name "$1") did not finish promotion"
	psql_admin "$1" -c CHECKPOINT >/dev/null
}

# node_current_timeline NODE: the timeline the node writes on now. pg_control_checkpoint() lags
# right after a promotion, so it is read from the name of the current WAL file.
node_current_timeline() {
	psql_admin "$1" -c "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int"
}

# node_wait_streaming_on_timeline NODE TIMELINE SECONDS: until NODE's WAL receiver streams
# on TIMELINE (pg_stat_wal_receiver), i.e. it really follows the new primary.
node_wait_streaming_on_timeline() {
	# A deadline, not a count of tries: on a hung standby each try takes PGCONNECT_TIMEOUT.
	local node="$1" tli="$2" deadline=$((SECONDS + $3)) s
	while :; do
		s="$(psql_admin "$node" -c "SELECT status || ' ' || received_tli FROM pg_stat_wal_receiver" 2>/dev/null || true)"
		[ "$s" = "streaming $tli" ] && return 0
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.05
	done
	pg_die "$(node_name "$node") is not streaming on timeline $tli after $3 s (receiver: ${s:-none})"
}

# replication_conninfo HOST PORT NAME: the connection a standby named NAME streams over: as the
# replication role (pg_hba.conf admits no other role for replication), with its password quoted
# for libpq, and NAME as application_name (what pg_stat_replication and quorum names show).
replication_conninfo() {
	local pw="${PG_REPLICATION_PASSWORD//\\/\\\\}"
	printf "host=%s port=%s user=%s password='%s' application_name=%s" \
		"$1" "$2" "$PG_REPLICATION_USER" "${pw//\'/\\\'}" "$3"
}

# conf_quote TEXT: TEXT as a quoted value in a PostgreSQL configuration file (' and \ doubled,
# the way ALTER SYSTEM writes postgresql.auto.conf).
conf_quote() {
	local v="${1//\\/\\\\}"
	printf "'%s'" "${v//\'/\'\'}"
}

# node_follow NODE HOST PORT: make NODE a standby of the primary at HOST:PORT, streaming as the
# replication role through its own slot (named after it). A running standby takes it by reload
# (primary_conninfo is reloadable since PG 13; the password stays out of pg_stat_statements); a
# stopped node gets it written before it starts (node_write_standby_conf).
node_follow() {
	local node="$1" host="$2" port="$3" name conninfo
	name="$(node_name "$node")"
	conninfo="$(replication_conninfo "$host" "$port" "$name")"
	if ! node_is_running "$node"; then
		node_write_standby_conf "$node" "$conninfo" "$name"
		return
	fi
	psql_admin "$node" -v conninfo="$conninfo" -v slot="$name" >/dev/null <<-'EOF'
		SET pg_stat_statements.track_utility = off;
		ALTER SYSTEM SET primary_conninfo = :'conninfo';
		ALTER SYSTEM SET primary_slot_name = :'slot';
		SELECT pg_reload_conf();
	EOF
}

# node_write_standby_conf NODE CONNINFO SLOT: the standby settings of a stopped node, in place
# before its first start (node_auto_conf_set), then standby.signal.
node_write_standby_conf() {
	node_auto_conf_set "$1" primary_conninfo "$2" primary_slot_name "$3"
	pg_as_owner touch "$1/data/standby.signal"
}

# node_auto_conf_set NODE NAME VALUE [NAME VALUE...]: settings of a stopped node in
# postgresql.auto.conf, where ALTER SYSTEM keeps them. Each replaces any line of that name: the
# file may hold another node's (pg_basebackup -R appends; pg_rewind copies the source's file,
# whose primary_slot_name is the source's own), and no stale copy is left to mislead a reader.
node_auto_conf_set() {
	local node="$1" names="" lines=""
	shift
	if node_is_running "$node"; then pg_die "$(node_name "$node") is running: change its settings with ALTER SYSTEM"; fi
	while [ $# -ge 2 ]; do
		names+="${names:+|}$1"
		lines+="$1 = $(conf_quote "$2")"$'\n'
		shift 2
	done
	# Through stdin: a password in a value never shows on a command line.
	# shellcheck disable=SC2016 # $1 and $2 are expanded by the inner sh
	printf '%s' "$lines" | pg_as_owner sh -c 'umask 077
		{ grep -Ev "^[[:space:]]*($2)[[:space:]]*=" "$1" 2>/dev/null; cat; } >"$1.new" && mv "$1.new" "$1"' \
		_ "$node/data/postgresql.auto.conf" "$names"
}

# node_save_wal NODE: a copy of the stopped NODE's WAL, outside PGDATA, taken before pg_rewind.
# The rewound node replays from the last checkpoint both nodes shared, and that WAL can be gone
# from both: the new primary keeps only wal_keep_size of it, and the crash recovery pg_rewind runs
# first on a node that was killed recycles the node's own. The copy serves as the node's archive
# (restore_command) until it streams; node_forget_saved_wal drops it.
node_save_wal() {
	local saved="$1/wal-before-rewind"
	pg_as_owner rm -rf "$saved"
	pg_as_owner mkdir -m 0700 "$saved"
	pg_as_owner find "$1/data/pg_wal" -maxdepth 1 -type f -regextype posix-extended \
		-regex '.*/([0-9A-F]{24}|[0-9A-F]{8}\.history)' -exec cp -p -t "$saved" {} +
}

# node_forget_saved_wal NODE: once the rejoined NODE streams, it needs its saved WAL no more.
node_forget_saved_wal() {
	psql_admin "$1" >/dev/null <<-'EOF'
		ALTER SYSTEM RESET restore_command;
		SELECT pg_reload_conf();
	EOF
	pg_as_owner rm -rf "$1/wal-before-rewind"
}

# psql_remote HOST PORT [psql args...]: a superuser session over TCP, to a server whose files
# are not here (another container's).
psql_remote() {
	local host="$1" port="$2"
	shift 2
	env PGPASSWORD="$PG_SUPERUSER_PASSWORD" PGCONNECT_TIMEOUT=5 "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
		"host=$host port=$port user=postgres dbname=postgres" "$@"
}

# node_rejoin NODE HOST PORT: turn the stopped NODE (a former primary, or a node that went its
# own way) into a standby of the primary at HOST:PORT with pg_rewind. It does not start it
# (node_start_rejoined does).
#   - NODE/rejoining (outside PGDATA) marks it until the standby settings are written: a rewind
#     that stops halfway leaves a directory that is neither the old node nor a copy of the new
#     primary; node_kind reports it, so nothing starts it as either;
#   - no pg_rewind -R: -R would write primary_conninfo as the rewinding superuser, whom pg_hba
#     refuses replication, next to the slot name copied from the source; the node would start
#     unable to fetch the WAL it needs to become consistent. Its own settings go in first;
#   - its own WAL is saved first and is its restore_command until it streams (node_save_wal).
node_rejoin() {
	local node="$1" host="$2" port="$3" name
	name="$(node_name "$node")"
	if node_is_running "$node"; then pg_die "$name is running: stop it before a rejoin"; fi
	pg_as_owner touch "$node/rejoining"
	# Without a clean shutdown pg_rewind first runs crash recovery in single-user mode, which
	# refuses standby mode.
	pg_as_owner rm -f "$node/data/standby.signal"
	slot_sql | psql_remote "$host" "$port" -v slot="$name" >/dev/null
	# Right after a promotion the new primary's control file may still name the old timeline,
	# and pg_rewind would answer "no rewind required"; a checkpoint writes the new one.
	psql_remote "$host" "$port" -c CHECKPOINT >/dev/null
	node_save_wal "$node"
	pg_as_owner env PGPASSWORD="$PG_SUPERUSER_PASSWORD" PGCONNECT_TIMEOUT=10 pg_rewind -D "$node/data" \
		--source-server="host=$host port=$port user=postgres dbname=postgres application_name=$name" \
		>"$node/rewind.log" 2>&1 || {
		cat "$node/rewind.log" >&2
		pg_die "pg_rewind of $name failed; it stays marked as rejoining (never started as a primary): run the rejoin again"
	}
	node_auto_conf_set "$node" restore_command "cp \"$node/wal-before-rewind/%f\" \"%p\""
	node_follow "$node" "$host" "$port"
	pg_as_owner rm -f "$node/rejoining"
}

# node_start_rejoined NODE TIMELINE: start the rewound NODE, wait (60 s at most) until it streams
# on TIMELINE, the primary's, then drop the WAL it saved for its replay.
node_start_rejoined() {
	node_start "$1"
	node_wait_streaming_on_timeline "$1" "$2" 60
	node_forget_saved_wal "$1"
}

# ---------------------------------------------------------------------------------------------
# Who may lead: evidence that survives a crash.
#
# A promotion starts a new timeline. The promoted node writes the timeline's history file
# (pg_wal/0000000N.history) before it accepts a write, names every WAL segment after it, and
# records it in its control file at once as the minimum recovery point's timeline (as the
# checkpoint's only at the next checkpoint, which node_promote forces). A standby that follows
# the new primary receives the history file too. So a node's files tell the newest timeline it
# wrote or received, whether it was shut down, killed or is running; and a node that would start
# as a primary (no standby.signal) on an older timeline than another node of its cluster is
# stale: a failover happened after it was the primary, and writes were acknowledged elsewhere.
# ---------------------------------------------------------------------------------------------

# node_evidence NODE: "NAME SYSTEM_ID TIMELINE KIND" from NODE's files, nothing without data.
# TIMELINE is the newest one they show: history files and WAL segment names in pg_wal, the
# control file's checkpoint and minimum recovery point timelines. KIND: node_kind.
node_evidence() {
	local node="$1" control sysid tli=0 f t
	[ -s "$node/data/PG_VERSION" ] || return 0
	control="$("$PG_BINDIR/pg_controldata" -D "$node/data" 2>/dev/null)"
	sysid="$(sed -n 's/^Database system identifier: *//p' <<<"$control")"
	while read -r t; do
		if [ "$t" -gt "$tli" ]; then tli="$t"; fi
	done < <(sed -n "s/^\(Latest checkpoint's TimeLineID\|Min recovery ending loc's timeline\): *//p" <<<"$control")
	for f in "$node"/data/pg_wal/*; do
		f="${f##*/}"
		if [[ "$f" =~ ^([0-9A-F]{8})(\.history|[0-9A-F]{16}(\.partial)?)$ ]]; then
			t=$((16#${BASH_REMATCH[1]}))
			if [ "$t" -gt "$tli" ]; then tli="$t"; fi
		fi
	done
	echo "$(node_name "$node") ${sysid:-unknown} $tli $(node_kind "$node")"
}

# node_timeline NODE: the newest timeline NODE's own files show (node_evidence); 0 without data.
node_timeline() {
	local tli
	read -r _ _ tli _ <<<"$(node_evidence "$1")"
	echo "${tli:-0}"
}

# node_kind NODE: how NODE would start: standby (standby.signal), rejoining (a rejoin that did
# not finish: see node_rejoin) or primary.
node_kind() {
	if [ -e "$1/rejoining" ]; then echo rejoining
	elif [ -e "$1/data/standby.signal" ]; then echo standby
	else echo primary; fi
}

# peer_evidence HOST PORT: "NAME SYSTEM_ID TIMELINE KIND" of the server at HOST:PORT, whose files
# are elsewhere (another container). Asked over the replication protocol as the replication role:
# IDENTIFY_SYSTEM reports the timeline on a standby too; KIND is standby while it is in hot
# standby, else primary. Nothing when it does not answer within 3 s.
peer_evidence() {
	local out sysid tli hot name
	out="$(env PGPASSWORD="$PG_REPLICATION_PASSWORD" PGCONNECT_TIMEOUT=3 "$PG_BINDIR/psql" -X -q -A -t -F ' ' \
		"host=$1 port=$2 user=$PG_REPLICATION_USER dbname=replication replication=true application_name=peer-probe" \
		-c IDENTIFY_SYSTEM -c 'SHOW in_hot_standby' -c 'SHOW cluster_name' 2>/dev/null)" || return 0
	{ read -r sysid tli _; read -r hot; read -r name; } <<<"$out"
	if [ "$hot" = on ]; then hot=standby; else hot=primary; fi
	echo "${name:-$1:$2} $sysid $tli $hot"
}

# node_may_lead NAME SYSTEM_ID TIMELINE < EVIDENCE: true when node NAME, on TIMELINE, may run as
# the primary, given the other nodes' evidence lines on stdin. Otherwise it prints why not: a
# node of the same cluster is on a newer timeline (NAME is stale), or another claims NAME's
# timeline as a primary (two primaries: a person must choose). Other clusters' nodes do not count.
node_may_lead() {
	local me="$1" sysid="$2" tli="$3" name s t kind
	while read -r name s t kind; do
		if [ -z "$name" ] || [ "$name" = "$me" ] || [ "$s" != "$sysid" ]; then continue; fi
		if [ "$t" -gt "$tli" ]; then
			echo "$name is on timeline $t ($kind) and $me only on $tli: a failover happened after $me was the primary"
			return 1
		fi
		if [ "$t" = "$tli" ] && [ "$kind" = primary ]; then
			echo "$name claims timeline $tli as a primary too: two primaries, a person must choose which keeps its writes"
			return 1
		fi
	done
	return 0
}

# node_fork_point NODE TIMELINE: where TIMELINE ended in NODE's history, i.e. the WAL position at
# which NODE's newer timeline forked off it (pg_wal/0000000N.history, "TIMELINE LSN reason" lines);
# nothing when NODE's files record no such fork.
node_fork_point() {
	local history
	history="$(find "$1/data/pg_wal" -maxdepth 1 -name '*.history' 2>/dev/null | sort | tail -n 1)"
	[ -n "$history" ] || return 0
	awk -v t="$2" '$1 == t { print $2; exit }' "$history"
}

# node_commits_after NODE TIMELINE LSN: how many transaction commits NODE's WAL holds on TIMELINE
# past LSN (pg_waldump; 0 when it holds none or no WAL past LSN). Read from the files: a node that
# is down or hung answers too.
node_commits_after() {
	"$PG_BINDIR/pg_waldump" -p "$1/data/pg_wal" -t "$2" -s "$3" -r Transaction 2>/dev/null | grep -c 'desc: COMMIT' || true
}

# cluster_split_brain LEADER: true (and prints why) when a node other than a stale primary —
# a standby on an older timeline — holds commits past the point where LEADER's timeline forked off
# that timeline. Such a standby kept following the old primary after the fork (the primary was
# promoted around, by hand or after a partition healed, or a less fresh standby was promoted), so in
# quorum mode those commits were acknowledged: the old side has writes the leader lacks, and the
# leader has its own. The old primary's own commits past the fork do not count (nor those of a node
# being rejoined, which is what an old primary becomes first): in quorum mode they were never
# acknowledged without a standby's copy (a commit cut off by a crash is written locally first), in
# async mode their loss is what async means.
cluster_split_brain() {
	local leader="$1" name sysid tli kind leader_sysid leader_tli fork commits
	read -r _ leader_sysid leader_tli _ <<<"$(grep "^$leader " <<<"$CLUSTER_EVIDENCE")"
	while read -r name sysid tli kind; do
		if [ -z "$name" ] || [ "$name" = "$leader" ] || [ "$sysid" != "$leader_sysid" ] || [ "$kind" != standby ] \
			|| [ "$tli" -ge "$leader_tli" ]; then continue; fi
		fork="$(on_node "$leader" node_fork_point "$tli")"
		[ -n "$fork" ] || continue
		commits="$(on_node "$name" node_commits_after "$tli" "$fork")"
		if [ "${commits:-0}" -gt 0 ]; then
			echo "split brain: $name holds $commits commits on timeline $tli past $fork, where $leader's timeline $leader_tli forked off it, so both sides hold acknowledged writes: two primaries, a person must choose which keeps its writes"
			return 0
		fi
	done <<<"$CLUSTER_EVIDENCE"
	return 1
}

# cluster_choose_leader NAME...: from the files of the named nodes (running or not; node_evidence, run
# where each node lives: on_node), the one that may run as the primary. Sets CLUSTER_LEADER to its
# name (empty when none may), CLUSTER_REFUSED to one "NAME REASON" line per node that would start as
# a primary but must not, CLUSTER_EVIDENCE to every node's evidence line and CLUSTER_NEWEST to the
# newest timeline seen. A split brain (cluster_split_brain) refuses every node that would start as
# a primary, the newest included.
cluster_choose_leader() {
	local n name sysid tli kind why
	# shellcheck disable=SC2034 # the results, read by the caller
	CLUSTER_LEADER="" CLUSTER_REFUSED="" CLUSTER_NEWEST=0 CLUSTER_EVIDENCE=""
	for n in "$@"; do CLUSTER_EVIDENCE+="$(on_node "$n" node_evidence)"$'\n'; done
	while read -r name sysid tli kind; do
		[ -n "$name" ] || continue
		if [ "$tli" -gt "$CLUSTER_NEWEST" ]; then CLUSTER_NEWEST="$tli"; fi
		[ "$kind" = primary ] || continue
		if why="$(node_may_lead "$name" "$sysid" "$tli" <<<"$CLUSTER_EVIDENCE")"; then
			# shellcheck disable=SC2034 # the result, read by the caller
			CLUSTER_LEADER="$name"
		else
			CLUSTER_REFUSED+="$name $why"$'\n'
		fi
	done <<<"$CLUSTER_EVIDENCE"
	if [ -n "$CLUSTER_LEADER" ] && why="$(cluster_split_brain "$CLUSTER_LEADER")"; then
		CLUSTER_LEADER="" CLUSTER_REFUSED=""
		while read -r name _ _ kind; do
			if [ -n "$name" ] && [ "$kind" = primary ]; then CLUSTER_REFUSED+="$name $why"$'\n'; fi
		done <<<"$CLUSTER_EVIDENCE"
	fi
}

# peer_evidence_at PEER: peer_evidence of PEER, "HOST[:PORT[:DECIDE_PORT]]" (PORT: PG_PORT or
# 5432; DECIDE_PORT: PORT + 1), at its port or, while it decides whether it may lead (see
# node_guard_lead), at its decide port.
peer_evidence_at() {
	local host port decide line
	IFS=: read -r host port decide <<<"$1"
	port="${port:-${PG_PORT:-5432}}"
	decide="${decide:-$((port + 1))}"
	line="$(peer_evidence "$host" "$port")"
	[ -n "$line" ] || line="$(peer_evidence "$host" "$decide")"
	printf '%s' "$line"
}

# node_guard_lead NODE SECONDS PEER...: may NODE, which would start as a primary, lead, by what
# its peers (servers elsewhere: peer_evidence_at) say? Asks every peer, again every second, for
# up to SECONDS; decides as soon as every peer of its cluster answered, or one proves NODE stale
# (then it looks on, within SECONDS, for the primary to name). A peer that answered once counts,
# even if it stops answering (it may have refused itself).
#   0  yes: no peer is newer; every peer answered, or at least one did before the time ran out
#   1  no: prints why (node_may_lead); GUARD_LEADER names the peer that is primary on the newest
#      timeline, when one is
#   2  no peer answered: NODE cannot tell whether a failover happened while it was down
node_guard_lead() {
	local node="$1" wait="$2" me sysid tli deadline peer line why newest=0 name s t kind
	local -A seen=()
	shift 2
	read -r me sysid tli _ <<<"$(node_evidence "$node")"
	deadline=$((SECONDS + wait))
	# shellcheck disable=SC2034 # the result, read by the caller
	GUARD_LEADER=""
	while :; do
		for peer in "$@"; do
			line="$(peer_evidence_at "$peer")"
			[ -n "$line" ] || continue
			read -r name s t kind <<<"$line"
			if [ "$s" != "$sysid" ]; then pg_log "$peer ($name) belongs to another cluster (system identifier $s): not counted"; continue; fi
			seen[$peer]="$line"
			# shellcheck disable=SC2034 # the result, read by the caller
			if [ "$kind" = primary ] && [ "$t" -gt "$newest" ]; then newest="$t" GUARD_LEADER="$name"; fi
		done
		if ! why="$(printf '%s\n' "${seen[@]}" | node_may_lead "$me" "$sysid" "$tli")"; then
			# Proof. Until the time runs out, look on for the primary, to name it in the refusal.
			if [ -n "$GUARD_LEADER" ] || [ "$SECONDS" -ge "$deadline" ]; then
				echo "$why"
				return 1
			fi
			sleep 1
			continue
		fi
		[ "${#seen[@]}" -lt $# ] || return 0
		if [ "$SECONDS" -ge "$deadline" ]; then
			[ "${#seen[@]}" -gt 0 ] || return 2
			pg_log "${#seen[@]} of $# peers answered in $wait s, none on a newer timeline than $me ($tli)"
			return 0
		fi
		sleep 1
	done
}

# ---------------------------------------------------------------------------------------------
# Where a node lives: the hooks every node function above reaches its node through. The defaults
# are a server on this host's PG_LISTEN; cluster/netns-functions.sh redefines them to run each node
# in a network namespace of its own, with an address of its own (bin/cluster's network mode).
# ---------------------------------------------------------------------------------------------

# node_addr NODE: the address NODE listens on and is reached at over TCP.
node_addr() { echo "$PG_LISTEN"; }

# node_as_owner NODE CMD...: pg_as_owner where NODE's server lives (a server started so runs there).
node_as_owner() { shift; pg_as_owner "$@"; }

# node_port_open NODE: true when NODE's server accepts TCP connections on its address and port.
node_port_open() { port_open "$(node_addr "$1")" "$(node_port "$1")"; }

# node_unreachable NODE: true when the network cuts NODE off; bin/cluster then counts it as down
# (as its clients see it), although its server runs.
node_unreachable() { return 1; }

# node_wait_port_closed NODE SECONDS: until NODE's port is closed (see wait_port_free).
node_wait_port_closed() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		node_port_open "$1" || return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------------------------------------
# The cluster by node name: sync mode, failover, rejoin. Written once for every way to run the
# nodes; each step on a node is a function above whose first argument is the node's directory, run
# where the node lives through a second set of hooks, by NAME:
#   on_node NAME STEP ARG...   run STEP NODE_DIR ARG... where NAME lives (here: node_dir NAME,
#                              which the caller defines; bin/compose-cluster: docker compose exec)
#   node_state_of NAME         primary | replica | down | hung | cut-off (node_state where it lives)
#   node_reach NAME            "HOST PORT" at which the other nodes reach NAME's server
#   cluster_start_node NAME    start NAME the guarded way (bin/cluster start, docker compose start)
#   cluster_stop_node NAME     stop NAME, and wait until its postmaster is gone
#   cluster_rewind_node NAME LEADER   pg_rewind the stopped NAME from LEADER, start it as a standby
# CLUSTER_COMMAND names the command an operator types in the refusals (bin/cluster).
# ---------------------------------------------------------------------------------------------

on_node() {
	local name="$1" step="$2"
	shift 2
	"$step" "$(node_dir "$name")" "$@"
}
node_state_of() { on_node "$1" node_state; }
node_reach() { echo "$(node_addr "$(node_dir "$1")") $(node_port "$(node_dir "$1")")"; }
cluster_stop_node() { on_node "$1" node_stop fast; on_node "$1" wait_postmaster_gone; }
cluster_rewind_node() { on_node "$1" node_rejoin_from "$2"; }

# node_state NODE: primary | replica as the running server says; down (no postmaster); hung (its
# postmaster lives but does not answer: it could wake up as a second primary); cut-off (running,
# but the network cuts it off: node_unreachable).
node_state() {
	if ! [ -f "$1/node.conf" ] || ! node_is_running "$1"; then echo down; return; fi
	if node_unreachable "$1"; then echo cut-off; return; fi
	case "$(node_in_recovery "$1" 2>/dev/null)" in
		t) echo replica ;; f) echo primary ;; *) echo hung ;;
	esac
}

# node_follow_peer NODE LEADER: node_follow the node named LEADER, wherever it is (node_reach).
node_follow_peer() {
	local host port
	read -r host port <<<"$(node_reach "$2")"
	node_follow "$1" "$host" "$port"
}

# node_rejoin_from NODE LEADER: node_rejoin from the primary named LEADER (node_reach), then
# node_start_rejoined on the timeline that primary reports.
node_rejoin_from() {
	local host port tli
	read -r host port <<<"$(node_reach "$2")"
	node_rejoin "$1" "$host" "$port"
	read -r _ _ tli _ <<<"$(peer_evidence "$host" "$port")"
	node_start_rejoined "$1" "${tli:?$2 ($host:$port) does not answer}"
}

# node_mark_rejoining NODE: NODE no longer claims its timeline as a primary (see node_rejoin).
node_mark_rejoining() { pg_as_owner touch "$1/rejoining"; }

# node_take_lead NODE MODE NAME...: promote the standby NODE keeping MODE, with the other nodes NAME...
# as its quorum, written before the promotion (in quorum mode the new primary must not acknowledge
# a commit no standby has, not even in the moment before the others follow it); then a slot for
# each of them: slots do not survive a promotion, the standbys need theirs to follow, and a node
# that is down (the dead primary above all) needs the new timeline's WAL kept for its rejoin.
node_take_lead() {
	local node="$1" mode="$2" n
	shift 2
	node_write_sync_mode "$node" "$mode" "$@" 2>/dev/null
	node_promote "$node"
	for n in "$@"; do node_ensure_slot "$node" "$n"; done
}

# lsn_number LSN: a pg_lsn (hi/lo in hex) as a number, to compare positions without a server.
lsn_number() { echo $(((16#${1%/*} << 32) | 16#${1#*/})); }

# cluster_freshest NAME...: of the named running standbys, the one that has received the most WAL
# (node_wal_positions), so a promotion loses the least. Prints every candidate's positions as
# events and sets CLUSTER_FRESHEST to the winner's name.
cluster_freshest() {
	local n pos receive replay has best="" best_lsn=0
	for n in "$@"; do
		pos="$(on_node "$n" node_wal_positions 2>/dev/null)" || { pg_log "$n: unreachable"; continue; }
		read -r receive replay has <<<"$pos"
		pg_event "candidate $n: receive_lsn=${receive:-none} replay_lsn=$replay"
		if [ -z "$best" ] || [ "$(lsn_number "$has")" -gt "$best_lsn" ]; then best="$n" best_lsn="$(lsn_number "$has")"; fi
	done
	[ -n "$best" ] || pg_die "no standby is reachable: nothing to promote"
	# shellcheck disable=SC2034 # the result, read by the caller
	CLUSTER_FRESHEST="$best"
}

# cluster_sync MODE NAME...: switch the commit mode of the running primary among the named nodes
# (reload, no restart), and write it on every running standby too, with its own quorum (every node
# but itself): the mode a standby keeps if it is promoted, which cluster_failover reads. A standby
# that is down keeps the mode it had; it gets this one at the next switch (bin/cluster up re-applies
# the primary's mode to all, bin/cluster start to the standby it starts: cluster_hand_sync_mode).
cluster_sync() {
	local mode="$1" n primary="" names
	shift
	sync_standby_names "$mode" "$@" >/dev/null
	for n in "$@"; do
		[ "$(node_state_of "$n")" = primary ] || continue
		[ -z "$primary" ] || pg_die "$primary and $n both run as primaries: stop the stale one ($CLUSTER_COMMAND up names it), then switch"
		primary="$n"
	done
	[ -n "$primary" ] || pg_die "no primary is running: start the cluster first ($CLUSTER_COMMAND up)"
	mapfile -t names < <(names_except "$primary" "$@")
	on_node "$primary" cluster_set_sync_mode "$mode" "${names[@]}"
	for n in "${names[@]}"; do
		if [ "$(node_state_of "$n")" != replica ]; then
			pg_log "warning: $n is not a running standby: it keeps its own mode until the next switch"
			continue
		fi
		mapfile -t names < <(names_except "$n" "$@")
		on_node "$n" node_write_sync_mode "$mode" "${names[@]}"
	done
}

# cluster_hand_sync_mode NAME LEADER NAME...: the running standby NAME takes the commit mode of the
# running primary LEADER, with its own quorum (every named node but itself). A standby that was down
# at the last switch keeps an older mode otherwise, and a failover that finds only it would promote
# it in that mode: a cluster switched to quorum would silently run async.
cluster_hand_sync_mode() {
	local name="$1" leader="$2" names
	shift 2
	mapfile -t names < <(names_except "$name" "$@")
	on_node "$name" node_write_sync_mode "$(on_node "$leader" node_sync_mode)" "${names[@]}"
}

# cluster_failover NAME...: the manual failover among the named nodes, each step timed on stdout
# ('event <ms> <text>'): freshest standby by received WAL -> the strongest sync mode the running
# standbys keep -> promote (+ checkpoint) with slots for every other node -> repoint the other
# standbys (reload, no restart) -> check they stream on the new timeline. It is for a dead primary:
# refused while a node runs as a primary, or is alive without answering (it could wake up as a
# second primary), and refused when the freshest running standby is behind the newest timeline some
# node's files show (promoting it would lose that node's writes).
cluster_failover() {
	local n standbys=() new tli mode others=()
	cluster_choose_leader "$@"
	for n in "$@"; do
		case "$(node_state_of "$n")" in
			primary)
				if [ "$n" = "$CLUSTER_LEADER" ]; then
					pg_die "$n is running as the primary: a failover is for a dead primary. To replace it on purpose, stop it first: $CLUSTER_COMMAND stop $n"
				fi
				pg_die "$n is running as a STALE primary ($(sed -n "s|^$n ||p" <<<"$CLUSTER_REFUSED")): stop it ($CLUSTER_COMMAND stop $n), then $CLUSTER_COMMAND rejoin $n" ;;
			replica) standbys+=("$n") ;;
			hung) pg_die "$n's postmaster is alive but does not answer (hung, or stopped with SIGSTOP): it could wake up as a second primary. Kill it first: $CLUSTER_COMMAND kill $n" ;;
			cut-off)
				# A network fault the operator injected (bin/cluster partition): alive but cut off,
				# the split brain to survive. It is a stale primary once the network heals.
				pg_event "warning: $n is cut off by the network, not dead: once healed it is a stale primary (stop and rejoin it)" ;;
			down)
				if [ "$n" != "$CLUSTER_LEADER" ] && grep -q "^$n " <<<"$CLUSTER_EVIDENCE"; then
					pg_event "warning: $n is down: its WAL is not considered"
				fi ;;
		esac
	done
	[ ${#standbys[@]} -gt 0 ] || pg_die "no running standby to promote: start one ($CLUSTER_COMMAND start <node>)"
	cluster_freshest "${standbys[@]}"
	new="$CLUSTER_FRESHEST"
	# Never promote a node behind the newest timeline: the node on it holds writes this one
	# lacks, and the promotion would fork that timeline's number.
	read -r _ _ tli _ <<<"$(grep "^$new " <<<"$CLUSTER_EVIDENCE")"
	if [ "${tli:-0}" -lt "$CLUSTER_NEWEST" ]; then
		pg_die "$new is on timeline ${tli:-0}, but ${CLUSTER_LEADER:-another node} holds timeline $CLUSTER_NEWEST: promoting $new would lose its writes. Start it instead: $CLUSTER_COMMAND up"
	fi
	# The mode the cluster was last switched to, as the standbys keep it (cluster_sync); the
	# stronger one when they disagree (one was down at the last switch).
	mode=async
	for n in "${standbys[@]}"; do
		if [ "$(on_node "$n" node_sync_mode)" = quorum ]; then mode=quorum; fi
	done
	mapfile -t others < <(names_except "$new" "$@")
	pg_event "promote $new (sync mode $mode)"
	on_node "$new" node_take_lead "$mode" "${others[@]}"
	tli="$(on_node "$new" node_current_timeline)"
	pg_event "promoted $new: primary on timeline $tli (checkpointed: its control file says so too)"
	for n in "${standbys[@]}"; do
		[ "$n" != "$new" ] || continue
		on_node "$n" node_follow_peer "$new"
		pg_event "repointed $n to $new"
	done
	for n in "${standbys[@]}"; do
		[ "$n" != "$new" ] || continue
		on_node "$n" node_wait_streaming_on_timeline "$tli" 30
		pg_event "$n streams from $new on timeline $tli"
	done
}

# cluster_rejoin NAME NAME...: the node NAME (stopped if it runs) becomes a standby of the node that
# may lead among the named ones, by pg_rewind (cluster_rewind_node); that node is started first if
# it is down. Refused for the node that may lead itself: rewinding it would throw away the newest
# writes.
cluster_rejoin() {
	local name="$1" tli
	shift
	cluster_choose_leader "$@"
	grep -q "^$name " <<<"$CLUSTER_EVIDENCE" || pg_die "$name has no data: '$CLUSTER_COMMAND up' clones it"
	if [ "$CLUSTER_LEADER" = "$name" ]; then
		pg_die "$name is the node that may lead (no other node's files show a newer timeline): rejoining it would discard the newest writes. Start it: $CLUSTER_COMMAND start $name"
	fi
	cluster_stop_node "$name"
	# From here on it no longer claims its timeline as a primary: with two claimants on one
	# timeline, the other one may now lead.
	on_node "$name" node_mark_rejoining
	cluster_choose_leader "$@"
	if [ -z "$CLUSTER_LEADER" ]; then
		pg_die "no node may lead to rejoin $name to ($(tr '\n' ';' <<<"$CLUSTER_REFUSED")); promote a standby first: $CLUSTER_COMMAND failover"
	fi
	if [ "$(node_state_of "$CLUSTER_LEADER")" != primary ]; then
		pg_log "starting $CLUSTER_LEADER, the node that may lead, first"
		cluster_start_node "$CLUSTER_LEADER"
	fi
	[ "$(node_state_of "$CLUSTER_LEADER")" = primary ] || pg_die "$CLUSTER_LEADER is not running as a primary: $(node_state_of "$CLUSTER_LEADER")"
	cluster_rewind_node "$name" "$CLUSTER_LEADER"
	tli="$(on_node "$CLUSTER_LEADER" node_current_timeline)"
	on_node "$name" node_wait_streaming_on_timeline "$tli" 60
	pg_event "$name rejoined as a standby of $CLUSTER_LEADER (timeline $tli)"
}

# ---------------------------------------------------------------------------------------------
# Hangs: a node that stops answering without dying (the fault a crash test never shows).
# ---------------------------------------------------------------------------------------------

# node_pause NODE: SIGSTOP the postmaster and every process of the node. Its connections stay open
# and its port keeps accepting TCP connections (the kernel does that), but nothing answers: a hung
# server, as a stalled disk or a frozen VM looks from outside.
node_pause() {
	local pid
	pid="$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null)" || pg_die "$(node_name "$1") is not running"
	kill -STOP "$pid"
	pkill -STOP -P "$pid" || true
	pg_event "$(node_name "$1") is hung: SIGSTOP"
}

# node_resume NODE: SIGCONT for everything node_pause stopped.
node_resume() {
	local pid
	pid="$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null)" || return 0
	pkill -CONT -P "$pid" || true
	kill -CONT "$pid" 2>/dev/null || true
	pg_event "$(node_name "$1") answers again: SIGCONT"
}
