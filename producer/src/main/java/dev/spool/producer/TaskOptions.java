package dev.spool.producer;

import dev.spool.core.wire.Topology;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Options of one task ({@code apply}, {@code applyAsync}, {@code submit}): when it is due, and how
 * long a caller waits for its result once it is due. Immutable; each {@code with} returns a copy.
 *
 * <pre>{@code
 * CompletableFuture<Long> in10m =
 *     pool.applyAsync("square", 7, Long.class, TaskOptions.defaults().withCountdown(Duration.ofMinutes(10)));
 * String id =
 *     pool.submit("square", 7, TaskOptions.defaults().withEta(Instant.parse("2026-12-24T02:00:00Z")));
 * }</pre>
 *
 * <p>A delayed task waits in Redis, never in a consumer's memory, and runs no earlier than it is
 * due; a consumer moves it to the work queue within about 100 ms of its due time
 * (docs/guides/delayed.md).
 */
public final class TaskOptions {
  private static final TaskOptions DEFAULTS =
      new TaskOptions(null, null, null, null, null, 0, null, null, null);

  private final Duration countdown;
  private final Instant eta;
  private final Duration timeout;
  private final String id;
  private final String rateKey;
  private final int priority;
  private final Duration keepResult;
  private final String uniqueKey;
  private final Duration uniqueFor;

  private TaskOptions(
      Duration countdown,
      Instant eta,
      Duration timeout,
      String id,
      String rateKey,
      int priority,
      Duration keepResult,
      String uniqueKey,
      Duration uniqueFor) {
    this.priority = priority;
    this.keepResult = keepResult;
    this.uniqueKey = uniqueKey;
    this.uniqueFor = uniqueFor;
    this.countdown = countdown;
    this.eta = eta;
    this.timeout = timeout;
    this.id = id;
    this.rateKey = rateKey;
  }

  /** Due at once, waited for up to the pool's default timeout. */
  public static TaskOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Due {@code countdown} after it is submitted (from 0 to 30 days); replaces an {@link #withEta}.
   *
   * @throws IllegalArgumentException when negative or over 30 days
   */
  public TaskOptions withCountdown(Duration countdown) {
    Objects.requireNonNull(countdown, "countdown");
    if (countdown.isNegative() || countdown.compareTo(Topology.MAX_DELAY) > 0) {
      throw new IllegalArgumentException(
          "countdown must be from 0 to " + Topology.MAX_DELAY.toDays() + " days, was " + countdown);
    }
    return new TaskOptions(
        countdown, null, timeout, id, rateKey, priority, keepResult, uniqueKey, uniqueFor);
  }

  /**
   * Due at {@code eta} (at once if it is past; at most 30 days ahead when submitted); replaces a
   * {@link #withCountdown}.
   */
  public TaskOptions withEta(Instant eta) {
    return new TaskOptions(
        null,
        Objects.requireNonNull(eta, "eta"),
        timeout,
        id,
        rateKey,
        priority,
        keepResult,
        uniqueKey,
        uniqueFor);
  }

  /**
   * How long a caller waits for the result, counted from when the task is due.
   *
   * @throws IllegalArgumentException when not positive
   */
  public TaskOptions withTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return new TaskOptions(
        countdown, eta, timeout, id, rateKey, priority, keepResult, uniqueKey, uniqueFor);
  }

  /**
   * The task's id, chosen by the caller instead of a random UUID, so that it can be cancelled
   * ({@code QueueAdmin.cancel}) or looked up later: 1 to 200 letters, digits, {@code . _ : -}. Ids
   * should be unique; one pool refuses an id that is still waiting for its result.
   *
   * @throws IllegalArgumentException when it holds other characters or is too long
   */
  public TaskOptions withId(String id) {
    Objects.requireNonNull(id, "id");
    dev.spool.Names.taskId(id);
    return new TaskOptions(
        countdown, eta, timeout, id, rateKey, priority, keepResult, uniqueKey, uniqueFor);
  }

  /**
   * The key the task's rate limit is counted under, e.g. a customer id: with a consumer limit of
   * {@code charge=10/s}, each key may start 10 {@code charge} tasks a second. 1 to 200 characters,
   * no control characters.
   */
  public TaskOptions withRateKey(String rateKey) {
    Objects.requireNonNull(rateKey, "rateKey");
    dev.spool.Names.key("rate key", rateKey);
    return new TaskOptions(
        countdown, eta, timeout, id, rateKey, priority, keepResult, uniqueKey, uniqueFor);
  }

