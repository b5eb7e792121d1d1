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

  /**
   * The configuration: the environment (with {@code _FILE} variants), then these flags over it.
   *
   * @throws IllegalArgumentException naming the setting, when a value is invalid
   */
  public SpoolConfig toConfig(Map<String, String> env) {
    SpoolConfig.Builder b = SpoolConfig.builderFromEnvironment(env);
    if (amqpUri != null) b.amqpUri(amqpUri);
    if (redisUri != null) b.redisUri(redisUri);
    if (namespace != null) b.namespace(namespace);
    return b.build();
  }
}
