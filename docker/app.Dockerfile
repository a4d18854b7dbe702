# The service's image, built by docker-compose.yaml (context: the repository's root) with either
# compose CLI: no BuildKit-only syntax, so docker-compose v1's classic builder builds it too, and no
# frontend image to pull. Both stages stand on debian:bookworm-slim with Debian's OpenJDK 17.
#
# Where the jar comes from: build argument APP_JAR, from the environment of 'docker compose' —
# auto (the default: the host's jar when no source changed after it was built, otherwise built from
# source), host (the host's jar) or source (Maven in the build: needs Maven Central from containers).
# docker/app-jar.sh says how each is chosen.
# The image carries the service's runnable jar alone: no seeder, drill, campaign or Datafaker.

FROM debian:bookworm-slim AS jre
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*

FROM jre AS build
ARG APP_JAR=auto
WORKDIR /src
# Every module's pom is part of the reactor, built or not (.dockerignore keeps the rest out, and lets
# the host's jar in). COPY keeps the files' times, which APP_JAR=auto compares.
COPY . .
RUN APP_JAR="$APP_JAR" docker/app-jar.sh /app.jar

FROM jre
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin socialnet
COPY --from=build /app.jar /app/app.jar
USER socialnet
EXPOSE 8080
# The JVM caches a name it looked up for 30 s by default; on a compose network a restarted
# container may come back at another address (the service also checks each node's name before
# every probe: ProbeConnection). 5 s bounds how long a moved node is looked for at its old address.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-Dsun.net.inetaddr.ttl=5", "-jar", "/app/app.jar"]
