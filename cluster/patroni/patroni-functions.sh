#!/usr/bin/env bash
# shellcheck shell=bash
#
# The Patroni cluster mode, one small function per step: a single-node etcd, three
# Patroni-managed PostgreSQL nodes, optionally HAProxy. Sourced by bin/patroni-cluster and by the
# compose image (docker/patroni/entrypoint.sh). It builds on cluster/pg-functions.sh (settings,
# secrets, the postgres OS user, ports, psql_admin, node_kill) and does not repeat it.
#
#   source cluster/pg-functions.sh cluster/patroni/patroni-functions.sh
#   ha_setup_env
#   etcd_start; ha_node_start node1; ...
#
# Layout under HA_DIR:
#   etcd/                      etcd's data (etcd.log, etcd.pid beside it)
#   lib/                       a copy of the scripts Patroni runs as 'postgres' (post_bootstrap),
#                              so the repository itself need not be readable by that user
#   secrets/                   the passwords, 0600, handed to post_bootstrap as *_FILE
#   nodeN/patroni.yml          rendered from cluster/patroni/patroni.yml, 0600
#   nodeN/data                 PGDATA, managed by Patroni
#   nodeN/node.conf            port and name: the node's identity, as on the manual cluster, so
#                              psql_admin, node_kill and node_name of pg-functions.sh work
#                              unchanged (PostgreSQL itself does not read it here: Patroni
#                              writes the server's configuration)
#   nodeN/sock                 unix socket directory (local trust for the owner only)
#   nodeN/patroni.log, .pid
#   haproxy.cfg, haproxy.pid, haproxy.log
#
# Settings (environment), besides those of pg-functions.sh:
#   HA_DIR   (<repo>/.patroni)   HA_SCOPE (socialnet)
#   HA_PORT  (16000) base of every port: etcd client +379, peer +380; Patroni REST +8..+10;
#            PostgreSQL node1..node3 +432..+434; HAProxy primary +500, replicas +501, stats +502
#   HA_TTL (10)  HA_LOOP_WAIT (2)  HA_RETRY_TIMEOUT (4)   failover time follows HA_TTL
#   HA_SYNC_MODE (quorum | async)  commit mode written into etcd at bootstrap

HA_NODES=(node1 node2 node3)
HA_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# ha_setup_env: read every setting once, with its default (after pg_setup_env).
ha_setup_env() {
	pg_setup_env
	: "${HA_DIR:=$(cd "$HA_LIB/../.." && pwd)/.patroni}" "${HA_SCOPE:=socialnet}" "${HA_PORT:=16000}"
	: "${HA_TTL:=10}" "${HA_LOOP_WAIT:=2}" "${HA_RETRY_TIMEOUT:=4}" "${HA_SYNC_MODE:=quorum}" "${HA_ETCD_HOST:=$PG_LISTEN}"
	if ! [[ "$HA_PORT" =~ ^[0-9]+$ ]] || [ "$HA_PORT" -lt 1024 ] || [ $((HA_PORT + 502)) -ge 32768 ]; then
		pg_die "HA_PORT=$HA_PORT: every port must lie in 1024-32767 (ports above are taken by outgoing connections)"
	fi
	# Patroni's documented rule (dynamic configuration): loop_wait + 2 * retry_timeout <= ttl.
	[ $((HA_LOOP_WAIT + 2 * HA_RETRY_TIMEOUT)) -le "$HA_TTL" ] \
		|| pg_die "HA_TTL ($HA_TTL) must be at least HA_LOOP_WAIT + 2 * HA_RETRY_TIMEOUT"
	ha_sync_flag "$HA_SYNC_MODE" >/dev/null
	export HA_DIR HA_SCOPE HA_PORT HA_TTL HA_LOOP_WAIT HA_RETRY_TIMEOUT HA_SYNC_MODE HA_ETCD_HOST
	export HA_ETCD_PORT=$((HA_PORT + 379)) HA_ETCD_PEER_PORT=$((HA_PORT + 380))
	export HA_HAPROXY_PRIMARY_PORT=$((HA_PORT + 500)) HA_HAPROXY_REPLICAS_PORT=$((HA_PORT + 501))
	export HA_HAPROXY_STATS_PORT=$((HA_PORT + 502))
	HA_CLEAN_ENV=(env -i PATH="$PG_BINDIR:/usr/local/bin:/usr/bin:/bin" HOME="$HA_DIR" LANG=C.UTF-8)
}

