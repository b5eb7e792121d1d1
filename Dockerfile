# Spool: one image, four commands (spool-consumer, spool-producer, spool-scheduler, spool-dashboard).
#   DOCKER_BUILDKIT=1 docker build -t spool .
#   docker run --rm spool spool-consumer --help
# Your own tasks: mount jars at /opt/spool/tasks, or build FROM this image and COPY them there.
# Needs BuildKit (RUN --mount keeps Maven's repository between builds): Docker 23+ and Compose v2
# use it by default; on Docker 20.10 set DOCKER_BUILDKIT=1. It names no remote front end, so it
# builds where no registry answers, given local base images (see bin/spool-standins).
ARG SPOOL_BUILD_IMAGE=maven:3.9-eclipse-temurin-21
ARG SPOOL_RUNTIME_IMAGE=eclipse-temurin:25-jre

FROM ${SPOOL_BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 between builds, so only changed sources cost time.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests package

# The runtime: the jars and the four commands (compose/image), as user spool.
FROM ${SPOOL_RUNTIME_IMAGE} AS app
RUN groupadd --system --gid 10001 spool \
 && useradd --system --uid 10001 --gid spool --home-dir /opt/spool --shell /usr/sbin/nologin spool \
 && mkdir -p /opt/spool/tasks
WORKDIR /opt/spool
COPY --from=build /src/consumer/target/spool-consumer.jar /opt/spool/lib/
COPY --from=build /src/producer/target/spool-producer.jar /opt/spool/lib/
COPY --from=build /src/dashboard/target/spool-dashboard.jar /opt/spool/lib/
# Which code the consumer leaves to C1 (SPOOL_JIT, compose/image/spool-consumer).
COPY consumer/jit-directives.json /opt/spool/lib/spool-consumer.jit.json
COPY --chmod=755 bin/spool-healthcheck bin/spool-jit.sh compose/image/spool-java compose/image/spool-consumer \
  compose/image/spool-producer compose/image/spool-scheduler compose/image/spool-dashboard \
  /usr/local/bin/
# Consumers serve /metrics and /health here; they load every jar in SPOOL_TASKS_PATH.
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75" \
    SPOOL_METRICS_PORT=9400 \
    SPOOL_TASKS_PATH=/opt/spool/tasks

# Ahead-of-time caches (JDK 25 or newer), trained on a real run: a RabbitMQ and a Redis of the
# build's own on localhost, a consumer and a 20,000-task map. A consumer then starts in less
# than half the time (docs/performance.md). --build-arg SPOOL_AOT=off builds without them (and
# without the packages the training needs); SPOOL_AOT=off at run time starts without them.
FROM ${SPOOL_RUNTIME_IMAGE} AS train-tools
ARG SPOOL_AOT=on
# Without a package mirror the image is still built, without caches, and says so.
RUN if [ "$SPOOL_AOT" != off ]; then \
      if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
           --no-install-recommends rabbitmq-server redis-server >/dev/null; then :; else \
        echo "spool: WARNING: apt-get could not install rabbitmq-server and redis-server, which" \
          "train the ahead-of-time caches (no package mirror?): the image is built without" \
          "them, and its consumers start about twice as slow. --build-arg SPOOL_AOT=off skips" \
          "this step." >&2; \
      fi; \
      rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; \
    fi

FROM train-tools AS train
ARG SPOOL_AOT=on
# The jars and commands exactly as the image holds them: a cache is only used with its jar.
COPY --from=app /opt/spool/lib/ /opt/spool/lib/
COPY --from=app /usr/local/bin/ /usr/local/bin/
COPY --chmod=755 compose/image/spool-train-aot /usr/local/bin/
# The image's environment, so that the training run starts what a real one does (/metrics too).
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75" \
    SPOOL_METRICS_PORT=9400 \
    SPOOL_TASKS_PATH=/opt/spool/tasks
RUN mkdir -p /opt/spool/tasks && SPOOL_AOT="$SPOOL_AOT" spool-train-aot

FROM app
COPY --from=train /opt/spool/aot/ /opt/spool/lib/
USER spool
EXPOSE 9400
# Healthy while the consumer's broker connection is up, it takes work, and Redis answers.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["spool-healthcheck"]
CMD ["spool-consumer"]
