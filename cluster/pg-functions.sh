#!/usr/bin/env bash
# shellcheck shell=bash
#
# Cluster operations for PostgreSQL streaming replication, one small function per step.
#
# This file is the single implementation of those steps. Source it; do not copy from it:
#   bin/cluster            local processes (machines without Docker)
#   docker/*.sh            the compose containers
#   the Java tests         through bin/cluster
#   the failover drill     through bin/cluster
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
		listen_addresses = '$PG_LISTEN'
		unix_socket_directories = '$node/sock'
		cluster_name = '$name'
	EOF
}

# psql_admin NODE [psql args...]: superuser session over the node's private unix socket.
psql_admin() {
	local node="$1"; shift
	local port
	port="$(sed -n 's/^port = //p' "$node/node.conf")"
	pg_as_owner psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$node/sock" -p "$port" -U postgres -d postgres "$@"
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

# node_write_cluster_conf NODE: settings every node shares. They go into PGDATA/postgresql.conf,
# so pg_basebackup hands them to the replicas and pg_rewind keeps them.
node_write_cluster_conf() {
	pg_as_owner tee -a "$1/data/postgresql.conf" >/dev/null <<-'EOF'

		# --- socialnet-replication (cluster/pg-functions.sh) ---
		include_if_exists = '../node.conf'  # port, listen address, name: per node
		wal_level = replica
		max_wal_senders = 10
		max_replication_slots = 10
		wal_keep_size = 256MB
		hot_standby = on
		hot_standby_feedback = on      # long replica reads must not be cancelled by vacuum
		# Standbys report positions and their xmin every second, not every 10 s: lag figures are
		# fresh, and a VACUUM right after a bulk load is not held back by a stale standby xmin
		# (it could not mark the new pages all-visible, and index-only scans would visit the heap).
		wal_receiver_status_interval = 1s
		wal_log_hints = on             # pg_rewind can turn a failed primary into a replica
		max_connections = 300
		shared_buffers = 256MB
		synchronous_commit = on
		shared_preload_libraries = 'pg_stat_statements'  # per-node read counters
		pg_stat_statements.track = top
		password_encryption = 'scram-sha-256'
		unix_socket_permissions = 0700 # trust on the socket is for the owner only
		logging_collector = off
		log_line_prefix = '%m [%p] %q%u@%d/%a '
		log_connections = off
		log_min_duration_statement = 1000
		# Slow statements are logged without their bind values (names, biographies, password
		# hashes are bind values): 0 = no parameters in statement logs, nor in error reports.
		log_parameter_max_length = 0
		log_parameter_max_length_on_error = 0
	EOF
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

# node_ensure_slot NODE SLOT: physical replication slot SLOT on NODE (a primary), if missing.
node_ensure_slot() {
	psql_admin "$1" -v slot="$2" <<-'EOF' >/dev/null
		SELECT pg_create_physical_replication_slot(:'slot')
		WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = :'slot');
	EOF
}

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

# node_is_running NODE: true when NODE's postmaster is alive and listening (a kill -9'ed one can
# linger as a zombie that pg_ctl still counts as running, but its port is closed).
node_is_running() {
	[ -s "$1/data/PG_VERSION" ] && pg_as_owner pg_ctl -D "$1/data" status >/dev/null 2>&1 &&
		port_open "$PG_LISTEN" "$(node_port "$1")"
}

# node_start NODE: start and wait until it accepts connections (a standby: read-only ones).
node_start() {
	local node="$1"
	if node_is_running "$node"; then return 0; fi
	wait_port_free "$PG_LISTEN" "$(node_port "$node")" 20 \
		|| pg_die "port $(node_port "$node") is still taken; is another server using it?"
	wait_postmaster_gone "$node"
	pg_as_owner pg_ctl -D "$node/data" -l "$node/postgres.log" -w -t 60 start >/dev/null \
		|| { tail -n 20 "$node/postgres.log" >&2; pg_die "node $node did not start"; }
}

# node_stop NODE [MODE]: pg_ctl stop (MODE fast by default) and wait until the port is free.
node_stop() {
	local node="$1" mode="${2:-fast}"
	if node_is_running "$node"; then
		pg_as_owner pg_ctl -D "$node/data" -m "$mode" -w -t 60 stop >/dev/null || true
	fi
	wait_port_free "$PG_LISTEN" "$(node_port "$node")" 20 || true
}

# node_kill NODE: kill -9 the postmaster and its processes, as a crash would, then wait until its
# port is closed (not for the pid: the zombie lingers; see wait_postmaster_gone).
node_kill() {
	local node="$1" pid
	pid="$(head -n 1 "$node/data/postmaster.pid" 2>/dev/null)" || return 0
	[ -n "$pid" ] || return 0
	kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
	pkill -9 -P "$pid" 2>/dev/null || true
	wait_port_free "$PG_LISTEN" "$(node_port "$node")" 20 || true
	pg_event "$(node_name "$node") is down: killed, its port is closed"
}

# wait_postmaster_gone NODE: a kill -9'ed postmaster lingers as a zombie for a second or two, and
# a new postmaster refuses to start while the pid in the old lock file is alive.
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
	local node="$1" want="$2" i n
	for ((i = 0; i < $3 * 10; i++)); do
		n="$(psql_admin "$node" -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")"
		[ "$n" -ge "$want" ] && return 0
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
	local node="$1" mode="$2" names standbys
	shift 2
	read -ra standbys <<<"${*:-$PG_REPLICA_NAMES}"
	case "$mode" in
		async) names="" ;;
		quorum) printf -v names '%s, ' "${standbys[@]}"; names="ANY 1 (${names%, })" ;;
		*) pg_die "sync mode must be 'async' or 'quorum', not '$mode'" ;;
	esac
	psql_admin "$node" -v names="$names" >/dev/null <<-'EOF'
		ALTER SYSTEM SET synchronous_standby_names = :'names';
		ALTER SYSTEM SET synchronous_commit = 'on';
		SELECT pg_reload_conf();
	EOF
	pg_log "sync mode: $mode${names:+ ($names)}"
}

