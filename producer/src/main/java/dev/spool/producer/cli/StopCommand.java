package dev.spool.producer.cli;

import dev.spool.core.SpoolConfig;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskPool;
import dev.spool.producer.TaskPoolConfig;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spool-producer stop}: one poison pill per consumer, or {@code --count N}. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Sends poison pills behind the queued work: each stops one consumer after it drains.",
      "By default one per consumer attached to the queue now, as the broker reports it.",
      "Pills are dated by the Redis server's clock (--redis-uri), which the consumers share, so"
          + " that host clocks need not agree; without Redis, by this host's clock.",
      "Exits 1 when the broker does not confirm the pills in time (for example during a memory"
          + " or disk alarm, which it names)."
    })
final class StopCommand implements Callable<Integer> {
  @Option(names = "--count", paramLabel = "N", description = "How many pills to send.")
  Integer count;

  @Mixin QueueOption queue = new QueueOption();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      description =
          "Longest wait for the broker to confirm the pills (default ${DEFAULT-VALUE}); 5 s"
              + " once the broker says it blocks publishes.")
  Duration timeout;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Override
  public Integer call() {
    if (count != null && count < 0) {
      throw new IllegalArgumentException("--count must be 0 or more, was " + count);
    }
    SpoolConfig config = connection.toConfig(System.getenv());
    TaskPoolConfig settings =
        TaskPoolConfig.builder().queue(queue.queue).defaultTimeout(timeout).build();
    try (Spool spool = Spool.connect(config);
        TaskPool p = spool.pool(settings)) {
      warnIfPaused(p);
      int n = count == null ? p.admin().consumerCount() : count;
      p.admin().stopConsumers(n); // dated by Redis's clock, or this host's with a warning
      System.out.println("sent " + n + " poison pill(s) to " + p.workQueue());
    }
    return 0;
  }

  /** Paused consumers are not subscribed: the broker counts none, and pills wait. */
  private static void warnIfPaused(TaskPool p) {
    java.util.Optional<String> paused;
    try {
      paused = p.admin().pausedBy();
    } catch (RuntimeException e) {
      return; // without Redis nobody can have paused it through Spool: the pill dating says so
    }
    paused.ifPresent(
        by ->
            System.err.println(
                "spool-producer stop: "
                    + p.workQueue()
                    + " is "
                    + by
                    + ": its consumers are not subscribed, so the broker counts none and pills"
                    + " wait until it is resumed (spool-producer resume); or stop them with"
                    + " SIGTERM"));
  }
}
