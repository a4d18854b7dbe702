#!/usr/bin/env bash
# shellcheck shell=bash
#
# Creating a node: a primary by initdb (the shared settings, pg_hba, roles, database, one slot per
# replica) or a replica by pg_basebackup. Part of cluster/pg-functions.sh: source that file, not
# this one.

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
PG_SHARED_CONF="${PG_SHARED_CONF:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/postgresql.shared.conf}"

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

# node_create_roles NODE: replication role, application role and its database, pg_stat_statements.
node_create_roles() {
	local node="$1"
	# The passwords travel on stdin, never a command line; the session keeps no trace of them.
	{
		secret_session_sql
		cat <<-EOF
			SET password_encryption = 'scram-sha-256';
			CREATE ROLE $PG_REPLICATION_USER WITH REPLICATION LOGIN PASSWORD $(sql_literal "$PG_REPLICATION_PASSWORD");
			CREATE ROLE $PG_USER WITH LOGIN PASSWORD $(sql_literal "$PG_PASSWORD");
			CREATE DATABASE $PG_DATABASE OWNER $PG_USER;
			GRANT pg_monitor TO $PG_USER;
		EOF
	} | psql_admin "$node"
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
	PGPASSWORD="$PG_REPLICATION_PASSWORD" pg_as_owner pg_basebackup \
		-d "host=$phost port=$pport user=$PG_REPLICATION_USER application_name=$name" \
		-D "$node/data" -R -X stream -S "$name" -c fast --no-password \
		|| { pg_as_owner rm -rf "$node/data"; pg_die "pg_basebackup for $name failed"; }
}
