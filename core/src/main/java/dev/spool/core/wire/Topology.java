package dev.spool.core.wire;

import com.rabbitmq.client.Channel;
import dev.spool.SpoolException;
import dev.spool.core.QueueType;
import dev.spool.core.SpoolConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Queue names under a namespace, and their declarations.
 *
 * <ul>
 *   <li>work queue {@code <ns>.work.<name>} (default name {@code tasks}): tasks and poison pills.
 *       Quorum by default, with a delivery limit; dead-letters to the dead-letter queue.
 *   <li>urgent lane {@code <ns>.urgent.<name>}: tasks with a priority (1 to 9), which every
 *       consumer of the work queue also consumes, and runs before those of priority 0 it holds.
 *       Declared like the work queue.
 *   <li>dead-letter queue {@code <ns>.dead.<name>}: tasks that failed for good, with the reason.
 *   <li>delay queues {@code <ns>.delay.<name>.<ms>}: a retried task waits in the one whose fixed
 *       TTL matches its backoff, then the broker dead-letters it back to the work queue. Every
 *       message in a delay queue has the same TTL, so none waits behind a longer one. Declared on
 *       first use; the broker deletes one unused for {@link #DELAY_QUEUE_IDLE} past its TTL. (Tasks
 *       delayed by their producer wait in Redis instead: {@link ParkedTask}.)
 *   <li>reply queue {@code <ns>.reply.<producer-id>}: one per producer; deleted on close, or by the
 *       broker after {@link #REPLY_QUEUE_EXPIRY} unused. Classic on a single broker node; a quorum
 *       queue when the configuration names several nodes, so that the results in it, and those
 *       published while a node is down, survive the loss of any one node.
 * </ul>
 *
 * Immutable and thread-safe.
 */
public final class Topology {
  public static final String DEFAULT_QUEUE = "tasks";

  /** How long a reply queue survives without a consumer: long enough to ride out a reconnect. */
  public static final Duration REPLY_QUEUE_EXPIRY = Duration.ofMinutes(30);

  /** How long a delay queue outlives its last use, beyond its TTL. */
  public static final Duration DELAY_QUEUE_IDLE = Duration.ofMinutes(10);

  /** The longest delay a producer may give a task. */
  public static final Duration MAX_DELAY = Duration.ofDays(30);

  /** The delays a retry can wait: 100 ms times powers of the square root of 2, up to 2 hours. */
  private static final long[] DELAY_BUCKETS_MS = buckets();

  private static final Pattern QUEUE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  private final String namespace;
  private final QueueType type;
  private final int deliveryLimit;
  private final boolean replicatedReplies;

  /** Names only, with default queue settings (quorum). */
  public Topology(String namespace) {
    this(namespace, QueueType.QUORUM, SpoolConfig.DEFAULT_DELIVERY_LIMIT);
  }

  public Topology(SpoolConfig config) {
    this(
        config.namespace(),
        config.queueType(),
        config.deliveryLimit(),
        config.amqpAddresses().size() > 1);
  }

  public Topology(String namespace, QueueType type, int deliveryLimit) {
    this(namespace, type, deliveryLimit, false);
  }

  /**
   * @param replicatedReplies reply queues as quorum queues (for a cluster), else classic
   */
  public Topology(String namespace, QueueType type, int deliveryLimit, boolean replicatedReplies) {
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.type = Objects.requireNonNull(type, "type");
    this.deliveryLimit = deliveryLimit;
    this.replicatedReplies = replicatedReplies;
  }

  private static long[] buckets() {
    List<Long> b = new ArrayList<>();
    for (int i = 0; ; i++) {
      long ms = Math.round(100 * Math.pow(2, i / 2.0));
      if (ms > Duration.ofHours(2).toMillis()) break;
      b.add(ms);
    }
    return b.stream().mapToLong(Long::longValue).toArray();
  }

  public String namespace() {
    return namespace;
  }

  public QueueType queueType() {
    return type;
  }

  public int deliveryLimit() {
    return deliveryLimit;
  }

  /**
   * The full name of work queue {@code name}.
   *
   * @throws IllegalArgumentException when the name is not 1 to 64 lower-case letters, digits, '-'
   *     or '_'
   */
  public String workQueue(String name) {
    requireQueueName(name);
    return namespace + ".work." + name;
  }

  /** The full name of the urgent lane of work queue {@code name}: tasks with a priority. */
  public String urgentQueue(String name) {
    requireQueueName(name);
    return namespace + ".urgent." + name;
  }

  /** The highest task priority; 0, the default, is the lowest. */
  public static final int MAX_PRIORITY = 9;

  /** The full name of the dead-letter queue of work queue {@code name}. */
  public String deadQueue(String name) {
    requireQueueName(name);
    return namespace + ".dead." + name;
  }

  /** The full name of the delay queue of work queue {@code name} holding messages {@code ms}. */
  public String delayQueue(String name, long ms) {
    requireQueueName(name);
    return namespace + ".delay." + name + "." + ms;
  }

  /** Every queue that work queue {@code name} may use: itself, its dead letters, its delays. */
  public List<String> queuesOf(String name) {
    List<String> all = new ArrayList<>();
    all.add(workQueue(name));
    all.add(urgentQueue(name));
    all.add(deadQueue(name));
    for (long ms : DELAY_BUCKETS_MS) all.add(delayQueue(name, ms));
    return all;
  }

  /** The longest delay bucket not above {@code delay} (the shortest if all are above it). */
  public static long delayBucket(Duration delay) {
    long ms = delay.toMillis();
    long chosen = DELAY_BUCKETS_MS[0];
    for (long b : DELAY_BUCKETS_MS) {
      if (b <= ms) chosen = b;
    }
    return chosen;
  }

  /**
   * The name, in shared state, of work queue {@code name}'s pause flag: while it holds a value (who
   * paused it, and when), consumers of the queue take no tasks.
   */
  public static String pauseFlag(String name) {
    requireQueueName(name);
    return "paused." + name;
  }

  /** The name, in shared state, of the set of cancelled task ids (one per namespace). */
  public static final String CANCELLED_SET = "cancelled";

  /**
   * The name, in shared state, of the schedule where delayed tasks of work queue {@code name} wait.
   */
  public static String delayedSchedule(String name) {
    requireQueueName(name);
    return "delayed." + name;
  }

  /**
   * The name, in shared state, of the schedule where tasks of work queue {@code name} put aside by
   * a rate limit wait for their start slot.
   */
  public static String rateLimitedSchedule(String name) {
    requireQueueName(name);
    return "ratelimited." + name;
  }

  /** The full name of the typed queue {@code name} ({@code SpoolQueue}, {@code JoinableQueue}). */
  public String plainQueue(String name) {
    requireQueueName(name);
    return namespace + ".queue." + name;
  }

  /**
   * The full name of the queue holding messages to end {@code end} (a or b) of pipe {@code name}.
   */
  public String pipeQueue(String name, String end) {
    requireQueueName(name);
    return namespace + ".pipe." + name + "." + end;
  }

  /**
   * Declares a durable classic queue for a pipe end, whatever the configured type: a pipe end is
   * held by an exclusive consumer, and quorum queues do not enforce exclusive consumers (RabbitMQ
   * 3.x accepts a second one).
   */
  public String declarePipeQueue(Channel channel, String fullName) {
    Map<String, Object> args = new HashMap<>();
    args.put("x-queue-type", QueueType.CLASSIC.toString());
    return declare(channel, fullName, args);
  }

  /** Declares a durable queue of the configured type with no further arguments. */
  public String declarePlainQueue(Channel channel, String fullName) {
    return declare(channel, fullName, typed());
  }

  public String replyQueue(String producerId) {
    return namespace + ".reply." + producerId;
  }

  /** Checks a short work-queue name as given on a command line or in code. */
  public static String requireQueueName(String name) {
    if (name == null || !QUEUE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "queue name '"
              + name
              + "' is invalid; use 1 to 64 lower-case letters, digits, '-' or '_'");
    }
    return name;
  }

  /**
   * Declares work queue {@code name} and its dead-letter queue (idempotent) and returns the work
   * queue's full name.
   */
  public String declareWorkQueue(Channel channel, String name) {
    return declareTaskQueue(channel, name, workQueue(name));
  }

  /**
   * Declares the urgent lane of work queue {@code name} (and its dead-letter queue), as the work
   * queue is declared, and returns the lane's full name.
   */
  public String declareUrgentQueue(Channel channel, String name) {
    return declareTaskQueue(channel, name, urgentQueue(name));
  }

  /** A queue tasks of work queue {@code name} travel in: dead letters and delivery limit alike. */
  private String declareTaskQueue(Channel channel, String name, String fullName) {
    declare(channel, deadQueue(name), typed());
    Map<String, Object> args = typed();
    deadLetterTo(args, deadQueue(name));
    if (type == QueueType.QUORUM) args.put("x-delivery-limit", deliveryLimit);
    return declare(channel, fullName, args);
  }

  /** Declares the dead-letter queue of work queue {@code name} and returns its full name. */
  public String declareDeadQueue(Channel channel, String name) {
    return declare(channel, deadQueue(name), typed());
  }

  /**
   * Declares the delay queue of {@code name} for {@code ms} (a {@link #delayBucket}) and returns
   * its full name. Declaring again restarts its expiry clock, so declare it before each use.
   */
  public String declareDelayQueue(Channel channel, String name, long ms) {
    Map<String, Object> args = typed();
    args.put("x-message-ttl", ms);
    args.put("x-expires", ms + DELAY_QUEUE_IDLE.toMillis());
    deadLetterTo(args, workQueue(name));
    return declare(channel, delayQueue(name, ms), args);
  }

  private Map<String, Object> typed() {
    Map<String, Object> args = new HashMap<>();
    args.put("x-queue-type", type.toString());
    return args;
  }

  private void deadLetterTo(Map<String, Object> args, String queue) {
    args.put("x-dead-letter-exchange", ""); // the default exchange routes by queue name
    args.put("x-dead-letter-routing-key", queue);
    if (type == QueueType.QUORUM) {
      args.put("x-dead-letter-strategy", "at-least-once");
      args.put("x-overflow", "reject-publish"); // required by at-least-once dead-lettering
    }
  }

  private String declare(Channel channel, String queue, Map<String, Object> args) {
    try {
      channel.queueDeclare(queue, true, false, false, args);
      return queue;
    } catch (IOException e) {
      throw new SpoolException(
          "cannot declare queue "
              + queue
              + " as "
              + type
              + " ("
              + AmqpConnector.reason(e)
              + "); if it exists with other settings (an older Spool, or another"
              + " SPOOL_QUEUE_TYPE or SPOOL_DELIVERY_LIMIT), delete it (rabbitmqctl delete_queue "
              + queue
              + ") or use the settings it was made with",
          e);
    }
  }

  /** True when reply queues are quorum queues: several broker nodes are configured. */
  public boolean replicatedReplies() {
    return replicatedReplies;
  }

  /** Declares the reply queue of {@code producerId} and returns its full name. */
  public String declareReplyQueue(Channel channel, String producerId) {
    String queue = replyQueue(producerId);
    Map<String, Object> args =
        Map.of(
            "x-queue-type",
            replicatedReplies ? "quorum" : "classic",
            "x-expires",
            REPLY_QUEUE_EXPIRY.toMillis());
    try {
      channel.queueDeclare(queue, true, false, false, args);
      return queue;
    } catch (IOException e) {
      throw new SpoolException(
          "cannot declare reply queue " + queue + " (" + AmqpConnector.reason(e) + ")", e);
    }
  }
}
