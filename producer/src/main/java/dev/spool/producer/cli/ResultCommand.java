package dev.spool.producer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spool.core.SpoolConfig;
import dev.spool.core.TaskTimeoutException;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.core.wire.JsonCodec;
import dev.spool.producer.AsyncResult;
import dev.spool.producer.TaskState;
import dev.spool.producer.TaskStatus;
import dev.spool.state.internal.RedisState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool-producer result ID [--wait D] [--json]}: a kept result, by task id. */
@Command(
    name = "result",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Prints the result of task ID as JSON on stdout, from any process, for a task submitted"
          + " with its result kept (apply --no-wait --keep-result prints such an id).",
      "If the task failed, was cancelled or dead-lettered, prints its error on stderr and exits"
          + " 1; if it has not ended yet (pending, scheduled, started, retrying), prints its"
          + " state on stdout and exits 3. With --wait, waits up to D for it to end first.",
      "Needs only Redis. Examples: spool-producer result 4d2d1b32-ba8c-4215-9c1d-2a9c340a5e68",
      "          spool-producer result report-42 --wait 5m",
      "          spool-producer result report-42 --json"
    })
final class ResultCommand implements Callable<Integer> {
  /** Exit code: the task has not ended yet. */
  static final int EXIT_NOT_ENDED = 3;

  @Parameters(index = "0", paramLabel = "ID", description = "The task id.")
  String id;

  @Option(
      names = "--wait",
      paramLabel = "DURATION",
      description = "Wait up to this long for the task to end, e.g. 30s, 5m.")
  Duration wait;

  @Option(
      names = "--json",
      description =
          "Print everything its record says as one JSON object (state, name, times, attempts,"
              + " worker, result, error, progress), whatever the state; same exit codes.")
  boolean json;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Override
  public Integer call() {
    SpoolConfig config = connection.toConfig(System.getenv());
    try (RedisState state = RedisState.connect(config.stateConfig())) {
      AsyncResult r = AsyncResult.of(state, id);
      TaskStatus s;
      try {
        s = wait == null ? r.status() : r.await(wait);
      } catch (TaskTimeoutException e) {
        s = r.status();
      }
      if (json) {
        System.out.println(json(s));
        return exitCode(s);
      }
      switch (s.state()) {
        case SUCCEEDED -> System.out.println(s.resultJson());
        case FAILED, DEAD, CANCELLED -> r.get(JsonNode.class, Duration.ZERO); // throws: exit 1
        case UNKNOWN ->
            throw new dev.spool.SpoolException(
                "no record of task "
                    + id
                    + " in namespace "
                    + config.namespace()
                    + ": it was not submitted with its result kept, or its record expired");
        default -> System.out.println(describe(s));
      }
      return exitCode(s);
    }
  }

  private static int exitCode(TaskStatus s) {
    if (s.state() == TaskState.SUCCEEDED) return 0;
    return s.state().ended() || s.state() == TaskState.UNKNOWN ? 1 : EXIT_NOT_ENDED;
  }

  /** One line for a task that has not ended: its state and what is known of it. */
  static String describe(TaskStatus s) {
    StringBuilder b = new StringBuilder(s.id()).append(' ').append(s.state());
    if (s.name() != null) b.append(" (").append(s.name()).append(')');
    switch (s.state()) {
      case SCHEDULED -> b.append(", due ").append(s.due());
      case STARTED -> {
        b.append(", attempt ").append(s.attempts()).append(" on ").append(s.worker());
        b.append(" since ").append(s.started());
        if (s.progress() != null) {
          b.append(", progress ").append(s.progress().done());
          if (s.progress().total() > 0) b.append('/').append(s.progress().total());
          if (s.progress().message() != null) b.append(' ').append(s.progress().message());
        }
      }
      case RETRYING -> {
        b.append(", attempt ").append(s.attempts()).append(" failed");
        if (s.error() != null) {
          b.append(": ").append(s.error().type()).append(": ").append(s.error().messageOrEmpty());
        }
      }
      default -> {
        if (s.submitted() != null) b.append(", submitted ").append(s.submitted());
      }
    }
    return b.toString();
  }

  static String json(TaskStatus s) {
    JsonCodec codec = new JsonCodec();
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("id", s.id());
    o.put("state", s.state().toString());
    if (s.name() != null) o.put("name", s.name());
    time(o, "submitted", s.submitted());
    time(o, "due", s.due());
    time(o, "started", s.started());
    time(o, "finished", s.finished());
    o.put("attempts", s.attempts());
    if (s.worker() != null) o.put("worker", s.worker());
    if (s.resultJson() != null) {
      o.set("result", codec.tree(s.resultJson().getBytes(StandardCharsets.UTF_8)));
    }
    if (s.error() != null) o.set("error", codec.tree(codec.encode(s.error())));
    if (s.progress() != null) o.set("progress", codec.tree(codec.encode(s.progress())));
    if (s.keptFor() != null) o.put("keptForMs", s.keptFor().toMillis());
    return new String(codec.encode(o), StandardCharsets.UTF_8);
  }

  private static void time(ObjectNode o, String field, Instant t) {
    if (t != null) o.put(field, t.toString());
  }
}
