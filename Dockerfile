# syntax=docker/dockerfile:1
# The dashboard is built with Node 22 (Vite needs 20.19 or newer; Ubuntu noble's nodejs is 18).
FROM node:22-bookworm-slim AS dashboard
WORKDIR /frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build -- --outDir /dashboard --emptyOutDir

# The jar, with the dashboard built above as its static resources (so Maven skips its own npm steps).
FROM eclipse-temurin:17-jdk-noble AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp -q dependency:go-offline -Dfrontend.skip
COPY . .
COPY --from=dashboard /dashboard/ src/main/resources/static/
RUN ./mvnw -B -ntp -q package -DskipTests -Dfrontend.skip && cp target/tollgate-*.jar /tollgate.jar
# Boot's layers (dependencies, loader, snapshots, application) become image layers of their own, so that a code
# change rebuilds only the small application layer.
RUN java -Djarmode=tools -jar /tollgate.jar extract --layers --launcher --destination /layers

# The Ubuntu-based JRE image (not Alpine): it has curl, which the Compose health check uses.
FROM eclipse-temurin:17-jre-noble
RUN groupadd --system --gid 10001 tollgate \
    && useradd --system --uid 10001 --gid tollgate --home-dir /app --no-create-home --shell /usr/sbin/nologin tollgate
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
# Numeric, so that Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
EXPOSE 8080 8081
# Containers use an external PostgreSQL (SPRING_R2DBC_URL); the embedded one is for laptops. The JVM sizes its heap
# from the container's memory limit, exits on OutOfMemoryError so the orchestrator restarts it, and writes only to
# /tmp (an emptyDir or tmpfs when the root filesystem is read-only).
ENV TOLLGATE_DATABASE_EMBEDDED=false \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://localhost:8081/actuator/health/readiness"]
# Exec form: java is PID 1 and receives SIGTERM itself, which starts Tollgate's graceful shutdown.
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
