package dev.spool.core.wire;

import java.util.Map;

/** Names and readers of the {@code spool-*} AMQP headers. */
public final class Headers {
  /** {@code task} or {@code pill}. */
  public static final String KIND = "spool-kind";

  /** 1 for the first delivery attempt of a task. */
  public static final String ATTEMPT = "spool-attempt";

  /** Index of the task's first input within its map. */
  public static final String POSITION = "spool-position";

  /** Present on a chunk: how many inputs the body's JSON array holds. */
  public static final String CHUNK = "spool-chunk";

  /** Epoch milliseconds after which the producer no longer waits for the result. */
  public static final String DEADLINE = "spool-deadline";

  /** On a result: {@code ok} or {@code error}. */
  public static final String STATUS = "spool-status";

  /** On a result: the consumer that produced it. */
  public static final String WORKER = "spool-worker";

  /**
   * On a task: {@code batch} when its reply queue's reader takes several results to a message
   * ({@link ResultBatch}); without it, a consumer sends the task's result alone.
   */
  public static final String REPLIES = "spool-replies";

  public static final String REPLIES_BATCH = "batch";

  /** On a result message that carries several ({@link ResultBatch}): how many. */
  public static final String RESULTS = "spool-results";

  /** On a pill: epoch milliseconds when it was issued. */
  public static final String ISSUED_AT = "spool-issued-at";

  /**
   * On a pill: whose clock dated it, {@code redis} (the Redis server's TIME, shared by every
   * process) or {@code host} (the sender's own clock).
   */
  public static final String CLOCK = "spool-clock";

  /** The process that published a message. */
  public static final String SENDER = "spool-sender";

  /** When a delayed task was due (epoch milliseconds, Redis's clock), for its consumer's logs. */
  public static final String DUE = "spool-due";

  /** On a task: a key under which it may succeed at most once (a Redis marker). */
  public static final String IDEMPOTENCY_KEY = "spool-idempotency-key";

  /**
   * On a task: the key its task's rate limit is counted under (e.g. a customer id), so that each
   * key gets the limit of its own; without it the task name's one limit applies.
   */
  public static final String RATE_KEY = "spool-rate-key";

  /**
   * On a task with a priority (1 to 9; none is 0): the same as its AMQP priority property, kept as
   * a header so that it survives waiting in Redis ({@link ParkedTask}). Such a task travels in the
   * work queue's urgent lane ({@link Topology#urgentQueue}).
   */
  public static final String PRIORITY = "spool-priority";

  /**
   * On a task: the attempt for which a consumer booked it a start slot under its rate limit; it
   * waited for the slot in Redis and starts without asking again.
   */
  public static final String RATE_SLOT = "spool-rate-slot";

  /**
   * On a task: how long, in ms, its record and result are kept in Redis after it ends, readable by
   * id from any process ({@code dev.spool.state.internal.TaskRecords}). Such a task always runs,
   * whether or not its producer is still there.
   */
  public static final String KEEP_RESULT = "spool-keep-result";

  /**
   * On a task whose result is kept: a random token of this submission (hex), so that its record,
   * written by the producer while it publishes, and the consumer's writes, in whatever order they
   * come, are told apart from those of another submission under the same id.
   */
  public static final String SUBMISSION = "spool-submission";

  /** On a workflow's step: the workflow's id ({@code dev.spool.state.internal.Workflows}). */
  public static final String FLOW = "spool-flow";

  /** On a workflow's step: its node in the workflow's tree. */
  public static final String FLOW_NODE = "spool-flow-node";

  /** On a workflow's step: how long, in ms, the workflow's state is kept after it ends. */
  public static final String FLOW_KEEP = "spool-flow-keep";

  /**
   * On a task: the SHA-256 of its uniqueness key ({@code dev.spool.state.internal.UniqueKeys}),
   * which it holds until it ends; the consumer that ends it lets go of it.
   */
  public static final String UNIQUE_KEY = "spool-unique-key";

  /**
   * On a task: {@code run} to run it even when nobody can receive its result any more (its producer
   * is gone); without it such a task is skipped.
   */
  public static final String IF_ABANDONED = "spool-if-abandoned";

  public static final String IF_ABANDONED_RUN = "run";

  /**
   * On a task: times it was set aside because its producer did not read its reply queue (it had
   * died, or was reconnecting), so that it did not hold up other producers' tasks meanwhile.
   */
  public static final String DEFERRALS = "spool-deferrals";

  /** On a task: times it was put back because a service it needed (Redis) was down. */
  public static final String REQUEUES = "spool-requeues";

  /** On a dead letter: why, one of {@link dev.spool.core.DeadLetter.Reason}. */
  public static final String DEAD_REASON = "spool-dead-reason";

  /** On a dead letter: the error, as a JSON {@link dev.spool.core.RemoteError}. */
  public static final String DEAD_ERROR = "spool-dead-error";

  /** On a dead letter: how many attempts were made. */
  public static final String DEAD_ATTEMPTS = "spool-dead-attempts";

  /** On a dead letter: the consumer that dead-lettered it. */
  public static final String DEAD_WORKER = "spool-dead-worker";

  /** On a dead letter: epoch milliseconds when it was dead-lettered. */
  public static final String DEAD_AT = "spool-dead-at";

  /** On a dead letter: the short name of the work queue it came from. */
  public static final String DEAD_QUEUE = "spool-dead-queue";

  /** Set by quorum queues on a redelivery: how often the message was returned before. */
  public static final String DELIVERY_COUNT = "x-delivery-count";

  /** Set by the broker on a message it dead-lettered. */
  public static final String X_DEATH = "x-death";

  public static final String KIND_TASK = "task";
  public static final String KIND_PILL = "pill";
  public static final String STATUS_OK = "ok";
  public static final String STATUS_ERROR = "error";

  private Headers() {}

  public static String string(Map<String, Object> headers, String name) {
    Object v = headers == null ? null : headers.get(name);
    return v == null ? null : v.toString(); // LongString prints its text
  }

  /** As {@link #number}, but null instead of an exception when the header is not a number. */
  public static Long numberOrNull(Map<String, Object> headers, String name) {
    try {
      return number(headers, name);
    } catch (MalformedMessageException e) {
      return null;
    }
  }

  public static Long number(Map<String, Object> headers, String name) {
    Object v = headers == null ? null : headers.get(name);
    if (v instanceof Number n) {
      return n.longValue();
    }
    if (v != null) {
      try {
        return Long.parseLong(v.toString());
      } catch (NumberFormatException e) {
        throw new MalformedMessageException("header " + name + " is not a number: '" + v + "'");
      }
    }
    return null;
  }
}
