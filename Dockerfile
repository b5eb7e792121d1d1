# Spool: one image, four commands (spool-consumer, spool-producer, spool-scheduler, spool-dashboard).
#   DOCKER_BUILDKIT=1 docker build -t spool .
#   docker run --rm spool spool-consumer --help
# Your own tasks: mount jars at /opt/spool/tasks, or build FROM this image and COPY them there.
# Needs BuildKit (RUN --mount keeps Maven's repository between builds): Docker 23+ and Compose v2
# use it by default; on Docker 20.10 set DOCKER_BUILDKIT=1. It names no remote front end, so it
# builds where no registry answers, given local base images (see bin/spool-standins).
ARG SPOOL_BUILD_IMAGE=maven:3.9-eclipse-temurin-21
ARG SPOOL_RUNTIME_IMAGE=eclipse-temurin:21-jre

FROM ${SPOOL_BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 between builds, so only changed sources cost time.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests package

FROM ${SPOOL_RUNTIME_IMAGE}
RUN groupadd --system --gid 10001 spool \
 && useradd --system --uid 10001 --gid spool --home-dir /opt/spool --shell /usr/sbin/nologin spool
WORKDIR /opt/spool
COPY --from=build /src/consumer/target/spool-consumer.jar /opt/spool/lib/
COPY --from=build /src/producer/target/spool-producer.jar /opt/spool/lib/
COPY --from=build /src/dashboard/target/spool-dashboard.jar /opt/spool/lib/
COPY --chmod=755 bin/spool-healthcheck /usr/local/bin/spool-healthcheck
# spool-producer's commands run on C1 alone, as bin/spool-producer's do (see there); not the scheduler.
RUN mkdir -p /opt/spool/tasks \
 && printf '#!/bin/sh\nexec java -Xms32m -XX:G1PeriodicGCInterval=30000 -XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10 $JAVA_OPTS -jar /opt/spool/lib/spool-consumer.jar "$@"\n' > /usr/local/bin/spool-consumer \
 && printf '#!/bin/sh\njit=-XX:TieredStopAtLevel=1\n[ "$1" = scheduler ] && jit=\nexec java $jit $JAVA_OPTS -jar /opt/spool/lib/spool-producer.jar "$@"\n' > /usr/local/bin/spool-producer \
 && printf '#!/bin/sh\nexec java -Xms16m $JAVA_OPTS -jar /opt/spool/lib/spool-producer.jar scheduler "$@"\n' > /usr/local/bin/spool-scheduler \
 && printf '#!/bin/sh\nexec java -Xms16m $JAVA_OPTS -jar /opt/spool/lib/spool-dashboard.jar "$@"\n' > /usr/local/bin/spool-dashboard \
 && chmod 755 /usr/local/bin/spool-consumer /usr/local/bin/spool-producer /usr/local/bin/spool-scheduler /usr/local/bin/spool-dashboard
USER spool
# Consumers serve /metrics and /health here; they load every jar in SPOOL_TASKS_PATH.
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75" \
    SPOOL_METRICS_PORT=9400 \
    SPOOL_TASKS_PATH=/opt/spool/tasks
EXPOSE 9400
# Healthy while the consumer's broker connection is up, it takes work, and Redis answers.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["spool-healthcheck"]
CMD ["spool-consumer"]
