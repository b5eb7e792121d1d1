package dev.spool.producer.cli;

import dev.spool.producer.TaskPool;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code spool-producer cancel ID...}: removes delayed tasks that are not yet due. */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Cancels delayed tasks that are not yet due (spool-producer apply --in/--at): each is"
          + " removed from Redis and never runs.",
      "Prints one line per id: 'cancelled', or 'not waiting' when the task is already in the work"
          + " queue, running, done, or unknown (cancelling those is not built yet). Exits 1 when"
          + " any id was not waiting.",
      "Example: spool-producer cancel 4d2d1b32-ba8c-4215-9c1d-2a9c340a5e68"
    })
final class CancelCommand implements Callable<Integer> {
  @Parameters(
      arity = "1..*",
      paramLabel = "ID",
      description = "Task ids, as apply --no-wait prints them.")
  List<String> ids;

  @Mixin PoolOptions pool = new PoolOptions();

  @Override
  public Integer call() {
    int missed = 0;
    try (TaskPool p = pool.open()) {
      for (String id : ids) {
        boolean cancelled = p.cancel(id);
        if (!cancelled) missed++;
        System.out.println(id + " " + (cancelled ? "cancelled" : "not waiting"));
      }
    }
    return missed == 0 ? 0 : 1;
  }
}
