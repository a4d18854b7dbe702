#!/usr/bin/env bash
# shellcheck shell=bash
#
# Shared steps of the load tooling (bin/seed, bin/load, bin/experiment-read-scaling,
# bin/bench-search), written once here. Source it after setting 'repo' to the repository root:
#
#   load_setup                      settings below, the local cluster's env for the service
#   load_jar                        the service jar (tools/jars.sh), built if missing, copied out of service/target/
#   seed_run ARGS...                the seeder (ru.otus.socialnet.seed.SeedMain) on the primary
#   ensure_database NAME            a database of the service's user on the local cluster
#   database_of / prefixes_of DIST  where a name distribution's users and prefix pairs live
#   seed_distribution DIST USERS    that database seeded (only what is missing)
#   cluster_nodes                   the local cluster's node names (bin/cluster nodes)
#   node_prewarm NODE               a node's users table and its indexes loaded into its buffers
#   app_start NAME PORT REPLICAS    the service in the background, waiting until it is healthy
#   app_stop NAME                   stop it (by the pid it was started with)
#   load_budget_enter NAME CPUS     this shell into a cgroup with a CPU budget of its own (root)
#   load_budget_remove NAME         that cgroup removed
#   jmeter_run PLAN OUT PROPS...    one JMeter plan through './mvnw -Pload', results into OUT
#   pgss_reset / pgss_search_calls NODE   each node's own pg_stat_statements counters (every node)
#
# Settings: LOAD_DIR (<repo>/.load: jar copy, prefix CSV, logs, results), PGCLUSTER_PORT and
# PGCLUSTER_DIR (the local cluster, as for bin/cluster), JAVA (java on PATH), APP_JAVA_OPTS,
# APP_JAR (a service jar to run instead of this repository's build), APP_CPUS (a CPU budget for the
# service: load_budget_enter; unset: none).

: "${repo:?set repo to the repository root before sourcing load-functions.sh}"
# shellcheck source=cluster/pg-functions.sh source-path=SCRIPTDIR/..
source "$repo/cluster/pg-functions.sh"
# shellcheck source=tools/jars.sh source-path=SCRIPTDIR/..
source "$repo/tools/jars.sh"

# A piece of the search statement (service/src/main/resources/.../user/search-by-name-prefix.sql) as
# pg_stat_statements shows it.
SEARCH_SQL_FRAGMENT="WHERE lower(first_name) ~>=~ (SELECT lower("

load_setup() {
	LOAD_DIR="${LOAD_DIR:-$repo/.load}"
	mkdir -p "$LOAD_DIR"
	LOAD_DIR="$(cd "$LOAD_DIR" && pwd)"
	PREFIXES="${PREFIXES:-$LOAD_DIR/prefixes.csv}"
	JAVA="${JAVA:-java}"
	pg_setup_env
	PGCLUSTER_DIR="$("$repo/bin/cluster" dir)"
	export PGCLUSTER_DIR
	# The service's settings for the local cluster, unless the caller points elsewhere.
	if [ -z "${PG_AUTHORITY_MASTER:-}" ]; then
		local line
		while IFS= read -r line; do export "${line?}"; done < <("$repo/bin/cluster" env)
	fi
	export PG_PASSWORD
}

# load_jar: the service jar as a copy under LOAD_DIR, so that './mvnw -Pload clean' (which the
# JMeter runs need) cannot delete it from under a running service.
load_jar() {
	# A jar given by the caller (bin/bench-search --jar) is used as it is.
	if [ -n "${APP_JAR:-}" ]; then [ -f "$APP_JAR" ] || pg_die "no jar $APP_JAR"; return 0; fi
	local built
	built="$(runnable_jar_path service)"
	if [ ! -f "$built" ] && [ ! -f "$LOAD_DIR/socialnet.jar" ]; then
		runnable_jar_build service
	fi
	# A newer build replaces the copy; without a build (after a load run's clean) the copy stays.
	if [ -f "$built" ] && { [ ! -f "$LOAD_DIR/socialnet.jar" ] || [ "$built" -nt "$LOAD_DIR/socialnet.jar" ]; }; then
		cp "$built" "$LOAD_DIR/socialnet.jar"
	fi
	APP_JAR="$LOAD_DIR/socialnet.jar"
}

# seed_run ARGS...: the seeder; its stdout line (inserted=... seconds=...) goes to stdout.
seed_run() {
	local jar
	jar="$(runnable_jar seed)" || pg_die "the seeder did not build"
	"$JAVA" -jar "$jar" --prefixes "$PREFIXES" "$@"
}

# ensure_database NAME: creates the database NAME owned by the service's user on the local
# cluster's primary, unless it exists (the migrations run when the seeder or the service connects),
# with pg_stat_statements.
ensure_database() {
	local exists
	exists="$(psql_admin "$PGCLUSTER_DIR/primary" -c "SELECT count(*) FROM pg_database WHERE datname = $(sql_literal "$1")")"
	if [ "$exists" = 0 ]; then
		pg_log "creating database $1"
		psql_admin "$PGCLUSTER_DIR/primary" -c "CREATE DATABASE \"${1//\"/\"\"}\" OWNER \"$PG_USER\"" >/dev/null
	fi
	# Each node's own count of the statements it ran (pgss_search_calls), as in the service's database.
	psql_admin "$PGCLUSTER_DIR/primary" -d "$1" -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null
}

# database_of DIST / prefixes_of DIST: where each name distribution the seeder makes keeps its users
# and its prefix pairs: zipf (the default data set) in PG_DATABASE and PREFIXES, another in
# PG_DATABASE_<DIST> and prefixes-<DIST>.csv.
database_of() { if [ "$1" = zipf ]; then echo "$PG_DATABASE"; else echo "${PG_DATABASE}_$1"; fi; }
prefixes_of() { if [ "$1" = zipf ]; then echo "$PREFIXES"; else echo "${PREFIXES%.csv}-$1.csv"; fi; }

