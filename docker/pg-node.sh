#!/usr/bin/env bash
# Entrypoint of the PostgreSQL containers in docker-compose.yaml, and the switch for a running
# compose cluster. Every step is a function of cluster/pg-functions.sh (mounted at /cluster), the
# same ones bin/cluster runs locally: this file only wires them to the container.
#
#   pg-node.sh primary            the 'primary' service. First start: initdb, roles, slots
#   pg-node.sh replica            a replica service (PG_NODE_NAME). First start: wait for a
#                                 primary (PG_PRIMARY_HOST, or after a failover the peer that
#                                 leads), pg_basebackup -R -X stream through slot PG_NODE_NAME
#   Every later start runs the node as what its data says it is now, whatever the service's name:
#     a standby (standby.signal) starts at once, in the running primary's commit mode
#     (PG_SYNC_MODE, when set, wins);
#     a node that would start as a primary (the first primary, or a promoted replica) first asks
#     its peers (PG_PEERS) which timeline they are on, over the replication protocol, while its
#     own server listens on PG_DECIDE_PORT only (5433: out of reach of clients and standbys, in
#     reach of the other nodes deciding the same):
#       a peer on a newer timeline (a failover happened while this node was down), or another
#       primary on its timeline: it refuses, says what to run, and waits without a server;
#       every peer answered and none is newer: it starts as the primary;
#       not every peer answered within PG_PEER_WAIT seconds (30): it starts if one did, and
#       exits if none did (the restart policy retries). PG_LEAD_ALONE=1, for a node whose peers
#       are gone for good, does not wait for them: it starts if none answers at once, but a
#       peer that answers is still heard (it refuses after a failover as above);
#     a node whose rejoin did not finish waits until the rejoin is run again.
#
# The cluster is operated from the host with bin/compose-cluster (sync, failover, rejoin...: the
# verbs of bin/cluster, the same functions), which runs these in the containers:
#   pg-node.sh step STEP ARG...   one step of cluster/pg-functions.sh on this node (STEP NODE ARG...)
#   pg-node.sh address            HOST:PORT at which clients outside the compose network reach it
#   pg-node.sh rejoin NODE        make this node a standby of the primary NODE (pg_rewind), in a
#                                 one-off container while the service is stopped:
#                                   docker compose stop primary
#                                   docker compose run --rm --no-deps primary rejoin replica1
#                                   docker compose start primary
#   pg-node.sh clone HOST         an empty volume of a cluster that exists: clone it from HOST
#   pg-node.sh status             the primary's view of its standbys
#   pg-node.sh positions          a standby's receive/replay WAL positions
#   pg-node.sh promote            promote this standby, keeping the mode it holds (node_take_lead);
#                                 refused while a peer runs as a primary or is on a newer timeline
#   pg-node.sh slot NAME          create the physical slot NAME on this (new) primary
#   pg-node.sh follow NODE        repoint this standby to the primary NODE (reload, no restart)
#
# Runs as the 'postgres' user (compose: user: postgres). Environment: PG_NODE_NAME (replicas),
# PG_PRIMARY_HOST (primary), PG_PRIMARY_PORT and PG_PORT (5432), PG_DECIDE_PORT (PG_PORT + 1),
# PG_PEERS (the other nodes: HOST[:PORT[:DECIDE_PORT]]..., default every node name but this
# one's: a node is reached by its name), PG_CLIENT_HOST (what 'address' prints; default the
# container's address), PG_PEER_WAIT (30), PG_LEAD_ALONE, PG_NODE_DIR (/var/lib/postgresql/data), and the
# settings of cluster/pg-functions.sh.
set -Eeuo pipefail

# shellcheck source=cluster/pg-functions.sh source-path=SCRIPTDIR/..
source "${PG_FUNCTIONS:-/cluster/pg-functions.sh}"

# The node directory is the image's data volume; PGDATA is NODE/data, as in every node.
NODE="${PG_NODE_DIR:-/var/lib/postgresql/data}"
PORT="${PG_PORT:-5432}"
DECIDE_PORT="${PG_DECIDE_PORT:-$((PORT + 1))}"

# service_name ROLE: the node's name, which is also its compose service and host name.
service_name() {
	case "$1" in
		primary) echo primary ;;
		*) echo "${PG_NODE_NAME:?PG_NODE_NAME (replica1, replica2) is required}" ;;
	esac
}

