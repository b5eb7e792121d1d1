package dev.spool.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The benchmark's verdicts: what meets a target, and a figure that has none. */
final class FigureTest {
  @Test
  void aRatioIsJudged_againstItsTarget_inTheFiguresDirection() {
    Figure faster = new Figure("map", "tasks/s", 9_000, 10_000, "PerfTest / 2", 0.9, true);
    Figure slower = new Figure("map", "tasks/s", 8_000, 10_000, "PerfTest / 2", 0.9, true);
    Figure tail = new Figure("p99", "ms", 5.0, 4.0, "bare", 1.15, false);
    assertTrue(faster.met());
    assertFalse(slower.met());
    assertFalse(tail.met()); // 1.25 > 1.15
    assertEquals(">= 0.90 x", faster.targetText());
    assertEquals("<= 1.15 x", tail.targetText());
  }

  @Test
  void aFigureWithoutTarget_isNeverAMiss_andSaysNone() {
    Figure info = new Figure("C1 alone", "tasks/s", 678, 1_349, "C1 and C2", Double.NaN, true);
    assertFalse(info.hasTarget());
    assertTrue(info.met());
    assertEquals("none", info.targetText());
    assertTrue(info.json().contains("\"target\":\"none\",\"met\":true"), info.json());
    assertEquals(678.0 / 1_349, info.ratio(), 1e-9);
  }

  @Test
  void crunch_isDeterministicInItsSeed_andDependsOnIt() {
    assertEquals(BenchTasks.crunch(7), BenchTasks.crunch(7));
    assertNotEquals(BenchTasks.crunch(7), BenchTasks.crunch(8));
  }
}
