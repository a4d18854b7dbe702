#!/usr/bin/env bash
# shellcheck shell=bash
#
# The cluster by node name: sync mode, failover, rejoin. Written once for every way to run the
# nodes; each step on a node is a function of node*.sh whose first argument is the node's
# directory, run where the node lives through the hooks (hooks.sh: on_node, node_state_of,
# node_reach, cluster_start_node, cluster_stop_node, cluster_rewind_node). CLUSTER_COMMAND names
# the command an operator types in the refusals (bin/cluster). Part of cluster/pg-functions.sh:
# source that file, not this one.

# CLUSTER_COMMAND: the command an operator runs on this cluster, named in refusals.
CLUSTER_COMMAND="${CLUSTER_COMMAND:-bin/cluster}"

# cluster_others NAME: every node of a cluster of 'primary' and PG_REPLICA_NAMES but NAME, one per
# line (the compose cluster, whose nodes know only their own files).
# shellcheck disable=SC2086 # PG_REPLICA_NAMES is a list
cluster_others() { names_except "$1" primary $PG_REPLICA_NAMES; }

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
			pg_log "warning: $n is not a running standby: it keeps its own mode until the next switch; start it with $CLUSTER_COMMAND start $n, which hands it the primary's (a failover that promotes it otherwise runs its old mode)"
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
