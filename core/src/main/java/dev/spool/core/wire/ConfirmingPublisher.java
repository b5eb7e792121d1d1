package dev.spool.core.wire;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import dev.spool.core.SpoolBrokerBlockedException;
import dev.spool.core.SpoolConnectionException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes persistent messages with publisher confirms, never one-publish-then-wait: up to {@code
 * window} messages are outstanding at once, and each message's callback runs when the broker
 * confirms it. A nacked message, or one still unconfirmed when the connection recovers, is
 * published again, so a confirmed callback means the broker has the message.
 *
 * <p>A message that AMQP cannot carry (a task name over 255 bytes, say) is refused with {@link
 * IllegalArgumentException} before the channel sees it ({@link AmqpLimits}): it is never held for a
 * recovery that cannot help it, and never numbered, so the confirms of the messages after it go to
 * the right ones. Nacked messages are published again on {@code resender}, never on the client's
 * reader thread that delivered the nack (that thread must not block on a full socket).
 *
 * <p>Thread-safe. {@link #publish} blocks only while the window is full.
 */
public final class ConfirmingPublisher
    implements ConfirmListener, RecoveryListener, BlockedListener {
  private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisher.class);

  private final Channel channel;
  private final Semaphore window;
  private final Object publishLock = new Object();
  private final Object idle = new Object();
  private final ConcurrentNavigableMap<Long, Outgoing> outstanding = new ConcurrentSkipListMap<>();
  private final LongAdder confirmed = new LongAdder();
  private final boolean recovers;
  private final List<Outgoing> parked = new ArrayList<>(); // guarded by publishLock
  private boolean flushing; // guarded by publishLock
  private long skew; // guarded by publishLock: numbers the client burnt on messages it refused
  private final java.util.concurrent.Executor resender;
  private volatile String blockedReason; // set while the broker blocks this connection
  private volatile long blockedSinceNanos;
  private Duration blockedPatience = BLOCKED_PATIENCE;

  /** A message on its way; {@code since} is when it was first handed over (System.nanoTime). */
  private record Outgoing(
      String routingKey,
      AMQP.BasicProperties props,
      byte[] body,
      Runnable onConfirmed,
      long since) {}

  /**
   * @param channel a channel this publisher owns; it is put into confirm mode
   * @param window most messages unconfirmed at once (at least 1)
   */
  public ConfirmingPublisher(Channel channel, int window) throws IOException {
    this(channel, window, r -> Thread.ofVirtual().name("spool-republish").start(r));
  }

  /**
   * As {@link #ConfirmingPublisher(Channel, int)}; nacked messages are published on {@code
   * resender}.
   */
  public ConfirmingPublisher(Channel channel, int window, java.util.concurrent.Executor resender)
      throws IOException {
    if (window < 1)
      throw new IllegalArgumentException("publish window must be >= 1, was " + window);
    this.channel = channel;
    this.resender = resender;
    this.window = new Semaphore(window);
    channel.confirmSelect();
    channel.addConfirmListener(this);
    this.recovers = channel instanceof Recoverable;
    if (channel instanceof Recoverable r) {
      r.addRecoveryListener(this);
    }
    if (channel.getConnection() != null) channel.getConnection().addBlockedListener(this);
  }

  @Override
  public void handleBlocked(String reason) {
    blockedSinceNanos = System.nanoTime();
    blockedReason = reason == null || reason.isBlank() ? "a resource alarm" : reason;
    log.warn("the broker blocked this connection ({}): {}", blockedReason, ALARM_ADVICE);
  }

  @Override
  public void handleUnblocked() {
    if (blockedReason != null) log.info("the broker unblocked this connection");
    blockedReason = null;
  }

  /** What the broker gave as the reason it blocks this connection, or null when it does not. */
  public String blockedReason() {
    return blockedReason;
  }

  /** What to tell a user about an alarm: where to look and what to do. */
  public static final String ALARM_ADVICE =
      "RabbitMQ raised a memory or disk alarm and accepts no messages until it clears;"
          + " see 'rabbitmq-diagnostics alarms' and free memory or disk on the broker";

  /** One line about the alarm, or null when the broker does not block this connection. */
  public String alarmLine() {
    String r = blockedReason;
    return r == null ? null : "the broker is blocking publishes (" + r + "): " + ALARM_ADVICE;
  }

  /**
   * Publishes to queue {@code routingKey} through the default exchange; {@code onConfirmed} runs on
   * a client thread once the broker has the message. Blocks while the window is full.
   *
   * @throws IllegalArgumentException when AMQP cannot carry the message ({@link AmqpLimits})
   * @throws SpoolConnectionException when the channel is closed
   * @throws InterruptedException when interrupted while the window is full
   */
  public void publish(
      String routingKey, AMQP.BasicProperties props, byte[] body, Runnable onConfirmed)
      throws InterruptedException {
    AmqpLimits.check(routingKey, props);
    if (!window.tryAcquire()) awaitWindow(routingKey);
    try {
      send(new Outgoing(routingKey, props, body, onConfirmed, System.nanoTime()));
    } catch (SpoolConnectionException | IllegalArgumentException e) {
      window.release();
      throw e;
    }
  }

  private void awaitWindow(String routingKey) throws InterruptedException {
    WriteBatch.flushHeld(); // the broker confirms only what it has
    long waitedSince = System.nanoTime();
    long warnedAt = waitedSince;
    while (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
      long now = System.nanoTime();
      String alarm = alarmLine();
      // A full window and an alarm: the broker takes nothing until it clears. Bounded like a
      // publish that waits for its confirm, so that no caller waits out the alarm unknowing.
      if (alarm != null
          && now - Math.max(blockedSinceNanos, waitedSince) > blockedPatience.toNanos()) {
        throw new SpoolBrokerBlockedException(
            "cannot publish to "
                + routingKey
                + ", "
                + outstanding.size()
                + " publishes are"
                + " unconfirmed: "
                + alarm,
            blockedReason);
      }
      if (now - warnedAt > TimeUnit.SECONDS.toNanos(10)) {
        warnedAt = now;
        log.warn(
            "{} publishes unconfirmed for 10 s; {}",
            outstanding.size(),
            alarm != null
                ? alarm
                : "is the broker overloaded, or blocked by a memory or disk alarm?");
      }
    }
  }

  private void send(Outgoing out) {
    synchronized (publishLock) {
      // The number the broker gives this message: the channel's, less the ones the client took
      // for messages it then failed to encode (the broker never saw those).
      long seq = channel.getNextPublishSeqNo() - skew;
      outstanding.put(seq, out);
      try {
        channel.basicPublish("", out.routingKey(), false, out.props(), out.body());
      } catch (IllegalArgumentException e) {
        // Refused by the client while encoding: not a connection problem, and never sent.
        outstanding.remove(seq);
        if (channel.getNextPublishSeqNo() - skew > seq) skew++;
        throw new IllegalArgumentException(
            "cannot publish to " + out.routingKey() + ": " + e.getMessage(), e);
      } catch (IOException | RuntimeException e) {
        outstanding.remove(seq);
        if (!willRecover()) {
          throw new SpoolConnectionException(
              "cannot publish to " + out.routingKey() + ": " + AmqpConnector.reason(e), e);
        }
        // The connection is down and recovering: keep the message and send it on recovery.
        parked.add(out);
        if (parked.size() == 1) {
          log.warn("connection lost ({}); holding publishes until it recovers", e.toString());
        }
        if (channel.isOpen() && !flushing) flushParked(); // recovery finished meanwhile
      }
    }
  }

  /**
   * True when the channel is closed because the connection failed and automatic recovery will
   * reopen it; false when the application closed it or the broker closed just this channel.
   */
  private boolean willRecover() {
    if (!recovers) return false;
    com.rabbitmq.client.ShutdownSignalException why = channel.getCloseReason();
    if (why == null) return true; // open again already, or closing right now
    return !why.isInitiatedByApplication() && why.isHardError();
  }

  private void flushParked() {
    List<Outgoing> again = new ArrayList<>(parked);
    parked.clear();
    flushing = true;
    try {
      for (Outgoing o : again) {
        send(o);
      }
    } finally {
      flushing = false;
    }
  }

  @Override
  public void handleAck(long seq, boolean multiple) {
    List<Outgoing> acked = take(seq, multiple);
    window.release(acked.size());
    confirmed.add(acked.size());
    for (Outgoing o : acked) {
      o.onConfirmed().run();
    }
    if (outstanding.isEmpty()) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  /** Runs on the client's reader thread: the nacked messages go out again on another one. */
  @Override
  public void handleNack(long seq, boolean multiple) {
    List<Outgoing> nacked = take(seq, multiple);
    if (nacked.isEmpty()) return;
    log.warn("broker nacked {} message(s); publishing them again", nacked.size());
    synchronized (publishLock) {
      parked.addAll(nacked); // still unconfirmed, as far as awaitConfirms is concerned
    }
    resender.execute(this::republishParked);
  }

  /** Publishes what waits in {@code parked} again, unless a recovery does it first. */
  private void republishParked() {
    synchronized (publishLock) { // held throughout: they never look confirmed in between
      if (flushing || parked.isEmpty() || !channel.isOpen()) return; // recovery flushes them
      List<Outgoing> again = new ArrayList<>(parked);
      parked.clear();
      resend(again);
    }
  }

  private List<Outgoing> take(long seq, boolean multiple) {
    if (!multiple) {
      Outgoing o = outstanding.remove(seq);
      return o == null ? List.of() : List.of(o);
    }
    Map<Long, Outgoing> head = outstanding.headMap(seq, true);
    List<Outgoing> taken = new ArrayList<>(head.values());
    head.clear();
    return taken;
  }

  private void resend(List<Outgoing> messages) {
    for (Outgoing o : messages) {
      try {
        send(o); // keeps the window permit it already holds
      } catch (SpoolConnectionException | IllegalArgumentException e) {
        window.release();
        log.error("could not publish a message to {} again ({})", o.routingKey(), e.getMessage());
      }
    }
  }

  @Override
  public void handleRecovery(Recoverable recoverable) {
    List<Outgoing> pending;
    synchronized (publishLock) {
      pending = new ArrayList<>(outstanding.values());
      outstanding.clear(); // sequence numbers restart on the recovered channel
      skew = 0;
      pending.addAll(parked);
      parked.clear();
    }
    if (!pending.isEmpty()) {
      log.info("connection recovered; publishing {} unconfirmed message(s) again", pending.size());
      resend(pending);
    }
  }

  @Override
  public void handleRecoveryStarted(Recoverable recoverable) {}

  private boolean busy() {
    return unconfirmed() > 0;
  }

  /** Messages published (or held for a recovering connection) and not yet confirmed. */
  public int unconfirmed() {
    synchronized (publishLock) {
      return outstanding.size() + parked.size();
    }
  }

  /**
   * How long the oldest message not yet confirmed has waited ({@link Duration#ZERO} when none
   * waits): a publisher that stays stuck (a broker alarm, a lost leader, a channel that stopped
   * answering) shows here first. {@code nowNanos} is {@link System#nanoTime()}.
   */
  public Duration oldestUnconfirmed(long nowNanos) {
    long oldest = nowNanos;
    synchronized (publishLock) {
      var first = outstanding.firstEntry();
      if (first != null) oldest = Math.min(oldest, first.getValue().since());
      for (Outgoing o : parked) oldest = Math.min(oldest, o.since());
    }
    return Duration.ofNanos(nowNanos - oldest);
  }

  /** Messages confirmed so far. */
  public long confirmed() {
    return confirmed.sum();
  }

  /**
   * Publishes one message and waits until the broker confirmed that message (not others published
   * meanwhile by other threads). Gives up after {@code timeout}, or sooner, after {@link
   * #BLOCKED_PATIENCE}, when the broker blocks the connection with a resource alarm.
   *
   * @param what what is published, for the error, e.g. "a put to spool.queue.numbers"
   * @throws SpoolBrokerBlockedException when the broker blocked it and did not confirm in time
   * @throws dev.spool.SpoolException when not confirmed within {@code timeout}, or interrupted
   */
  public void publishConfirmed(
      String routingKey, AMQP.BasicProperties props, byte[] body, Duration timeout, String what) {
    publishAllConfirmed(List.of(new Message(routingKey, props, body)), timeout, what);
  }

  /** A message for {@link #publishAllConfirmed}. */
  public record Message(String routingKey, AMQP.BasicProperties props, byte[] body) {}

  /**
   * As {@link #publishConfirmed} for several messages: returns once every one of them is confirmed.
   */
  public void publishAllConfirmed(List<Message> messages, Duration timeout, String what) {
    CountDownLatch confirmedHere = new CountDownLatch(messages.size());
    try {
      for (Message m : messages) {
        publish(m.routingKey(), m.props(), m.body(), confirmedHere::countDown);
      }
      awaitLatch(confirmedHere, timeout, what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new dev.spool.SpoolException("interrupted during " + what, e);
    }
  }

  /** How long a publisher waits for a confirm once the broker says it blocks the connection. */
  public static final Duration BLOCKED_PATIENCE = Duration.ofSeconds(5);

  /** For tests: how long to wait for a confirm once the connection is blocked. */
  void blockedPatience(Duration patience) {
    this.blockedPatience = patience;
  }

  private void awaitLatch(CountDownLatch latch, Duration timeout, String what)
      throws InterruptedException {
    WriteBatch.flushHeld();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!latch.await(100, TimeUnit.MILLISECONDS)) {
      long now = System.nanoTime();
      String alarm = alarmLine();
      if (alarm != null && now - blockedSinceNanos > blockedPatience.toNanos()) {
        throw new SpoolBrokerBlockedException(
            "the broker did not confirm " + what + ": " + alarm, blockedReason);
      }
      if (now - deadline > 0) {
        throw new dev.spool.SpoolException(
            "the broker did not confirm "
                + what
                + " within "
                + timeout
                + (alarm != null ? "; " + alarm : "; is it overloaded, or blocked by an alarm?"));
      }
    }
  }

  /** Waits until every message is confirmed; false when {@code timeout} passed first. */
  public boolean awaitConfirms(Duration timeout) throws InterruptedException {
    WriteBatch.flushHeld();
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (busy() && (channel.isOpen() || willRecover())) {
        long left = deadline - System.nanoTime();
        if (left <= 0) break;
        idle.wait(Math.max(1, left / 1_000_000));
      }
    }
    if (!busy()) return true;
    log.warn("{} message(s) still unconfirmed after {}", unconfirmed(), timeout);
    return false;
  }
}
