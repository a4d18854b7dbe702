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
#   CPUS    at most CPUS of CPU time per second of wall time (0.15: 15 ms per 100 ms period), and a
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
# tree of plain files. Part of cluster/pg-functions.sh: source that file, not this one.

CGROUP_ROOT="${CGROUP_ROOT:-/sys/fs/cgroup}"
# The CFS period: the quota is CPUS times this, in microseconds.
CGROUP_CPU_PERIOD_US=100000
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

# cpu_quota_us CPUS: the CFS quota of CPUS per period, in microseconds; -1 (none) for max.
cpu_quota_us() {
	if [ "$1" = max ]; then echo -1; return; fi
	awk -v c="$1" -v p="$CGROUP_CPU_PERIOD_US" 'BEGIN { printf "%d\n", c * p + 0.5 }'
}

# cpu_max_line CPUS: cgroup v2's cpu.max for CPUS: "QUOTA PERIOD", or "max PERIOD".
cpu_max_line() {
	local q
	q="$(cpu_quota_us "$1")"
	if [ "$q" = -1 ]; then q=max; fi
	echo "$q $CGROUP_CPU_PERIOD_US"
}

# node_cgroup NODE: the name of NODE's group (see the top).
node_cgroup() { echo "socialnet-$(basename "$1")-$(printf '%s' "$1" | md5sum | cut -c1-8)"; }

# node_cgroup_dirs NODE: the directories of NODE's group, the accounting one first (v1: cpuacct,
# then cpu; v2: the one group). Whether they exist or not.
node_cgroup_dirs() {
	local name
	name="$(node_cgroup "$1")"
	case "$(cgroup_version)" in
		v1) echo "$CGROUP_ROOT/cpuacct/$name"; echo "$CGROUP_ROOT/cpu/$name" ;;
		v2) echo "$CGROUP_ROOT/$name" ;;
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

# node_cgroup_apply NODE: NODE's group made as node_cpus NODE says, and NODE's running processes
# moved into it (a change of the setting takes effect at once). Nothing when node_cpus is empty.
node_cgroup_apply() {
	local node="$1" cpus acct cap
	cpus="$(node_cpus "$node")"
	[ -n "$cpus" ] || return 0
	cpus_valid "$cpus" || pg_die "CPUs per node must be 'max' or a number from 0.01 to 64, not '$cpus'"
	{ read -r acct; read -r cap || true; } < <(node_cgroup_dirs "$node")
	[ -n "$acct" ] || pg_die "a CPU budget per node needs cgroups, and $CGROUP_ROOT has neither a v1 cpu hierarchy nor v2"
	[ -w "$(dirname "$acct")" ] || pg_die "a CPU budget per node needs root: cgroups under $CGROUP_ROOT are the kernel's"
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
				cgroup_write "$cap/cpu.cfs_period_us" "$CGROUP_CPU_PERIOD_US"
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
	node_cgroup_adopt "$node" "$acct" ${cap:+"$cap"}
}

# node_cgroup_adopt NODE GROUP...: the running NODE's processes into each GROUP: the postmaster first
# (what it forks from then on is born there), then its children.
node_cgroup_adopt() {
	local node="$1" pm pid group
	shift
	pm="$(node_postmaster_pid "$node")" || return 0
	for group in "$@"; do
		for pid in "$pm" $(pgrep -P "$pm"); do echo "$pid" >"$group/cgroup.procs" 2>/dev/null || true; done
	done
}

# node_cgroup_enter NODE: this shell ($BASHPID) into NODE's group (made by node_cgroup_apply), so
# that what it starts from now on is in it. Run it in the subshell that starts the server.
node_cgroup_enter() {
	local dir
	[ -n "$(node_cpus "$1")" ] || return 0
	while read -r dir; do
		[ -d "$dir" ] && cgroup_write "$dir/cgroup.procs" "$BASHPID"
	done < <(node_cgroup_dirs "$1")
}

# node_cgroup_remove NODE: NODE's group gone (its processes, if any still run, back at the top).
node_cgroup_remove() {
	local dir top
	while read -r dir; do
		[ -d "$dir" ] || continue
		top="$(dirname "$dir")"
		cgroup_move_all "$dir" "$top"
		rmdir "$dir" 2>/dev/null || pg_log "warning: cgroup $dir is still in use"
	done < <(node_cgroup_dirs "$1")
}

# cgroup_stat FILE KEY: the value of KEY in a flat-keyed cgroup file (cpu.stat); 0 when absent.
cgroup_stat() { awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$1" 2>/dev/null || echo 0; }

# node_cpu_usage NODE: "USAGE_NS THROTTLED_NS NR_THROTTLED NR_PERIODS" of NODE's group since it was
# made: the CPU time its processes used, how long and in how many CFS periods the cap held them
# back, of how many periods they ran in (0 0 0 without a cap). Nothing when NODE has no group.
node_cpu_usage() {
	local acct cap
	{ read -r acct; read -r cap || true; } < <(node_cgroup_dirs "$1")
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
