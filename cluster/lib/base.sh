#!/usr/bin/env bash
# shellcheck shell=bash
#
# The ground every step stands on: settings (PG_* from the environment, each secret also as *_FILE),
# the server binaries, the OS user that owns the servers, logging and the timeline events the drill
# reads, quoting, and small pure helpers (ports, LSNs, name lists). Part of cluster/pg-functions.sh:
# source that file, not this one.

# pg_log MESSAGE...: progress on stderr, so stdout stays machine-readable.
pg_log() { printf '%s [pg] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# pg_die MESSAGE...: refuse loudly and stop.
pg_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# pg_event TEXT: one timeline line on stdout, "event <epoch ms> <text>", for the drill's report.
pg_event() { printf 'event %s %s\n' "$(date +%s%3N)" "$*"; pg_log "$*"; }

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
	PG_BINDIR="$(pg_find_bindir)" || pg_die "PostgreSQL server binaries not found: run bin/install-deps postgres (or put initdb on PATH)"
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

# sql_literal TEXT: TEXT as a quoted SQL string literal.
sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

# conf_quote TEXT: TEXT as a quoted value in a PostgreSQL configuration file (' and \ doubled,
# the way ALTER SYSTEM writes postgresql.auto.conf).
conf_quote() {
	local v="${1//\\/\\\\}"
	printf "'%s'" "${v//\'/\'\'}"
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

# lsn_number LSN: a pg_lsn (hi/lo in hex) as a number, to compare positions without a server.
lsn_number() { echo $(((16#${1%/*} << 32) | 16#${1#*/})); }

# names_except NAME NAME...: the names after the first, without the first, one per line (the
# standbys a quorum counts on are every node but the primary).
names_except() {
	local skip="$1" n
	shift
	for n in "$@"; do [ "$n" = "$skip" ] || echo "$n"; done
}
