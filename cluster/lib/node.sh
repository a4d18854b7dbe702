#!/usr/bin/env bash
# shellcheck shell=bash
#
# One node and its server process: its identity (node.conf), a superuser session, start, stop,
# kill -9, pause (SIGSTOP: a node that hangs instead of dying) and what state it is in. Part of
# cluster/pg-functions.sh: source that file, not this one.

# node_port NODE: the port NODE listens on.
node_port() { sed -n 's/^port = //p' "$1/node.conf"; }

# node_name NODE: the node's name (cluster_name, also its application_name and slot name).
node_name() { sed -n "s/^cluster_name = '\(.*\)'$/\1/p" "$1/node.conf"; }

# secret_session_sql: the first statements of a session whose statements carry a password
# (CREATE ROLE ... PASSWORD, ALTER SYSTEM SET primary_conninfo): none of its statements is kept in
# pg_stat_statements (the application's role reads it: pg_monitor), nor logged, however slow
# (log_min_duration_statement) or failed. The same as Patroni's create_or_update_role.
secret_session_sql() {
	cat <<-'EOF'
		SET pg_stat_statements.track_utility = off;
		SET log_statement = 'none';
		SET log_min_duration_statement = -1;
		SET log_min_error_statement = 'panic';
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

# psql_remote HOST PORT [psql args...]: a superuser session over TCP, to a server whose files
# are not here (another container's).
psql_remote() {
	local host="$1" port="$2"
	shift 2
	PGPASSWORD="$PG_SUPERUSER_PASSWORD" PGCONNECT_TIMEOUT=5 "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
		"host=$host port=$port user=postgres dbname=postgres" "$@"
}

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

# node_in_recovery NODE: prints t for a standby, f for a primary (fails when the node is down).
node_in_recovery() { psql_admin "$1" -c 'SELECT pg_is_in_recovery()'; }

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

# node_start NODE: start and wait until it accepts connections (a standby: read-only ones).
node_start() {
	local node="$1"
	if node_is_running "$node"; then return 0; fi
	node_wait_port_closed "$node" 20 \
		|| pg_die "port $(node_port "$node") is still taken; is another server using it?"
	wait_postmaster_gone "$node"
	# Its cgroup as node_cpus says (node-cpu.sh; none by default), and a subshell that enters it
	# first: the postmaster and every process it forks are born in it.
	node_cgroup_apply "$node"
	(node_cgroup_enter "$node" && node_as_owner "$node" pg_ctl -D "$node/data" -l "$node/postgres.log" -w -t 60 start >/dev/null) \
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

# node_wait_port_closed NODE SECONDS: until NODE's port is closed (see wait_port_free).
node_wait_port_closed() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		node_port_open "$1" || return 0
		sleep 0.1
	done
	return 1
}

# node_exec NODE: replace this shell with NODE's postmaster in the foreground, as a container's main
# process (docker stop's signal reaches the server itself; logs go to stderr). Run it as the
# server's OS user: it does not step down from root the way pg_as_owner does.
node_exec() {
	[ "$(id -u)" != 0 ] || pg_die "node_exec: run as the server's OS user, not root"
	exec "$PG_BINDIR/postgres" -D "$1/data"
}

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

# node_pause_replay NODE: a standby that keeps receiving WAL but applies none of it
# (pg_wal_replay_pause): its replay position stands still while the primary moves on — lag, as a long
# query holding replay back or an operator's pause shows it. Refused on a primary.
node_pause_replay() {
	[ "$(node_in_recovery "$1" 2>/dev/null)" = t ] || pg_die "$(node_name "$1") is not a running standby: only a standby's replay can be paused"
	psql_admin "$1" -c 'SELECT pg_wal_replay_pause()' >/dev/null
	pg_event "$(node_name "$1") replay paused at $(psql_admin "$1" -c 'SELECT pg_last_wal_replay_lsn()'): it receives WAL but applies none"
}

# node_resume_replay NODE: undo node_pause_replay (nothing to do on a primary or a node that is down).
node_resume_replay() {
	[ "$(node_in_recovery "$1" 2>/dev/null)" = t ] || return 0
	psql_admin "$1" -c 'SELECT pg_wal_replay_resume()' >/dev/null
	pg_event "$(node_name "$1") replays again"
}
