package dev.spool.state;

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

  Redis(UnifiedJedis client, String where, StateListener listener) {
    this.client = client;
    this.where = where;
    this.listener = listener;
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
