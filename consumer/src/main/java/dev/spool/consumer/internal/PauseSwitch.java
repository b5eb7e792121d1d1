package dev.spool.consumer.internal;

import dev.spool.SharedValue;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Follows a work queue's pause flag in Redis ({@code spool-producer pause}): while it is set, the
 * consumer takes no tasks. {@code onChange} is told the flag's text (who paused it, when) when it
 * appears, and empty when it goes. Refreshed by the {@link ControlPoller}: one GET when a pause or
 * resume is announced, and at least every {@link ControlPoller#FALLBACK}.
 */
public final class PauseSwitch implements ControlPoller.Refreshable {
  private final SharedValue<String> flag;
  private final Consumer<Optional<String>> onChange;
  private Boolean paused; // null until first read; only the poller's thread touches it

  public PauseSwitch(SharedValue<String> flag, Consumer<Optional<String>> onChange) {
    this.flag = flag;
    this.onChange = onChange;
  }

  @Override
  public void refresh() {
    Optional<String> now = flag.get();
    if (paused == null && now.isEmpty()) {
      paused = false; // not paused at start: nothing to do
      return;
    }
    if (paused != null && paused == now.isPresent()) return;
    paused = now.isPresent();
    onChange.accept(now);
  }

  /** A pause or its end is announced ({@code RedisState#announceControl}). */
  @Override
  public boolean announced() {
    return true;
  }

  @Override
  public String what() {
    return "the queue's pause flag";
  }
}
