package dev.spool.consumer.internal;

import dev.spool.SharedStateException;
import dev.spool.core.wire.JsonCodec;
import dev.spool.state.internal.WorkerRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's heartbeat: every {@link #EVERY} it publishes its report (who it is, its state, the
 * tasks it runs) to the {@link WorkerRegistry}, alive for {@link #TTL}; and it answers each open
 * ping once, with a report made then ({@link #pings}). Run by the {@link ControlPoller}, so a ping
 * is answered as soon as it is announced, within {@link ControlPoller#FALLBACK} at most. A consumer
 * that dies leaves the workers list within {@link #TTL}; one that stops cleanly leaves it at once
 * ({@link #close}).
 *
 * <p>Only the poller's thread calls {@link #refresh} and its pings' refresh.
 */
public final class Heartbeat implements ControlPoller.Refreshable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  /** How often the report is written. */
  public static final Duration EVERY = Duration.ofSeconds(2);

  /** How long a report stays without another beat: the most a dead worker stays listed. */
  public static final Duration TTL = Duration.ofSeconds(10);

  /** Ping nonces remembered as answered; pings close long before this many more are posted. */
  private static final int REMEMBERED = 256;

  private final WorkerRegistry registry;
  private final String id;
  private final Supplier<Object> report;
  private final JsonCodec codec;
  private final LongSupplier nanos;
  private final Set<String> answered = new HashSet<>();
  private final Deque<String> answeredOrder = new ArrayDeque<>();
  private long lastBeat;
  private boolean beaten;
  private volatile boolean closed;

  /**
   * @param report makes the report, any value Jackson writes (a map, a record)
   */
  public Heartbeat(
      WorkerRegistry registry,
      String id,
      Supplier<Object> report,
      JsonCodec codec,
      LongSupplier nanos) {
    this.registry = registry;
    this.id = id;
    this.report = report;
    this.codec = codec;
    this.nanos = nanos;
  }

  /** Writes the report when {@link #EVERY} has passed since the last. */
  @Override
  public void refresh() {
    if (closed) return;
    long now = nanos.getAsLong();
    if (beaten && now - lastBeat < EVERY.toNanos()) return;
    registry.beat(id, codec.asString(report.get()), TTL);
    lastBeat = now;
    beaten = true;
  }

  /**
   * The answering of pings: each open ping once, with a report made then. Read when a ping is
   * announced ({@link ControlPoller.Refreshable#announced}).
   */
  ControlPoller.Refreshable pings() {
    return new ControlPoller.Refreshable() {
      @Override
      public void refresh() {
        answerPings();
      }

      @Override
      public String what() {
        return "the workers list's pings";
      }

      @Override
      public boolean announced() {
        return true;
      }
    };
  }

  private void answerPings() {
    if (closed) return;
    String json = null;
    for (String nonce : registry.openPings()) {
      if (answered.contains(nonce)) continue;
      if (json == null) json = codec.asString(report.get());
      registry.answer(nonce, id, json);
      remember(nonce);
    }
  }

  private void remember(String nonce) {
    answered.add(nonce);
    answeredOrder.addLast(nonce);
    if (answeredOrder.size() > REMEMBERED) answered.remove(answeredOrder.removeFirst());
  }

  @Override
  public String what() {
    return "the workers list's heartbeat";
  }

  /** Stops beating and takes this worker off the list. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    try {
      registry.remove(id);
    } catch (SharedStateException e) {
      log.info("could not take {} off the workers list ({}); it leaves in {}", id, e, TTL);
    }
  }
}
