#!/usr/bin/env bash
# Patroni's bootstrap.post_bootstrap hook: runs once, as the server's OS user, on the node that
# initialised the cluster, right after initdb. It makes the same roles, database and extension
# as the manual cluster, through the same function (node_create_roles), so the service behaves
# the same on both cluster kinds. Patroni passes a connection URL as $1; we use the node's
# private unix socket instead (HA_NODE_DIR/node.conf names its port).
#
# Environment (set by ha_node_start): HA_NODE_DIR, PG_DATABASE, PG_USER, PG_REPLICATION_USER,
# PG_PASSWORD_FILE, PG_SUPERUSER_PASSWORD_FILE, PG_REPLICATION_PASSWORD_FILE.
set -Eeuo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cluster/pg-functions.sh
source "$here/../pg-functions.sh"
pg_setup_env
: "${HA_NODE_DIR:?HA_NODE_DIR is not set}"
# Patroni creates (or updates) the replication role right after this hook, with its own
# password; node_create_roles creating it first does no harm.
node_create_roles "$HA_NODE_DIR"
pg_log "post_bootstrap: role $PG_USER, database $PG_DATABASE, pg_stat_statements created"
