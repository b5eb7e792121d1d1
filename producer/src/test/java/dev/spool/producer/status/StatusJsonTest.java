package dev.spool.producer.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spool.state.HeldLock;
import dev.spool.state.SharedObjects;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code status --json}: the shape scripts read, field for field. */
final class StatusJsonTest {
  static SpoolStatus sample() {
    Instant at = Instant.parse("2026-12-01T08:00:00Z");
    return new SpoolStatus(
        at,
        "spool",
        "/",
        List.of(
            new SpoolStatus.QueueStatus(
                "spool.work.tasks", "work", "quorum", 5, 2, 3, 1.5, 2.5, 3.5),
            new SpoolStatus.QueueStatus("spool.dead.tasks", "dead", "quorum", 7, 0, 0, 0, 0, 0)),
        List.of(
            new SpoolStatus.ConsumerStatus(
                "spool.work.tasks", "spool-consumer h/1", "t1", 32, "10.0.0.2:5000")),
        List.of(
            new HeldLock("ledger", "h/1 main", at.minusSeconds(3), Duration.ofSeconds(27), at),
            new HeldLock("stock", "h/2 main", null, null, at)),
        new SharedObjects(
            Map.of("dict", 1L),
            List.of(
                new SharedObjects.Entry("dict", "totals", 4, Duration.ofMinutes(1)),
                new SharedObjects.Entry("list", "log", 2, null)),
            Map.of("task", 1200L)),
        List.of(new SpoolStatus.DelayedStatus("tasks", 3, 1, at.plusSeconds(60), 2)),
        List.of(new SpoolStatus.PausedStatus("tasks", "paused by h-1 at 2026-12-01T07:59:00Z")),
        List.of(
            new SpoolStatus.ScheduledStatus(
                "nightly",
                "cron '0 2 * * *'",
                "report",
                "tasks",
                at.plusSeconds(3600),
                null,
                true)),
        "h/3 spool-scheduler",
        List.of(
            new SpoolStatus.ProgressStatus(
                "t-9", "report", "h/1", at.minusSeconds(5), 40, 100, "page 40")),
        false,
        List.of(
            new SpoolStatus.Minute(at.minusSeconds(60), 120, 2), new SpoolStatus.Minute(at, 0, 0)));
  }

  static final String EXPECTED =
      "{\"at\":\"2026-12-01T08:00:00Z\",\"namespace\":\"spool\",\"vhost\":\"/\",\"queues\":["
          + "{\"name\":\"spool.work.tasks\",\"role\":\"work\",\"type\":\"quorum\",\"ready\":5,"
          + "\"unacked\":2,\"consumers\":3,\"publishRate\":1.5,\"deliverRate\":2.5,\"ackRate\":3.5},"
          + "{\"name\":\"spool.dead.tasks\",\"role\":\"dead\",\"type\":\"quorum\",\"ready\":7,"
          + "\"unacked\":0,\"consumers\":0,\"publishRate\":0.0,\"deliverRate\":0.0,\"ackRate\":0.0}],"
          + "\"consumers\":[{\"queue\":\"spool.work.tasks\",\"connection\":\"spool-consumer h/1\","
          + "\"tag\":\"t1\",\"prefetch\":32,\"peer\":\"10.0.0.2:5000\"}],\"deadLetters\":7,"
          + "\"locks\":[{\"name\":\"ledger\",\"holder\":\"h/1 main\",\"ageMs\":3000,"
          + "\"expiresInMs\":27000},{\"name\":\"stock\",\"holder\":\"h/2 main\"}],"
          + "\"objects\":{\"counts\":{\"dict\":1},\"entries\":[{\"kind\":\"dict\",\"name\":\"totals\","
          + "\"size\":4,\"ttlMs\":60000},{\"kind\":\"list\",\"name\":\"log\",\"size\":2}],"
          + "\"bytes\":{\"task\":1200}},"
          + "\"delayed\":[{\"queue\":\"tasks\",\"waiting\":3,\"moving\":1,"
          + "\"nextDue\":\"2026-12-01T08:01:00Z\",\"rateLimited\":2}],"
          + "\"paused\":[{\"queue\":\"tasks\",\"by\":\"paused by h-1 at 2026-12-01T07:59:00Z\"}],"
          + "\"schedules\":[{\"name\":\"nightly\",\"when\":\"cron '0 2 * * *'\",\"task\":\"report\","
          + "\"queue\":\"tasks\",\"nextDue\":\"2026-12-01T09:00:00Z\",\"paused\":true}],"
          + "\"scheduler\":\"h/3 spool-scheduler\","
          + "\"progress\":[{\"id\":\"t-9\",\"name\":\"report\",\"worker\":\"h/1\","
          + "\"started\":\"2026-12-01T07:59:55Z\",\"done\":40,\"total\":100,"
          + "\"message\":\"page 40\"}],\"stateLost\":false,"
          + "\"history\":[{\"at\":\"2026-12-01T07:59:00Z\",\"succeeded\":120,\"failed\":2},"
          + "{\"at\":\"2026-12-01T08:00:00Z\",\"succeeded\":0,\"failed\":0}]}";

  @Test
  void json_hasTheShapeScriptsRead() {
    assertEquals(EXPECTED, StatusJson.write(sample()));
  }
}