# load_budget_enter NAME CPUS: this shell ($BASHPID) into a cgroup of its own for the load tool NAME
# (cgroup_name NAME LOAD_DIR) with a budget of CPUS (cgroup_configure: a CFS quota and the highest
# weight), so that what it starts from now on has CPU of its own, sheltered from other work on the
# machine, and is held to it. Run it in the subshell that starts the tool. CPUS empty: nothing.
load_budget_enter() {
	[ -n "$2" ] || return 0
	local group
	group="$(cgroup_name "$1" "$LOAD_DIR")"
	cgroup_configure "$group" "$2" >/dev/null
	cgroup_join "$group" "$BASHPID"
}

# load_budget_remove NAME: the load tool NAME's cgroup removed (nothing if it has none).
load_budget_remove() { cgroup_remove "$(cgroup_name "$1" "$LOAD_DIR")"; }

# seed_distribution DIST USERS: DIST's database (database_of) created and seeded up to USERS users,
# with its prefix CSV; a no-op when complete.
seed_distribution() {
	local db
	db="$(database_of "$1")"
	ensure_database "$db"
	PG_DATABASE="$db" PREFIXES="$(prefixes_of "$1")" seed_run --users "$2" --distribution "$1" >/dev/null
}

# app_start NAME PORT REPLICAS: the service on PORT with PG_AUTHORITY_REPLICA=REPLICAS (empty:
# reads on the primary), log in LOAD_DIR/NAME.log; returns once /actuator/health says UP.
app_start() {
	local name="$1" port="$2" replicas="$3" i
	load_jar
	# shellcheck disable=SC2086 # APP_JAVA_OPTS is a list of JVM options
	(load_budget_enter service "${APP_CPUS:-}"
		PG_AUTHORITY_REPLICA="$replicas" SERVER_PORT="$port" \
			exec nohup "$JAVA" ${APP_JAVA_OPTS:-} -jar "$APP_JAR" >"$LOAD_DIR/$name.log" 2>&1) &
	echo $! >"$LOAD_DIR/$name.pid"
	for ((i = 0; i < 180; i++)); do
		if curl -fsS "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; then
			pg_log "$name: service up on :$port (reads: ${replicas:-primary})"
			return 0
		fi
		kill -0 "$(cat "$LOAD_DIR/$name.pid")" 2>/dev/null || break
		sleep 0.5
	done
	tail -n 30 "$LOAD_DIR/$name.log" >&2
	app_stop "$name"
	pg_die "$name: the service did not become healthy on :$port"
}

app_stop() {
	local pidfile="$LOAD_DIR/$1.pid" pid i
	[ -f "$pidfile" ] || return 0
	pid="$(cat "$pidfile")"
	if kill "$pid" 2>/dev/null; then
		for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}

# jmeter_run PLAN OUT [-Dname=value...]: runs jmeter/PLAN.jmx non-GUI through the 'load' Maven
# profile and moves the CSV results and the HTML dashboard (unless -Dload.dashboard=false) to OUT
# (results.csv, dashboard/). Its Maven
# build directory is OUT/build (removed afterwards), not the repository's target/: two plans can run
# at once, and the 'clean' a run needs leaves target/ (where the tests keep their clusters) alone.
jmeter_run() {
	local plan="$1" out="$2" build
	shift 2
	rm -rf "$out"
	mkdir -p "$out"
	build="$(cd "$out" && pwd)/build"
	pg_log "JMeter: $plan.jmx $*"
	(cd "$repo" && ./mvnw -B -q -ntp -Pload -N clean verify -Djmeter.plan="$plan" -Dload.prefixes="$PREFIXES" \
		-Dload.buildDirectory="$build" "$@") \
		>"$out/maven.log" 2>&1 || { tail -n 40 "$out/maven.log" >&2; pg_die "JMeter run of $plan failed (see $out/maven.log)"; }
	# Names without timestamps (testResultsTimestamp=false in the pom).
	mv "$build/jmeter/results/$plan.csv" "$out/results.csv"
	if [ -d "$build/jmeter/reports/$plan" ]; then mv "$build/jmeter/reports/$plan" "$out/dashboard"; fi
	rm -rf "$build"
}

# node_psql NODE SQL: one query as superuser in the service's database on one node.
node_psql() { psql_admin "$PGCLUSTER_DIR/$1" -d "$PG_DATABASE" -c "$2"; }

# cluster_nodes: the local cluster's node names, one per line (primary, replica1..N).
cluster_nodes() { "$repo/bin/cluster" nodes | cut -d' ' -f1; }

pgss_reset() {
	local n
	for n in $(cluster_nodes); do node_psql "$n" 'SELECT pg_stat_statements_reset()' >/dev/null; done
}

# pgss_search_calls NODE: how many searches NODE executed since the last reset, by its own count.
pgss_search_calls() {
	node_psql "$1" "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
		WHERE query LIKE '%' || $(sql_literal "$SEARCH_SQL_FRAGMENT") || '%'"
}

# node_prewarm NODE: the users table and every index of it read into NODE's shared buffers
# (pg_prewarm; the extension is created on the primary once, and replicated), so that a measurement
# does not start with a node whose buffers are cold while another's are warm.
node_prewarm() {
	psql_admin "$PGCLUSTER_DIR/primary" -d "$PG_DATABASE" -c 'CREATE EXTENSION IF NOT EXISTS pg_prewarm' >/dev/null 2>&1 || true
	node_psql "$1" "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c
		WHERE c.oid = 'users'::regclass OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'users'::regclass)" >/dev/null
}
