#!/usr/bin/env bash
# shellcheck shell=bash
#
# The local cluster on a network: each node of bin/cluster in a network namespace of its own, with
# an address of its own, on a bridge in the root namespace, where the service and the load stay.
# Sourced by bin/cluster after cluster/pg-functions.sh. The node operations stay there; this file
# only builds and removes the network, redefines pg-functions.sh's "where a node lives" hooks
# (node_addr, node_as_owner, node_port_open, node_unreachable) and injects network faults:
#
#   PGCLUSTER_NETNS=1 bin/cluster up   a new cluster on a network; recorded in PGCLUSTER_DIR, so
#                                      later commands on that directory follow it without the variable
#   bin/cluster partition NODE         cut NODE off from everyone: its packets vanish, its server runs
#   bin/cluster delay NODE MS [LOSS%] [DUP%]   every packet NODE sends is MS ms late; LOSS % of them
#                                      are lost, DUP % sent twice
#   bin/cluster lossy NODE LOSS% DUP%  the same without the delay: a lossy link that also duplicates
#   bin/cluster cut-service NODE       the root namespace (the service, the load) cut off from NODE's
#                                      server; the other nodes still reach it (they stream on)
#   bin/cluster heal [NODE]            undo the faults of NODE (of every node without NODE)
#   bin/cluster wipe                   also removes the namespaces, links and the bridge
#
# The network (default names and addresses):
#   snrbr0            bridge in the root namespace, 198.18.0.1/24 (the service connects from it)
#   snr-primary       namespace of the node 'primary': eth0 = 198.18.0.11, linked to the bridge by the
#   snrv-primary        veth pair snrv-primary <-> eth0; replica K at .11+K likewise
# Only addresses of 198.18.0.0/15 (RFC 2544: benchmarking, never routed) are allowed; the namespaces
# have no default route, so no packet can go anywhere else; pg_hba admits TCP from that /24 only.
#
# Faults are iptables rules in chain SNR-FAULT *inside* the node's namespace: partition = DROP both
# ways on eth0 (of every packet, or of TCP to and from some ports only: one process of a node cut
# off, bin/patroni-cluster); cut-service = DROP of what comes from the bridge's address to the
# server's port; delay = tc netem on eth0 where the kernel has sch_netem, else a random DROP
# (statistic match), a random TEE (mangle table: a copy of the packet sent to its destination too,
# a duplicate) and a delay line on NFQUEUE
# (cluster/netns-delay.py, --queue-bypass: if it dies, packets flow undelayed).
#
# The host's tables get one rule, the bridge's own: FORWARD ACCEPT from the bridge to itself. Where
# bridged frames pass iptables (br_netfilter, net.bridge.bridge-nf-call-iptables=1) and FORWARD's
# policy is DROP — what a Docker engine sets when it starts — the nodes would not reach each other
# (the standbys never stream). It goes in with the bridge and leaves with it (see netns_allow_bridge).
#
# Settings: PGCLUSTER_NETNS (1: create the cluster on a network), PGCLUSTER_NETNS_PREFIX (snr; 1-5
# lower-case letters, the names above), PGCLUSTER_NETNS_SUBNET (198.18.0: the /24, inside
# 198.18.0.0/15). Needs root, and iproute2 and iptables (bin/install-deps network).
# Expects from its caller: PGCLUSTER_DIR, the NODES array and node_dir NAME (bin/cluster; bin/patroni-cluster
# gives its HA_DIR and node1..node3, and runs etcd and HAProxy in the root namespace on the bridge).

NETNS_ACTIVE=0
NETNS_CHAIN=SNR-FAULT

