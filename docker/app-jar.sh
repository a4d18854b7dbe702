#!/usr/bin/env bash
# The service's runnable jar for the app image: docker/app.Dockerfile's build stage runs this in
# /src, the repository as the build context gives it (.dockerignore). APP_JAR says where the jar
# comes from:
#   auto    (the default) the host's jar when it is there and no source it is built from changed
#           after it (file times, as the build context keeps them); otherwise 'source'. A fresh clone
#           with Maven Central builds from source, a machine that ran ./mvnw copies what it built,
#           and an edit after that build is never shipped in a stale jar.
#   host    the jar built on the host, service/target/socialnet-service-exec.jar, is copied: for a
#           machine whose containers cannot reach Maven Central (CI here, offline):
#             ./mvnw -pl service -am package -DskipTests && APP_JAR=host docker compose up -d --build
#   source  Maven builds it here, from the sources (-pl service -am: the service and what it needs);
#           needs Maven Central from the build's container.
# Usage: app-jar.sh DEST: the jar, copied to DEST.
set -euo pipefail

HOST_JAR=service/target/socialnet-service-exec.jar
# What the service's jar is built from (the reactor's root pom and wrapper, and the modules of
# ./mvnw -pl service -am).
SOURCES=(pom.xml .mvn common service)

log() { echo "app-jar: $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

# changed_source: the first source file newer than the host's jar (nothing when none is).
changed_source() {
	find "${SOURCES[@]}" -path '*/target' -prune -o -type f -newer "$HOST_JAR" -print -quit
}

# host_jar: the host's jar, or a message that says how to build it.
host_jar() {
	[ -f "$HOST_JAR" ] || die "APP_JAR=host, but there is no $HOST_JAR: build it first: ./mvnw -pl service -am package -DskipTests"
	log "the host's jar, $HOST_JAR"
}

# source_jar: Maven builds it with Debian's JDK.
source_jar() {
	log "building the service from source (./mvnw -pl service -am package)"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jdk-headless
	./mvnw -B -ntp -q -pl service -am package -DskipTests \
		|| die "Maven could not build the service in the image (no access to Maven Central from containers?). Build the jar on the host and copy it instead: ./mvnw -pl service -am package -DskipTests && APP_JAR=host docker compose up -d --build"
}

# auto_jar: the host's jar when it is current, else source_jar.
auto_jar() {
	local changed
	if [ ! -f "$HOST_JAR" ]; then
		log "APP_JAR=auto: no jar built on the host"
		source_jar
	elif changed="$(changed_source)" && [ -n "$changed" ]; then
		log "APP_JAR=auto: $changed changed after the host's jar was built"
		source_jar
	else
		log "APP_JAR=auto: the host's jar is newer than every source it is built from"
		host_jar
	fi
}

main() {
	local dest="${1:?usage: app-jar.sh DEST}"
	case "${APP_JAR:-auto}" in
		auto) auto_jar ;;
		host) host_jar ;;
		source) source_jar ;;
		*) die "APP_JAR must be auto, host or source, not '$APP_JAR'" ;;
	esac
	cp "$HOST_JAR" "$dest"
}

main "$@"
