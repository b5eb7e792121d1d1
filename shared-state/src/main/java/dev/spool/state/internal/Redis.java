package dev.spool.state.internal;

import dev.spool.SharedStateException;
import dev.spool.StateConnectionException;
import dev.spool.state.StateListener;
import java.util.List;
import java.util.function.Function;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/** A pooled Redis client that turns Jedis failures into messages saying what failed and where. */
final class Redis implements AutoCloseable {
  private final UnifiedJedis client;
  private final String where;
  private final StateListener listener;
  private final int waitReplicas;
  private final long waitTimeoutMs;

  Redis(UnifiedJedis client, String where, StateListener listener) {
    this(client, where, listener, 0, 0);
  }

  /** With {@code waitReplicas} > 0, {@link #acknowledged} waits for that many replicas. */
  Redis(
      UnifiedJedis client,
      String where,
      StateListener listener,
      int waitReplicas,
      long waitTimeoutMs) {
    this.client = client;
    this.where = where;
    this.listener = listener;
    this.waitReplicas = waitReplicas;
    this.waitTimeoutMs = waitTimeoutMs;
  }

  /** What a script returned, and how many replicas had acknowledged it. */
  record Acked(Object result, long replicas) {}

  /**
   * Runs {@code script}; when replicas must acknowledge writes ({@code ?wait-replicas=N}), then
   * {@code WAIT}s for them on the same connection, in the same round trip. {@link #missing} tells
   * whether enough did.
   */
  Acked acknowledged(
      String name, String what, Script script, List<String> keys, List<String> args) {
    if (waitReplicas == 0) {
      return new Acked(call(name, what, j -> script.run(j, keys, args)), 0);
    }
    return call(
        name,
        what,
        j -> {
          Acked a = script.runAndWait(j, keys, args, waitReplicas, waitTimeoutMs);
          return a != null ? a : script.runAndWait(j, keys, args, waitReplicas, waitTimeoutMs);
        });
  }

  /**
   * Throws {@link StateConnectionException} (a Redis outage: the task is put back) when fewer
   * replicas acknowledged {@code a} than required.
   */
  void requireAcknowledged(Acked a, String what) {
    String missing = missing(a, what);
    if (missing != null) throw new StateConnectionException(missing, null);
  }

  /**
   * Null when enough replicas acknowledged {@code a}; otherwise what failed, for a {@link
   * StateConnectionException}.
   */
  String missing(Acked a, String what) {
    if (a.replicas() >= waitReplicas) return null;
    return what
        + " was acknowledged by "
        + a.replicas()
        + " of "
        + waitReplicas
        + " Redis replicas within "
        + waitTimeoutMs
        + " ms (wait-replicas in SPOOL_REDIS_URI), so a failover now could lose it; is a replica"
        + " down or far behind?";
  }

  /**
   * Runs {@code op} on a pooled connection; {@code what} says what it was for errors and starts
   * with the Redis command, which names the operation for metrics.
   */
  <T> T call(String what, Function<UnifiedJedis, T> op) {
    int space = what.indexOf(' ');
    return call(space < 0 ? what : what.substring(0, space), what, op);
  }

  /** As {@link #call(String, Function)}, with the operation's name for metrics given. */
  <T> T call(String name, String what, Function<UnifiedJedis, T> op) {
    long start = System.nanoTime();
    boolean failed = true;
    try {
      T result = op.apply(client);
      failed = false;
      return result;
    } catch (JedisConnectionException e) {
      throw new StateConnectionException(
          "cannot reach Redis at "
              + where
              + " while "
              + what
              + " ("
              + rootMessage(e)
              + "); is it running? set SPOOL_REDIS_URI",
          e);
    } catch (JedisDataException e) {
      throw new SharedStateException("Redis refused " + what + ": " + e.getMessage(), e);
    } catch (JedisException e) {
      throw new SharedStateException("Redis failed while " + what + ": " + rootMessage(e), e);
    } finally {
      listener.operation(name, System.nanoTime() - start, failed);
    }
  }

  String where() {
    return where;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  @Override
  public void close() {
    client.close();
  }
}
