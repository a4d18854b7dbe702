#!/usr/bin/env bash
# shellcheck shell=bash
# The compose command line of this machine, for every script that runs compose (bin/compose-cluster,
# bin/docker-engine). Sourced.
#
# compose_cli: its words, one per line: 'docker compose' (v2, the Docker CLI plugin) where that
# answers, else 'docker-compose' (v1: what Debian 12 and Ubuntu 22.04 install with apt). COMPOSE_CLI
# (e.g. COMPOSE_CLI=docker-compose) picks one. The scripts use only what both understand: no
# 'ps --status' (v2 only; 'ps --services --filter status=...' is in both), no BuildKit-only Dockerfile
# syntax (v1 builds with the classic builder).
compose_cli() {
	if [ -n "${COMPOSE_CLI:-}" ]; then
		tr ' ' '\n' <<<"$COMPOSE_CLI"
	elif docker compose version >/dev/null 2>&1; then
		printf '%s\n' docker compose
	elif command -v docker-compose >/dev/null; then
		echo docker-compose
	else
		echo "error: neither 'docker compose' (v2) nor 'docker-compose' (v1) is installed (bin/docker-engine install)" >&2
		return 1
	fi
}
