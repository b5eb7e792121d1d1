package dev.spool.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spool.producer.status.WorkerReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class HistoryTest {
  private static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");

  private static WorkerReport worker(String id, Instant started, long succeeded, long failed) {
    return new WorkerReport(
        id,
        "h",
        1,
        "tasks",
        4,
        "v",
        started,
        T0,
        "running",
        "up",
        List.of(),
        Map.of("succeeded", succeeded, "failed", failed),
        List.of());
  }

  @Test
  void sample_countsWhatEachWorkerDidSinceThePreviousSample_newAndRestartedWorkersIncluded() {
    History h = new History(3);
    Instant early = T0.minusSeconds(3600);
    h.sample(T0, List.of(worker("a", early, 100, 5)));
    assertEquals(List.of(), h.points(), "the first sample is only a baseline");

    h.sample(T0.plusSeconds(10), List.of(worker("a", early, 130, 6)));
    // b started after the previous sample: all it did counts. a restarted (as a2): it too.
    h.sample(
        T0.plusSeconds(20),
        List.of(worker("a2", T0.plusSeconds(12), 7, 0), worker("b", T0.plusSeconds(15), 4, 1)));
    // c was already running before the previous sample but unseen: its past is not this interval.
    h.sample(
        T0.plusSeconds(30),
        List.of(worker("a2", T0.plusSeconds(12), 9, 0), worker("c", early, 1000, 0)));
    assertEquals(
        List.of(
            new History.Point(T0.plusSeconds(10), 30, 1),
            new History.Point(T0.plusSeconds(20), 11, 1),
            new History.Point(T0.plusSeconds(30), 2, 0)),
        h.points());

    h.sample(T0.plusSeconds(40), List.of());
    assertEquals(3, h.points().size(), "at most 3 kept");
    assertEquals(T0.plusSeconds(20), h.points().getFirst().at());
  }
}
