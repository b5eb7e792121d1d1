package dev.spool.testing.services;

import java.util.List;
import java.util.Map;

/**
 * Fault injection on the services under test, for the chaos suite: cut the broker's connections,
 * restart the broker, pause Redis. Only on services the tests started themselves: a RabbitMQ node
 * and a redis-server of their own ({@link OwnServices}), driven with {@code rabbitmqctl -n} and
 * signals, or Testcontainers' containers, driven with {@code docker exec} and {@code docker pause}.
 * On services the tests found (the machine's, or given by URI) the faults fail, saying so; only the
 * listings ({@link #queueCounts}, {@link #connectionNames}) work there.
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
    return readOnly(null, why);
  }

  /**
   * Faults for services the tests did not start (the machine's own): the listings go to {@code
   * listings} (null: none), every fault fails with {@code why}, so that a test can never stop,
   * alarm, cut or freeze a service that others use.
   */
  static Faults readOnly(Faults listings, String why) {
    return new Faults() {
      private IllegalStateException no() {
        return new IllegalStateException(
            "no fault is injected here: "
                + why
                + "; annotate the test @OwnServices to get a RabbitMQ node and a Redis of its own");
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
        if (listings == null) throw no();
        return listings.queueCounts(prefix);
      }

      @Override
      public List<String> connectionNames() {
        if (listings == null) throw no();
        return listings.connectionNames();
      }
    };
  }
}
