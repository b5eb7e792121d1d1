package dev.spool.producer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.core.wire.JsonCodec;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskOptions;
import dev.spool.producer.TaskPool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool-producer apply TASK --input JSON [--in D | --at T] [--id ID] [--no-wait]}. */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs TASK once on one input and prints its result as JSON on stdout; with --no-wait,"
          + " prints the task's id as soon as the broker has the task.",
      "With --in or --at the task waits in Redis until it is due (up to 30 days), never in a"
          + " consumer's memory; --timeout counts from then.",
      "spool-producer cancel ID cancels it, by the id --no-wait prints or the one given with --id;"
          + " with --keep-result, spool-producer result ID prints its state and result.",
      "If the task fails, prints the remote error on stderr and exits 1.",
      "Examples: spool-producer apply square --input 7",
      "          spool-producer apply square --input 7 --in 10m --no-wait",
      "          spool-producer apply square --input 7 --no-wait --keep-result",
      "          spool-producer apply square --input 7 --at 2026-12-24T02:00Z --no-wait"
    })
final class ApplyCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TASK", description = "Task name, e.g. square, sleep.")
  String task;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "JSON",
      description = "The task's input as JSON, e.g. 7, '\"text\"', '[1, 2]'.")
  String input;

  @ArgGroup(exclusive = true)
  When when;

  static final class When {
    @Option(
        names = "--in",
        paramLabel = "DURATION",
        description = "Due this long from now, e.g. 500ms, 10m, 2h, 7d (at most 30d).")
    Duration in;

    @Option(
        names = "--at",
        paramLabel = "TIME",
        description =
            "Due at this time, ISO-8601 with an offset, e.g. 2026-12-24T02:00Z or"
                + " 2026-12-24T03:00+01:00 (at most 30 days ahead).")
    String at;
  }

  @Option(
      names = "--no-wait",
      description =
          "Do not wait for the result: print the task id and exit. The task runs even though"
              + " this process has gone; its result is not kept unless --keep-result.")
  boolean noWait;

  @Option(
      names = "--keep-result",
      paramLabel = "DURATION",
      arity = "0..1",
      fallbackValue = "1d",
      description =
          "Keep the task's state and result in Redis for DURATION after it ends (default 1d, at"
              + " most 90d): spool-producer result ID prints them, from any process.")
  Duration keepResult;

  @Option(
      names = "--id",
      paramLabel = "ID",
      description =
          "The task's id instead of a random one (1 to 200 letters, digits, . _ : -), e.g. to"
              + " cancel it later.")
  String id;

  @Option(
      names = "--rate-key",
      paramLabel = "KEY",
      description =
          "Count the task's rate limit (spool-consumer --rate-limit) under KEY, e.g. a customer"
              + " id: each key gets the limit of its own.")
  String rateKey;

  @Option(
      names = "--priority",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "The task's priority, 0 (default, lowest) to 9: it starts before tasks without one"
              + " waiting in the queue.")
  int priority;

  @Option(
      names = "--unique",
      paramLabel = "KEY",
      description =
          "With --no-wait: send the task only if no task sent with KEY is waiting or running;"
              + " otherwise print that task's id instead (the key is let go when it ends, or"
              + " after --unique-for at most).")
  String unique;

  @Option(
      names = "--unique-for",
      paramLabel = "DURATION",
      defaultValue = "1h",
      description = "The longest a --unique key is held (default ${DEFAULT-VALUE}, at most 30d).")
  Duration uniqueFor;

  @Mixin PoolOptions pool = new PoolOptions();

  @Override
  public Integer call() {
    dev.spool.Names.taskName(task); // before connecting: a bad name is the user's to fix
    JsonCodec codec = new JsonCodec();
    JsonNode value = input(codec, input);
    TaskOptions options = TaskOptions.defaults().withTimeout(pool.timeout());
    if (when != null && when.in != null) options = options.withCountdown(when.in);
    if (when != null && when.at != null) options = options.withEta(instant(when.at));
    if (id != null) options = options.withId(id);
    if (rateKey != null) options = options.withRateKey(rateKey);
    if (priority != 0) options = options.withPriority(priority);
    if (keepResult != null) {
      if (keepResult.compareTo(dev.spool.state.internal.TaskRecords.MAX_KEEP) > 0) {
        throw new IllegalArgumentException(
            "--keep-result must be at most 90d, was " + dev.spool.Durations.format(keepResult));
      }
      options = options.withKeepResult(keepResult);
    }
    if (unique != null) {
      if (!noWait) {
        throw new IllegalArgumentException(
            "--unique needs --no-wait: it prints the id of the task holding the key, whose result"
                + " this call did not send for");
      }
      if (uniqueFor.compareTo(java.time.Duration.ofDays(30)) > 0) {
        throw new IllegalArgumentException(
            "--unique-for must be at most 30d, was " + dev.spool.Durations.format(uniqueFor));
      }
      options = options.withUniqueKey(unique, uniqueFor);
    }
    try (Spool spool = pool.connect();
        TaskPool p = spool.pool(pool.settings())) {
      if (noWait) {
        System.out.println(p.submit(task, value, options));
        return 0;
      }
      MapCommand.warnIfNoConsumer(p);
      JsonNode result = p.apply(task, value, JsonNode.class, options);
      System.out.println(new String(codec.encode(result), StandardCharsets.UTF_8));
    }
    return 0;
  }

  /** {@code --input}'s JSON, or an error naming the option. */
  static JsonNode input(JsonCodec codec, String json) {
    try {
      return codec.tree(json.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--input: not valid JSON: " + e.getMessage(), e);
    }
  }

  static Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--at: '" + text + "' is not an ISO-8601 time with an offset, e.g. 2026-12-24T02:00Z");
    }
  }
}