# netns_activate: once PGCLUSTER_DIR is known. Nothing happens for a cluster on 127.0.0.1.
netns_activate() {
	local marker="$PGCLUSTER_DIR/netns.conf"
	if [ -f "$marker" ]; then
		NETNS_PREFIX="$(sed -n 's/^prefix=//p' "$marker")"
		NETNS_SUBNET="$(sed -n 's/^subnet=//p' "$marker")"
	elif [ "${PGCLUSTER_NETNS:-0}" = 1 ]; then
		[ ! -s "$(node_dir "${NODES[0]}")/data/PG_VERSION" ] \
			|| pg_die "$PGCLUSTER_DIR holds a cluster on $PG_LISTEN; wipe it ($CLUSTER_COMMAND wipe) before creating one on a network"
		NETNS_PREFIX="${PGCLUSTER_NETNS_PREFIX:-snr}" NETNS_SUBNET="${PGCLUSTER_NETNS_SUBNET:-198.18.0}"
	else
		return 0
	fi
	netns_check_settings
	netns_require_root
	[ -f "$marker" ] || printf 'prefix=%s\nsubnet=%s\n' "$NETNS_PREFIX" "$NETNS_SUBNET" >"$marker"
	NETNS_ACTIVE=1
	PG_HBA_NET="$NETNS_SUBNET.0/24"
	export PG_HBA_NET
	# The hooks of cluster/pg-functions.sh, for a node in its namespace (defined here, when the mode is
	# on; shellcheck cannot see that they are called).
	# shellcheck disable=SC2317
	node_addr() { netns_addr "$(basename "$1")"; }
	# shellcheck disable=SC2317
	node_as_owner() {
		local ns
		ns="$(netns_ns "$(basename "$1")")"
		shift
		ip netns exec "$ns" runuser -u postgres -- env PATH="$PG_BINDIR:$PATH" "$@"
	}
	# Probed from inside the namespace (over its loopback): is the server up, whatever the network does.
	# shellcheck disable=SC2317
	node_port_open() {
		# shellcheck disable=SC2016 # $0 and $1 are the inner shell's
		ip netns exec "$(netns_ns "$(basename "$1")")" timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' \
			"$(node_addr "$1")" "$(node_port "$1")" 2>/dev/null
	}
	# shellcheck disable=SC2317
	node_unreachable() { [ "$(netns_fault "$(basename "$1")")" = partitioned ]; }
}

netns_check_settings() {
	[[ "$NETNS_PREFIX" =~ ^[a-z]{1,5}$ ]] || pg_die "PGCLUSTER_NETNS_PREFIX must be 1-5 lower-case letters, not '$NETNS_PREFIX'"
	local third="${NETNS_SUBNET##*.}"
	if ! [[ "$NETNS_SUBNET" =~ ^198\.1[89]\.[0-9]{1,3}$ ]] || [ "$third" -gt 255 ]; then
		pg_die "PGCLUSTER_NETNS_SUBNET must be the first three octets of a /24 inside 198.18.0.0/15 (e.g. 198.18.0), not '$NETNS_SUBNET'"
	fi
}

netns_require_root() {
	[ "$(id -u)" = 0 ] || pg_die "the cluster on a network needs root: network namespaces, veth pairs, a bridge and iptables rules are root-only. Run it as root (sudo -E $CLUSTER_COMMAND ...), or use the plain local cluster (without PGCLUSTER_NETNS=1; $PGCLUSTER_DIR/netns.conf marks a directory created on a network)"
	command -v ip >/dev/null || pg_die "ip (iproute2) is missing: run bin/install-deps network"
	command -v iptables >/dev/null || pg_die "iptables is missing: run bin/install-deps network"
}

netns_require_active() {
	[ "$NETNS_ACTIVE" = 1 ] || pg_die "network faults need the cluster on a network: wipe, then PGCLUSTER_NETNS=1 $CLUSTER_COMMAND up"
}

# Names and addresses of a node NAME.
netns_ns() { echo "$NETNS_PREFIX-$1"; }
netns_link() { echo "${NETNS_PREFIX}v-$1"; }
netns_bridge() { echo "${NETNS_PREFIX}br0"; }
netns_addr() {
	local i
	for i in "${!NODES[@]}"; do
		[ "${NODES[$i]}" = "$1" ] && { echo "$NETNS_SUBNET.$((11 + i))"; return; }
	done
	pg_die "unknown node '$1' (${NODES[*]})"
}
netns_state_dir() { echo "$PGCLUSTER_DIR/net"; }
# netns_fault NAME: the fault NAME's links have now ('' when none).
netns_fault() { cat "$(netns_state_dir)/$1" 2>/dev/null || true; }
netns_in() { local ns; ns="$(netns_ns "$1")"; shift; ip netns exec "$ns" "$@"; }

