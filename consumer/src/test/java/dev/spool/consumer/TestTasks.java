package dev.spool.consumer;

import dev.spool.HandlerRegistry;
import dev.spool.TaskContext;
import dev.spool.TaskHandlerProvider;

/**
 * A user-style provider found through ServiceLoader in tests, as a user's jar would be. Stateless:
 * the tasks with state are {@link FixtureTasks}, one set per test.
 */
public final class TestTasks implements TaskHandlerProvider {
  @Override
  public void registerTasks(HandlerRegistry registry) {
    registry.register(
        "test-echo", String.class, (String s, TaskContext c) -> s + "@" + c.attempt());
    registry.register(
        "throws-error",
        String.class,
        (String s, TaskContext c) -> {
          throw new AssertionError("an Error, not an Exception: " + s);
        });
  }
}
