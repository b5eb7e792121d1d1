package dev.spool.producer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spool.core.DeadLetter;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.core.wire.JsonCodec;
import dev.spool.producer.DeadLetters;
import dev.spool.producer.Spool;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spool-producer dead list|replay|purge}: the dead-letter queue of a work queue. */
@Command(
    name = "dead",
    mixinStandardHelpOptions = true,
    description = {
      "Lists, replays or purges dead letters: tasks that failed for good.",
      "Why a task dies: bad input, an unknown task, too large, retries exhausted, or delivered"
          + " again and again to consumers that died."
    },
    subcommands = {DeadCommand.List.class, DeadCommand.Replay.class, DeadCommand.Purge.class})
final class DeadCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "name a command: list, replay or purge");
  }

  /** Where: the connection and the work queue whose dead letters to use. */
  static final class Where {
    @Mixin ConnectionOptions connection = new ConnectionOptions();

    @Option(
        names = "--queue",
        paramLabel = "NAME",
        defaultValue = "tasks",
        description = "Work queue whose dead letters to use (default ${DEFAULT-VALUE}).")
    String queue;

    /** A connection for the command; the dead letters are {@code spool.deadLetters(queue)}. */
    Spool connect() {
      return Spool.connect(connection.toConfig(System.getenv()));
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Shows dead letters, oldest first, and leaves them in the queue.")
  static final class List implements Callable<Integer> {
    @Mixin Where where = new Where();

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "20",
        description = "Show at most N (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "One JSON array, for scripts.")
    boolean json;

    @Override
    public Integer call() {
      try (Spool spool = where.connect();
          DeadLetters dead = spool.deadLetters(where.queue)) {
        long total = dead.count();
        java.util.List<DeadLetter> shown = dead.list(limit);
        if (json) {
          System.out.println(new JsonCodec().asString(toJson(shown)));
        } else {
          System.out.printf("%d dead letter(s) in %s%n", total, dead.queue());
          for (DeadLetter d : shown) {
            System.out.printf(
                "%s  %s  %s  %s  attempts=%d  by %s%n    %s%n    body: %s%n",
                d.at(),
                d.taskId(),
                d.taskName(),
                d.reason(),
                d.attempts(),
                d.worker(),
                d.error() == null ? "" : d.error().type() + ": " + d.error().messageOrEmpty(),
                d.bodyPreview(200));
          }
          if (total > shown.size()) {
            System.out.printf("... %d more; use --limit%n", total - shown.size());
          }
        }
      }
      return 0;
    }

    static ArrayNode toJson(java.util.List<DeadLetter> letters) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      for (DeadLetter d : letters) {
        ObjectNode o = out.addObject();
        o.put("id", d.taskId());
        o.put("task", d.taskName());
        o.put("reason", d.reason().toString());
        o.put("attempts", d.attempts());
        o.put("worker", d.worker());
        o.put("at", d.at() == null ? null : d.at().toString());
        o.put("queue", d.queue());
        if (d.error() != null) {
          o.putObject("error").put("type", d.error().type()).put("message", d.error().message());
        }
        o.put("body", d.bodyPreview(10_000));
      }
      return out;
    }
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description =
          "Puts dead letters back on their work queue as first attempts (no deadline), and removes"
              + " them from the dead-letter queue once the broker has the copy.")
  static final class Replay implements Callable<Integer> {
    @Mixin Where where = new Where();

    @ArgGroup(multiplicity = "1")
    Which which;

    static final class Which {
      @Option(names = "--id", paramLabel = "ID", description = "The task id to replay.")
      String id;

      @Option(names = "--all", description = "Replay every dead letter.")
      boolean all;
    }

    @Override
    public Integer call() {
      try (Spool spool = where.connect();
          DeadLetters dead = spool.deadLetters(where.queue)) {
        int n = dead.replay(d -> which.all || which.id.equals(d.taskId()));
        if (n == 0 && !which.all) {
          System.err.println(
              "spool-producer: no dead letter with id "
                  + which.id
                  + " in "
                  + dead.queue()
                  + "; nothing replayed (see 'spool-producer dead list')");
          return 1;
        }
        System.out.printf("replayed %d dead letter(s) to %s%n", n, dead.workQueue());
      }
      return 0;
    }
  }

  @Command(
      name = "purge",
      mixinStandardHelpOptions = true,
      description = "Deletes every dead letter of the work queue.")
  static final class Purge implements Callable<Integer> {
    @Mixin Where where = new Where();

    @Override
    public Integer call() {
      try (Spool spool = where.connect();
          DeadLetters dead = spool.deadLetters(where.queue)) {
        System.out.printf("purged %d dead letter(s) from %s%n", dead.purge(), dead.queue());
      }
      return 0;
    }
  }
}
