package dev.spool.producer;

import com.fasterxml.jackson.databind.JavaType;
import dev.spool.SharedState;
import dev.spool.SpoolException;
import dev.spool.StateConnectionException;
import dev.spool.TypeToken;
import dev.spool.core.RemoteError;
import dev.spool.core.SpoolCodecException;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.TaskCancelledException;
import dev.spool.core.TaskFailedException;
import dev.spool.core.TaskTimeoutException;
import dev.spool.core.wire.JsonCodec;
import dev.spool.state.internal.RedisState;
import dev.spool.state.internal.TaskRecords;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The state and result of a task whose result is kept ({@link TaskOptions#withKeepResult}), by its
 * id, from any process: the one that submitted it, or another long after it exited.
 *
 * <pre>{@code
 * String id = pool.submit("report", request, TaskOptions.defaults().withKeepResult(Duration.ofDays(1)));
 * // later, anywhere:
 * AsyncResult r = spool.result(id);
 * if (r.state() == TaskState.SUCCEEDED) process(r.get(Report.class, Duration.ZERO));
 * }</pre>
 *
 * <p>Every call reads Redis once (waiting reads it again and again, from every 5 ms up to every 200
 * ms). Thread-safe.
 */
public final class AsyncResult {
  private static final JsonCodec CODEC = new JsonCodec();
  private static final long FIRST_POLL_MS = 5;
  private static final long MAX_POLL_MS = 200;

  private final TaskRecords records;
  private final String id;
  private final Clock clock;

  private AsyncResult(TaskRecords records, String id, Clock clock) {
    this.records = records;
    this.id = TaskRecords.requireId(id);
    this.clock = clock;
  }

  /**
   * Task {@code id} in {@code state}'s namespace, for a process that needs only Redis; a program
   * with a {@link Spool} uses {@link Spool#result(String)}.
   *
   * @throws IllegalArgumentException when {@code id} is not 1 to 200 letters, digits, {@code . _ :
   *     -}
   */
  public static AsyncResult of(SharedState state, String id) {
    return new AsyncResult(RedisState.of(state).taskRecords(), id, Clock.systemUTC());
  }

  public String id() {
    return id;
  }

  /**
   * Its state now: {@link TaskState#UNKNOWN} when there is no record.
   *
   * @throws SpoolConnectionException when Redis cannot be reached
   */
  public TaskState state() {
    return status().state();
  }

  /**
   * Everything its record says now.
   *
   * @throws SpoolConnectionException when Redis cannot be reached
   */
  public TaskStatus status() {
    Optional<TaskRecords.Record> r;
    try {
      r = records.read(id);
    } catch (StateConnectionException e) {
      throw new SpoolConnectionException(
          "cannot read the record of task " + id + ": " + e.getMessage(), e);
    }
    if (r.isEmpty()) {
      return new TaskStatus(
          id, TaskState.UNKNOWN, null, null, null, null, null, 0, null, null, null, null, null);
    }
    TaskRecords.Record rec = r.get();
    TaskState state = TaskState.parse(rec.state());
    if (state == TaskState.SCHEDULED && rec.due() != null && !rec.due().isAfter(clock.instant())) {
      state = TaskState.PENDING; // due: moved to the queue, or about to be
    }
    return new TaskStatus(
        id,
        state,
        rec.name(),
        rec.submitted(),
        rec.due(),
        rec.started(),
        rec.finished(),
        rec.attempts(),
        rec.worker(),
        rec.result(),
        error(rec.error()),
        progress(rec.progress()),
        rec.ttl());
  }

  /**
   * Waits until it has ended, up to {@code timeout} (zero: not at all), and returns its status.
   *
   * @throws TaskTimeoutException when it had not ended in time
   * @throws SpoolException when there is no record of it (never kept, or expired)
   */
  public TaskStatus await(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    Instant deadline = clock.instant().plus(timeout);
    long pause = FIRST_POLL_MS;
    while (true) {
      TaskStatus s = status();
      if (s.state().ended()) return s;
      if (s.state() == TaskState.UNKNOWN) {
        throw new SpoolException(
            "no record of task "
                + id
                + ": it was not submitted with its result kept, or its record expired");
      }
      Duration left = Duration.between(clock.instant(), deadline);
      if (left.isNegative() || left.isZero()) {
        throw new TaskTimeoutException(
            "task "
                + id
                + " ("
                + s.name()
                + ") had not ended after "
                + timeout
                + "; it is "
                + s.state());
      }
      try {
        Thread.sleep(Math.min(pause, left.toMillis() + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SpoolException("interrupted while waiting for task " + id, e);
      }
      pause = Math.min(MAX_POLL_MS, pause * 2);
    }
  }

  /**
   * Its result, waiting up to {@code timeout} for it to end.
   *
   * @throws TaskFailedException when it failed or is dead (a {@link TaskCancelledException} when
   *     cancelled), with the remote error
   * @throws TaskTimeoutException when it had not ended in time
   * @throws SpoolException when there is no record of it
   */
  public <R> R get(Class<R> type, Duration timeout) {
    return get(CODEC.type(type), timeout);
  }

  /** As {@link #get(Class, Duration)}, for a generic result type. */
  public <R> R get(TypeToken<R> type, Duration timeout) {
    return get(CODEC.type(type.type()), timeout);
  }

  private <R> R get(JavaType type, Duration timeout) {
    TaskStatus s = await(timeout);
    if (s.state() == TaskState.SUCCEEDED) {
      return CODEC.decode(s.resultJson().getBytes(StandardCharsets.UTF_8), type);
    }
    RemoteError error =
        s.error() != null
            ? s.error()
            : new RemoteError(
                "unknown", "ended " + s.state() + " without an error", null, null, null);
    String name = s.name() == null ? "?" : s.name();
    if (s.state() == TaskState.CANCELLED) throw new TaskCancelledException(name, id, error);
    throw new TaskFailedException(name, id, error);
  }

  private static RemoteError error(String json) {
    if (json == null) return null;
    try {
      return CODEC.decode(json.getBytes(StandardCharsets.UTF_8), RemoteError.class);
    } catch (SpoolCodecException e) {
      return new RemoteError("unknown", "unreadable error: " + e.getMessage(), null, null, null);
    }
  }

  private static TaskStatus.Progress progress(String json) {
    if (json == null) return null;
    try {
      return CODEC.decode(json.getBytes(StandardCharsets.UTF_8), TaskStatus.Progress.class);
    } catch (SpoolCodecException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "AsyncResult{" + id + "}";
  }
}
