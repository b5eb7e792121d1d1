# syntax=docker/dockerfile:1
# Spool: one image, two commands (spool-consumer, spool-producer).
#   docker build -t spool .
#   docker run --rm spool spool-consumer --help

FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 between builds, so only changed sources cost time.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests package

FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 10001 spool \
 && useradd --system --uid 10001 --gid spool --home-dir /opt/spool --shell /usr/sbin/nologin spool
WORKDIR /opt/spool
COPY --from=build /src/consumer/target/spool-consumer.jar /opt/spool/lib/
COPY --from=build /src/producer/target/spool-producer.jar /opt/spool/lib/
# Small launchers; extra jars of your own tasks go in /opt/spool/tasks (mount or COPY them).
RUN mkdir -p /opt/spool/tasks \
 && printf '#!/bin/sh\nexec java $JAVA_OPTS -cp "/opt/spool/lib/spool-consumer.jar:/opt/spool/tasks/*" dev.spool.consumer.cli.ConsumerMain "$@"\n' > /usr/local/bin/spool-consumer \
 && printf '#!/bin/sh\nexec java $JAVA_OPTS -cp "/opt/spool/lib/spool-producer.jar" dev.spool.producer.cli.ProducerMain "$@"\n' > /usr/local/bin/spool-producer \
 && chmod 755 /usr/local/bin/spool-consumer /usr/local/bin/spool-producer
USER spool
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75"
CMD ["spool-consumer"]
