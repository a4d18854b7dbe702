#!/usr/bin/env bash
# shellcheck shell=bash
#
# A node changing sides: a standby promoted (a new timeline), a standby pointed at another primary,
# a former primary rewound into a standby (pg_rewind). The steps the orchestration (cluster.sh) runs
# on one node; each takes the node's directory first. Part of cluster/pg-functions.sh: source that
# file, not this one.

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
	# The conninfo holds the password: through the environment (\getenv), not psql's command line,
	# which 'ps' shows every user for as long as psql runs.
	{
		secret_session_sql
		cat <<-'EOF'
			\getenv conninfo PG_FOLLOW_CONNINFO
			ALTER SYSTEM SET primary_conninfo = :'conninfo';
			ALTER SYSTEM SET primary_slot_name = :'slot';
			SELECT pg_reload_conf();
		EOF
	} | PG_FOLLOW_CONNINFO="$conninfo" psql_admin "$node" -v slot="$name" >/dev/null
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
# pg_rewind reads the node's WAL from the last checkpoint both nodes shared, and the rewound node
# replays from there; that WAL can be gone from both: the new primary keeps only wal_keep_size of
# it, and the crash recovery pg_rewind runs first on a node that was killed ends in a checkpoint
# that recycles the node's own (all that wal_keep_size and its slots do not keep). The copy is the
# node's archive (restore_command) for pg_rewind (--restore-target-wal) and until the node streams;
# node_forget_saved_wal drops it. A copy from an earlier attempt that failed is kept and added to:
# what that attempt's crash recovery recycled is only there.
node_save_wal() {
	local saved="$1/wal-before-rewind"
	pg_as_owner mkdir -p -m 0700 "$saved"
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
	# Crash recovery ignores restore_command (no recovery.signal); pg_rewind -c uses it.
	node_auto_conf_set "$node" restore_command "cp \"$node/wal-before-rewind/%f\" \"%p\""
	PGPASSWORD="$PG_SUPERUSER_PASSWORD" PGCONNECT_TIMEOUT=10 pg_as_owner pg_rewind -D "$node/data" \
		--restore-target-wal \
		--source-server="host=$host port=$port user=postgres dbname=postgres application_name=$name" \
		>"$node/rewind.log" 2>&1 || {
		cat "$node/rewind.log" >&2
		pg_die "pg_rewind of $name failed; it stays marked as rejoining (never started as a primary): run the rejoin again"
	}
	# pg_rewind copied the source's postgresql.auto.conf over the node's: its restore_command again.
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