# ha_sync_flag async|quorum: Patroni's synchronous_mode for the project's commit-mode name.
# Patroni 3.0 has no quorum commit: its synchronous mode keeps one named synchronous standby
# (and only promotes that one), which gives the same guarantee for a single crash.
ha_sync_flag() {
	case "$1" in
		async) echo false ;;
		quorum) echo true ;;
		*) pg_die "sync mode must be 'async' or 'quorum', not '$1'" ;;
	esac
}

# ha_node_index NAME: 1..3 for node1..node3.
ha_node_index() {
	case "$1" in
		node1) echo 1 ;; node2) echo 2 ;; node3) echo 3 ;;
		*) pg_die "unknown node '$1' (node1, node2, node3)" ;;
	esac
}

ha_node_dir() { echo "$HA_DIR/$1"; }
# ha_host NAME: the address NAME listens on and is reached at (node_addr: PG_LISTEN here, the node's
# own address in its namespace on a network, cluster/netns-functions.sh).
ha_host() { node_addr "$(ha_node_dir "$1")"; }
ha_pg_port() { echo $((HA_PORT + 431 + $(ha_node_index "$1"))); }
ha_rest_port() { echo $((HA_PORT + 7 + $(ha_node_index "$1"))); }

# ha_render TEMPLATE: TEMPLATE with every @@VAR@@ replaced by $VAR; refuses unset ones.
ha_render() {
	local text v
	text="$(< "$1")"
	for v in $(grep -o '@@[A-Z_]*@@' "$1" | sort -u | tr -d @); do
		[ -n "${!v+x}" ] || pg_die "$1: @@$v@@ has no value (\$$v is not set)"
		text="${text//@@$v@@/${!v}}"
	done
	printf '%s\n' "$text"
}

# yaml_quote TEXT: TEXT as a YAML single-quoted scalar (same escaping rule as an SQL literal).
yaml_quote() { sql_literal "$1"; }

# ha_shared_parameters: cluster/postgresql.shared.conf as one YAML flow mapping, for patroni.yml's
# bootstrap parameters: whole numbers bare, everything else quoted (on, 1s, 256MB stay strings).
ha_shared_parameters() {
	local name value out=''
	while IFS=$'\t' read -r name value; do
		[[ "$value" =~ ^[0-9]+$ && "$value" != 0?* ]] || value="$(yaml_quote "$value")"
		out+="${out:+, }$name: $value"
	done < <(pg_shared_settings)
	printf '{%s}\n' "$out"
}

# ha_prepare_dir: HA_DIR itself, the scripts Patroni runs, and the secrets, all reachable by the
# server's OS user (a repository under /root is not).
ha_prepare_dir() {
	mkdir -p "$HA_DIR/lib/patroni" "$HA_DIR/secrets"
	chmod 0755 "$HA_DIR"
	cp "$HA_LIB/../pg-functions.sh" "$HA_LIB/../postgresql.shared.conf" "$HA_DIR/lib/"
	rm -rf "$HA_DIR/lib/lib"
	cp -r "$HA_LIB/../lib" "$HA_DIR/lib/lib"
	cp "$HA_LIB/post-bootstrap.sh" "$HA_DIR/lib/patroni/"
	chmod -R a+rX "$HA_DIR/lib"
	# shellcheck disable=SC2153  # PG_*_PASSWORD come from pg_setup_env
	(
		umask 077
		printf '%s' "$PG_PASSWORD" >"$HA_DIR/secrets/pg_password"
		printf '%s' "$PG_SUPERUSER_PASSWORD" >"$HA_DIR/secrets/pg_superuser_password"
		printf '%s' "$PG_REPLICATION_PASSWORD" >"$HA_DIR/secrets/pg_replication_password"
	)
	chmod 0700 "$HA_DIR/secrets"
	if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$HA_DIR/secrets"; fi
}

