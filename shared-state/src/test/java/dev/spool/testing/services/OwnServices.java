package dev.spool.testing.services;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test (a class, or one method) that injects faults: restarts or alarms a broker, cuts its
 * connections, freezes Redis. It gets services of its own instead of the ones the other tests
 * share: the Testcontainers containers when the fixture started those (they are the suite's own),
 * else a RabbitMQ node and a redis-server that the fixture starts as processes on free ports, once
 * per test JVM. The machine's own RabbitMQ and Redis, which other programs may use, are never
 * faulted: {@link Faults} refuses on them.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface OwnServices {}
