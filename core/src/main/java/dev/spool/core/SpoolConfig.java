package dev.spool.core;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * @param amqpUri RabbitMQ, {@code amqp://} or {@code amqps://} (TLS); with several nodes, the URI
 *     of the first (its user, password, virtual host and scheme hold for all)
 * @param redisUri Redis, {@code redis://} or {@code rediss://} (TLS)
 * @param namespace prefix of every queue, exchange and Redis key Spool creates
 * @param queueType the type of work, dead-letter and delay queues: {@code quorum} (replicated, with
 *     a delivery limit) or {@code classic}; producers and consumers must agree
 * @param deliveryLimit how often a quorum queue delivers a task that was never acked (its consumer
 *     died) before the task is dead-lettered
 * @param maxMessageBytes largest task body published or run, in bytes
 * @param amqpAddresses every broker node as {@code host:port}, the first being {@code amqpUri}'s:
 *     {@code SPOOL_AMQP_URI} may name several, as {@code amqp://user@h1:5672,h2:5672,h3/vhost} or
 *     as comma-separated URIs that differ only in host and port
 */
public record SpoolConfig(
    URI amqpUri,
    URI redisUri,
    String namespace,
    QueueType queueType,
    int deliveryLimit,
    int maxMessageBytes,
    List<String> amqpAddresses) {
  public static final String AMQP_URI = "SPOOL_AMQP_URI";
  public static final String REDIS_URI = "SPOOL_REDIS_URI";
  public static final String NAMESPACE = "SPOOL_NAMESPACE";
  public static final String QUEUE_TYPE = "SPOOL_QUEUE_TYPE";
  public static final String DELIVERY_LIMIT = "SPOOL_DELIVERY_LIMIT";
  public static final String MAX_MESSAGE_SIZE = "SPOOL_MAX_MESSAGE_SIZE";

  public static final int DEFAULT_DELIVERY_LIMIT = 10;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  /** RabbitMQ's own ceiling on a message's size (its {@code max_message_size} default). */
  public static final int BROKER_MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

  public static final String DEFAULT_AMQP_URI = "amqp://guest:guest@localhost:5672/%2F";
  public static final String DEFAULT_REDIS_URI = "redis://localhost:6379/0";
  public static final String DEFAULT_NAMESPACE = "spool";

  private static final Pattern NAMESPACE_PATTERN = Pattern.compile("[a-z0-9][a-z0-9_-]{0,47}");

  /**
   * Checks every setting, whether called by the builder or directly: the builder parses text into
   * these values, this is the one place they are validated.
   *
   * @throws IllegalArgumentException naming the setting and the value, when one is invalid
   */
  public SpoolConfig {
    Objects.requireNonNull(amqpUri, AMQP_URI);
    Objects.requireNonNull(redisUri, REDIS_URI);
    Objects.requireNonNull(namespace, NAMESPACE);
    Objects.requireNonNull(queueType, QUEUE_TYPE);
    if (!List.of("amqp", "amqps").contains(String.valueOf(amqpUri.getScheme()))
        || amqpUri.getHost() == null) {
      throw new IllegalArgumentException(
          AMQP_URI + ": '" + redact(amqpUri) + "' is not an amqp:// or amqps:// URI with a host");
    }
    if (!List.of("redis", "rediss", "redis-sentinel", "rediss-sentinel")
        .contains(String.valueOf(redisUri.getScheme()))) {
      throw new IllegalArgumentException(
          REDIS_URI + ": '" + redact(redisUri) + "' is not a redis:// or rediss:// URI");
    }
    if (!NAMESPACE_PATTERN.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          NAMESPACE
              + ": '"
              + namespace
              + "' is not a valid namespace; use 1 to 48 lower-case letters, digits, '-' or"
              + " '_', starting with a letter or digit");
    }
    if (deliveryLimit < 1 || deliveryLimit > 1000) {
      throw new IllegalArgumentException(
          DELIVERY_LIMIT + ": " + deliveryLimit + " is invalid; use a whole number from 1 to 1000");
    }
    if (maxMessageBytes < 1024 || maxMessageBytes > BROKER_MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          MAX_MESSAGE_SIZE
              + ": "
              + maxMessageBytes
              + " bytes is invalid; use 1024 to "
              + BROKER_MAX_MESSAGE_BYTES);
    }
    amqpAddresses =
        amqpAddresses == null || amqpAddresses.isEmpty()
            ? List.of(hostPort(amqpUri))
            : List.copyOf(amqpAddresses);
  }

  static String hostPort(URI uri) {
    int port = uri.getPort() > 0 ? uri.getPort() : "amqps".equals(uri.getScheme()) ? 5671 : 5672;
    return uri.getHost() + ":" + port;
  }

  /** The AMQP setting as given: one URI, or the first URI with every node's host and port. */
  public String amqpUriText() {
    if (amqpAddresses.size() == 1) return amqpUri.toString();
    String first = amqpUri.toString();
    String authorityHost = amqpUri.getRawAuthority();
    String info = amqpUri.getRawUserInfo();
    String hosts = String.join(",", amqpAddresses);
    return first.replaceFirst(
        java.util.regex.Pattern.quote(authorityHost),
        java.util.regex.Matcher.quoteReplacement((info == null ? "" : info + "@") + hosts));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    return new Builder()
        .amqpUri(amqpUriText())
        .redisUri(redisUri.toString())
        .namespace(namespace)
        .queueType(queueType)
        .deliveryLimit(deliveryLimit)
        .maxMessageBytes(maxMessageBytes);
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
    String type = setting(env, QUEUE_TYPE);
    String limit = setting(env, DELIVERY_LIMIT);
    String size = setting(env, MAX_MESSAGE_SIZE);
    if (type != null) b.queueType(type);
    if (limit != null) b.deliveryLimit(limit);
    if (size != null) b.maxMessageSize(size);
    return b;
  }

  /**
   * The value of setting {@code name} from {@code env}, or from the file named by {@code
   * name_FILE}; null when neither is set.
   *
   * @throws IllegalArgumentException when both are set or the file cannot be read
   */
  public static String setting(Map<String, String> env, String name) {
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
    return redact(amqpUriText());
  }

  /** The Redis URI with its password replaced by {@code ***}, safe to log. */
  public String redisUriRedacted() {
    return redact(redisUri);
  }

  /**
   * The shared state's configuration: this Redis and namespace. {@code stateConfig().connect()}
   * opens shared state alone, for a process that needs only Redis; a {@code Spool} has its own.
   */
  public dev.spool.state.SharedStateConfig stateConfig() {
    return dev.spool.state.SharedStateConfig.builder()
        .redisUri(redisUri.toString())
        .namespace(namespace)
        .build();
  }

  static String redact(URI uri) {
    return redact(uri.toString());
  }

  /** The text with any password replaced by {@code ***}, as the shared state redacts its URIs. */
  static String redact(String uri) {
    return dev.spool.state.SharedStateConfig.redact(uri);
  }

  @Override
  public String toString() {
    return ("SpoolConfig[amqpUri=%s, redisUri=%s, namespace=%s, queueType=%s, deliveryLimit=%d,"
            + " maxMessageBytes=%d]")
        .formatted(
            amqpUriRedacted(),
            redisUriRedacted(),
            namespace,
            queueType,
            deliveryLimit,
            maxMessageBytes);
  }

  /** Builds a {@link SpoolConfig}; {@link #build()} validates every setting. */
  public static final class Builder {
    private String amqpUri = DEFAULT_AMQP_URI;
    private String redisUri = DEFAULT_REDIS_URI;
    private String namespace = DEFAULT_NAMESPACE;
    private QueueType queueType = QueueType.QUORUM;
    private int deliveryLimit = DEFAULT_DELIVERY_LIMIT;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;

    private Builder() {}

    /** {@code quorum} (the default) or {@code classic}. */
    public Builder queueType(String type) {
      return queueType(QueueType.parse(QUEUE_TYPE, Objects.requireNonNull(type, QUEUE_TYPE)));
    }

    /** Deliveries of an unacked task before a quorum queue dead-letters it: 1 to 1000. */
    public Builder deliveryLimit(String limit) {
      return deliveryLimit(
          parseInt(DELIVERY_LIMIT, Objects.requireNonNull(limit, DELIVERY_LIMIT), 1, 1000));
    }

    /** Largest task body: bytes, or with a suffix: {@code 512KiB}, {@code 4MiB}, {@code 4MB}. */
    public Builder maxMessageSize(String size) {
      return maxMessageBytes(
          parseSize(MAX_MESSAGE_SIZE, Objects.requireNonNull(size, MAX_MESSAGE_SIZE)));
    }

    /** {@code quorum} (the default) or {@code classic}. */
    public Builder queueType(QueueType type) {
      this.queueType = Objects.requireNonNull(type, QUEUE_TYPE);
      return this;
    }

    /** Deliveries of an unacked task before a quorum queue dead-letters it: 1 to 1000. */
    public Builder deliveryLimit(int limit) {
      this.deliveryLimit = limit; // checked by build(), with every other setting
      return this;
    }

    /** Largest task body in bytes: 1024 to 128 MiB. */
    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = bytes; // checked by build(), with every other setting
      return this;
    }

    public Builder amqpUri(URI uri) {
      return amqpUri(Objects.requireNonNull(uri, AMQP_URI).toString());
    }

    public Builder redisUri(URI uri) {
      return redisUri(Objects.requireNonNull(uri, REDIS_URI).toString());
    }

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
      List<String> nodes = new java.util.ArrayList<>();
      URI amqp = parseAmqp(amqpUri, nodes);
      URI redis = parseRedis(redisUri);
      return new SpoolConfig(
          amqp, redis, namespace, queueType, deliveryLimit, maxMessageBytes, nodes);
    }

    /**
     * {@code redis://}, {@code rediss://}, or a primary through Sentinel ({@code
     * redis-sentinel://[user:password@]h1:26379,h2:26379/<master>[/<db>]}), read by the shared
     * state's own rules (one reader of Redis URIs), its messages naming this setting.
     */
    private static URI parseRedis(String value) {
      try {
        return dev.spool.state.SharedStateConfig.builder().redisUri(value).build().redisUri();
      } catch (IllegalArgumentException e) {
        String why = e.getMessage().replaceFirst("^redisUri: ", "");
        throw new IllegalArgumentException(
            REDIS_URI
                + ": "
                + (why.startsWith("'") ? why : "'" + redact(value) + "': " + why)
                + "; expected redis://host:6379/0, or redis-sentinel://h1:26379,h2:26379/mymaster/0",
            e);
      }
    }

    /** {@code scheme://[userinfo@]h1[:p1],h2[:p2]...rest}: several hosts in one URI. */
    private static final Pattern AMQP_HOST_LIST =
        Pattern.compile("^(amqps?://)(?:([^@/]*)@)?([^/@?]+,[^/@?]+)(.*)$");

    private static final String AMQP_EXAMPLE =
        "amqp://user:password@host:5672/vhost, or for a cluster amqp://user:password@h1:5672,"
            + "h2:5672,h3:5672/vhost";

    /**
     * One URI, {@code scheme://user:pass@h1:p1,h2:p2/vhost}, or comma-separated URIs that differ
     * only in host and port. Returns the first node's URI; adds every node's host:port to {@code
     * nodes}.
     */
    private static URI parseAmqp(String text, List<String> nodes) {
      String value = text.trim();
      java.util.regex.Matcher hostList = AMQP_HOST_LIST.matcher(value);
      List<URI> uris = new java.util.ArrayList<>();
      if (hostList.matches()) {
        String prefix =
            hostList.group(1) + (hostList.group(2) == null ? "" : hostList.group(2) + "@");
        for (String host : hostList.group(3).split(",", -1)) {
          uris.add(
              parse(
                  AMQP_URI,
                  prefix + host.trim() + hostList.group(4),
                  "amqp",
                  "amqps",
                  AMQP_EXAMPLE));
        }
      } else {
        for (String one : value.split(",", -1)) {
          uris.add(parse(AMQP_URI, one, "amqp", "amqps", AMQP_EXAMPLE));
        }
      }
      URI first = uris.getFirst();
      for (URI u : uris) {
        boolean same =
            Objects.equals(u.getScheme(), first.getScheme())
                && Objects.equals(u.getRawUserInfo(), first.getRawUserInfo())
                && Objects.equals(u.getRawPath(), first.getRawPath());
        if (!same) {
          throw new IllegalArgumentException(
              AMQP_URI
                  + ": '"
                  + redact(value)
                  + "' names nodes with different schemes, users or virtual hosts; a cluster's"
                  + " nodes share them: use "
                  + AMQP_EXAMPLE);
        }
        String node = hostPort(u);
        if (nodes.contains(node)) {
          throw new IllegalArgumentException(
              AMQP_URI + ": '" + redact(value) + "' names " + node + " twice");
        }
        nodes.add(node);
      }
      return first;
    }

    private static int parseInt(String setting, String value, int min, int max) {
      try {
        int n = Integer.parseInt(value.trim());
        if (n >= min && n <= max) return n;
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          setting + ": '" + value + "' is invalid; use a whole number from " + min + " to " + max);
    }

    private static final Pattern SIZE =
        Pattern.compile("(\\d{1,10})\\s*(|B|KB|KiB|MB|MiB)", Pattern.CASE_INSENSITIVE);

    static int parseSize(String setting, String value) {
      java.util.regex.Matcher m = SIZE.matcher(value.trim());
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        long factor =
            switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
              case "kb" -> 1000;
              case "kib" -> 1024;
              case "mb" -> 1000_000;
              case "mib" -> 1024 * 1024;
              default -> 1;
            };
        long bytes = n * factor;
        if (bytes >= 1024 && bytes <= BROKER_MAX_MESSAGE_BYTES) return (int) bytes;
      }
      throw new IllegalArgumentException(
          setting
              + ": '"
              + value
              + "' is invalid; use a size from 1KiB to 128MiB (RabbitMQ's limit), such as 4MiB");
    }

    private static URI parse(String setting, String value, String plain, String tls, String eg) {
      URI uri;
      try {
        uri = new URI(value.trim());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(
            setting
                + ": '"
                + redact(value)
                + "' is not a URI ("
                + redact(e.getReason())
                + "); expected "
                + eg,
            e);
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
