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
    return b.build();
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
