package dev.spool;

/**
 * The root of every exception Spool throws. Unchecked: callers catch the subtype whose meaning they
 * can act on:
 *
 * <ul>
 *   <li>{@code SpoolConnectionException}: RabbitMQ or Redis cannot be reached, refused, or went
 *       away; {@code SpoolBrokerBlockedException} when the broker blocks publishers (an alarm);
 *   <li>{@link SpoolTimeoutException}: a wait ran out ({@code TaskTimeoutException}, {@code
 *       QueueEmptyException}, {@link LockTimeoutException}, {@link TaskTimeLimitException});
 *   <li>{@code TaskFailedException}: a task failed remotely, with the remote type, message and
 *       stack;
 *   <li>{@code SpoolCodecException}: input or output that is not valid for its type;
 *   <li>{@code QueueClosedException}, {@code PipeTakenException}: the state of a queue or pipe;
 *   <li>{@link SharedStateException}: the shared state (a lock lost or nested out of order, state
 *       lost, Redis unreachable);
 *   <li>{@link NotRetryableException}: thrown by a handler, fails its task without retries.
 * </ul>
 *
 * Invalid arguments and settings throw {@link IllegalArgumentException} naming the setting; a
 * closed handle throws {@link IllegalStateException}.
 */
public class SpoolException extends RuntimeException {
  public SpoolException(String message) {
    super(message);
  }

  public SpoolException(String message, Throwable cause) {
    super(message, cause);
  }
}
