package dev.spool.core;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where Spool's services are and which namespace it works in. Immutable; build one with {@link
 * #builder()} or read it from the environment with {@link #fromEnvironment(Map)}.
 *
 * <pre>{@code
 * SpoolConfig config = SpoolConfig.fromEnvironment(System.getenv())
 *     .toBuilder().namespace("billing").build();
 * }</pre>
 *
 * @param amqpUri RabbitMQ, {@code amqp://} or {@code amqps://} (TLS)
 * @param redisUri Redis, {@code redis://} or {@code rediss://} (TLS)
 * @param namespace prefix of every queue, exchange and Redis key Spool creates
 */
public record SpoolConfig(URI amqpUri, URI redisUri, String namespace) {
  public static final String AMQP_URI = "SPOOL_AMQP_URI";
  public static final String REDIS_URI = "SPOOL_REDIS_URI";
  public static final String NAMESPACE = "SPOOL_NAMESPACE";

  public static final String DEFAULT_AMQP_URI = "amqp://guest:guest@localhost:5672/%2F";
  public static final String DEFAULT_REDIS_URI = "redis://localhost:6379/0";
  public static final String DEFAULT_NAMESPACE = "spool";

  private static final Pattern NAMESPACE_PATTERN = Pattern.compile("[a-z0-9][a-z0-9_-]{0,47}");

  public SpoolConfig {
    Objects.requireNonNull(amqpUri, "amqpUri");
    Objects.requireNonNull(redisUri, "redisUri");
    Objects.requireNonNull(namespace, "namespace");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    return new Builder()
        .amqpUri(amqpUri.toString())
        .redisUri(redisUri.toString())
        .namespace(namespace);
  }

  /**
   * Reads {@code SPOOL_AMQP_URI}, {@code SPOOL_REDIS_URI} and {@code SPOOL_NAMESPACE} from {@code
   * env}. Each may instead be given as a file holding the value ({@code SPOOL_AMQP_URI_FILE}, ...)
   * so that secrets stay out of the environment. Unset settings take their defaults.
   *
   * @throws IllegalArgumentException naming the setting, when a value is invalid or a file cannot
   *     be read
   */
  public static SpoolConfig fromEnvironment(Map<String, String> env) {
    return builderFromEnvironment(env).build();
  }

  /** Like {@link #fromEnvironment(Map)} but returns the builder, so that flags can override. */
  public static Builder builderFromEnvironment(Map<String, String> env) {
    Builder b = builder();
    String amqp = setting(env, AMQP_URI);
    String redis = setting(env, REDIS_URI);
    String ns = setting(env, NAMESPACE);
    if (amqp != null) b.amqpUri(amqp);
    if (redis != null) b.redisUri(redis);
    if (ns != null) b.namespace(ns);
    return b;
  }

  private static String setting(Map<String, String> env, String name) {
    String value = env.get(name);
    String file = env.get(name + "_FILE");
    if (value != null && file != null) {
      throw new IllegalArgumentException(
          name + " and " + name + "_FILE are both set; set only one of them");
    }
    if (file == null) {
      return value == null || value.isBlank() ? null : value.trim();
    }
    try {
      return Files.readString(Path.of(file)).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          name + "_FILE: cannot read '" + file + "' (" + e + "); point it at a readable file", e);
    }
  }

  /** The AMQP URI with its password replaced by {@code ***}, safe to log. */
  public String amqpUriRedacted() {
    return redact(amqpUri);
  }

  /** The Redis URI with its password replaced by {@code ***}, safe to log. */
  public String redisUriRedacted() {
    return redact(redisUri);
  }

  static String redact(URI uri) {
    String info = uri.getRawUserInfo();
    if (info == null || !info.contains(":")) {
      return uri.toString();
    }
    String user = info.substring(0, info.indexOf(':'));
    return uri.toString().replace(info + "@", user + ":***@");
  }

  @Override
  public String toString() {
    return "SpoolConfig[amqpUri=%s, redisUri=%s, namespace=%s]"
        .formatted(amqpUriRedacted(), redisUriRedacted(), namespace);
  }

  /** Builds a {@link SpoolConfig}; {@link #build()} validates every setting. */
  public static final class Builder {
    private String amqpUri = DEFAULT_AMQP_URI;
    private String redisUri = DEFAULT_REDIS_URI;
    private String namespace = DEFAULT_NAMESPACE;

    private Builder() {}

    public Builder amqpUri(String uri) {
      this.amqpUri = Objects.requireNonNull(uri, AMQP_URI);
      return this;
    }

    public Builder redisUri(String uri) {
      this.redisUri = Objects.requireNonNull(uri, REDIS_URI);
      return this;
    }

    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, NAMESPACE);
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the setting and the value, when one is invalid
     */
    public SpoolConfig build() {
      URI amqp = parse(AMQP_URI, amqpUri, "amqp", "amqps", "amqp://user:password@host:5672/vhost");
      URI redis = parse(REDIS_URI, redisUri, "redis", "rediss", "redis://host:6379/0");
      String db = redis.getPath();
      if (db != null && !db.isEmpty() && !db.matches("/\\d{0,2}")) {
        throw new IllegalArgumentException(
            REDIS_URI + ": '" + redact(redis) + "' names database '" + db + "'; use /0 to /15");
      }
      if (!NAMESPACE_PATTERN.matcher(namespace).matches()) {
        throw new IllegalArgumentException(
            NAMESPACE
                + ": '"
                + namespace
                + "' is not a valid namespace; use 1 to 48 lower-case letters, digits, '-' or"
                + " '_', starting with a letter or digit");
      }
      return new SpoolConfig(amqp, redis, namespace);
    }

    private static URI parse(String setting, String value, String plain, String tls, String eg) {
      URI uri;
      try {
        uri = new URI(value.trim());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(
            setting + ": '" + value + "' is not a URI (" + e.getReason() + "); expected " + eg, e);
      }
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equals(plain) || scheme.equals(tls))) {
        throw new IllegalArgumentException(
            setting
                + ": '"
                + redact(uri)
                + "' must start with "
                + plain
                + ":// or "
                + tls
                + ":// (TLS); expected "
                + eg);
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw new IllegalArgumentException(
            setting + ": '" + redact(uri) + "' names no host; expected " + eg);
      }
      if (uri.getPort() == 0 || uri.getPort() > 65535) {
        throw new IllegalArgumentException(
            setting + ": '" + redact(uri) + "' has port " + uri.getPort() + "; use 1 to 65535");
      }
      return uri;
    }
  }
}
