package dev.spool.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
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

  Object run(UnifiedJedis jedis, List<String> keys, List<String> args) {
    try {
      return jedis.evalsha(sha, keys, args);
    } catch (JedisNoScriptException e) {
      return jedis.eval(source, keys, args);
    }
  }
}