# netns_ensure: the bridge, and for each node its namespace and veth pair (idempotent, cheap when
# all exist). A bridge of the same name that another cluster directory made is refused.
netns_ensure() {
	[ "$NETNS_ACTIVE" = 1 ] || return 0
	local br n link owner
	br="$(netns_bridge)"
	if [ -d "/sys/class/net/$br" ]; then
		owner="$(cat "/sys/class/net/$br/ifalias" 2>/dev/null || true)"
		[ "$owner" = "$PGCLUSTER_DIR" ] || pg_die "bridge $br belongs to the cluster in '${owner:-?}'; wipe that one first, or give this one PGCLUSTER_NETNS_PREFIX and PGCLUSTER_NETNS_SUBNET of its own"
	else
		if [ -n "$(ip -o -4 addr show to "$NETNS_SUBNET.0/24")" ]; then
			pg_die "$NETNS_SUBNET.0/24 is already in use on this host: choose another PGCLUSTER_NETNS_SUBNET"
		fi
		pg_log "network: bridge $br $NETNS_SUBNET.1/24"
		ip link add "$br" type bridge
		ip link set "$br" alias "$PGCLUSTER_DIR"
		ip addr add "$NETNS_SUBNET.1/24" dev "$br"
		ip link set "$br" up
	fi
	netns_allow_bridge "$br"
	for n in "${NODES[@]}"; do
		link="$(netns_link "$n")"
		[ -e "/run/netns/$(netns_ns "$n")" ] && [ -d "/sys/class/net/$link" ] && continue
		pg_log "network: namespace $(netns_ns "$n"), eth0 $(netns_addr "$n")"
		[ -e "/run/netns/$(netns_ns "$n")" ] || ip netns add "$(netns_ns "$n")"
		netns_in "$n" ip link set lo up
		ip link del "$link" 2>/dev/null || true
		ip link add "$link" type veth peer name eth0 netns "$(netns_ns "$n")"
		ip link set "$link" master "$br" up
		netns_in "$n" ip addr add "$(netns_addr "$n")/24" dev eth0
		netns_in "$n" ip link set eth0 up
	done
}

# netns_bridge_rule BRIDGE: the FORWARD rule spec that lets BRIDGE's nodes reach each other.
netns_bridge_rule() { echo "-i $1 -o $1 -m comment --comment socialnet-cluster:$1 -j ACCEPT"; }

# netns_allow_bridge BRIDGE: the rule at the head of the host's FORWARD chain, unless it is there
# (idempotent: a cluster made before the rule existed gets it on its next command). FORWARD, not
# Docker's DOCKER-USER: the rule must hold whether an engine starts before or after the cluster, or
# is stopped and its chains removed while the cluster runs; an engine that starts later puts its
# own jumps above it, and those only act on its own bridges.
netns_allow_bridge() {
	local rule
	rule="$(netns_bridge_rule "$1")"
	# shellcheck disable=SC2086 # a rule spec is a list of words
	iptables -w -C FORWARD $rule 2>/dev/null || iptables -w -I FORWARD 1 $rule
}

# netns_disallow_bridge BRIDGE: every copy of the rule removed (with the bridge).
netns_disallow_bridge() {
	local rule
	rule="$(netns_bridge_rule "$1")"
	# shellcheck disable=SC2086 # a rule spec is a list of words
	while iptables -w -D FORWARD $rule 2>/dev/null; do :; done
}

# netns_teardown: every fault undone, then the links, namespaces and bridge removed (after the
# nodes were stopped: bin/cluster wipe).
netns_teardown() {
	[ "$NETNS_ACTIVE" = 1 ] || return 0
	local n br
	br="$(netns_bridge)"
	for n in "${NODES[@]}"; do
		[ -e "/run/netns/$(netns_ns "$n")" ] && netns_heal_node "$n"
		ip link del "$(netns_link "$n")" 2>/dev/null || true
		ip netns del "$(netns_ns "$n")" 2>/dev/null || true
	done
	if [ "$(cat "/sys/class/net/$br/ifalias" 2>/dev/null)" = "$PGCLUSTER_DIR" ]; then
		netns_disallow_bridge "$br"
		ip link del "$br"
	fi
	rm -rf "$(netns_state_dir)" "$PGCLUSTER_DIR/netns.conf"
	pg_log "network removed ($br, $(netns_ns '*'))"
}

# netns_chain NAME IN|OUT|BOTH RULE...: fresh chain SNR-FAULT in NAME's namespace holding RULE
# (one iptables rule spec per argument), entered by the traffic on eth0 in the given directions.
# NETNS_TABLE (filter) names the table: mangle for the TEE of a duplication.
netns_chain() {
	local n="$1" dir="$2" rule table="${NETNS_TABLE:-filter}"
	shift 2
	netns_in "$n" iptables -w -t "$table" -N "$NETNS_CHAIN"
	for rule in "$@"; do
		# shellcheck disable=SC2086 # a rule spec is a list of words
		netns_in "$n" iptables -w -t "$table" -A "$NETNS_CHAIN" $rule
	done
	if [ "$dir" != OUT ]; then netns_in "$n" iptables -w -t "$table" -I INPUT -i eth0 -j "$NETNS_CHAIN"; fi
	if [ "$dir" != IN ]; then netns_in "$n" iptables -w -t "$table" -I OUTPUT -o eth0 -j "$NETNS_CHAIN"; fi
}

