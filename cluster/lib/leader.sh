#!/usr/bin/env bash
# shellcheck shell=bash
#
# Who may lead: the decisions, from evidence that survives a crash.
#
# A promotion starts a new timeline. The promoted node writes the timeline's history file
# (pg_wal/0000000N.history) before it accepts a write, names every WAL segment after it, and
# records it in its control file at once as the minimum recovery point's timeline (as the
# checkpoint's only at the next checkpoint, which node_promote forces). A standby that follows
# the new primary receives the history file too. So a node's files tell the newest timeline it
# wrote or received, whether it was shut down, killed or is running; and a node that would start
# as a primary (no standby.signal) on an older timeline than another node of its cluster is
# stale: a failover happened after it was the primary, and writes were acknowledged elsewhere.
#
# Evidence travels as lines "NAME SYSTEM_ID TIMELINE KIND" (node_evidence from a node's files,
# peer_evidence from a server elsewhere); the decisions (node_may_lead, cluster_split_brain,
# cluster_choose_leader) read those lines, and reach a node's files only through on_node, so the
# unit tier (LeaderDecisionTest) feeds them lines and stubs, with no server. Results:
#   cluster_choose_leader sets CLUSTER_LEADER, CLUSTER_REFUSED ("NAME REASON" lines), CLUSTER_EVIDENCE
#                         (every node's line) and CLUSTER_NEWEST (the newest timeline seen);
#   node_guard_lead sets GUARD_LEADER (the primary on the newest timeline, when one answered).
# Part of cluster/pg-functions.sh: source that file, not this one.

# node_evidence NODE: "NAME SYSTEM_ID TIMELINE KIND" from NODE's files, nothing without data.
# TIMELINE: files_timeline of its control file and pg_wal. KIND: node_kind.
node_evidence() {
	local node="$1" control sysid
	[ -s "$node/data/PG_VERSION" ] || return 0
	control="$("$PG_BINDIR/pg_controldata" -D "$node/data" 2>/dev/null)"
	sysid="$(sed -n 's/^Database system identifier: *//p' <<<"$control")"
	echo "$(node_name "$node") ${sysid:-unknown} $(files_timeline "$control" "$node"/data/pg_wal/*) $(node_kind "$node")"
}

# files_timeline CONTROLDATA FILE...: the newest timeline a node's files show: pg_controldata's
# output CONTROLDATA (the latest checkpoint's timeline and the minimum recovery point's) and the
# names of the FILEs in its pg_wal (history files, WAL segments, partial segments; any other
# name is ignored); 0 when none shows one.
files_timeline() {
	local tli=0 f t
	while read -r t; do
		if [[ "$t" =~ ^[0-9]+$ ]] && [ "$t" -gt "$tli" ]; then tli="$t"; fi
	done < <(sed -n "s/^\(Latest checkpoint's TimeLineID\|Min recovery ending loc's timeline\): *//p" <<<"$1")
	shift
	for f in "$@"; do
		f="${f##*/}"
		if [[ "$f" =~ ^([0-9A-F]{8})(\.history|[0-9A-F]{16}(\.partial)?)$ ]]; then
			t=$((16#${BASH_REMATCH[1]}))
			if [ "$t" -gt "$tli" ]; then tli="$t"; fi
		fi
	done
	echo "$tli"
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
	# connect_timeout bounds the connection only: a peer frozen after it (SIGSTOP) would hold this
	# question, and the start of the node that asks it, for ever.
	out="$(PGPASSWORD="$PG_REPLICATION_PASSWORD" PGCONNECT_TIMEOUT=3 timeout 10 "$PG_BINDIR/psql" -X -q -A -t -F ' ' \
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
