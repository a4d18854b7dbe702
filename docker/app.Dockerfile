# The service's image, built by docker-compose.yaml (context: the repository's root) with either
# compose CLI: no BuildKit-only syntax, so docker-compose v1's classic builder builds it too, and no
# frontend image to pull. Both stages stand on debian:bookworm-slim with Debian's OpenJDK 17.
#
# Where the jar comes from (build argument APP_JAR, from the environment of 'docker compose'):
#   source  (default) Maven builds it inside the image build, from the sources in the context
#           (-pl service -am: the service and what it needs): a fresh clone needs nothing but
#           Docker and the internet (Maven Central)
#   host    the jar built on the host, service/target/socialnet-service-exec.jar, is copied: for a
#           machine whose containers cannot reach Maven Central (CI here, offline):
#             ./mvnw -pl service -am package -DskipTests && APP_JAR=host docker compose up -d --build
# The image carries the service's runnable jar alone: no seeder, drill, campaign or Datafaker.

FROM debian:bookworm-slim AS jre
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*

FROM jre AS build
ARG APP_JAR=source
WORKDIR /src
# Every module's pom is part of the reactor, built or not (.dockerignore keeps the rest out, and lets
# the host's jar in).
COPY . .
RUN set -e; jar=service/target/socialnet-service-exec.jar; \
    case "$APP_JAR" in \
      host) \
        [ -f "$jar" ] || { echo "error: APP_JAR=host, but there is no $jar: build it first: ./mvnw -pl service -am package -DskipTests" >&2; exit 1; } ;; \
      source) \
        apt-get update; \
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jdk-headless; \
        ./mvnw -B -ntp -q -pl service -am package -DskipTests \
          || { echo "error: Maven could not build the service in the image (no access to Maven Central from containers?). Build the jar on the host and copy it instead: ./mvnw -pl service -am package -DskipTests && APP_JAR=host docker compose up -d --build" >&2; exit 1; } ;; \
      *) echo "error: APP_JAR must be source or host, not '$APP_JAR'" >&2; exit 1 ;; \
    esac; \
    cp "$jar" /app.jar

FROM jre
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin socialnet
COPY --from=build /app.jar /app/app.jar
USER socialnet
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