# netns_record NAME FAULT: what NAME's links have now (netns_fault reads it back).
netns_record() {
	mkdir -p "$(netns_state_dir)"
	echo "$2" >"$(netns_state_dir)/$1"
}

# netns_partition NAME [PORT,...]: every packet to and from NAME dropped; with PORTs, only the TCP
# packets to or from those ports (one process of the node cut off, the others reachable: the
# Patroni agent or its PostgreSQL alone, bin/patroni-cluster). Only a whole partition makes the node
# count as down (node_unreachable).
netns_partition() {
	local n="${1:?usage: $CLUSTER_COMMAND partition NODE}" ports="${2:-}"
	netns_require_active
	netns_addr "$n" >/dev/null
	netns_heal_node "$n"
	if [ -z "$ports" ]; then
		netns_record "$n" partitioned
		netns_chain "$n" BOTH "-j DROP"
		pg_event "$n partitioned: every packet to and from $(netns_addr "$n") is dropped; its server runs"
		return
	fi
	[[ "$ports" =~ ^[0-9]+(,[0-9]+){0,14}$ ]] || pg_die "partition: PORTS must be up to 15 port numbers, comma-separated, not '$ports'"
	netns_record "$n" "partitioned ports $ports"
	netns_chain "$n" BOTH "-p tcp -m multiport --ports $ports -j DROP"
	pg_event "$n partly partitioned: TCP to and from ports $ports on $(netns_addr "$n") is dropped; the rest flows"
}

# netns_bridge_addr: the bridge's address, where the root namespace (the service, the load, etcd
# and HAProxy of bin/patroni-cluster) meets the nodes.
netns_bridge_addr() { echo "$NETNS_SUBNET.1"; }

# netns_cut_service NAME PORT: what comes from the root namespace to NAME's server (PORT) dropped,
# the service's packets among it; the other nodes still reach the server (standbys stream from a
# primary so cut off) and NAME still reaches everyone (etcd in the root namespace included).
netns_cut_service() {
	local n="${1:?usage: $CLUSTER_COMMAND cut-service NODE}" port="${2:?netns_cut_service NAME PORT}"
	netns_require_active
	netns_addr "$n" >/dev/null
	netns_heal_node "$n"
	netns_record "$n" "service cut"
	netns_chain "$n" IN "-s $(netns_bridge_addr) -p tcp --dport $port -j DROP"
	pg_event "$n cut off from the service: packets from $(netns_bridge_addr) to its port $port are dropped; the other nodes still reach it"
}

# netns_percent WHAT VALUE: VALUE (a trailing % allowed) when it is a percentage 0-100; dies otherwise.
netns_percent() {
	local v="${2%\%}"
	if ! [[ "$v" =~ ^[0-9]+(\.[0-9]+)?$ ]] || ! awk -v l="$v" 'BEGIN { exit !(l <= 100) }'; then
		pg_die "$1 must be a percentage 0-100, not '$2'"
	fi
	echo "$v"
}

# netns_probability PERCENT: as iptables' statistic match takes it (0.0500 for 5).
netns_probability() { awk -v l="$1" 'BEGIN { printf "%.4f", l / 100 }'; }