# cluster_apply_start_sync_mode PRIMARY_NODE: the start-up switch. PG_SYNC_MODE when it is set;
# unset keeps the mode the cluster was last switched to (ALTER SYSTEM persists it in PGDATA).
cluster_apply_start_sync_mode() {
	if [ -n "${PG_SYNC_MODE:-}" ]; then cluster_set_sync_mode "$1" "$PG_SYNC_MODE"; fi
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

# freshest_standby NODE...: of the given running standbys, the one that has received the most
# WAL (pg_last_wal_receive_lsn), so a promotion loses the least. Prints every candidate's
# positions as events and sets FRESHEST_STANDBY to the winner's directory.
freshest_standby() {
	local node best="" best_lsn="" pos receive replay has
	for node in "$@"; do
		pos="$(node_wal_positions "$node" 2>/dev/null)" || { pg_log "$(basename "$node"): unreachable"; continue; }
		read -r receive replay has <<<"$pos"
		pg_event "candidate $(node_name "$node"): receive_lsn=${receive:-none} replay_lsn=$replay"
		if [ -z "$best" ] || [ "$(psql_admin "$node" -c "SELECT '$has'::pg_lsn > '$best_lsn'::pg_lsn")" = t ]; then
			best="$node" best_lsn="$has"
		fi
	done
	[ -n "$best" ] || pg_die "no standby is reachable: nothing to promote"
	# shellcheck disable=SC2034 # the result, read by the caller
	FRESHEST_STANDBY="$best"
}

# node_promote NODE: end recovery (pg_promote, waiting until it is done) on a standby.
node_promote() {
	local promoted
	promoted="$(psql_admin "$1" -c 'SELECT pg_promote(wait => true, wait_seconds => 60)')"
	[ "$promoted" = t ] || pg_die "$(node_name "$1") did not finish promotion"
}

# node_current_timeline NODE: the timeline the node writes on now. pg_control_checkpoint() lags
# right after a promotion, so it is read from the name of the current WAL file.
node_current_timeline() {
	psql_admin "$1" -c "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int"
}

# node_follow NODE PRIMARY_HOST PRIMARY_PORT: make the standby NODE stream from another primary,
# through its own slot (named after it), by reload: primary_conninfo is reloadable since PG 13.
# The password is in the statement, so the session keeps it out of pg_stat_statements.
node_follow() {
	local node="$1" host="$2" port="$3" name conninfo
	name="$(node_name "$node")"
	conninfo="host=$host port=$port user=$PG_REPLICATION_USER password=$PG_REPLICATION_PASSWORD application_name=$name"
	psql_admin "$node" -v conninfo="$conninfo" -v slot="$name" >/dev/null <<-'EOF'
		SET pg_stat_statements.track_utility = off;
		ALTER SYSTEM SET primary_conninfo = :'conninfo';
		ALTER SYSTEM SET primary_slot_name = :'slot';
		SELECT pg_reload_conf();
	EOF
}

# node_wait_streaming_on_timeline NODE TIMELINE SECONDS: until NODE's WAL receiver streams
# on TIMELINE (pg_stat_wal_receiver), i.e. it really follows the new primary.
node_wait_streaming_on_timeline() {
	local node="$1" tli="$2" i s
	for ((i = 0; i < $3 * 20; i++)); do
		s="$(psql_admin "$node" -c "SELECT status || ' ' || received_tli FROM pg_stat_wal_receiver" 2>/dev/null || true)"
		[ "$s" = "streaming $tli" ] && return 0
		sleep 0.05
	done
	pg_die "$(node_name "$node") is not streaming on timeline $tli after $3 s (receiver: ${s:-none})"
}

# node_rejoin NODE PRIMARY_NODE: turn a failed former primary NODE into a standby of PRIMARY_NODE
# with pg_rewind. pg_rewind copies the source's configuration, so the standby settings are
# written afterwards (-R) and the node's own identity stays in node.conf, outside PGDATA.
node_rejoin() {
	local node="$1" primary="$2" name
	name="$(node_name "$node")"
	node_stop "$node" fast
	wait_postmaster_gone "$node"
	# pg_rewind may first run crash recovery in single-user mode, which refuses standby mode;
	# -R below writes standby.signal again.
	pg_as_owner rm -f "$node/data/standby.signal"
	node_ensure_slot "$primary" "$name"
	# Right after a promotion the new primary's control file still names the old timeline, and
	# pg_rewind would then answer "no rewind required"; a checkpoint writes the new one.
	psql_admin "$primary" -c CHECKPOINT >/dev/null
	pg_as_owner env PGPASSWORD="$PG_SUPERUSER_PASSWORD" pg_rewind -D "$node/data" -R \
		--source-server="host=$PG_LISTEN port=$(node_port "$primary") user=postgres dbname=postgres application_name=$name" \
		>"$node/rewind.log" 2>&1 || { cat "$node/rewind.log" >&2; pg_die "pg_rewind of $name failed"; }
	pg_as_owner touch "$node/data/standby.signal"
	node_start "$node"
	node_follow "$node" "$PG_LISTEN" "$(node_port "$primary")"
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
