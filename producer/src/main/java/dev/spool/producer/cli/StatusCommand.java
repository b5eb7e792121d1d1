package dev.spool.producer.cli;

import dev.spool.core.SpoolConfig;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.producer.status.ManagementApi;
import dev.spool.producer.status.SpoolStatus;
import dev.spool.producer.status.StatusCollector;
import dev.spool.producer.status.StatusJson;
import dev.spool.state.HeldLock;
import dev.spool.state.SharedObjects;
import dev.spool.state.internal.RedisState;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spool-producer status}: queues, consumers, dead letters, locks and shared objects. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Shows a namespace's queues, consumers, dead letters, locks and shared objects now.",
      "Queues with ready, unacked, consumers and rates; consumers by connection name; locks held"
          + " with holder and age. Empty delay queues (left to expire after retries) are not"
          + " listed.",
      "Reads the RabbitMQ management API (its figures lag by up to 5 s) and Redis.",
      "Credentials: SPOOL_MANAGEMENT_USER and SPOOL_MANAGEMENT_PASSWORD (or _FILE), else those of"
          + " SPOOL_AMQP_URI."
    })
final class StatusCommand implements Callable<Integer> {
  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Option(
      names = "--management-uri",
      paramLabel = "URI",
      description =
          "The RabbitMQ management API, e.g. http://localhost:15672 (env SPOOL_MANAGEMENT_URI;"
              + " default: the AMQP host on port 15672).")
  String managementUri;

  @Option(
      names = "--watch",
      paramLabel = "INTERVAL",
      arity = "0..1",
      fallbackValue = "2s",
      description = "Refresh every INTERVAL (default 2s) until interrupted.")
  Duration watch;

  @Option(names = "--json", description = "One JSON object (per refresh), for scripts.")
  boolean json;

