package dev.spool.testing.services;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * A RabbitMQ node and a redis-server started for the fault tests ({@link OwnServices}), with faults
 * that act on them alone. Closing stops both.
 */
final class OwnProcesses implements AutoCloseable {
  private final RabbitNodeProcess rabbit;
  private final RedisProcess redis;

  private OwnProcesses(RabbitNodeProcess rabbit, RedisProcess redis) {
    this.rabbit = rabbit;
    this.redis = redis;
  }

  static OwnProcesses start(Path dir) throws IOException {
    RedisProcess redis = RedisProcess.start(dir.resolve("redis"));
    try {
      return new OwnProcesses(RabbitNodeProcess.start(dir), redis);
    } catch (IOException | RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  ServiceEndpoints endpoints() {
    return new ServiceEndpoints(
        rabbit.amqpUri(),
        URI.create(redis.uri()),
        rabbit.managementUri(),
        ServiceLocator.OWN,
        CommandFaults.own(rabbit, redis));
  }

  @Override
  public void close() throws IOException {
    try {
      rabbit.close();
    } finally {
      redis.close();
    }
  }
}