# netns_delay NAME MS [LOSS] [DUP]: NAME's outgoing packets MS ms late, LOSS % of them lost and DUP %
# of them sent twice, so every round trip with NAME is MS longer and its peers see losses and
# duplicates (TCP's own retransmissions and duplicate detection at work).
netns_delay() {
	local usage="usage: $CLUSTER_COMMAND delay NODE MS [LOSS%] [DUP%]"
	local n="${1:?$usage}" ms="${2:?$usage}" loss dup how rules=() tees=() peer p
	netns_require_active
	netns_addr "$n" >/dev/null
	if ! [[ "$ms" =~ ^[0-9]+$ ]] || [ "$ms" -gt 60000 ]; then
		pg_die "delay: MS must be a whole number of milliseconds, 0-60000, not '$ms'"
	fi
	loss="$(netns_percent "delay: LOSS" "${3:-0}")"
	dup="$(netns_percent "delay: DUP" "${4:-0}")"
	netns_heal_node "$n"
	netns_record "$n" "delay ${ms}ms loss ${loss}% duplicate ${dup}%"
	if netns_in "$n" tc qdisc add dev eth0 root netem delay "${ms}ms" loss "${loss}%" duplicate "${dup}%" 2>/dev/null; then
		how="tc netem"
	else
		# This kernel has no sch_netem: the same fault from netfilter and a delay line in user space.
		if awk -v l="$loss" 'BEGIN { exit !(l > 0) }'; then
			rules+=("-m statistic --mode random --probability $(netns_probability "$loss") -j DROP")
		fi
		if [ "$ms" -gt 0 ]; then
			command -v python3 >/dev/null || pg_die "delay needs tc netem or python3 (bin/install-deps network)"
			rules+=("-j NFQUEUE --queue-num 0 --queue-bypass")
		fi
		if awk -v l="$dup" 'BEGIN { exit !(l > 0) }'; then
			# TEE sends a copy to a fixed next hop: one rule per peer on the /24, the copy to the peer itself.
			p="$(netns_probability "$dup")"
			for peer in "$(netns_bridge_addr)" $(for i in "${NODES[@]}"; do [ "$i" = "$n" ] || netns_addr "$i"; done); do
				tees+=("-d $peer -m statistic --mode random --probability $p -j TEE --gateway $peer")
			done
			NETNS_TABLE=mangle netns_chain "$n" OUT "${tees[@]}"
		fi
		if [ ${#rules[@]} -gt 0 ]; then netns_chain "$n" OUT "${rules[@]}"; fi
		if [ "$ms" -gt 0 ]; then netns_start_delay_line "$n" "$ms"; fi
		how="iptables: statistic DROP, TEE, NFQUEUE delay line (no sch_netem in this kernel)"
	fi
	pg_event "$n's link degraded: packets from $(netns_addr "$n") ${ms} ms late, ${loss} % lost, ${dup} % duplicated ($how)"
}

# netns_start_delay_line NAME MS: cluster/netns-delay.py in NAME's namespace, detached (its output
# to a file: bin/cluster's callers read its stdout to the end), until it has bound the queue.
netns_start_delay_line() {
	local n="$1" ms="$2" log pid i
	log="$(netns_state_dir)/$n.delay.log"
	mkdir -p "$(netns_state_dir)"
	setsid ip netns exec "$(netns_ns "$n")" python3 "$(dirname "${BASH_SOURCE[0]}")/netns-delay.py" 0 "$ms" \
		</dev/null >"$log" 2>&1 &
	pid=$!
	echo "$pid" >"$(netns_state_dir)/$n.pid"
	for ((i = 0; i < 50; i++)); do
		grep -q '^bound' "$log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$log" >&2
	pg_die "the delay line for $n did not start"
}

# netns_heal_node NAME: no fault left on NAME's links (idempotent). A node with no fault recorded
# has none (every fault is recorded before it is applied): nothing to undo, no command run.
netns_heal_node() {
	local n="$1" state pid table
	state="$(netns_state_dir)"
	[ -f "$state/$n" ] || [ -f "$state/$n.pid" ] || return 0
	if [ -f "$state/$n.pid" ]; then
		pid="$(cat "$state/$n.pid")"
		if grep -qs netns-delay "/proc/$pid/cmdline"; then kill "$pid" 2>/dev/null || true; fi
		rm -f "$state/$n.pid"
	fi
	for table in filter mangle; do
		while netns_in "$n" iptables -w -t "$table" -D INPUT -i eth0 -j "$NETNS_CHAIN" 2>/dev/null; do :; done
		while netns_in "$n" iptables -w -t "$table" -D OUTPUT -o eth0 -j "$NETNS_CHAIN" 2>/dev/null; do :; done
		netns_in "$n" iptables -w -t "$table" -F "$NETNS_CHAIN" 2>/dev/null || true
		netns_in "$n" iptables -w -t "$table" -X "$NETNS_CHAIN" 2>/dev/null || true
	done
	netns_in "$n" tc qdisc del dev eth0 root 2>/dev/null || true
	rm -f "$state/$n"
}

netns_heal() {
	local n
	netns_require_active
	if [ $# -gt 0 ]; then
		netns_addr "$1" >/dev/null
		netns_heal_node "$1"
		pg_event "$1 healed: its links are whole again"
		return
	fi
	for n in "${NODES[@]}"; do netns_heal_node "$n"; done
	pg_event "network healed: no partition, cut or degraded link left"
}

# netns_status: the network part of bin/cluster status.
netns_status() {
	[ "$NETNS_ACTIVE" = 1 ] || return 0
	local n
	printf '\nnetwork: bridge %s %s.1/24\n' "$(netns_bridge)" "$NETNS_SUBNET"
	for n in "${NODES[@]}"; do
		printf '%-9s %-16s %-14s %s\n' "$n" "$(netns_addr "$n")" "$(netns_ns "$n")" "$(netns_fault "$n")"
	done
}
