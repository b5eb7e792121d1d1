package dev.spool.producer.internal;

import dev.spool.core.metrics.SpoolMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A pool's meters: {@code spool_producer_tasks_published_total{queue,task}}, {@code
 * spool_producer_results_total{queue,task,status}}, {@code
 * spool_producer_round_trip_seconds{queue,task}} (publish to result), timeouts, duplicates,
 * unmatched results, and gauges of tasks waiting and publishes unconfirmed. Thread-safe.
 */
public final class ProducerMeters {
  private final MeterRegistry registry;
  private final String queue;
  // Found by the task name alone: published and result run at every publish and every result,
  // where a key built from strings would be a new string each time.
  private final Map<String, Counter> published = new ConcurrentHashMap<>();
  private final Map<String, Counter> resultsOk = new ConcurrentHashMap<>();
  private final Map<String, Counter> resultsFailed = new ConcurrentHashMap<>();
  private final Map<String, Counter> timeouts = new ConcurrentHashMap<>();
  private final Map<String, Timer> roundTrips = new ConcurrentHashMap<>();
  private final Map<String, Counter> unkeyed = new ConcurrentHashMap<>(); // by meter name

  public ProducerMeters(MeterRegistry registry, String queue) {
    this.registry = registry;
    this.queue = queue;
  }

  /** Registers the gauges: tasks waiting for a result, and publishes not yet confirmed. */
  public void gauges(Supplier<Number> waiting, Supplier<Number> unconfirmed) {
    Gauge.builder("spool.producer.tasks.waiting", waiting)
        .description("Tasks published and waiting for their result")
        .tag("queue", queue)
        .strongReference(true)
        .register(registry);
    Gauge.builder("spool.producer.publishes.unconfirmed", unconfirmed)
        .description("Messages published and not yet confirmed by the broker")
        .tag("queue", queue)
        .strongReference(true)
        .register(registry);
  }

  public void published(String task) {
    published
        .computeIfAbsent(
            task,
            t -> register("spool.producer.tasks.published", "Task messages published", "task", t))
        .increment();
  }

  void result(String task, boolean ok, long roundTripNanos) {
    (ok ? resultsOk : resultsFailed)
        .computeIfAbsent(
            task,
            t ->
                register(
                    "spool.producer.results",
                    "Results received for waiting tasks, by status",
                    "task",
                    t,
                    "status",
                    ok ? "ok" : "error"))
        .increment();
    roundTrips
        .computeIfAbsent(
            task,
            t ->
                SpoolMeters.timer("spool.producer.round.trip")
                    .description("From publishing a task to receiving its result")
                    .tags("queue", queue, "task", t)
                    .register(registry))
        .record(roundTripNanos, TimeUnit.NANOSECONDS);
  }

  void timedOut(String task) {
    timeouts
        .computeIfAbsent(
            task,
            t ->
                register(
                    "spool.producer.tasks.timed.out",
                    "Tasks whose caller stopped waiting before a result came",
                    "task",
                    t))
        .increment();
  }

  void duplicate() {
    unkeyed
        .computeIfAbsent(
            "spool.producer.results.duplicate",
            n -> register(n, "Further results of a task that had its first (it ran twice)"))
        .increment();
  }

  void unmatched() {
    unkeyed
        .computeIfAbsent(
            "spool.producer.results.unmatched",
            n -> register(n, "Results for no waiting task: late ones, or another pool's"))
        .increment();
  }

  private Counter register(String name, String description, String... tags) {
    return Counter.builder(name)
        .description(description)
        .tag("queue", queue)
        .tags(tags)
        .register(registry);
  }
}
