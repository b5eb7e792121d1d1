package dev.spool.state;

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
 */
final class RedisEndpoint {
  private static final Pattern SENTINEL =
      Pattern.compile("^(rediss?)-sentinel://(?:([^@/]*)@)?([^/@?]+)/([^/?]+)(?:/(\\d{1,2}))?/?$");

  private final URI uri;
  private final Set<HostAndPort> sentinels;
  private final String master;
  private final JedisClientConfig client;

  private RedisEndpoint(
      URI uri, Set<HostAndPort> sentinels, String master, JedisClientConfig client) {
    this.uri = uri;
    this.sentinels = sentinels;
    this.master = master;
    this.client = client;
  }

  /**
   * Reads {@code uri}.
   *
   * @throws IllegalArgumentException saying what is wrong, when a Sentinel URI is malformed
   */
  static RedisEndpoint of(URI uri) {
    String scheme = uri.getScheme();
    if (!scheme.endsWith("-sentinel")) return new RedisEndpoint(uri, Set.of(), null, null);
    Matcher m = SENTINEL.matcher(uri.toString());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "a Sentinel URI reads "
              + scheme
              + "://[user:password@]host1:26379,host2:26379/<master name>[/<db>]");
    }
    Set<HostAndPort> sentinels = new LinkedHashSet<>();
    for (String node : m.group(3).split(",", -1)) {
      int colon = node.lastIndexOf(':');
      if (node.isBlank()) throw new IllegalArgumentException("an empty Sentinel address");
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
    return new RedisEndpoint(uri, sentinels, decode(m.group(4)), client.build());
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
    return new Jedis(primary, this.client);
  }
}
