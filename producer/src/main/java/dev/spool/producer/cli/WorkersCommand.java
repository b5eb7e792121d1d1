package dev.spool.producer.cli;

import dev.spool.Durations;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.core.wire.JsonCodec;
import dev.spool.producer.status.WorkerReport;
import dev.spool.producer.status.Workers;
import dev.spool.state.internal.RedisState;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spool-producer workers}, {@code ping} and {@code inspect active}: the live consumers, from
 * their heartbeats in Redis.
 */
final class WorkersCommand {
  private WorkersCommand() {}

  @Command(
      name = "workers",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Lists the live consumers of the namespace, on every host: id (host/pid; the container id"
            + " under Docker), queue, state, concurrency, tasks running now, tasks done and"
            + " failed, uptime, when last heard from, version.",
        "Each consumer writes its report to Redis every 2 s. A consumer that died leaves the list"
            + " within 10 s; one that stopped cleanly leaves it at once.",
        "Exits 0, also when none is listed."
      })
  static final class ListWorkers implements Callable<Integer> {
    @Mixin ConnectionOptions connection = new ConnectionOptions();

    @Option(names = "--json", description = "A JSON array of the reports, for scripts.")
    boolean json;

    @Override
    public Integer call() {
      try (RedisState state =
          RedisState.connect(connection.toConfig(System.getenv()).stateConfig())) {
        List<WorkerReport> alive = new Workers(state).alive();
        if (json) {
          System.out.println(new JsonCodec().asString(alive.stream().map(Json::worker).toList()));
        } else {
          table(alive, System.out);
        }
      }
      return 0;
    }
  }

  @Command(
      name = "ping",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Pings every live consumer; each answers within about 200 ms, from its own process. Prints"
            + " one line per consumer with the time its answer took, and the consumers listed"
            + " alive that did not answer.",
        "Exits 0 when at least one consumer answered and every consumer listed alive did; 1"
            + " otherwise."
      })
  static final class Ping implements Callable<Integer> {
    @Mixin PingOptions ping = new PingOptions();

    @Override
    public Integer call() throws InterruptedException {
      Workers.Pong pong = ping.send();
      PrintStream out = System.out;
      if (ping.json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("answered", pong.latencyMs());
        j.put("silent", pong.silent());
        out.println(new JsonCodec().asString(j));
      } else {
        for (WorkerReport w : pong.answered()) {
          out.printf(
              "%s: pong in %d ms (%s, %d running)%n",
              w.id(), pong.latencyMs().get(w.id()), w.state(), w.active().size());
        }
        ping.printSilent(pong, out);
      }
      return pong.allAnswered() ? 0 : 1;
    }
  }

  /** The options of the commands that ping, and what they print of those that did not answer. */
  static final class PingOptions {
    @Mixin ConnectionOptions connection = new ConnectionOptions();

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        defaultValue = "2s",
        description = "How long to wait for the answers (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "One JSON object, for scripts.")
    boolean json;

    Workers.Pong send() throws InterruptedException {
      try (RedisState state =
          RedisState.connect(connection.toConfig(System.getenv()).stateConfig())) {
        return new Workers(state).ping(timeout);
      }
    }

    void printSilent(Workers.Pong pong, PrintStream out) {
      for (String id : pong.silent()) {
        out.printf("%s: no answer within %s%n", id, Durations.format(timeout));
      }
      if (pong.answered().isEmpty() && pong.silent().isEmpty()) {
        out.println("no consumer answered within " + Durations.format(timeout));
      }
    }
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {"Asks the live consumers about themselves; see 'inspect active'."},
      subcommands = {Active.class})
  static final class Inspect implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "name a command: active");
    }
  }

  @Command(
      name = "active",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Pings every live consumer and prints the tasks each runs at that moment: id, name,"
            + " attempt and how long it has run, the longest-running first.",
        "Exits 0 when every consumer listed alive answered; 1 otherwise."
      })
  static final class Active implements Callable<Integer> {
    @Mixin PingOptions ping = new PingOptions();

    @Override
    public Integer call() throws InterruptedException {
      Workers.Pong pong = ping.send();
      PrintStream out = System.out;
      if (ping.json) { // tasks by worker id
        Map<String, Object> j = new LinkedHashMap<>();
        for (WorkerReport w : pong.answered()) {
          j.put(w.id(), w.active().stream().map(Json::task).toList());
        }
        out.println(new JsonCodec().asString(j));
      } else {
        for (WorkerReport w : pong.answered()) {
          out.printf("%s: %d running%n", w.id(), w.active().size());
          for (WorkerReport.ActiveTask t : w.active()) {
            out.printf(
                "  %s  %s  attempt %d  running %s%n",
                t.id(), t.name(), t.attempt(), Durations.format(Duration.ofMillis(t.runningMs())));
          }
        }
        ping.printSilent(pong, out);
      }
      return pong.allAnswered() ? 0 : 1;
    }
  }

  static void table(List<WorkerReport> workers, PrintStream out) {
    if (workers.isEmpty()) {
      out.println("no live consumers (each writes its report to Redis every 2 s)");
      return;
    }
    String format = "%-28s %-12s %-9s %5s %7s %9s %7s %9s %10s  %s%n";
    out.printf(
        format, "WORKER", "QUEUE", "STATE", "CONC", "ACTIVE", "DONE", "FAILED", "UPTIME", "SEEN",
        "VERSION");
    java.time.Instant now = java.time.Instant.now();
    for (WorkerReport w : workers) {
      String state = w.rabbitmq().equals("up") ? w.state() : "no-broker";
      out.printf(
          Locale.ROOT,
          format,
          w.id(),
          w.queue(),
          state,
          w.concurrency(),
          w.active().size(),
          w.stats().getOrDefault("succeeded", 0L),
          w.stats().getOrDefault("failed", 0L),
          Durations.format(w.uptime()),
          w.reported() == null
              ? "?"
              : Durations.format(Duration.between(w.reported(), now).abs()) + " ago",
          w.version());
    }
  }

  /** The JSON shapes printed: times as ISO-8601 strings. */
  static final class Json {
    private Json() {}

    static Map<String, Object> worker(WorkerReport w) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("id", w.id());
      j.put("host", w.host());
      j.put("pid", w.pid());
      j.put("queue", w.queue());
      j.put("state", w.state());
      j.put("rabbitmq", w.rabbitmq());
      j.put("healthy", w.healthy());
      j.put("concurrency", w.concurrency());
      j.put("version", w.version());
      j.put("started", String.valueOf(w.started()));
      j.put("reported", String.valueOf(w.reported()));
      j.put("tasks", w.tasks());
      j.put("stats", w.stats());
      j.put("active", w.active().stream().map(Json::task).toList());
      return j;
    }

    static Map<String, Object> task(WorkerReport.ActiveTask t) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("id", t.id());
      j.put("name", t.name());
      j.put("attempt", t.attempt());
      j.put("started", String.valueOf(t.started()));
      j.put("runningMs", t.runningMs());
      return j;
    }
  }

  /** Short human durations: 850 ms, 12.3 s, 5m12s, 3h04m. */
  static final class Durations {
    private Durations() {}

    static String format(Duration d) {
      long ms = d.toMillis();
      if (ms < 1000) return ms + " ms";
      if (ms < 60_000) return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
      long s = d.toSeconds();
      if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
  }
}
