package dev.spool.core;

/**
 * The root of every exception Spool's queues, pools, pipes and consumers throw. Unchecked: callers
 * catch the subtype whose meaning they can act on:
 *
 * <ul>
 *   <li>{@link SpoolConnectionException}: RabbitMQ or Redis cannot be reached, refused, or went
 *       away; {@link SpoolBrokerBlockedException} when the broker blocks publishers (an alarm);
 *   <li>{@link SpoolTimeoutException}: a wait ran out ({@link TaskTimeoutException}, {@link
 *       QueueEmptyException}, a task's time limit);
 *   <li>{@link TaskFailedException}: a task failed remotely, with the remote type, message and
 *       stack;
 *   <li>{@link SpoolCodecException}: input or output that is not valid for its type;
 *   <li>{@link QueueClosedException}, {@link PipeTakenException}: the state of a queue or pipe.
 * </ul>
 *
 * Invalid arguments and settings throw {@link IllegalArgumentException} naming the setting; a
 * closed handle throws {@link IllegalStateException}. Shared state ({@code dev.spool.state}) stands
 * alone and has its own root, {@code SharedStateException}, with the same meanings.
 */
public class SpoolException extends RuntimeException {
  public SpoolException(String message) {
    super(message);
  }

  public SpoolException(String message, Throwable cause) {
    super(message, cause);
  }
}