# peers NAME: the other nodes to ask, one per line.
peers() {
	if [ -n "${PG_PEERS:-}" ]; then
		tr ' ' '\n' <<<"$PG_PEERS" | grep -v '^$' || true
	else
		cluster_others "$1"
	fi
}

# node_reach NAME: the hook of cluster/pg-functions.sh: "HOST PORT" of the node named NAME. In
# compose its name is its host name; with PG_PEERS, the peer that says it is NAME (cluster_name). A
# NAME that is no peer's is taken as a host on PG_PRIMARY_PORT.
node_reach() {
	local peer host port
	if [ -n "${PG_PEERS:-}" ]; then
		for peer in $PG_PEERS; do
			if [ "$(peer_evidence_at "$peer" | cut -d ' ' -f 1)" = "$1" ]; then
				IFS=: read -r host port _ <<<"$peer"
				echo "$host ${port:-$PORT}"
				return
			fi
		done
	fi
	echo "$1 $PG_PRIMARY_PORT"
}

# park MESSAGE: refuse without exiting: no server, the message again every minute, until the
# operator stops the container. An exit would make the restart policy start the same refusal
# over and over, racing the one-off container that puts it right.
park() {
	trap 'exit 143' TERM INT
	while :; do
		printf 'error: %s\n' "$*" >&2
		sleep 60 &
		wait $! || true
	done
}

# current_primary NAME [SYSTEM_ID TIMELINE]: "LEADER HOST PORT" of the primary that node NAME
# follows: among PG_PRIMARY_HOST and the peers (each asked once, on its own port), the one
# primary on the newest timeline any of them, or NAME itself (TIMELINE), is on; with SYSTEM_ID,
# nodes of another cluster do not count. After a failover PG_PRIMARY_HOST names a standby. Empty
# while none runs as a primary, while a primary is behind that timeline (stale: the newest one's
# primary is down), or while two claim it (a person must choose: nothing is cloned, no mode taken).
current_primary() {
	local name="$1" sysid="${2:-}" newest="${3:--1}" spec host port n s t kind best="" claims=0
	local -A asked=()
	while read -r spec; do
		IFS=: read -r host port _ <<<"$spec"
		port="${port:-$PORT}"
		[ -z "${asked[$host:$port]:-}" ] || continue
		asked[$host:$port]=1
		read -r n s t kind <<<"$(peer_evidence "$host" "$port")"
		if [ -z "${kind:-}" ] || { [ -n "$sysid" ] && [ "$s" != "$sysid" ]; }; then continue; fi
		if [ "$t" -gt "$newest" ]; then newest="$t" best="" claims=0; fi
		if [ "$kind" = primary ] && [ "$t" = "$newest" ] && [ "$n" != "${best%% *}" ]; then
			best="$n $host $port" claims=$((claims + 1))
		fi
	done < <(echo "$PG_PRIMARY_HOST:$PG_PRIMARY_PORT"; peers "$name")
	[ "$claims" != 1 ] || echo "$best"
}

# wait_current_primary NAME SECONDS: current_primary, asked every second until one answers.
wait_current_primary() {
	local src deadline=$((SECONDS + $2))
	while :; do
		src="$(current_primary "$1")"
		[ -z "$src" ] || { echo "$src"; return 0; }
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 1
	done
	pg_die "no primary to clone from after $2 s: neither $PG_PRIMARY_HOST:$PG_PRIMARY_PORT nor a peer ($(peers "$1" | tr '\n' ' ' | sed 's/ $//')) runs as the only primary. Start the primary, or clone from the one there is: docker compose stop $1 && docker compose run --rm --no-deps $1 clone <the current primary> && docker compose start $1"
}

