package dev.spool.producer.cli;

import dev.spool.producer.Spool;
import dev.spool.producer.TaskPool;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code spool-producer pause} and {@code spool-producer resume}: a work queue's pause flag. */
final class PauseCommand {
  private PauseCommand() {}

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Pauses the work queue: every consumer of it, on any host, stops taking tasks within about"
            + " 200 ms without stopping; tasks prefetched and not started go back to the queue,"
            + " running ones finish. Consumers started later start paused. Producers may go on"
            + " publishing; the tasks wait in the queue.",
        "The pause is kept in Redis until spool-producer resume. While paused, consumers are not"
            + " subscribed, so spool-producer stop counts none: resume first, or stop them with"
            + " SIGTERM.",
        "Prints 'paused', or 'already paused' with who paused it and when."
      })
  static final class Pause implements Callable<Integer> {
    @Mixin PoolOptions pool = new PoolOptions();

    @Override
    public Integer call() {
      try (Spool spool = pool.connect();
          TaskPool p = spool.pool(pool.settings())) {
        if (p.admin().pause()) {
          System.out.println(p.workQueue() + " paused");
        } else {
          System.out.println(
              p.workQueue()
                  + " already paused ("
                  + p.admin().pausedBy().orElse("just resumed")
                  + ")");
        }
      }
      return 0;
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Resumes the work queue after spool-producer pause: its consumers take tasks again"
            + " within about 200 ms.",
        "Prints 'resumed', or 'not paused'."
      })
  static final class Resume implements Callable<Integer> {
    @Mixin PoolOptions pool = new PoolOptions();

    @Override
    public Integer call() {
      try (Spool spool = pool.connect();
          TaskPool p = spool.pool(pool.settings())) {
        System.out.println(p.workQueue() + (p.admin().resume() ? " resumed" : " not paused"));
      }
      return 0;
    }
  }
}
