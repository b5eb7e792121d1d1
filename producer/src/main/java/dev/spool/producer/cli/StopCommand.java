package dev.spool.producer.cli;

import dev.spool.producer.TaskPool;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spool-producer stop}: one poison pill per consumer, or {@code --count N}. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = {
      "Sends poison pills behind the queued work: each stops one consumer after it drains.",
      "By default one per consumer attached to the queue now, as the broker reports it."
    })
final class StopCommand implements Callable<Integer> {
  @Option(names = "--count", paramLabel = "N", description = "How many pills to send.")
  Integer count;

  @Mixin PoolOptions pool = new PoolOptions();

  @Override
  public Integer call() {
    if (count != null && count < 0) {
      throw new IllegalArgumentException("--count must be 0 or more, was " + count);
    }
    try (TaskPool p = pool.open()) {
      int n = count == null ? p.consumerCount() : count;
      p.stopConsumers(n);
      System.out.println("sent " + n + " poison pill(s) to " + p.workQueue());
    }
    return 0;
  }
}