  @Option(
      names = "--objects",
      paramLabel = "N",
      defaultValue = "20",
      description = "Shared objects listed by name, at most (default ${DEFAULT-VALUE}).")
  int objects;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> env = System.getenv();
    SpoolConfig config = connection.toConfig(env);
    if (objects < 0) throw new IllegalArgumentException("--objects must be >= 0, was " + objects);
    Duration every = watch;
    ManagementApi api = managementApi(config, env);
    try (RedisState state = RedisState.connect(config.stateConfig())) {
      StatusCollector collector =
          new StatusCollector(
              api, state, vhost(config.amqpUri()), config.namespace(), objects, Clock.systemUTC());
      PrintStream out = System.out;
      boolean terminal = Progress.isTerminal(env, "SPOOL_STDOUT_TTY"); // the screen is redrawn
      while (true) {
        SpoolStatus s = collector.collect();
        if (json) {
          out.println(StatusJson.write(s));
        } else {
          if (every != null && terminal) out.print("\u001b[H\u001b[2J");
          out.print(render(s));
        }
        out.flush();
        if (every == null) return 0;
        Thread.sleep(every.toMillis());
        if (!json && !terminal) out.println();
      }
    }
  }

  /** Bytes as B, KiB, MiB or GiB, one decimal. */
  static String bytes(long n) {
    if (n < 1024) return n + " B";
    String[] units = {"KiB", "MiB", "GiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  ManagementApi managementApi(SpoolConfig config, Map<String, String> env) {
    return ManagementApi.forConfig(config, env, managementUri);
  }

  static String vhost(URI amqp) {
    return ManagementApi.vhost(amqp);
  }

  static String render(SpoolStatus s) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Spool namespace '%s' on vhost '%s' at %s%n%n",
            s.namespace(),
            s.vhost(),
            s.at()));
    b.append(
        String.format(
            Locale.ROOT,
            "%-44s %-7s %9s %8s %9s %10s %10s%n",
            "QUEUE",
            "TYPE",
            "READY",
            "UNACKED",
            "CONSUMERS",
            "PUBLISH/s",
            "DELIVER/s"));
    for (SpoolStatus.QueueStatus q : s.queues()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-44s %-7s %9d %8d %9d %10.1f %10.1f%n",
              q.name(),
              q.type(),
              q.ready(),
              q.unacked(),
              q.consumers(),
              q.publishRate(),
              q.deliverRate()));
    }
    if (s.queues().isEmpty()) b.append("  (no queues in this namespace)\n");
    // One per process: each consumer reads its work queue and that queue's urgent lane.
    long processes =
        s.consumers().stream().map(SpoolStatus.ConsumerStatus::connection).distinct().count();
    b.append(String.format(Locale.ROOT, "%nCONSUMERS (%d)%n", processes));
    for (SpoolStatus.ConsumerStatus c : s.consumers()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-36s %-30s prefetch %-4d from %s%n",
              c.connection(),
              c.queue(),
              c.prefetch(),
              c.peer()));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "%nDEAD LETTERS %d%s%n",
            s.deadLetters(),
            s.deadLetters() > 0 ? " (spool-producer dead list)" : ""));
    b.append(String.format(Locale.ROOT, "%nDELAYED AND RATE-LIMITED (waiting in Redis)%n"));
    for (SpoolStatus.DelayedStatus d : s.delayed()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-24s %,d waiting, %,d being moved, next due %s; %,d put aside by a rate limit%n",
              d.queue(),
              d.waiting(),
              d.moving(),
              d.nextDue() == null ? "-" : d.nextDue(),
              d.rateLimited()));
    }
    if (s.delayed().isEmpty()) b.append("  (none)\n");
    if (!s.paused().isEmpty()) {
      b.append(String.format(Locale.ROOT, "%nPAUSED (spool-producer resume)%n"));
      for (SpoolStatus.PausedStatus p : s.paused()) {
        b.append(String.format(Locale.ROOT, "  %-24s %s%n", p.queue(), p.by()));
      }
    }
    if (!s.schedules().isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%nSCHEDULES (%d; %s)%n",
              s.schedules().size(),
              s.scheduler() == null
                  ? "no spool-scheduler runs: none fires"
                  : "fired by " + s.scheduler()));
      for (SpoolStatus.ScheduledStatus e : s.schedules()) {
        b.append(
            String.format(
                Locale.ROOT,
                "  %-24s %-28s %-16s next %s%s%n",
                e.name(),
                e.when(),
                e.task() + (e.queue().equals("tasks") ? "" : " on " + e.queue()),
                e.nextDue() == null ? "-" : e.nextDue(),
                e.paused() ? "  paused" : ""));
      }
    }
    if (!s.progress().isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT, "%nIN PROGRESS (kept tasks that report progress, latest first)%n"));
      for (SpoolStatus.ProgressStatus p : s.progress()) {
        String of =
            p.total() > 0
                ? String.format(Locale.ROOT, "%,d/%,d", p.done(), p.total())
                : String.format(Locale.ROOT, "%,d", p.done());
        b.append(
            String.format(
                Locale.ROOT,
                "  %-38s %-16s %-14s %s on %s%n",
                p.id(),
                p.name(),
                of,
                p.message() == null ? "" : p.message(),
                p.worker()));
      }
    }
    if (s.stateLost()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%nSHARED STATE LOST: Redis lost this namespace's shared state while in use (a"
                  + " restart without persistence, a lossy failover); no lock is granted until"
                  + " 'spool-producer state accept-loss'%n"));
    }
    long succeeded = s.history().stream().mapToLong(SpoolStatus.Minute::succeeded).sum();
    long failed = s.history().stream().mapToLong(SpoolStatus.Minute::failed).sum();
    long busiest = s.history().stream().mapToLong(m -> m.succeeded() + m.failed()).max().orElse(0);
    b.append(
        String.format(
            Locale.ROOT,
            "%nTHROUGHPUT, last hour: %,d succeeded, %,d failed; busiest minute %,d%n",
            succeeded,
            failed,
            busiest));
    b.append(String.format(Locale.ROOT, "%nLOCKS HELD (%d)%n", s.locks().size()));
    for (HeldLock l : s.locks()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-24s %-44s held %-8s lease left %s%n",
              l.name(),
              l.holder(),
              l.age() == null ? "?" : seconds(l.age()),
              l.expiresIn() == null ? "none" : seconds(l.expiresIn())));
    }
    SharedObjects o = s.objects();
    long total = o.counts().values().stream().mapToLong(Long::longValue).sum();
    b.append(String.format(Locale.ROOT, "%nSHARED OBJECTS (%d: %s)%n", total, o.counts()));
    if (o.counts().containsKey("task")
        || o.counts().containsKey("flow")
        || o.counts().containsKey("unique")) {
      b.append(
          String.format(
              Locale.ROOT,
              "  kept results: %,d task record(s), about %s; workflows: %,d, about %s;"
                  + " uniqueness keys: %,d, about %s; each expires on its own%n",
              o.counts().getOrDefault("task", 0L),
              bytes(o.bytes().getOrDefault("task", 0L)),
              o.counts().getOrDefault("flow", 0L),
              bytes(o.bytes().getOrDefault("flow", 0L)),
              o.counts().getOrDefault("unique", 0L),
              bytes(o.bytes().getOrDefault("unique", 0L))));
    }
    for (SharedObjects.Entry e : o.entries()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-8s %-40s size %-8d%s%n",
              e.kind(),
              e.name(),
              e.size(),
              e.ttl() == null ? "" : " expires in " + seconds(e.ttl())));
    }
    if (o.entries().size() < total) {
      b.append(String.format(Locale.ROOT, "  ... and %d more%n", total - o.entries().size()));
    }
    return b.toString();
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
