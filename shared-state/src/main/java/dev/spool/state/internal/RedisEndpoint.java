package dev.spool.state.internal;

import dev.spool.Durations;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Where Redis is: one server ({@code redis://}, {@code rediss://}), or a primary found through
 * Sentinel ({@code redis-sentinel://[user:password@]h1:26379,h2:26379/<master>[/<db>]}, {@code
 * rediss-sentinel://} for TLS to the primary). The password is the primary's; the Sentinels are
 * asked without one. Through Sentinel, the pool follows a failover to the new primary.
 *
 * <p>Options in the query: {@code wait-replicas=N} has lock grants and fenced writes wait for N
 * replicas to acknowledge them (Redis's {@code WAIT}), for at most {@code wait-timeout} (1 s by
 * default), so that a failover cannot lose them; {@code protocol=3} is Jedis's.
 */
public final class RedisEndpoint {
  private static final Pattern SENTINEL =
      Pattern.compile(
          "^(rediss?)-sentinel://(?:([^@/]*)@)?([^/@?]+)/([^/?]+)(?:/(\\d{1,2}))?/?(?:\\?(.*))?$");

  private final URI uri;
  private final Set<HostAndPort> sentinels;
  private final String master;
  private final JedisClientConfig client;
  private final JedisClientConfig subscriber; // the same, for a Jedis of its own (RESP2 only)
  private final int waitReplicas;
  private final long waitTimeoutMs;

  private RedisEndpoint(
      URI uri,
      Set<HostAndPort> sentinels,
      String master,
      JedisClientConfig client,
      JedisClientConfig subscriber,
      String query) {
    this.uri = uri;
    this.sentinels = sentinels;
    this.master = master;
    this.client = client;
    this.subscriber = subscriber;
    int replicas = 0;
    long timeout = 1000;
    for (String option : query == null || query.isEmpty() ? new String[0] : query.split("&")) {
      int eq = option.indexOf('=');
      String name = eq < 0 ? option : option.substring(0, eq);
      String value = eq < 0 ? "" : decode(option.substring(eq + 1));
      switch (name) {
        case "wait-replicas" -> {
          if (!value.matches("\\d{1,2}") || Integer.parseInt(value) > 16) {
            throw new IllegalArgumentException(
                "wait-replicas must be a number of replicas from 0 to 16, was '" + value + "'");
          }
          replicas = Integer.parseInt(value);
        }
        case "wait-timeout" -> timeout = waitTimeoutMs(value);
        case "protocol" -> {} // Jedis reads it (RESP2 or RESP3)
        default ->
            throw new IllegalArgumentException(
                "unknown option '"
                    + name
                    + "' in the Redis URI; known: wait-replicas, wait-timeout, protocol");
      }
    }
    this.waitReplicas = replicas;
    this.waitTimeoutMs = timeout;
  }

  /** 1 ms to 1 h, read by Spool's one duration parser. */
  private static long waitTimeoutMs(String value) {
    try {
      long ms = Durations.parsePositive(value).toMillis();
      if (ms >= 1 && ms <= 3_600_000) return ms;
    } catch (IllegalArgumentException e) {
      // said below, with what is expected
    }
    throw new IllegalArgumentException(
        "wait-timeout must be a duration like 500ms or 2s (at most 1h), was '" + value + "'");
  }

  /**
   * Replicas that must acknowledge lock grants and fenced writes ({@code ?wait-replicas=N}), 0 for
   * none.
   */
  int waitReplicas() {
    return waitReplicas;
  }

  /** How long to wait for them ({@code &wait-timeout=500ms}, 1 s by default). */
  long waitTimeoutMs() {
    return waitTimeoutMs;
  }

  /**
   * Reads {@code uri}.
   *
   * @throws IllegalArgumentException saying what is wrong, when a Sentinel URI is malformed
   */
  public static RedisEndpoint of(URI uri) {
    String scheme = uri.getScheme();
    if (!scheme.endsWith("-sentinel")) {
      return new RedisEndpoint(uri, Set.of(), null, null, null, uri.getRawQuery());
    }
    Matcher m = SENTINEL.matcher(uri.toString());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "a Sentinel URI reads "
              + scheme
              + "://[user:password@]host1:26379,host2:26379/<master name>[/<db>][?options]");
    }
    Set<HostAndPort> sentinels = new LinkedHashSet<>();
    for (String node : m.group(3).split(",", -1)) {
      int colon = node.lastIndexOf(':');
      if (!node.matches("[A-Za-z0-9._-]+(:\\d{1,5})?")) {
        throw new IllegalArgumentException(
            "Sentinel address '" + node + "' is not host or host:port");
      }
      try {
        sentinels.add(
            colon < 0
                ? new HostAndPort(node, 26379)
                : new HostAndPort(
                    node.substring(0, colon), Integer.parseInt(node.substring(colon + 1))));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Sentinel address '" + node + "' has no valid port", e);
      }
    }
    DefaultJedisClientConfig.Builder client =
        DefaultJedisClientConfig.builder()
            .ssl(m.group(1).equals("rediss"))
            .database(m.group(5) == null ? 0 : Integer.parseInt(m.group(5)))
            .connectionTimeoutMillis(2000)
            .socketTimeoutMillis(2000);
    String info = m.group(2);
    if (info != null && !info.isEmpty()) {
      int colon = info.indexOf(':');
      String user = colon < 0 ? null : decode(info.substring(0, colon));
      String password = decode(colon < 0 ? info : info.substring(colon + 1));
      if (user != null && !user.isEmpty()) client.user(user);
      client.password(password);
    }
    JedisClientConfig pooled = client.build();
    // Jedis (not RedisClient) speaks RESP2 only: say so, or it warns on every connection.
    JedisClientConfig subscriber = client.autoNegotiateProtocol(false).build();
    return new RedisEndpoint(uri, sentinels, decode(m.group(4)), pooled, subscriber, m.group(6));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  boolean isSentinel() {
    return master != null;
  }

  /**
   * A pooled client of the server, or of the current primary through Sentinel (following a
   * failover).
   */
  UnifiedJedis client(GenericObjectPoolConfig<Connection> pool) {
    if (!isSentinel()) {
      return RedisClient.builder()
          .hostAndPort(JedisURIHelper.getHostAndPort(uri))
          .clientConfig(
              DefaultJedisClientConfig.builder()
                  .user(JedisURIHelper.getUser(uri))
                  .password(JedisURIHelper.getPassword(uri))
                  .database(JedisURIHelper.getDBIndex(uri))
                  .protocol(JedisURIHelper.getRedisProtocol(uri))
                  .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                  .connectionTimeoutMillis(10_000)
                  .socketTimeoutMillis(10_000)
                  .build())
          .poolConfig(pool)
          .build();
    }
    return RedisSentinelClient.builder()
        .masterName(master)
        .sentinels(sentinels)
        .clientConfig(client)
        .sentinelClientConfig(
            DefaultJedisClientConfig.builder()
                .autoNegotiateProtocol(false) // Sentinels are asked over RESP2, without a warning
                .connectionTimeoutMillis(2000)
                .socketTimeoutMillis(2000)
                .build())
        .poolConfig(pool)
        .build();
  }

  /**
   * A connection of its own (for a subscriber): to the server, or to the primary {@code client}
   * knows now.
   */
  Jedis connect(UnifiedJedis client) {
    if (!isSentinel()) return new Jedis(uri);
    HostAndPort primary = ((RedisSentinelClient) client).getCurrentMaster();
    return new Jedis(primary, subscriber);
  }
}
