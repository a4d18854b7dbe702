#!/usr/bin/env bash
# Entry point of the Patroni compose image: one role per container, all on the functions the
# local mode uses (cluster/patroni/patroni-functions.sh), with container names for addresses.
#
#   entrypoint.sh node NAME     Patroni + PostgreSQL for node NAME (node1..node3)
#   entrypoint.sh haproxy       HAProxy: primary and replicas ports, checked via Patroni's REST API
#
# Environment: as bin/patroni-cluster (HA_PORT, HA_SYNC_MODE, HA_TTL, PG_*, *_FILE secrets), plus
# HA_ETCD_HOSTS (etcd:2379). Inside the network every node listens on all interfaces; pg_hba
# admits the containers' own subnet (PG_HBA_NET=samenet).
set -Eeuo pipefail
lib=/opt/socialnet/cluster  # where docker/patroni/Dockerfile puts cluster/
# shellcheck source=cluster/pg-functions.sh
source "$lib/pg-functions.sh"
# shellcheck source=cluster/patroni/patroni-functions.sh
source "$lib/patroni/patroni-functions.sh"

: "${HA_DIR:=/var/lib/socialnet-ha}" "${PG_LISTEN:=0.0.0.0}" "${PG_HBA_NET:=samenet}"
# shellcheck disable=SC2031  # the subshell in ha_node_configure does not matter here
: "${HA_ETCD_HOSTS:=etcd:2379}" "${HA_NODE_HOSTS:=node1 node2 node3}" "${HA_HAPROXY_BIND:=0.0.0.0}"
export HA_DIR PG_LISTEN PG_HBA_NET HA_ETCD_HOSTS HA_NODE_HOSTS HA_HAPROXY_BIND
ha_setup_env
mkdir -p "$HA_DIR"

case "${1:-}" in
	node)
		name="${2:?usage: entrypoint.sh node NAME}"
		ha_prepare_dir
		ha_node_configure "$name" "$name"
		ha_patroni_command "$name"
		# exec: Patroni is PID 1's successor and gets docker stop's SIGTERM (a clean stop).
		exec setpriv --reuid=postgres --regid=postgres --init-groups -- "${HA_PATRONI_CMD[@]}"
		;;
	haproxy)
		haproxy_write_config
		exec haproxy -W -db -f "$HA_DIR/haproxy.cfg"
		;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
