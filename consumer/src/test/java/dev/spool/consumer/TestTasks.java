package dev.spool.consumer;

/** A user-style provider found through ServiceLoader in tests, as a user's jar would be. */
public final class TestTasks implements TaskHandlerProvider {
  @Override
  public void registerTasks(HandlerRegistry registry) {
    registry.register(
        "test-echo", String.class, (String s, TaskContext c) -> s + "@" + c.attempt());
  }
}