# first_start ROLE NAME: the bootstrap of an empty volume: initdb for the primary (then it runs
# as the primary at once: a new cluster has nobody to ask), pg_basebackup for a replica.
first_start() {
	local role="$1" name="$2" peer line listen="$PG_LISTEN"
	if [ "$role" = replica ]; then
		local found leader host port
		found="$(wait_current_primary "$name" 120)" || exit 1
		read -r leader host port <<<"$found"
		[ "$host:$port" = "$PG_PRIMARY_HOST:$PG_PRIMARY_PORT" ] \
			|| pg_log "$name clones from $leader ($host:$port): $leader is the primary, not $PG_PRIMARY_HOST:$PG_PRIMARY_PORT"
		# Its slot, in case this primary was promoted without one for it (as run_clone does).
		slot_sql | psql_remote "$host" "$port" -v slot="$name" >/dev/null
		node_clone_replica "$NODE" "$PORT" "$name" "$host" "$port"
		return
	fi
	# An empty 'primary' volume next to nodes that run a cluster is a lost volume, not a new
	# cluster: a second cluster under the same names would split the service's data.
	while read -r peer; do
		line="$(peer_evidence_at "$peer")"
		[ -z "$line" ] || park "$name has no data, but $peer runs a cluster ($line): clone it instead of initialising a second one: docker compose stop $name && docker compose run --rm --no-deps $name clone <the current primary> && docker compose start $name"
	done < <(peers "$name")
	# Until it is initialised and in its start-up mode the server listens on its private socket
	# only, like the official image's temporary server: no client, and no healthcheck, sees it
	# half-made.
	PG_LISTEN=''
	node_write_conf "$NODE" "$PORT" "$name"
	node_init_primary "$NODE" "$PORT" "$name"
	node_stop "$NODE"
	PG_LISTEN="$listen"
	node_write_conf "$NODE" "$PORT" "$name"
	node_exec "$NODE"
}

# ensure_peer_slots NAME: on this node, now the primary, the slot of every other node (a
# promotion makes none, and the others must find theirs when they follow it).
ensure_peer_slots() {
	local n
	for n in $(cluster_others "$1"); do node_ensure_slot "$NODE" "$n"; done
}

# run_candidate NAME: a node that would start as a primary asks its peers first (see the top).
run_candidate() {
	local name="$1" rc=0 why out peer_list
	mapfile -t peer_list < <(peers "$name")
	node_write_conf "$NODE" "$DECIDE_PORT" "$name"
	trap 'node_stop "$NODE"; exit 143' TERM INT
	node_start "$NODE"
	# PG_LEAD_ALONE=1 says the peers are gone for good: they are not waited for. It does not say that
	# no failover happened: a peer that answers is still asked once, and its word counts (the variable
	# stays in the container's settings after the 'up' that set it, so a later start must not ignore
	# a newer primary: it did, and the old primary came back as a second one).
	local peer_wait="${PG_PEER_WAIT:-30}"
	[ "${PG_LEAD_ALONE:-}" != 1 ] || peer_wait=0
	if [ ${#peer_list[@]} -gt 0 ]; then
		out="$(mktemp)"
		node_guard_lead "$NODE" "$peer_wait" "${peer_list[@]}" >"$out" || rc=$?
		why="$(<"$out")"
		rm -f "$out"
		case "$rc" in
			0) ;;
			1)
				node_stop "$NODE"
				trap - TERM INT
				park "$name refuses to start as a primary: $why. It must become a standby of the current primary (pg_rewind discards what it wrote after the failover point). Run: docker compose stop $name && docker compose run --rm --no-deps $name rejoin ${GUARD_LEADER:-<the current primary>} && docker compose start $name (or, from the host: bin/compose-cluster rejoin $name)" ;;
			*)
				if [ "${PG_LEAD_ALONE:-}" = 1 ]; then
					pg_log "$name leads alone (PG_LEAD_ALONE=1): none of its peers (${peer_list[*]}) answered"
				else
					node_stop "$NODE"
					pg_die "$name would start as a primary, but none of its peers (${peer_list[*]}) answered in ${PG_PEER_WAIT:-30} s: it cannot tell whether a failover happened while it was down. Start them (docker compose up -d); if they are gone for good: PG_LEAD_ALONE=1 docker compose up -d $name"
				fi ;;
		esac
	fi
	ensure_peer_slots "$name"
	cluster_apply_start_sync_mode "$NODE"
	node_stop "$NODE"
	trap - TERM INT
	node_write_conf "$NODE" "$PORT" "$name"
	node_exec "$NODE"
}

