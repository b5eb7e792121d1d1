package dev.spool.producer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.core.wire.JsonCodec;
import dev.spool.producer.MapOptions;
import dev.spool.producer.MapResults;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool-producer map TASK --range A:B}: results as one JSON array on stdout. */
@Command(
    name = "map",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs TASK on every input and prints the results, in input order, as one JSON array on"
          + " stdout.",
      "If any task fails, prints the remote error on stderr and exits 1.",
      "Example: spool-producer map square --range 0:10"
    })
final class MapCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TASK", description = "Task name, e.g. square, sleep.")
  String task;

  @ArgGroup(multiplicity = "1")
  Inputs inputs;

  static final class Inputs {
    @Option(
        names = "--range",
        paramLabel = "A:B",
        description = "The whole numbers A, A+1, ..., B-1, like Python's range(A, B).")
    String range;

    @Option(
        names = "--inputs",
        paramLabel = "JSON",
        description = "A JSON array of inputs, e.g. '[1, 2, 3]'.")
    String json;
  }

  @Option(
      names = "--chunksize",
      paramLabel = "N",
      description = "Inputs per message (default: chosen from the input and consumer counts).")
  Integer chunksize;

  @Option(
      names = "--priority",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Every task's priority, 0 (default, lowest) to 9: tasks with a priority start before"
              + " those without waiting in the queue.")
  int priority;

  @Mixin PoolOptions pool = new PoolOptions();

  @Mixin ProgressOptions progress = new ProgressOptions();

  @Override
  public Integer call() {
    dev.spool.Names.taskName(task); // before connecting: a bad name is the user's to fix
    JsonCodec codec = new JsonCodec();
    List<?> values = inputs.range != null ? range(inputs.range) : json(codec, inputs.json);
    MapOptions options = new MapOptions(chunksize, pool.timeout()).withPriority(priority);
    List<JsonNode> results = new ArrayList<>(values.size());
    try (Spool spool = pool.connect();
        TaskPool p = spool.pool(pool.settings())) {
      warnIfNoConsumer(p);
      Progress bar = progress.start("map " + task, values.size());
      Progress.Ticker ticking = bar.tickEverySecond();
      try (MapResults<JsonNode> it = p.imap(task, values, JsonNode.class, options)) {
        while (it.hasNext()) {
          results.add(it.next());
          bar.update(results.size());
        }
      } finally {
        ticking.close();
      }
      bar.finish(results.size());
    }
    System.out.println(new String(codec.encode(results), java.nio.charset.StandardCharsets.UTF_8));
    return 0;
  }

  /** Says at once when no consumer would take the tasks, instead of waiting in silence. */
  static void warnIfNoConsumer(TaskPool p) {
    if (p.admin().consumerCount() == 0) {
      System.err.println(
          "spool-producer: no consumer is attached to "
              + p.workQueue()
              + " now; the tasks wait there until one starts (bin/spool-consumer, or"
              + " docker compose up consumer)");
    }
  }

  static List<Long> range(String text) {
    String[] parts = text.split(":", -1);
    long a;
    long b;
    try {
      if (parts.length != 2) throw new NumberFormatException();
      a = Long.parseLong(parts[0].trim());
      b = Long.parseLong(parts[1].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--range: '" + text + "' is not A:B, e.g. 0:100");
    }
    if (b < a || b - a > 10_000_000) {
      throw new IllegalArgumentException(
          "--range: '" + text + "' must have A <= B and at most 10,000,000 numbers");
    }
    return LongStream.range(a, b).boxed().toList();
  }

  private static List<JsonNode> json(JsonCodec codec, String text) {
    JsonNode node;
    try {
      node = codec.tree(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--inputs: not valid JSON: " + e.getMessage(), e);
    }
    if (!node.isArray()) throw new IllegalArgumentException("--inputs: must be a JSON array");
    List<JsonNode> list = new ArrayList<>();
    node.forEach(list::add);
    return list;
  }
}
