package dev.spool.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.HandlerRegistry;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.consumer.internal.ConsumerRuntime;
import dev.spool.core.ProcessIdentity;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Flight Recorder events that place a round trip ({@code dev.spool.TaskSent}, {@code
 * dev.spool.TaskStages}, {@code dev.spool.ResultArrived}): recorded when a recording asks for them,
 * in the order the call went, and not at all when none does.
 */
@ExtendWith(SpoolServicesExtension.class)
final class StageEventsIT {

  @Test
  void apply_withTheEventsEnabled_recordsEachStageInOrder(SpoolTestEnv env, @TempDir Path dir)
      throws Exception {
    Recording rec = new Recording();
    rec.enable("dev.spool.TaskSent");
    rec.enable("dev.spool.TaskStages");
    rec.enable("dev.spool.ResultArrived");
    long[] around = new long[2];
    List<RecordedEvent> events =
        recorded(
            env,
            rec,
            dir.resolve("stages.jfr"),
            pool -> {
              around[0] = System.nanoTime();
              assertEquals(49L, pool.apply("square", 7L, Long.class));
              around[1] = System.nanoTime();
              assertEquals(64L, pool.apply("square", 8L, Long.class));
            });
    List<RecordedEvent> sent = named(events, "dev.spool.TaskSent");
    List<RecordedEvent> tasks = named(events, "dev.spool.TaskStages");
    List<RecordedEvent> results = named(events, "dev.spool.ResultArrived");
    assertEquals(2, sent.size(), "one per message sent: " + sent);
    assertEquals(2, tasks.size(), "one per task: " + tasks);
    assertEquals(2, results.size(), "one per result: " + results);
    RecordedEvent task =
        tasks.stream().filter(e -> e.getLong("delivered") < around[1]).findFirst().orElseThrow();
    RecordedEvent result =
        results.stream()
            .filter(e -> e.getString("taskId").equals(task.getString("taskId")))
            .findFirst()
            .orElseThrow();
    RecordedEvent out =
        sent.stream()
            .filter(e -> e.getString("taskId").equals(task.getString("taskId")))
            .findFirst()
            .orElseThrow();
    long[] moments = {
      around[0],
      out.getLong("begun"),
      out.getLong("sent"),
      task.getLong("delivered"),
      task.getLong("dispatched"),
      task.getLong("picked"),
      task.getLong("started"),
      task.getLong("ended"),
      task.getLong("published"),
      result.getLong("arrived"),
      around[1]
    };
    for (int i = 1; i < moments.length; i++) {
      assertTrue(
          moments[i - 1] <= moments[i], "moment " + i + " before the one before it: " + task);
    }
  }

  @Test
  void apply_withARecordingOfOtherEvents_recordsNoneOfSpools(SpoolTestEnv env, @TempDir Path dir)
      throws Exception {
    List<RecordedEvent> events =
        recorded(
            env,
            new Recording(Configuration.getConfiguration("default")),
            dir.resolve("default.jfr"),
            pool -> assertEquals(49L, pool.apply("square", 7L, Long.class)));
    assertTrue(!events.isEmpty(), "the default recording recorded the JVM's events");
    assertEquals(List.of(), named(events, "dev.spool.TaskSent"));
    assertEquals(List.of(), named(events, "dev.spool.TaskStages"));
    assertEquals(List.of(), named(events, "dev.spool.ResultArrived"));
  }

  /** What {@code rec} recorded while {@code calls} ran on a pool, a consumer taking its tasks. */
  private static List<RecordedEvent> recorded(
      SpoolTestEnv env, Recording rec, Path file, Consumer<TaskPool> calls) throws IOException {
    try (rec) {
      SpoolConsumer consumer = consumer(env);
      try (TaskPool pool = TestSpools.pool(env.config())) {
        rec.start();
        calls.accept(pool);
      } finally {
        consumer.close();
      }
      rec.stop();
      rec.dump(file);
    }
    return RecordingFile.readAllEvents(file);
  }

  private static SpoolConsumer consumer(SpoolTestEnv env) {
    return ConsumerRuntime.start(
        env.config(),
        ConsumerConfig.builder().concurrency(2).build(),
        HandlerRegistry.withProviders(StageEventsIT.class.getClassLoader()),
        new ProcessIdentity("consumer", "it", 1),
        Clock.systemUTC());
  }

  private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
    return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
  }
}
