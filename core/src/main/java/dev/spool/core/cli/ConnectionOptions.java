package dev.spool.core.cli;

import dev.spool.core.SpoolConfig;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --amqp-uri}, {@code --redis-uri}, {@code --namespace}: flags over the environment. */
public final class ConnectionOptions {
  @Option(
      names = "--amqp-uri",
      paramLabel = "URI",
      description =
          "RabbitMQ, amqp:// or amqps:// (env SPOOL_AMQP_URI;"
              + " default amqp://guest:guest@localhost:5672/%%2F).")
  String amqpUri;

  @Option(
      names = "--redis-uri",
      paramLabel = "URI",
      description =
          "Redis, redis:// or rediss:// (env SPOOL_REDIS_URI; default "
              + SpoolConfig.DEFAULT_REDIS_URI
              + ").")
  String redisUri;

  @Option(
      names = "--namespace",
      paramLabel = "NAME",
      description = "Prefix of every queue and key (env SPOOL_NAMESPACE; default spool).")
  String namespace;

  @Option(
      names = "--queue-type",
      paramLabel = "TYPE",
      description =
          "quorum or classic; producers and consumers must agree (env SPOOL_QUEUE_TYPE;"
              + " default quorum).")
  String queueType;

  @Option(
      names = "--delivery-limit",
      paramLabel = "N",
      description =
          "Deliveries of a task whose consumer died before it is dead-lettered (quorum queues;"
              + " env SPOOL_DELIVERY_LIMIT; default "
              + SpoolConfig.DEFAULT_DELIVERY_LIMIT
              + ").")
  String deliveryLimit;

  @Option(
      names = "--max-message-size",
      paramLabel = "SIZE",
      description =
          "Largest task body published or run, e.g. 4MiB (env SPOOL_MAX_MESSAGE_SIZE; default"
              + " 4MiB).")
  String maxMessageSize;

  /**
   * The configuration: the environment (with {@code _FILE} variants), then these flags over it.
   *
   * @throws IllegalArgumentException naming the setting, when a value is invalid, or when a URI
   *     flag carries a password (a command line is visible to every user through {@code ps})
   */
  public SpoolConfig toConfig(Map<String, String> env) {
    SpoolConfig.Builder b = SpoolConfig.builderFromEnvironment(env);
    if (amqpUri != null) b.amqpUri(noPassword("--amqp-uri", SpoolConfig.AMQP_URI, amqpUri));
    if (redisUri != null) b.redisUri(noPassword("--redis-uri", SpoolConfig.REDIS_URI, redisUri));
    if (namespace != null) b.namespace(namespace);
    if (queueType != null) b.queueType(queueType);
    if (deliveryLimit != null) b.deliveryLimit(deliveryLimit);
    if (maxMessageSize != null) b.maxMessageSize(maxMessageSize);
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(byFlag(e.getMessage()), e);
    }
  }

  /** An error about a setting that a flag gave names the flag, not the variable it overrode. */
  private String byFlag(String message) {
    String m = message;
    m = flagged(m, amqpUri, SpoolConfig.AMQP_URI, "--amqp-uri");
    m = flagged(m, redisUri, SpoolConfig.REDIS_URI, "--redis-uri");
    m = flagged(m, namespace, SpoolConfig.NAMESPACE, "--namespace");
    m = flagged(m, queueType, SpoolConfig.QUEUE_TYPE, "--queue-type");
    m = flagged(m, deliveryLimit, SpoolConfig.DELIVERY_LIMIT, "--delivery-limit");
    return flagged(m, maxMessageSize, SpoolConfig.MAX_MESSAGE_SIZE, "--max-message-size");
  }

  private static String flagged(String message, String given, String variable, String flag) {
    return given != null && message.startsWith(variable + ":")
        ? flag + message.substring(variable.length())
        : message;
  }

  /** Credentials come from the environment or files only, never from a command line. */
  static String noPassword(String flag, String variable, String uri) {
    String info;
    try {
      info = new java.net.URI(uri.trim()).getRawUserInfo();
    } catch (java.net.URISyntaxException e) {
      return uri; // SpoolConfig reports the malformed URI, naming the setting
    }
    if (info != null && info.contains(":")) {
      throw new IllegalArgumentException(
          flag
              + " carries a password, which every user of this machine can read through ps; put"
              + " the URI in "
              + variable
              + " or in a file named by "
              + variable
              + "_FILE");
    }
    return uri;
  }
}