  /**
   * The task's priority, 0 (the default, lowest) to 9 (highest). A task with a priority travels in
   * the work queue's urgent lane, which every consumer reads beside the work queue, and starts
   * before any task of priority 0 waiting there or in a consumer (docs/guides/priorities.md).
   *
   * @throws IllegalArgumentException when not from 0 to 9
   */
  public TaskOptions withPriority(int priority) {
    return new TaskOptions(
        countdown,
        eta,
        timeout,
        id,
        rateKey,
        requirePriority(priority),
        keepResult,
        uniqueKey,
        uniqueFor);
  }

  /**
   * Keeps the task's record and result in Redis for {@code keep} after it ends (1 ms to 90 days),
   * readable by id from any process: {@code spool.result(id)}, {@code spool-producer result ID}.
   * Such a task runs even when the process that submitted it has gone. Overrides the pool's {@link
   * TaskPoolConfig#keepResults}.
   *
   * @throws IllegalArgumentException when not from 1 ms to 90 days
   */
  public TaskOptions withKeepResult(Duration keep) {
    return new TaskOptions(
        countdown,
        eta,
        timeout,
        id,
        rateKey,
        priority,
        TaskPoolConfig.requireKeep("keepResult", keep),
        uniqueKey,
        uniqueFor);
  }

  /**
   * Makes the task unique under {@code key} (1 to 200 characters, no control characters): while a
   * task submitted with an equal key is waiting or running (and at most {@code hold}, from 1 ms to
   * 30 days, in case it never ends), {@code TaskPool.submit} returns that task's id instead of
   * sending another. The key is let go when the task ends, however it ends. For {@code submit}
   * only: a call that waits for a result would wait on a task it did not send.
   *
   * @throws IllegalArgumentException for an empty or too long key, or a hold out of range
   */
  public TaskOptions withUniqueKey(String key, Duration hold) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(hold, "hold");
    dev.spool.Names.key("uniqueness key", key);
    if (hold.isZero() || hold.isNegative() || hold.compareTo(Duration.ofDays(30)) > 0) {
      throw new IllegalArgumentException(
          "a uniqueness key is held from 1 ms to 30 days, not " + hold);
    }
    return new TaskOptions(countdown, eta, timeout, id, rateKey, priority, keepResult, key, hold);
  }

  /** The uniqueness key, or null. */
  public String uniqueKey() {
    return uniqueKey;
  }

  /** How long the uniqueness key is held at most, or null. */
  public Duration uniqueFor() {
    return uniqueFor;
  }

  /** How long the result is kept, or null for the pool's setting. */
  public Duration keepResult() {
    return keepResult;
  }

  /** The priority, 0 to 9. */
  public int priority() {
    return priority;
  }

  static int requirePriority(int priority) {
    if (priority < 0 || priority > Topology.MAX_PRIORITY) {
      throw new IllegalArgumentException(
          "priority must be from 0 to " + Topology.MAX_PRIORITY + ", was " + priority);
    }
    return priority;
  }

  /** The rate key, or null. */
  public String rateKey() {
    return rateKey;
  }

  /** The id chosen by the caller, or null for a random one. */
  public String id() {
    return id;
  }

  /** The countdown, or null. */
  public Duration countdown() {
    return countdown;
  }

  /** The due time, or null. */
  public Instant eta() {
    return eta;
  }

  /** The timeout, or null for the pool's default. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * When a task submitted now is due, or null when at once.
   *
   * @throws IllegalArgumentException when the eta is more than 30 days ahead
   */
  Instant dueAt(Clock clock) {
    return due(countdown, eta, clock);
  }

  /** Shared with {@link MapOptions}: the due time of a countdown or eta submitted now. */
  static Instant due(Duration countdown, Instant eta, Clock clock) {
    Instant now = clock.instant();
    if (countdown != null) return countdown.isZero() ? null : now.plus(countdown);
    if (eta == null || !eta.isAfter(now)) return null;
    if (Duration.between(now, eta).compareTo(Topology.MAX_DELAY) > 0) {
      throw new IllegalArgumentException(
          "eta " + eta + " is more than " + Topology.MAX_DELAY.toDays() + " days ahead");
    }
    return eta;
  }

  @Override
  public String toString() {
    return "TaskOptions{countdown="
        + countdown
        + ", eta="
        + eta
        + ", timeout="
        + timeout
        + ", id="
        + id
        + ", rateKey="
        + rateKey
        + ", priority="
        + priority
        + ", keepResult="
        + keepResult
        + ", uniqueKey="
        + uniqueKey
        + "}";
  }
}
