package dev.spool.core;

import java.util.Locale;

/**
 * The RabbitMQ queue type of Spool's work, dead-letter and delay queues.
 *
 * <ul>
 *   <li>{@link #QUORUM}: replicated (Raft), a delivery limit ends the loop of a task that keeps
 *       killing its consumer, dead-lettering is at-least-once. The default.
 *   <li>{@link #CLASSIC}: one copy, lighter on a single node, no delivery limit.
 * </ul>
 */
public enum QueueType {
  QUORUM,
  CLASSIC;

  /** The {@code x-queue-type} argument. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  static QueueType parse(String setting, String value) {
    for (QueueType t : values()) {
      if (t.toString().equalsIgnoreCase(value.trim())) return t;
    }
    throw new IllegalArgumentException(
        setting + ": '" + value + "' is not a queue type; use quorum or classic");
  }
}
