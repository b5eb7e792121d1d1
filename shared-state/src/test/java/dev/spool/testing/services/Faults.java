package dev.spool.testing.services;

import java.util.List;
import java.util.Map;

/**
 * Fault injection on the services under test, for the chaos suite: cut the broker's connections,
 * restart the broker, pause Redis. Local services are driven with {@code rabbitmqctl} and {@code
 * kill}; Testcontainers services with {@code docker exec} and {@code docker pause}. Services given
 * by URI cannot be driven: every call then fails, saying so.
 */
public interface Faults {
  /** Closes every client connection on the broker, as a network cut would. */
  void closeAllConnections();

  /** Stops the broker application and starts it again; durable queues and their messages stay. */
  void restartBroker();

  /**
   * Raises the broker's memory alarm (a high-water mark near zero): it blocks every publishing
   * connection until {@link #clearMemoryAlarm()}.
   */
  void raiseMemoryAlarm();

  /** Undoes {@link #raiseMemoryAlarm()}: the high-water mark as it was before. */
  void clearMemoryAlarm();

  /** Freezes Redis (SIGSTOP, or a paused container): it accepts connections but never answers. */
  void pauseRedis();

  /** Undoes {@link #pauseRedis()}. */
  void resumeRedis();

  /**
   * Ready and unacked message counts of every queue whose name starts with {@code prefix}, from the
   * broker's own listing: {@code [ready, unacked]} by queue name.
   */
  Map<String, long[]> queueCounts(String prefix);

  /** The client-provided names of the connections open on the broker now, from its own listing. */
  List<String> connectionNames();

  /** Faults for services this suite cannot drive: each call fails with {@code why}. */
  static Faults unavailable(String why) {
    return new Faults() {
      private IllegalStateException no() {
        return new IllegalStateException(
            "the chaos suite cannot inject faults here: "
                + why
                + "; run it against local"
                + " services (.ci/run starts them) or through Testcontainers");
      }

      @Override
      public void closeAllConnections() {
        throw no();
      }

      @Override
      public void restartBroker() {
        throw no();
      }

      @Override
      public void raiseMemoryAlarm() {
        throw no();
      }

      @Override
      public void clearMemoryAlarm() {
        throw no();
      }

      @Override
      public void pauseRedis() {
        throw no();
      }

      @Override
      public void resumeRedis() {
        throw no();
      }

      @Override
      public Map<String, long[]> queueCounts(String prefix) {
        throw no();
      }

      @Override
      public List<String> connectionNames() {
        throw no();
      }
    };
  }
}