# ha_node_configure NAME [HOST]: the node's directory, node.conf and patroni.yml (0600). HOST is
# the address others reach it at (its own address locally, the container name in compose); it
# listens on ha_host (0.0.0.0 in compose).
ha_node_configure() {
	local name="$1" host="${2:-$(ha_host "$1")}" node
	node="$(ha_node_dir "$name")"
	node_prepare_dir "$node"
	printf "port = %s\ncluster_name = '%s'\n" "$(ha_pg_port "$name")" "$name" | pg_as_owner tee "$node/node.conf" >/dev/null
	# shellcheck disable=SC2034,SC2016  # ha_render reads the HA_* through ${!v}; $1 is sh's
	(
		HA_NAME="$name" HA_NODE_DIR="$node" HA_ETCD_HOSTS="${HA_ETCD_HOSTS:-$HA_ETCD_HOST:$HA_ETCD_PORT}"
		HA_REST_LISTEN="$(ha_host "$name"):$(ha_rest_port "$name")" HA_REST_ADDRESS="$host:$(ha_rest_port "$name")"
		HA_PG_LISTEN="$(ha_host "$name"):$(ha_pg_port "$name")" HA_PG_ADDRESS="$host:$(ha_pg_port "$name")"
		HA_SYNC="$(ha_sync_flag "$HA_SYNC_MODE")" HA_POST_BOOTSTRAP="$HA_DIR/lib/patroni/post-bootstrap.sh"
		HA_SHARED_PARAMETERS="$(ha_shared_parameters)"
		HA_SUPERUSER_PASSWORD="$(yaml_quote "$PG_SUPERUSER_PASSWORD")"
		HA_REPLICATION_PASSWORD="$(yaml_quote "$PG_REPLICATION_PASSWORD")"
		ha_render "$HA_LIB/patroni.yml"
	) | pg_as_owner sh -c 'umask 077; cat > "$1"' _ "$node/patroni.yml"
}

# HA_CLEAN_ENV (set by ha_setup_env): the prefix that runs a command with only the environment it
# needs. Inherited PG* variables (PGHOST, PGPORT, PGPASSWORD...) reach libpq inside Patroni and
# broke replica bootstrap in trials here; PATRONI_* ones would override its configuration.

# ha_patroni_command NAME: sets HA_PATRONI_CMD to the command line that runs the node's Patroni
# in a clean environment (run it as the server's OS user). The post_bootstrap hook reads the
# settings of pg-functions.sh, its secrets as *_FILE.
ha_patroni_command() {
	local node
	node="$(ha_node_dir "$1")"
	HA_PATRONI_CMD=("${HA_CLEAN_ENV[@]}" HA_NODE_DIR="$node"
		PG_DATABASE="$PG_DATABASE" PG_USER="$PG_USER" PG_REPLICATION_USER="$PG_REPLICATION_USER"
		PG_PASSWORD_FILE="$HA_DIR/secrets/pg_password"
		PG_SUPERUSER_PASSWORD_FILE="$HA_DIR/secrets/pg_superuser_password"
		PG_REPLICATION_PASSWORD_FILE="$HA_DIR/secrets/pg_replication_password"
		patroni "$node/patroni.yml")
}

# ha_node_start NAME: start the node's Patroni in its own session, in the background, where the
# node lives (node_as_owner: its namespace on a network); Patroni then starts PostgreSQL (initdb or
# a clone from the leader on first start). A Patroni that runs is left alone: so is a frozen one
# (ha_node_resume wakes it).
ha_node_start() {
	local name="$1" node
	node="$(ha_node_dir "$name")"
	if ha_pid_alive "$node/patroni.pid"; then pg_log "$name: Patroni already running"; return 0; fi
	[ -f "$node/patroni.yml" ] || ha_node_configure "$name"
	# Its PostgreSQL may run on without it (its agent was killed alone): Patroni adopts a running
	# server; only a port held by something else is in the way.
	if ! node_is_running "$node"; then
		node_wait_port_closed "$node" 20 || pg_die "port $(ha_pg_port "$name") is still taken"
	fi
	pg_log "$name: starting Patroni (REST $(ha_host "$name"):$(ha_rest_port "$name"), PostgreSQL :$(ha_pg_port "$name"))"
	ha_patroni_command "$name"
	# shellcheck disable=SC2016  # $$ and $1 belong to the inner sh
	node_as_owner "$node" setsid sh -c 'echo $$ > "$1"; shift; exec "$@"' _ "$node/patroni.pid" \
		"${HA_PATRONI_CMD[@]}" </dev/null >>"$node/patroni.log" 2>&1 &
}

