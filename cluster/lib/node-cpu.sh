#!/usr/bin/env bash
# shellcheck shell=bash
#
# A node's CPU of its own: a cgroup per node, so that one machine can stand in for several. On one
# machine every node shares the same cores, and moving reads from the primary to a replica moves
# them onto the same CPU; a node with a CPU budget of its own (a CFS quota) behaves like a server
# on a small machine of its own, and its use is read from the kernel's own accounting.
#
# What a node gets comes from the hook node_cpus NODE (hooks.sh; bin/cluster answers from
# PGCLUSTER_NODE_CPUS, recorded in its directory):
#   ''      no cgroup: the node's processes stay where they were started (as without this file)
#   max     a cgroup for the accounting only: no cap, no change to how the node is scheduled
#   CPUS    at most CPUS of CPU time per second of wall time (0.15: 1.5 ms per 10 ms period), and a
#           high weight, so that the node gets its budget whenever it wants it: with the default
#           weight, a group competes as one task against every thread outside it (a JVM's dozens)
#           and would get far less than its quota on a busy machine
#
# The postmaster is started inside the node's group (node_start makes it and enters it first),
# so every process it forks is in it too, after every start: restart, failover, rejoin. Changing the
# setting of a running node moves its processes (node_cgroup_apply). Root only: cgroups are the
# kernel's; a caller that asks without root is told so (bin/cluster).
#
# cgroup v1 (the cpu and cpuacct hierarchies mounted apart, as on this machine): the accounting is a
# group in cpuacct (cpuacct.usage), the cap a group in cpu (cpu.cfs_quota_us, cpu.shares); a node
# without a cap is in no cpu group at all, so it is scheduled exactly as before. cgroup v2: one group
# (cpu.max, cpu.weight; usage_usec in cpu.stat). Groups sit at the top of the hierarchy, named
# socialnet-<node name>-<hash of the node's directory>, so two clusters on one host never share one.
# CGROUP_ROOT (/sys/fs/cgroup) is where the hierarchies are mounted; the unit tests point it at a
# tree of plain files. The cgroup_* steps work on any group by name (the load tools give the service
# and JMeter budgets of their own with them: load/load-functions.sh); the node_* ones on a node's.
# Part of cluster/pg-functions.sh: source that file, not this one.

CGROUP_ROOT="${CGROUP_ROOT:-/sys/fs/cgroup}"
# The CFS period, in microseconds: as short as the kernel's smallest quota (1 ms) allows, from 10 ms
# (cpu_period_us). With the usual 100 ms a node capped at 0.1 CPU runs 10 ms and then stops for 90,
# every backend at once, lock holders too: the other backends wait on their locks, each search's
# latency stretches by up to 90 ms at each stop (past the service's statement timeout under load)
# and a search costs more CPU. With 10 ms the stops are 9 ms: a slower CPU rather than one that halts.
CGROUP_CPU_PERIOD_MIN_US=10000
CGROUP_CPU_QUOTA_MIN_US=1000
# The weight of a capped node's group (cpu.shares: 2..262144; cpu.weight: 1..10000): the highest,
# see above. The quota, not the weight, is what limits it.
CGROUP_V1_SHARES=262144
CGROUP_V2_WEIGHT=10000

# cgroup_version: v1 (a cpu hierarchy with CFS quotas), v2 (the unified hierarchy) or none.
cgroup_version() {
	if [ -f "$CGROUP_ROOT/cpu/cpu.cfs_quota_us" ]; then echo v1
	elif [ -f "$CGROUP_ROOT/cgroup.controllers" ]; then echo v2
	else echo none; fi
}