# standby_start_sync_mode NAME: the commit mode this standby keeps if it is promoted (see
# cluster_sync), with its own quorum: PG_SYNC_MODE when set, else the running primary's, as
# bin/compose-cluster start hands it (cluster_hand_sync_mode): a standby that was down at the last
# switch, started by 'docker compose start', kept its old mode, and a failover that promoted it ran
# in that mode. Only a primary of its own cluster, on its timeline or a newer one, counts; none
# answering: it keeps its own, and says so.
standby_start_sync_mode() {
	local mode="${PG_SYNC_MODE:-}" leader host port names others sysid tli
	if [ -z "$mode" ]; then
		read -r _ sysid tli _ <<<"$(node_evidence "$NODE")"
		read -r leader host port <<<"$(current_primary "$1" "$sysid" "$tli")"
		if [ -z "${leader:-}" ]; then
			pg_log "$1 keeps its own commit mode ($(node_auto_conf_mode "$NODE")): no primary of its cluster answered"
			return 0
		fi
		if ! names="$(psql_remote "$host" "$port" -c 'SHOW synchronous_standby_names' 2>/dev/null)"; then
			pg_log "$1 keeps its own commit mode ($(node_auto_conf_mode "$NODE")): $leader did not say its own"
			return 0
		fi
		mode=async
		[ -z "$names" ] || mode=quorum
		pg_log "$1 takes the commit mode of $leader, the primary: $mode"
	fi
	mapfile -t others < <(cluster_others "$1")
	node_auto_conf_set "$NODE" synchronous_standby_names "$(sync_standby_names "$mode" "${others[@]}")"
}

# node_auto_conf_mode NODE: async or quorum, as NODE's postgresql.auto.conf says (its server down).
node_auto_conf_mode() {
	if grep -Eq "^synchronous_standby_names = '.+'" "$1/data/postgresql.auto.conf" 2>/dev/null; then echo quorum; else echo async; fi
}

# run_node ROLE: the containers' main process (see the top).
run_node() {
	local role="$1" name
	name="$(service_name "$role")"
	[ -s "$NODE/data/PG_VERSION" ] || first_start "$role" "$name"
	case "$(node_kind "$NODE")" in
		standby)
			node_write_conf "$NODE" "$PORT" "$name"
			standby_start_sync_mode "$name"
			node_exec "$NODE" ;;
		rejoining) park "$name: a rejoin began and did not finish. Run it again: docker compose stop $name && docker compose run --rm --no-deps $name rejoin <the current primary> && docker compose start $name" ;;
		primary) run_candidate "$name" ;;
	esac
}

# run_rejoin LEADER: pg_rewind this node from the primary LEADER (node_reach), standby settings
# written, started once on its private socket only until it streams (node_rejoin_from); the
# service starts it afterwards. Refused while a server runs on this data: the service container
# must be stopped (its answer on this node's name shows it is not).
run_rejoin() {
	local leader="${1:?usage: pg-node.sh rejoin NODE}" name line listen="$PG_LISTEN"
	[ -s "$NODE/data/PG_VERSION" ] || pg_die "no data here: an empty replica clones itself on its first start (or: pg-node.sh clone HOST)"
	name="$(node_name "$NODE")"
	line="$(peer_evidence_at "$name")"
	[ -z "$line" ] || pg_die "a server runs on $name's data ($line): stop the service first: docker compose stop $name"
	# No server of this data can run here (the service is stopped, the check above): its lock files,
	# if any, are stale.
	remove_lock_files
	PG_LISTEN=''
	node_write_conf "$NODE" "$PORT" "$name"
	node_rejoin_from "$NODE" "$leader"
	node_stop "$NODE"
	PG_LISTEN="$listen"
	node_write_conf "$NODE" "$PORT" "$name"
	pg_log "$name is a standby of $leader now, streaming; start it: docker compose start $name"
}

# run_clone HOST: an empty volume of an existing cluster becomes a standby of the primary at HOST.
run_clone() {
	local host="${1:?usage: pg-node.sh clone HOST}" name="${PG_NODE_NAME:-primary}"
	[ ! -s "$NODE/data/PG_VERSION" ] || pg_die "$name has data: use rejoin, not clone"
	slot_sql | psql_remote "$host" "$PG_PRIMARY_PORT" -v slot="$name" >/dev/null
	node_clone_replica "$NODE" "$PORT" "$name" "$host" "$PG_PRIMARY_PORT"
	pg_log "$name is a standby of $host now; start it: docker compose start $name"
}

