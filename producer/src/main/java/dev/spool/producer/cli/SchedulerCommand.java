package dev.spool.producer.cli;

import dev.spool.core.cli.Signals;
import dev.spool.core.metrics.MetricsServer;
import dev.spool.core.metrics.SpoolMeters;
import dev.spool.producer.Scheduler;
import dev.spool.producer.Schedules;
import dev.spool.state.internal.RedisState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spool-producer scheduler} (also {@code spool-scheduler}): fires periodic schedules. */
@Command(
    name = "scheduler",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Fires the periodic schedules (spool-producer schedule add) until stopped with SIGTERM or"
          + " Ctrl-C. Run as many as you like, on any hosts: the one holding the lock 'scheduler'"
          + " in Redis fires, the others wait and take over within about --lease when it dies."
          + " A fire is fenced in Redis, so no occurrence fires twice, even across a failover,"
          + " and none is lost: the next leader fires those found due.",
      "Needs only Redis; occurrences wait with the delayed tasks until a consumer of their"
          + " work queue publishes them, on time."
    })
final class SchedulerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(SchedulerCommand.class);

  @Option(
      names = "--lease",
      paramLabel = "DURATION",
      defaultValue = "10s",
      description =
          "How long the leader holds the lead between renewals (renewed every third of it);"
              + " also about how long a failover takes (1s to 10m, default ${DEFAULT-VALUE}).")
  Duration lease;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      defaultValue = "${env:SPOOL_METRICS_PORT}",
      description =
          "Serve Prometheus /metrics (spool_schedule_fires_total, spool_schedule_skips_total,"
              + " spool_scheduler_leading) and /health (Redis answers) on this port (env"
              + " SPOOL_METRICS_PORT; default: not served).")
  Integer metricsPort;

  @Mixin ScheduleCommand.Store store = new ScheduleCommand.Store();

  @Override
  public Integer call() throws InterruptedException {
    if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("--lease must be from 1s to 10m, was " + lease);
    }
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
      throw new IllegalArgumentException("--metrics-port must be 0..65535, was " + metricsPort);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    PrometheusMeterRegistry meters = SpoolMeters.prometheus();
    try (RedisState state = store.open()) {
      Schedules schedules = Schedules.of(state);
      try {
        log.info(
            "scheduler started: {} schedule(s); lead held by {}",
            schedules.list().size(),
            schedules.leader().orElse("nobody"));
      } catch (RuntimeException e) {
        log.warn("scheduler started; Redis not reachable yet ({}), retrying", e.getMessage());
      }
      Signals.onStop(stopped::countDown);
      Scheduler scheduler = Scheduler.start(state, lease, meters);
      MetricsServer server =
          metricsPort == null ? null : MetricsServer.start(metricsPort, meters, scheduler::health);
      try {
        stopped.await();
      } finally {
        scheduler.close(); // gives up the lead at once, so another scheduler takes over
        if (server != null) server.close();
        log.info("scheduler stopped: fired {}, skipped {}", scheduler.fired(), scheduler.skipped());
      }
    }
    return 0;
  }
}