# cpus_valid CPUS: true for 'max' or a number of CPUs from 0.01 (1 ms per 100 ms period: the
# kernel's smallest quota) to 64.
cpus_valid() {
	[ "$1" = max ] && return 0
	[[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v c="$1" 'BEGIN { exit !(c >= 0.01 && c <= 64) }'
}

# cpu_period_us CPUS: the CFS period for CPUS (see above): 10 ms, or longer where the quota would
# be under 1 ms (0.05 CPU: 20 ms; 0.01: 100 ms); the kernel's 100 ms for max.
cpu_period_us() {
	if [ "$1" = max ]; then echo 100000; return; fi
	awk -v c="$1" -v p="$CGROUP_CPU_PERIOD_MIN_US" -v q="$CGROUP_CPU_QUOTA_MIN_US" \
		'BEGIN { n = q / c; n = (n == int(n)) ? n : int(n) + 1; printf "%d\n", (n > p) ? n : p }'
}

# cpu_quota_us CPUS: the CFS quota of CPUS per period (cpu_period_us), in microseconds; -1 (none) for max.
cpu_quota_us() {
	if [ "$1" = max ]; then echo -1; return; fi
	awk -v c="$1" -v p="$(cpu_period_us "$1")" 'BEGIN { printf "%d\n", c * p + 0.5 }'
}

# cpu_max_line CPUS: cgroup v2's cpu.max for CPUS: "QUOTA PERIOD", or "max PERIOD".
cpu_max_line() {
	local q
	q="$(cpu_quota_us "$1")"
	if [ "$q" = -1 ]; then q=max; fi
	echo "$q $(cpu_period_us "$1")"
}

# node_cgroup NODE: the name of NODE's group (see the top).
node_cgroup() { cgroup_name "$(basename "$1")" "$1"; }

# cgroup_name LABEL PLACE: a group's name, socialnet-LABEL-<hash of PLACE>: readable, and apart
# for each directory a group belongs to (a node's, a load tool's).
cgroup_name() { echo "socialnet-$1-$(printf '%s' "$2" | md5sum | cut -c1-8)"; }

# cgroup_dirs GROUP: the directories of the group named GROUP, the accounting one first (v1:
# cpuacct, then cpu; v2: the one group). Whether they exist or not.
cgroup_dirs() {
	case "$(cgroup_version)" in
		v1) echo "$CGROUP_ROOT/cpuacct/$1"; echo "$CGROUP_ROOT/cpu/$1" ;;
		v2) echo "$CGROUP_ROOT/$1" ;;
	esac
}

# cgroup_move_all FROM TO: every process of group FROM into group TO (repeated: a process forked
# while the others move lands in FROM). A process that exits meanwhile is no error.
cgroup_move_all() {
	local pids pid i
	for ((i = 0; i < 5; i++)); do
		# Read, not tested with -s: a cgroup's files all have the size 0.
		pids="$(cat "$1/cgroup.procs" 2>/dev/null)" || return 0
		[ -n "$pids" ] || return 0
		for pid in $pids; do echo "$pid" >"$2/cgroup.procs" 2>/dev/null || true; done
	done
}

# cgroup_write FILE VALUE: VALUE into a cgroup's control file, or a clear refusal.
cgroup_write() { echo "$2" >"$1" 2>/dev/null || pg_die "cannot write '$2' to $1 (cgroups need root)"; }

# cgroup_configure GROUP CPUS: the group GROUP made for CPUS ('max' or a number, see the top), its
# settings written; prints the directories its processes belong in (cgroup_join). A v1 cpu group
# left from a cap is emptied and removed for 'max'.
cgroup_configure() {
	local group="$1" cpus="$2" acct cap
	cpus_valid "$cpus" || pg_die "CPUs per node must be 'max' or a number from 0.01 to 64, not '$cpus'"
	{ read -r acct; read -r cap || true; } < <(cgroup_dirs "$group")
	[ -n "$acct" ] || pg_die "a CPU budget needs cgroups, and $CGROUP_ROOT has neither a v1 cpu hierarchy nor v2"
	[ -w "$(dirname "$acct")" ] || pg_die "a CPU budget needs root: cgroups under $CGROUP_ROOT are the kernel's"
	mkdir -p "$acct"
	case "$(cgroup_version)" in
		v1)
			if [ "$cpus" = max ]; then
				# No cpu group at all: scheduled as if there were none.
				if [ -d "$cap" ]; then
					cgroup_move_all "$cap" "$CGROUP_ROOT/cpu"
					rmdir "$cap"
				fi
				cap=""
			else
				mkdir -p "$cap"
				# The quota first when the period shrinks: the kernel refuses a quota over the period's
				# ratio limits only with both; -1 first lets either order be valid.
				cgroup_write "$cap/cpu.cfs_quota_us" -1
				cgroup_write "$cap/cpu.cfs_period_us" "$(cpu_period_us "$cpus")"
				cgroup_write "$cap/cpu.cfs_quota_us" "$(cpu_quota_us "$cpus")"
				cgroup_write "$cap/cpu.shares" "$CGROUP_V1_SHARES"
			fi ;;
		v2)
			if [ "$cpus" != max ] && ! grep -qw cpu "$CGROUP_ROOT/cgroup.subtree_control" 2>/dev/null; then
				echo +cpu >"$CGROUP_ROOT/cgroup.subtree_control" 2>/dev/null \
					|| pg_die "cannot enable the cpu controller in $CGROUP_ROOT/cgroup.subtree_control (needed for a CPU cap)"
			fi
			if [ -e "$acct/cpu.max" ] || [ "$cpus" != max ]; then
				cgroup_write "$acct/cpu.max" "$(cpu_max_line "$cpus")"
				if [ "$cpus" = max ]; then cgroup_write "$acct/cpu.weight" 100; else cgroup_write "$acct/cpu.weight" "$CGROUP_V2_WEIGHT"; fi
			fi ;;
	esac
	echo "$acct"
	if [ -n "$cap" ]; then echo "$cap"; fi
}

