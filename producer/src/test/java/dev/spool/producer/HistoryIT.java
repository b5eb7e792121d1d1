package dev.spool.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spool.HandlerRegistry;
import dev.spool.NotRetryableException;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.core.TaskFailedException;
import dev.spool.producer.status.ManagementApi;
import dev.spool.producer.status.SpoolStatus;
import dev.spool.producer.status.StatusCollector;
import dev.spool.state.internal.RedisState;
import dev.spool.state.internal.TaskHistory;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The throughput history: what consumers did, per minute, in Redis, so that a process started
 * afterwards (the dashboard, {@code status}) has the last hour from its first read.
 */
@ExtendWith(SpoolServicesExtension.class)
final class HistoryIT {
  @Test
  void whatAConsumerDid_isReadByAProcessStartedAfterwards(SpoolTestEnv env) {
    try (Spool spool = Spool.connect(env.config())) {
      HandlerRegistry tasks =
          new HandlerRegistry()
              .register("twice", Long.class, (x, ctx) -> 2 * x)
              .register(
                  "refuse",
                  Long.class,
                  (Long x, dev.spool.TaskContext ctx) -> {
                    throw new NotRetryableException("refused " + x);
                  });
      SpoolConsumer consumer = spool.consumer(ConsumerConfig.builder().build(), tasks);
      TaskPool pool = spool.pool();
      env.track(pool.replyQueue());
      pool.map( // a task each: the history counts tasks, and a chunk is one
          "twice",
          LongStream.range(0, 50).boxed().toList(),
          Long.class,
          MapOptions.defaults().withChunksize(1));
      assertThrows(TaskFailedException.class, () -> pool.apply("refuse", 1L, Long.class));
      assertThrows(TaskFailedException.class, () -> pool.apply("refuse", 2L, Long.class));
      consumer.close(); // adds what it did since its last write
    }

    try (RedisState later = env.sharedState()) {
      List<TaskHistory.Minute> hour = later.history().last(Instant.now(), 60);
      assertEquals(60, hour.size());
      assertEquals(50, hour.stream().mapToLong(TaskHistory.Minute::succeeded).sum());
      assertEquals(2, hour.stream().mapToLong(TaskHistory.Minute::failed).sum());
      assertEquals(
          hour.get(58).at().plusSeconds(60), hour.get(59).at(), "a minute each, oldest first");
    }

    ManagementApi api =
        ManagementApi.forConfig(
            env.config(), Map.of("SPOOL_MANAGEMENT_URI", env.managementUri().toString()), null);
    try (RedisState state = env.sharedState()) {
      SpoolStatus status =
          new StatusCollector(api, state, "/", env.namespace(), 10, Clock.systemUTC()).collect();
      assertEquals(60, status.history().size(), "status --json has the hour too");
      assertEquals(50, status.history().stream().mapToLong(SpoolStatus.Minute::succeeded).sum());
    }
  }
}
