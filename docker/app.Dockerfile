# The service's image: built from the repo by a JDK stage, run by a small JRE stage as a
# non-root user. docker-compose.yaml builds it (context: the repo root).

FROM eclipse-temurin:17.0.15_6-jdk-jammy AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
# Dependencies first, in their own layer: a source change does not download them again.
RUN ./mvnw -B -ntp -q dependency:go-offline
COPY src src
RUN ./mvnw -B -ntp -q -o package -DskipTests \
 && cp target/socialnet-replication-*.jar /app.jar

FROM eclipse-temurin:17.0.15_6-jre-jammy
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin socialnet
COPY --from=build /app.jar /app/app.jar
USER socialnet
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
