#!/usr/bin/env bash
# The runnable jars of the Maven reactor (pom.xml lists its modules), written down once: where each
# lands and how to get it built. Sourced by bin/run, bin/drill, bin/chaos and load/load-functions.sh.
#
#   runnable_jar_path NAME     the jar of NAME (service, seed, drill, chaos), built or not
#   runnable_jar_build NAME    builds NAME's module and what it needs (tests skipped); quiet
#   runnable_jar NAME          prints the jar's path, building it first when it is missing
#
# The service's runnable is service/target/socialnet-service-exec.jar (the plain socialnet-service.jar
# beside it is the library the tools' tests run the service from), the drill's likewise
# tools/drill/target/socialnet-drill-exec.jar (the container tests use its plain jar); each other
# tool's is its own tools/NAME/target/socialnet-NAME.jar, without the service inside.

jars_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# jars_module NAME: the reactor module that builds NAME.
jars_module() {
	case "$1" in
		service) echo service ;;
		seed | drill | chaos) echo "tools/$1" ;;
		*) echo "error: no runnable jar '$1' (service, seed, drill, chaos)" >&2; return 2 ;;
	esac
}

runnable_jar_path() {
	local module
	module="$(jars_module "$1")" || return
	case "$1" in
		service | drill) echo "$jars_root/$module/target/socialnet-$1-exec.jar" ;;
		*) echo "$jars_root/$module/target/socialnet-$1.jar" ;;
	esac
}

runnable_jar_build() {
	local module
	module="$(jars_module "$1")" || return
	echo "building $module (./mvnw package -pl $module -am)" >&2
	(cd "$jars_root" && ./mvnw -q -B -ntp -DskipTests -pl "$module" -am package) >&2
}

runnable_jar() {
	local jar
	jar="$(runnable_jar_path "$1")" || return
	[ -f "$jar" ] || runnable_jar_build "$1" || return
	echo "$jar"
}
