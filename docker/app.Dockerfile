# syntax=docker/dockerfile:1
# The service's image: built from the repo by a JDK stage, run by a small JRE stage as a
# non-root user. docker-compose.yaml builds it (context: the repo root).
#
# The build is the Maven reactor's service module and what it needs (-pl service -am); the image
# carries the service's runnable jar alone: no seeder, drill, campaign or Datafaker (tools/*).

FROM eclipse-temurin:17.0.15_6-jdk-jammy AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
# Every module's pom is part of the reactor, built or not; only service's chain is compiled.
COPY common common
COPY tools tools
COPY test-support test-support
COPY service service
# Maven's downloads stay in a build cache: a source change does not download them again.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -q -pl service -am package -DskipTests \
 && cp service/target/socialnet-service-exec.jar /app.jar

FROM eclipse-temurin:17.0.15_6-jre-jammy
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin socialnet
COPY --from=build /app.jar /app/app.jar
USER socialnet
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