# ha_pid_alive PIDFILE: true when the process named in PIDFILE is alive.
ha_pid_alive() {
	local pid
	pid="$(cat "$1" 2>/dev/null)" || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# ha_node_stop NAME: a clean stop: SIGTERM makes Patroni stop PostgreSQL (releasing the leader
# key if it held it), then exit.
ha_node_stop() {
	local name="$1" node pid i parent
	node="$(ha_node_dir "$name")"
	pid="$(cat "$node/patroni.pid" 2>/dev/null)" || return 0
	parent="$(ha_agent_parent "$node")"
	kill -TERM "$pid" 2>/dev/null || true
	# A frozen agent handles the SIGTERM once woken; its parent must reap it.
	kill -CONT "$pid" 2>/dev/null || true
	ha_wake "$parent"
	for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	ha_pid_alive "$node/patroni.pid" && kill -9 "$pid" 2>/dev/null
	rm -f "$node/patroni.pid"
	# Patroni stops PostgreSQL on the way out; should it not have, stop it as a crash would.
	if [ -f "$node/node.conf" ]; then node_kill "$node"; fi
}

# ha_node_kill NAME [agent|postgres]: a crash of the whole node: kill -9 of Patroni, then of the
# postmaster's process group (node_kill; Patroni starts the postmaster in its own session), then
# wait for the port. With a PART, that process alone: 'agent' leaves a server running that nobody
# manages (its leader key expires; a frozen or dead agent is what Patroni's watchdog is for), and
# 'postgres' a Patroni that restarts its server by itself.
ha_node_kill() {
	local name="$1" part="${2:-node}" node parent
	node="$(ha_node_dir "$name")"
	ha_part "$part" >/dev/null
	if [ "$part" != postgres ]; then
		parent="$(ha_agent_parent "$node")"
		if ha_pid_alive "$node/patroni.pid"; then kill -9 "$(cat "$node/patroni.pid")" 2>/dev/null || true; fi
		ha_wake "$parent" # to reap it
		rm -f "$node/patroni.pid"
		[ "$part" = node ] || pg_event "$name's Patroni is down: killed; its PostgreSQL runs on unmanaged"
	fi
	if [ "$part" != agent ]; then node_kill "$node"; fi
}

# ha_part PART: node | agent | postgres — the whole node, its Patroni, its PostgreSQL.
ha_part() {
	case "$1" in
		node | agent | postgres) echo "$1" ;;
		*) pg_die "the part of a node is 'agent' (its Patroni) or 'postgres' (its server), not '$1'" ;;
	esac
}

# ha_node_pause NAME [agent|postgres]: SIGSTOP of the whole node (Patroni and every server process),
# or of one part: a frozen agent whose PostgreSQL runs on, or a hung server whose agent still talks
# to etcd.
ha_node_pause() {
	local name="$1" part="${2:-node}" node
	node="$(ha_node_dir "$name")"
	ha_part "$part" >/dev/null
	if [ "$part" != postgres ]; then
		ha_pid_alive "$node/patroni.pid" || pg_die "$name's Patroni is not running"
		kill -STOP "$(cat "$node/patroni.pid")"
		[ "$part" = node ] || pg_event "$name's Patroni is frozen: SIGSTOP; its PostgreSQL runs on"
	fi
	if [ "$part" != agent ]; then node_pause "$node"; fi
}

# ha_node_resume NAME: SIGCONT of everything ha_node_pause may have stopped (idempotent).
ha_node_resume() {
	local name="$1" node parent
	node="$(ha_node_dir "$name")"
	parent="$(ha_agent_parent "$node")"
	if ha_pid_alive "$node/patroni.pid"; then kill -CONT "$(cat "$node/patroni.pid")" 2>/dev/null || true; fi
	ha_wake "$parent"
	node_resume "$node"
}

# ha_agent_parent NODE: the pid of the process that waits on the node's Patroni ('' if none). As
# root that is runuser (pg_as_owner), which stops itself when its child stops, as su does, and is
# not woken when the child is: left stopped it never reaps Patroni, and every frozen-agent fault
# left a stopped runuser behind, then a zombie Patroni once the agent was gone.
ha_agent_parent() {
	local pid
	pid="$(cat "$1/patroni.pid" 2>/dev/null)" || return 0
	ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ' || true
}