# run_promote: promote this standby with the mode it keeps (node_take_lead, as bin/compose-cluster
# failover does), unless a peer runs as a primary (a failover is for a dead primary) or is on a
# newer timeline (it holds writes this one lacks).
run_promote() {
	local name others out why rc=0
	[ $# = 0 ] || pg_die "promote takes no mode: the node keeps the cluster's (bin/compose-cluster sync switches it on every node)"
	name="$(node_name "$NODE")"
	mapfile -t others < <(peers "$name")
	out="$(mktemp)"
	node_guard_lead "$NODE" 0 "${others[@]}" >"$out" || rc=$?
	why="$(<"$out")"
	rm -f "$out"
	[ "$rc" != 1 ] || pg_die "not promoting $name: $why"
	mapfile -t others < <(cluster_others "$name")
	node_take_lead "$NODE" "$(node_sync_mode "$NODE")" "${others[@]}"
}

# STEPS: what bin/compose-cluster may run on this node with 'step' (each: STEP NODE ARG...).
STEPS=" node_state node_evidence node_fork_point node_commits_after node_sync_mode node_wal_positions node_write_sync_mode cluster_set_sync_mode node_take_lead node_current_timeline node_follow_peer node_ensure_slot node_wait_streaming_on_timeline node_mark_rejoining wait_streaming cluster_status "

# run_step STEP ARG...: one of STEPS on this node.
run_step() {
	local step="${1:?usage: pg-node.sh step STEP ARG...}"
	shift
	[[ "$STEPS" == *" $step "* ]] || pg_die "not a step: $step (one of:$STEPS)"
	"$step" "$NODE" "$@"
}

# client_address: HOST:PORT for clients outside the compose network (the failover drill's).
client_address() {
	local host="${PG_CLIENT_HOST:-}"
	[ -n "$host" ] || read -r host _ <<<"$(hostname -i)"
	echo "$host:$PORT"
}

# remove_lock_files: the data directory's lock (postmaster.pid) and the private socket's
# (sock/.s.PGSQL.PORT.lock). A server killed in its container (kill -9, no clean stop) leaves both,
# naming its pid there: 1, as it ran as the container's main process. In the next container pid 1
# is this script, alive, so a server started on this data refuses ("lock file postmaster.pid
# already exists", then "lock file .../.s.PGSQL.5432.lock already exists ... (PID 1)"), and so does
# pg_rewind's crash recovery. Only for a caller that knows no server of this data runs.
remove_lock_files() {
	rm -f "$NODE/data/postmaster.pid" "$NODE"/sock/.s.PGSQL.*.lock
}

# clear_stale_locks: those of the lock files (remove_lock_files) that are a dead server's: this
# script is the container's pid 1 and the lock names pid 1 (a server running now would be a child
# of this script). The node then reaches its own checks (the stale-primary refusal among them)
# instead of looping on the lock.
clear_stale_locks() {
	local lock
	[ "$$" = 1 ] || return 0
	for lock in "$NODE/data/postmaster.pid" "$NODE"/sock/.s.PGSQL.*.lock; do
		[ "$(head -n 1 "$lock" 2>/dev/null)" != 1 ] || rm -f "$lock"
	done
}

main() {
	pg_setup_env
	: "${PG_PRIMARY_HOST:=primary}" "${PG_PRIMARY_PORT:=$PORT}"
	case "${1:-}" in
		primary | replica) clear_stale_locks; run_node "$1" ;;
		rejoin) run_rejoin "${2:-}" ;;
		clone) run_clone "${2:-}" ;;
		sync) pg_die "switch the mode from the host, on every node at once: bin/compose-cluster sync ${2:-async|quorum}" ;;
		step) shift; run_step "$@" ;;
		address) client_address ;;
		status) cluster_status "$NODE" ;;
		positions) node_wal_positions "$NODE" ;;
		promote) shift; run_promote "$@" ;;
		slot) node_ensure_slot "$NODE" "${2:?usage: pg-node.sh slot NAME}" ;;
		follow) node_follow_peer "$NODE" "${2:?usage: pg-node.sh follow NODE}" ;;
		*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
}

# Sourced (as the unit tests of its decisions do), it only defines its functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
