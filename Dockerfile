# syntax=docker/dockerfile:1
# Build: the Maven build also builds the React dashboard, so the build stage has Node.
FROM eclipse-temurin:17-jdk AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp -q dependency:go-offline -Dfrontend.skip
COPY . .
RUN ./mvnw -B -ntp -q package -DskipTests && cp target/tollgate-*.jar /tollgate.jar

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 tollgate && useradd --system --uid 10001 --gid tollgate --home /app tollgate
WORKDIR /app
COPY --from=build /tollgate.jar /app/tollgate.jar
USER 10001
EXPOSE 8080 8081
# An external PostgreSQL is expected in containers (SPRING_R2DBC_URL); the embedded one is for laptops.
ENV TOLLGATE_DATABASE_EMBEDDED=false \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/tollgate.jar"]
