package dev.spool.core;

/**
 * RabbitMQ blocks publishes from this connection because of a resource alarm (memory or disk): a
 * publish was not confirmed, and will not be until the alarm clears. What was published may still
 * be delivered then.
 */
public class SpoolBrokerBlockedException extends SpoolConnectionException {
  private final String alarm;

  public SpoolBrokerBlockedException(String message, String alarm) {
    super(message);
    this.alarm = alarm;
  }

  /** The reason the broker gave, e.g. {@code "low on memory"}. */
  public String alarm() {
    return alarm;
  }
}
