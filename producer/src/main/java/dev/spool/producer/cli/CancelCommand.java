package dev.spool.producer.cli;

import dev.spool.producer.CancelResult;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskPool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool-producer cancel ID...}: cancels tasks by id, whatever their state. */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Cancels tasks by id: a delayed task not yet due is removed from Redis; a queued task (or"
          + " one waiting for a retry) never runs; a running task is interrupted, as at its time"
          + " limit, and ends as cancelled. Whoever waits for its result gets a"
          + " TaskCancelledException. A finished task is not affected.",
      "The cancel is kept in Redis for --keep, so consumers started later honour it too;"
          + " consumers see it within about 200 ms. Every id is checked before any is cancelled.",
      "Prints one line per id: 'cancelled (delayed, removed)', 'cancelled', 'already ended, not"
          + " cancelled' (its kept record says so), or 'cancelled if queued or running (no record"
          + " of it)' for a task whose result is not kept, of which nothing says whether it"
          + " exists. Exits 1 when some task had ended already, else 0.",
      "Example: spool-producer cancel 4d2d1b32-ba8c-4215-9c1d-2a9c340a5e68"
    })
final class CancelCommand implements Callable<Integer> {
  @Parameters(
      arity = "1..*",
      paramLabel = "ID",
      description = "Task ids, as apply --no-wait prints them.")
  List<String> ids;

  @Option(
      names = "--keep",
      paramLabel = "DURATION",
      defaultValue = "1d",
      description =
          "How long the cancel is kept (default: ${DEFAULT-VALUE}, at most 90d): a task still"
              + " queued after that runs after all.")
  Duration keep;

  @Mixin PoolOptions pool = new PoolOptions();

  @Override
  public Integer call() {
    if (keep.isZero() || keep.isNegative() || keep.compareTo(Duration.ofDays(90)) > 0) {
      throw new IllegalArgumentException("--keep must be from 1ms to 90d, was " + keep);
    }
    ids.forEach(dev.spool.Names::taskId); // all of them before anything is stored
    boolean someEnded = false;
    try (Spool spool = pool.connect();
        TaskPool p = spool.pool(pool.settings())) {
      for (Map.Entry<String, CancelResult> e : p.admin().cancelEach(ids, keep).entrySet()) {
        someEnded |= e.getValue() == CancelResult.ENDED;
        System.out.println(e.getKey() + " " + said(e.getValue()));
      }
    }
    return someEnded ? 1 : 0;
  }

  private static String said(CancelResult r) {
    return switch (r) {
      case DELAYED_REMOVED -> "cancelled (delayed, removed)";
      case CANCELLED -> "cancelled";
      case NO_RECORD -> "cancelled if queued or running (no record of it: its result is not kept)";
      case ENDED -> "already ended, not cancelled";
    };
  }
}
