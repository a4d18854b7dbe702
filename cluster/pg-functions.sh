#!/usr/bin/env bash
# shellcheck shell=bash
#
# Cluster operations for PostgreSQL streaming replication, one small function per step.
#
# This file is the one every caller sources; the steps live in lib/, one file per idea:
#   lib/base.sh         settings, binaries, the servers' OS user, logging, small pure helpers
#   lib/hooks.sh        the contract: where a node lives (defaults here; redefined per mode)
#   lib/node.sh         one node and its server process: identity, session, start/stop/kill/pause
#   lib/node-cpu.sh     a node's CPU of its own: its cgroup (a CFS quota, or accounting only), its use
#   lib/node-init.sh    creating a node: initdb (settings, pg_hba, roles, slots) or pg_basebackup
#   lib/node-sync.sh    a node's commit mode (async / quorum) and its standbys' status
#   lib/node-follow.sh  a node changing sides: promote, follow another primary, rejoin by pg_rewind
#   lib/leader.sh       who may lead: evidence from each node's files, the decisions on it
#   lib/cluster.sh      the cluster by node name: sync, failover, rejoin (through the hooks)
# A container needs only the node steps and the guard; every file is loaded here all the same.
# Their tests: cluster/src/test (LeaderDecisionTest, the unit tier; the *IT classes on real servers).
#
# This is the single implementation of those steps. Source it; do not copy from it:
#   bin/cluster            local processes (machines without Docker)
#   docker/*.sh            the compose containers
#   bin/compose-cluster    the compose cluster from the host (docker compose exec)
#   the Java tests         through bin/cluster
#   the failover drill     through bin/cluster or bin/compose-cluster
#
#   source cluster/pg-functions.sh
#   pg_setup_env
#   node_init_primary /path/to/node 15432
#
# Layout of a node directory ("NODE"):
#   NODE/data        PGDATA
#   NODE/node.conf   settings that belong to this node, not to the cluster (port, listen
#                    address, name). postgresql.conf includes it by relative path, and it lives
#                    outside PGDATA on purpose: pg_basebackup and pg_rewind copy PGDATA from
#                    another node, and must not carry that node's port along.
#   NODE/sock        unix socket directory (0700): the owner's administrative channel
#   NODE/postgres.log
#
# Settings come from the environment (each secret also as *_FILE, like the official image):
#   PG_DATABASE (socialnet)  PG_USER (socialnet)  PG_PASSWORD (socialnet)
#   PG_SUPERUSER_PASSWORD (postgres)
#   PG_REPLICATION_USER (replicator)  PG_REPLICATION_PASSWORD (replicator)
#   PG_LISTEN (127.0.0.1)    PG_HBA_NET (127.0.0.1/32; compose uses samenet)
#   PG_REPLICA_NAMES ("replica1 replica2")  standbys the primary makes slots for
#   PG_SYNC_MODE (async | quorum)            commit mode at start-up; unset: async at init, and
#                                            later starts keep the mode last switched to


# shellcheck source-path=SCRIPTDIR/..
PG_FUNCTIONS_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source=cluster/lib/base.sh
source "$PG_FUNCTIONS_LIB/base.sh"
# shellcheck source=cluster/lib/hooks.sh
source "$PG_FUNCTIONS_LIB/hooks.sh"
# shellcheck source=cluster/lib/node.sh
source "$PG_FUNCTIONS_LIB/node.sh"
# shellcheck source=cluster/lib/node-cpu.sh
source "$PG_FUNCTIONS_LIB/node-cpu.sh"
# shellcheck source=cluster/lib/node-init.sh
source "$PG_FUNCTIONS_LIB/node-init.sh"
# shellcheck source=cluster/lib/node-sync.sh
source "$PG_FUNCTIONS_LIB/node-sync.sh"
# shellcheck source=cluster/lib/node-follow.sh
source "$PG_FUNCTIONS_LIB/node-follow.sh"
# shellcheck source=cluster/lib/leader.sh
source "$PG_FUNCTIONS_LIB/leader.sh"
# shellcheck source=cluster/lib/cluster.sh
source "$PG_FUNCTIONS_LIB/cluster.sh"