# ha_wake PID: SIGCONT to PID, the parent ha_agent_parent named (never init).
ha_wake() {
	if [ -n "$1" ] && [ "$1" != 1 ]; then kill -CONT "$1" 2>/dev/null || true; fi
}

# ha_part_ports PART: the TCP ports a partition of that part of a node cuts: its PostgreSQL's
# (every node's server port: what it serves and what its walreceiver or pg_rewind reaches), or its
# agent's (every Patroni REST port and etcd's).
ha_part_ports() {
	local n ports=""
	case "$(ha_part "$1")" in
		postgres) for n in "${HA_NODES[@]}"; do ports+="${ports:+,}$(ha_pg_port "$n")"; done ;;
		agent) for n in "${HA_NODES[@]}"; do ports+="${ports:+,}$(ha_rest_port "$n")"; done; ports+=",$HA_ETCD_PORT" ;;
		node) ;;
	esac
	echo "$ports"
}

# ha_rest_code NAME PATH: HTTP status of GET PATH on the node's Patroni REST API ('-' when it
# does not answer). Plain bash, so no curl is needed: /primary is 200 on the leader only,
# /replica on a running replica only.
ha_rest_code() {
	local port code host
	port="$(ha_rest_port "$1")"
	host="$(ha_host "$1")"
	# Bounded as a whole: a connect to a node whose packets are dropped (a partition) would otherwise
	# wait for TCP's own give-up, minutes; a frozen agent accepts and never answers.
	# shellcheck disable=SC2016 # the inner shell's positional parameters
	code="$(timeout 4 bash -c '
		exec 2>/dev/null
		exec 3<>"/dev/tcp/$0/$1" || exit 1
		printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$2" "$0" >&3
		read -r -t 3 _ code _ <&3 && echo "$code"
		# Read the answer to its end: Patroni logs a traceback for a client that hangs up early.
		while read -r -t 3 _; do :; done <&3' "$host" "$port" "$2")" || true
	echo "${code:--}"
}

# ha_node_role NAME: primary | replica | down, in Patroni's own word (its REST API).
ha_node_role() {
	case "$(ha_rest_code "$1" /primary)" in
		200) echo primary ;;
		-) echo down ;; # no answer: no second question (each waits for its bound on a cut-off node)
		*) if [ "$(ha_rest_code "$1" /replica)" = 200 ]; then echo replica; else echo down; fi ;;
	esac
}

# ha_leader: the node Patroni says is the primary now; empty when there is none.
ha_leader() {
	local n
	for n in "${HA_NODES[@]}"; do
		if [ "$(ha_node_role "$n")" = primary ]; then echo "$n"; return; fi
	done
}

# ha_streaming_count LEADER: member nodes streaming from LEADER, from pg_stat_replication
# (patronictl list of 3.0.2 does not show it). Only members count: a replica being cloned
# shows up there too, as a pg_basebackup WAL stream.
ha_streaming_count() {
	psql_admin "$(ha_node_dir "$1")" -v names="${HA_NODES[*]}" 2>/dev/null <<-'EOF' || echo 0
		SELECT count(*) FROM pg_stat_replication
		 WHERE state = 'streaming' AND application_name = ANY (string_to_array(:'names', ' '))
	EOF
}

# ha_replica_count: nodes Patroni reports as running replicas.
ha_replica_count() {
	local n count=0
	for n in "${HA_NODES[@]}"; do
		if [ "$(ha_rest_code "$n" /replica)" = 200 ]; then count=$((count + 1)); fi
	done
	echo "$count"
}

# ha_wait_cluster STANDBYS SECONDS: until there is a leader with STANDBYS streaming from it, and
# Patroni reports them as replicas (it does so a loop after they started streaming).
ha_wait_cluster() {
	local want="$1" i leader=""
	for ((i = 0; i < $2 * 5; i++)); do
		leader="$(ha_leader)"
		if [ -n "$leader" ] && [ "$(ha_streaming_count "$leader")" -ge "$want" ] &&
			[ "$(ha_replica_count)" -ge "$want" ]; then return 0; fi
		sleep 0.2
	done
	pg_die "no leader with $want streaming standbys after $2 s (leader: ${leader:-none}); see $HA_DIR/node*/patroni.log"
}

