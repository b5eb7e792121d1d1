package dev.spool.core.wire;

import com.rabbitmq.client.Channel;
import dev.spool.core.SpoolException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Queue names under a namespace, and their declarations.
 *
 * <ul>
 *   <li>work queue {@code <namespace>.work.<name>} (default name {@code tasks}): durable, tasks and
 *       poison pills;
 *   <li>reply queue {@code <namespace>.reply.<producer-id>}: one per producer; the producer deletes
 *       it on close, and the broker deletes it after {@link #REPLY_QUEUE_EXPIRY} unused if the
 *       producer died.
 * </ul>
 *
 * Immutable and thread-safe.
 */
public final class Topology {
  public static final String DEFAULT_QUEUE = "tasks";

  /** How long a reply queue survives without a consumer: long enough to ride out a reconnect. */
  public static final Duration REPLY_QUEUE_EXPIRY = Duration.ofMinutes(30);

  private static final Pattern QUEUE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  private final String namespace;

  public Topology(String namespace) {
    this.namespace = Objects.requireNonNull(namespace, "namespace");
  }

  public String namespace() {
    return namespace;
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

  /** Declares work queue {@code name} (idempotent) and returns its full name. */
  public String declareWorkQueue(Channel channel, String name) {
    String queue = workQueue(name);
    Map<String, Object> args = Map.of("x-queue-type", "classic");
    try {
      channel.queueDeclare(queue, true, false, false, args);
      return queue;
    } catch (IOException e) {
      throw new SpoolException(
          "cannot declare work queue "
              + queue
              + " ("
              + AmqpConnector.reason(e)
              + "); if it exists with other settings, delete it in the RabbitMQ dashboard",
          e);
    }
  }

  /** Declares the reply queue of {@code producerId} and returns its full name. */
  public String declareReplyQueue(Channel channel, String producerId) {
    String queue = replyQueue(producerId);
    Map<String, Object> args =
        Map.of("x-queue-type", "classic", "x-expires", REPLY_QUEUE_EXPIRY.toMillis());
    try {
      channel.queueDeclare(queue, true, false, false, args);
      return queue;
    } catch (IOException e) {
      throw new SpoolException(
          "cannot declare reply queue " + queue + " (" + AmqpConnector.reason(e) + ")", e);
    }
  }
}
