#!/usr/bin/env bash
# shellcheck shell=bash
#
# The hooks: the contract between the steps (node*.sh, leader.sh, cluster.sh) and where nodes live.
# Every step reaches its node only through these functions. The defaults below are a server on this
# host at PG_LISTEN, in a directory given by node_dir NAME; each mode that places nodes elsewhere
# redefines some of them after sourcing cluster/pg-functions.sh:
#
#   hook                     default here                    redefined by
#   node_dir NAME            (none: the caller's layout)     bin/cluster
#   node_addr NODE           PG_LISTEN                       cluster/netns-functions.sh (the node's namespace address)
#   node_as_owner NODE CMD   pg_as_owner CMD                 cluster/netns-functions.sh (ip netns exec)
#   node_port_open NODE      TCP connect to addr:port        cluster/netns-functions.sh
#   node_unreachable NODE    never                           cluster/netns-functions.sh (a partition)
#   node_cpus NODE           '' (no cgroup)                  bin/cluster (PGCLUSTER_NODE_CPUS, recorded)
#   on_node NAME STEP ARG    STEP "$(node_dir NAME)" ARG     bin/compose-cluster (docker compose exec)
#   node_state_of NAME       on_node NAME node_state         bin/compose-cluster
#   node_reach NAME          "addr port" of node_dir NAME    docker/pg-node.sh (the service name, port 5432)
#   cluster_start_node NAME  (none: the caller's guarded start)  bin/cluster, bin/compose-cluster
#   cluster_stop_node NAME   node_stop + wait_postmaster_gone    bin/compose-cluster
#   cluster_rewind_node NAME LEADER  on_node NAME node_rejoin_from LEADER   bin/compose-cluster
#
# The first five take a node's directory (NODE) and serve the steps on one node; the rest take a
# node's name (NAME) and serve the orchestration by name (cluster.sh). node_dir and
# cluster_start_node have no default: a caller that uses one without defining it is told so.
# Part of cluster/pg-functions.sh: source that file, not this one.

# node_addr NODE: the address NODE listens on and is reached at over TCP.
node_addr() { echo "$PG_LISTEN"; }

# node_as_owner NODE CMD...: pg_as_owner where NODE's server lives (a server started so runs there).
node_as_owner() { shift; pg_as_owner "$@"; }

# node_port_open NODE: true when NODE's server accepts TCP connections on its address and port.
node_port_open() { port_open "$(node_addr "$1")" "$(node_port "$1")"; }

# node_unreachable NODE: true when the network cuts NODE off; bin/cluster then counts it as down
# (as its clients see it), although its server runs.
node_unreachable() { return 1; }

# node_cpus NODE: the CPU NODE's server may use (node-cpu.sh): '' (no cgroup: as without one), max (a
# cgroup for the accounting only) or a number of CPUs (a cap).
node_cpus() { echo ""; }

# node_dir NAME: the directory of the node named NAME (its layout is the caller's).
node_dir() { pg_die "node_dir $1: the caller of cluster/pg-functions.sh must define where nodes live"; }

# on_node NAME STEP ARG...: run STEP NODE_DIR ARG... where the node named NAME lives.
on_node() {
	local name="$1" step="$2"
	shift 2
	"$step" "$(node_dir "$name")" "$@"
}

# node_state_of NAME: primary | replica | down | hung | cut-off (node_state, where NAME lives).
node_state_of() { on_node "$1" node_state; }

# node_reach NAME: "HOST PORT" at which the other nodes reach NAME's server.
node_reach() { echo "$(node_addr "$(node_dir "$1")") $(node_port "$(node_dir "$1")")"; }

# cluster_start_node NAME: start NAME the guarded way (never as a stale primary).
cluster_start_node() { pg_die "cluster_start_node $1: the caller of cluster/pg-functions.sh must define the guarded start"; }

# cluster_stop_node NAME: stop NAME, and wait until its postmaster is gone.
cluster_stop_node() { on_node "$1" node_stop fast; on_node "$1" wait_postmaster_gone; }

# cluster_rewind_node NAME LEADER: pg_rewind the stopped NAME from the primary LEADER and start it
# as a standby (node_rejoin_from).
cluster_rewind_node() { on_node "$1" node_rejoin_from "$2"; }