# ha_wait_streams NAME SECONDS: until Patroni reports NAME as a replica that streams from the leader.
ha_wait_streams() {
	local i leader
	for ((i = 0; i < $2 * 5; i++)); do
		leader="$(ha_leader)"
		if [ -n "$leader" ] && [ "$(ha_node_role "$1")" = replica ] &&
			[ "$(psql_admin "$(ha_node_dir "$leader")" -v name="$1" 2>/dev/null <<<"SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND application_name = :'name'")" = 1 ]; then
			return 0
		fi
		sleep 0.2
	done
	pg_die "$1 does not stream from a leader after $2 s; see $(ha_node_dir "$1")/patroni.log"
}

# ha_patronictl ARGS...: patronictl as the server's OS user, with node1's configuration (any
# node's would do: it only needs etcd and the scope).
ha_patronictl() {
	pg_as_owner "${HA_CLEAN_ENV[@]}" patronictl -c "$(ha_node_dir node1)/patroni.yml" "$@"
}

# ha_set_sync async|quorum: Patroni's synchronous_mode (and _strict) off or on, in etcd; then
# wait until the leader applied it to synchronous_standby_names.
ha_set_sync() {
	local flag leader names i
	flag="$(ha_sync_flag "$1")"
	ha_patronictl edit-config --force --quiet -s "synchronous_mode=$flag" -s "synchronous_mode_strict=$flag" >/dev/null
	for ((i = 0; i < 150; i++)); do
		leader="$(ha_leader)"
		if [ -n "$leader" ]; then
			names="$(psql_admin "$(ha_node_dir "$leader")" -c 'SHOW synchronous_standby_names' 2>/dev/null || echo '?')"
			if { [ "$flag" = true ] && [ -n "$names" ] && [ "$names" != '?' ]; } || { [ "$flag" = false ] && [ -z "$names" ]; }; then
				pg_log "sync mode: $1 (synchronous_mode=$flag, synchronous_standby_names='$names')"
				return 0
			fi
		fi
		sleep 0.2
	done
	pg_die "the leader did not apply synchronous_mode=$flag in 30 s"
}

# etcd_start: a single-node etcd for Patroni's leader key, data under HA_DIR/etcd, on HA_ETCD_HOST
# (PG_LISTEN; on a network the bridge's address, which every node's namespace reaches).
etcd_start() {
	local dir="$HA_DIR/etcd" url="http://$HA_ETCD_HOST:$HA_ETCD_PORT" i
	if ha_pid_alive "$HA_DIR/etcd.pid"; then return 0; fi
	command -v etcd >/dev/null || pg_die "etcd not found: run bin/install-deps patroni"
	mkdir -p "$dir" && chmod 0700 "$dir"
	pg_log "etcd: client $url"
	# ETCD_* variables would configure etcd too: a clean environment here as well.
	setsid env -i PATH=/usr/bin:/bin etcd --name etcd0 --data-dir "$dir" \
		--listen-client-urls "$url" --advertise-client-urls "$url" \
		--listen-peer-urls "http://$HA_ETCD_HOST:$HA_ETCD_PEER_PORT" \
		--initial-advertise-peer-urls "http://$HA_ETCD_HOST:$HA_ETCD_PEER_PORT" \
		--initial-cluster "etcd0=http://$HA_ETCD_HOST:$HA_ETCD_PEER_PORT" --initial-cluster-state new \
		</dev/null >>"$HA_DIR/etcd.log" 2>&1 &
	echo $! >"$HA_DIR/etcd.pid"
	for ((i = 0; i < 300; i++)); do port_open "$HA_ETCD_HOST" "$HA_ETCD_PORT" && return 0; sleep 0.1; done
	tail -n 20 "$HA_DIR/etcd.log" >&2
	pg_die "etcd did not open $url in 30 s"
}

# etcd_stop: stop etcd (data kept).
etcd_stop() { ha_stop_pidfile "$HA_DIR/etcd.pid"; }

# ha_stop_pidfile PIDFILE: SIGTERM, up to 10 s, then SIGKILL; removes PIDFILE.
ha_stop_pidfile() {
	local pid i
	pid="$(cat "$1" 2>/dev/null)" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$1"
}

