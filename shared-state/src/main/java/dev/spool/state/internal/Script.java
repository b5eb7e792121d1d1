package dev.spool.state.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/** A Lua script run by its SHA1 (EVALSHA), loaded on first use or after a Redis restart. */
final class Script {
  private final String source;
  private final String sha;

  Script(String source) {
    this.source = source;
    try {
      byte[] d = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
      this.sha = HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-1", e);
    }
  }

  /**
   * Runs the script, then {@code WAIT}s for {@code replicas} on the same pooled connection, in one
   * round trip. Returns null when Redis did not have the script loaded (it is loaded then: call
   * again).
   */
  Redis.Acked runAndWait(
      UnifiedJedis jedis, List<String> keys, List<String> args, int replicas, long timeoutMs) {
    try (AbstractPipeline p = jedis.pipelined()) {
      Response<Object> result = p.evalsha(sha, keys, args);
      Response<Long> acked = p.waitReplicas(keys.getFirst(), replicas, timeoutMs);
      p.sync();
      try {
        return new Redis.Acked(result.get(), acked.get());
      } catch (JedisDataException e) {
        if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) throw e;
      }
    }
    jedis.scriptLoad(source, keys.getFirst());
    return null;
  }

  Object run(UnifiedJedis jedis, List<String> keys, List<String> args) {
    try {
      return jedis.evalsha(sha, keys, args);
    } catch (JedisNoScriptException e) {
      return jedis.eval(source, keys, args);
    }
  }
}
