package dev.spool.consumer.internal;

import dev.spool.SharedStateException;
import dev.spool.state.internal.TaskHistory;
import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds what this consumer did to the namespace's {@link TaskHistory} every {@link #EVERY}: the
 * tasks that succeeded and the handler runs that failed since the previous time. Run by the {@link
 * ControlPoller}; {@link #flush} once more when the consumer stops. A consumer killed loses at most
 * its last {@link #EVERY} from the history (its tasks are not affected); one Redis call a time.
 */
final class HistoryWriter implements ControlPoller.Refreshable {
  private static final Logger log = LoggerFactory.getLogger(HistoryWriter.class);

  /** How often what was done is added. */
  static final Duration EVERY = Duration.ofSeconds(5);

  private final TaskHistory history;
  private final Counters counters;
  private final Clock clock;
  private final LongSupplier nanos;
  private long lastWrite;
  private long succeededWritten;
  private long failedWritten;
  private boolean warned;

  HistoryWriter(TaskHistory history, Counters counters, Clock clock, LongSupplier nanos) {
    this.history = history;
    this.counters = counters;
    this.clock = clock;
    this.nanos = nanos;
    this.lastWrite = nanos.getAsLong();
  }

  @Override
  public void refresh() {
    if (nanos.getAsLong() - lastWrite < EVERY.toNanos()) return;
    flush();
  }

  /** Adds what was done since the last time; kept for the next time when Redis does not answer. */
  synchronized void flush() {
    lastWrite = nanos.getAsLong();
    long s = counters.succeeded.sum();
    long f = counters.failed.sum();
    try {
      history.add(clock.instant(), s - succeededWritten, f - failedWritten);
      succeededWritten = s;
      failedWritten = f;
      warned = false;
    } catch (SharedStateException e) {
      if (!warned) log.warn("cannot add to the task history ({}); trying again", e.getMessage());
      warned = true;
    }
  }

  @Override
  public String what() {
    return "the task history";
  }
}