# haproxy_write_config: HA_DIR/haproxy.cfg, with a primary port and a replicas port (see
# cluster/patroni/haproxy.cfg), checked by haproxy itself. The nodes are reached at
# HA_NODE_HOSTS (node1..node3's hosts, space-separated; default: each one's ha_host).
haproxy_write_config() {
	local hosts servers="" n i=0
	read -r -a hosts <<<"${HA_NODE_HOSTS:-$(for n in "${HA_NODES[@]}"; do ha_host "$n"; done | tr '\n' ' ')}"
	command -v haproxy >/dev/null || pg_die "haproxy not found: run bin/install-deps patroni"
	for n in "${HA_NODES[@]}"; do
		servers+="    server $n ${hosts[$i]}:$(ha_pg_port "$n") check port $(ha_rest_port "$n")"$'\n'
		i=$((i + 1))
	done
	HA_HAPROXY_SERVERS="${servers%$'\n'}" HA_HAPROXY_BIND="${HA_HAPROXY_BIND:-$PG_LISTEN}" \
		ha_render "$HA_LIB/haproxy.cfg" >"$HA_DIR/haproxy.cfg"
	haproxy -c -q -f "$HA_DIR/haproxy.cfg" || pg_die "haproxy rejected $HA_DIR/haproxy.cfg"
}

# haproxy_start: HAProxy in the background (pid in HA_DIR/haproxy.pid).
haproxy_start() {
	if ha_pid_alive "$HA_DIR/haproxy.pid"; then return 0; fi
	haproxy_write_config
	haproxy -D -p "$HA_DIR/haproxy.pid" -f "$HA_DIR/haproxy.cfg" >>"$HA_DIR/haproxy.log" 2>&1 \
		|| pg_die "haproxy did not start (see $HA_DIR/haproxy.log)"
	pg_log "haproxy: primary :$HA_HAPROXY_PRIMARY_PORT, replicas :$HA_HAPROXY_REPLICAS_PORT, stats http://$PG_LISTEN:$HA_HAPROXY_STATS_PORT/"
}

# haproxy_stop: stop HAProxy if it runs.
haproxy_stop() { ha_stop_pidfile "$HA_DIR/haproxy.pid"; }

# ha_set_failsafe on|off: Patroni's failsafe_mode (dynamic configuration, in etcd): with it on, a
# leader that loses the DCS keeps its role as long as every member answers its REST API
# (POST /failsafe); off, it demotes itself once it cannot renew the leader key.
ha_set_failsafe() {
	local flag
	case "$1" in
		on) flag=true ;; off) flag=false ;;
		*) pg_die "failsafe must be 'on' or 'off', not '$1'" ;;
	esac
	ha_patronictl edit-config --force --quiet -s "failsafe_mode=$flag" >/dev/null
	# Every member reads the new configuration from etcd at its next loop.
	sleep $((HA_LOOP_WAIT + 1))
	pg_event "failsafe_mode=$flag"
}

# ha_dcs stop|start: etcd stopped (data kept) or started again: the DCS gone, as a crash or an
# outage of the etcd cluster looks to Patroni.
ha_dcs() {
	case "$1" in
		stop) etcd_stop; pg_event "etcd stopped: the DCS is gone (ttl $HA_TTL s)" ;;
		start)
			if ha_pid_alive "$HA_DIR/etcd.pid"; then pg_log "etcd runs"; return 0; fi
			etcd_start
			pg_event "etcd started again" ;;
		*) pg_die "dcs: 'stop' or 'start', not '$1'" ;;
	esac
}

# ha_pause_replay NAME: NAME's WAL replay paused (node_pause_replay) under Patroni's maintenance mode:
# Patroni 3.0 resumes a paused replay in every loop otherwise (handle_parameter_change, for PostgreSQL
# 14+'s pause on a parameter change), and its own acceptance test pauses replay the same way. While
# the cluster is in maintenance mode Patroni fails nothing over.
ha_pause_replay() {
	ha_patronictl pause --wait >/dev/null
	pg_event "Patroni in maintenance mode (patronictl pause): it would resume the replay otherwise"
	node_pause_replay "$(ha_node_dir "$1")"
}

# ha_resume_replay NAME: undo ha_pause_replay (idempotent).
ha_resume_replay() {
	node_resume_replay "$(ha_node_dir "$1")"
	if ha_patronictl resume --wait >/dev/null 2>&1; then pg_event "Patroni manages the cluster again (patronictl resume)"; fi
}