# cgroup_join GROUP PID...: the processes PID... into every directory of GROUP that exists.
cgroup_join() {
	local dir pid group="$1"
	shift
	while read -r dir; do
		if [ -d "$dir" ]; then
			for pid in "$@"; do cgroup_write "$dir/cgroup.procs" "$pid"; done
		fi
	done < <(cgroup_dirs "$group")
}

# cgroup_remove GROUP: the group gone (its processes, if any still run, back at the top).
cgroup_remove() {
	local dir top
	while read -r dir; do
		[ -d "$dir" ] || continue
		top="$(dirname "$dir")"
		cgroup_move_all "$dir" "$top"
		rmdir "$dir" 2>/dev/null || pg_log "warning: cgroup $dir is still in use"
	done < <(cgroup_dirs "$1")
}

# cgroup_stat FILE KEY: the value of KEY in a flat-keyed cgroup file (cpu.stat); 0 when absent.
cgroup_stat() { awk -v k="$2" '$1 == k { v = $2 } END { printf "%.0f\n", v }' "$1" 2>/dev/null || echo 0; }

# cgroup_usage GROUP: "USAGE_NS THROTTLED_NS NR_THROTTLED NR_PERIODS" of GROUP since it was made: the
# CPU time its processes used, how long and in how many CFS periods the cap held them back, of how
# many periods they ran in (0 0 0 without a cap). Nothing when GROUP does not exist.
cgroup_usage() {
	local acct cap
	{ read -r acct; read -r cap || true; } < <(cgroup_dirs "$1")
	[ -n "$acct" ] && [ -d "$acct" ] || return 0
	case "$(cgroup_version)" in
		v1)
			echo "$(cat "$acct/cpuacct.usage") $(cgroup_stat "$cap/cpu.stat" throttled_time)" \
				"$(cgroup_stat "$cap/cpu.stat" nr_throttled) $(cgroup_stat "$cap/cpu.stat" nr_periods)" ;;
		v2)
			echo "$(($(cgroup_stat "$acct/cpu.stat" usage_usec) * 1000)) $(($(cgroup_stat "$acct/cpu.stat" throttled_usec) * 1000))" \
				"$(cgroup_stat "$acct/cpu.stat" nr_throttled) $(cgroup_stat "$acct/cpu.stat" nr_periods)" ;;
	esac
}

# node_cgroup_apply NODE: NODE's group made as node_cpus NODE says, and NODE's running processes
# moved into it, the postmaster first (what it forks from then on is born there): a change of the
# setting takes effect at once. Nothing when node_cpus is empty.
node_cgroup_apply() {
	local cpus pm dirs dir pid
	cpus="$(node_cpus "$1")"
	[ -n "$cpus" ] || return 0
	dirs="$(cgroup_configure "$(node_cgroup "$1")" "$cpus")" || exit 1
	pm="$(node_postmaster_pid "$1")" || return 0
	for dir in $dirs; do
		for pid in "$pm" $(pgrep -P "$pm"); do echo "$pid" >"$dir/cgroup.procs" 2>/dev/null || true; done
	done
}

# node_cgroup_enter NODE: this shell ($BASHPID) into NODE's group (made by node_cgroup_apply), so
# that what it starts from now on is in it. Run it in the subshell that starts the server.
node_cgroup_enter() {
	[ -n "$(node_cpus "$1")" ] || return 0
	cgroup_join "$(node_cgroup "$1")" "$BASHPID"
}

# node_cgroup_remove NODE: NODE's group gone (its processes, if any still run, back at the top).
node_cgroup_remove() { cgroup_remove "$(node_cgroup "$1")"; }

# node_cpu_usage NODE: cgroup_usage of NODE's group.
node_cpu_usage() { cgroup_usage "$(node_cgroup "$1")"; }
