package dev.spool.state;

import dev.spool.Durations;
import dev.spool.SharedState;
import dev.spool.state.internal.RedisEndpoint;
import dev.spool.state.internal.RedisState;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where Redis is and how shared state behaves. Immutable; build with {@link #builder()}, which
 * validates every setting.
 *
 * @param redisUri {@code redis://} or {@code rediss://} (TLS), with password and database
 * @param namespace prefix of every key
 * @param poolSize most Redis connections at once
 * @param strictNesting throw {@link NestedLockException} on nested locks instead of warning
 * @param holdWarning a lease held longer than this logs a warning
 * @param lockPollInterval longest a waiter sleeps between tries when no release is announced
 * @param clock measures wait and hold times
 * @param listener hears every Redis round trip and lock event, for metrics
 */
public record SharedStateConfig(
    URI redisUri,
    String namespace,
    int poolSize,
    boolean strictNesting,
    Duration holdWarning,
    Duration lockPollInterval,
    Clock clock,
    StateListener listener) {

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A client of the shared state for this configuration, on a pool of its own: dicts, lists,
   * counters, values and locks. Connects on first use ({@link SharedState#ping()} checks at once);
   * the caller closes it. A program that also uses queues takes {@code Spool.state()} instead.
   */
  public SharedState connect() {
    return RedisState.connect(this);
  }

  /** The URI with its password replaced by {@code ***}, safe to log. */
  public String redisUriRedacted() {
    return redact(redisUri.toString());
  }

  /**
   * {@code uri} with the password of a {@code scheme://user:password@host} part replaced by {@code
   * ***}. Works on the text, so also on a URI Java parses without a user part (a host name with an
   * underscore makes the authority "registry-based"), a Sentinel URI's list of hosts, or one that
   * does not parse at all: what a message may show of any Spool URI.
   */
  public static String redact(String uri) {
    return uri == null ? null : uri.replaceAll("(//[^/@:]*):[^/@]*@", "$1:***@");
  }

  @Override
  public String toString() {
    return "SharedStateConfig[redisUri=%s, namespace=%s, poolSize=%d, strictNesting=%s, holdWarning=%s]"
        .formatted(redisUriRedacted(), namespace, poolSize, strictNesting, holdWarning);
  }

  /** Builds a {@link SharedStateConfig}. */
  public static final class Builder {
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,47}");
    private String redisUri = "redis://localhost:6379/0";
    private String namespace = "spool";
    private int poolSize = 16;
    private boolean strictNesting;
    private Duration holdWarning = Duration.ofSeconds(30);
    private Duration lockPollInterval = Duration.ofMillis(500);
    private Clock clock = Clock.systemUTC();
    private StateListener listener = StateListener.NONE;

    private Builder() {}

    public Builder redisUri(String redisUri) {
      this.redisUri = Objects.requireNonNull(redisUri, "redisUri");
      return this;
    }

    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      return this;
    }

    public Builder poolSize(int poolSize) {
      this.poolSize = poolSize;
      return this;
    }

    public Builder strictNesting(boolean strictNesting) {
      this.strictNesting = strictNesting;
      return this;
    }

    public Builder holdWarning(Duration holdWarning) {
      this.holdWarning = Objects.requireNonNull(holdWarning, "holdWarning");
      return this;
    }

    public Builder lockPollInterval(Duration lockPollInterval) {
      this.lockPollInterval = Objects.requireNonNull(lockPollInterval, "lockPollInterval");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Hears Redis round trips and lock events, for metrics (default: none). */
    public Builder listener(StateListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the setting and value, when one is invalid
     */
    public SharedStateConfig build() {
      URI uri;
      try {
        uri = new URI(redisUri.trim());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(
            "redisUri: '" + redact(redisUri) + "' is not a URI (" + redact(e.getReason()) + ")", e);
      }
      String scheme = String.valueOf(uri.getScheme());
      if (!java.util.List.of("redis", "rediss", "redis-sentinel", "rediss-sentinel")
          .contains(scheme)) {
        throw new IllegalArgumentException(
            "redisUri: must start with redis://, rediss:// (TLS) or redis-sentinel://, was '"
                + scheme
                + "://...'");
      }
      if (!scheme.endsWith("-sentinel")) {
        if (uri.getHost() == null) throw new IllegalArgumentException("redisUri: names no host");
        String db = uri.getPath();
        if (db != null && !db.isEmpty() && !db.matches("/(\\d|1[0-5])?")) {
          throw new IllegalArgumentException(
              "redisUri: '" + redact(redisUri) + "' names database '" + db + "'; use /0 to /15");
        }
      }
      try {
        RedisEndpoint.of(uri); // the Sentinel addresses, the master's name, the options
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("redisUri: " + e.getMessage(), e);
      }
      if (!NAMESPACE.matcher(namespace).matches()) {
        throw new IllegalArgumentException(
            "namespace: '" + namespace + "' must be 1 to 48 of a-z, 0-9, '-', '_'");
      }
      if (poolSize < 1 || poolSize > 1024) {
        throw new IllegalArgumentException("poolSize must be 1 to 1024, was " + poolSize);
      }
      Durations.requirePositive("holdWarning", holdWarning);
      Durations.requirePositive("lockPollInterval", lockPollInterval);
      return new SharedStateConfig(
          uri, namespace, poolSize, strictNesting, holdWarning, lockPollInterval, clock, listener);
    }
  }
}
