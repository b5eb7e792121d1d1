package dev.spool.bench;

import dev.spool.HandlerRegistry;
import dev.spool.TaskHandlerProvider;

/**
 * The benchmark's own task, on the bench consumers' classpath: {@code stamp} returns the moment its
 * handler ran, as {@link System#nanoTime()}, which on Linux is one clock for every process of the
 * machine. A caller that notes the time before and after the call splits the round trip into the
 * way there (publish, broker, the consumer's dispatch) and the way back (the result's publish,
 * broker, the caller's reply thread and its wake-up).
 */
public final class BenchTasks implements TaskHandlerProvider {
  @Override
  public void registerTasks(HandlerRegistry registry) {
    registry.register(
        "stamp", Long.class, (Long ignored, dev.spool.TaskContext ctx) -> System.nanoTime());
  }
}
