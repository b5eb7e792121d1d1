package dev.spool.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class TaskPoolConfigTest {
  @Test
  void constructor_calledDirectly_validatesAsTheBuilderDoes() {
    IllegalArgumentException window =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TaskPoolConfig("tasks", 0, Duration.ofSeconds(1)));
    assertTrue(window.getMessage().contains("publishWindow"), window.getMessage());
    IllegalArgumentException timeout =
        assertThrows(
            IllegalArgumentException.class, () -> new TaskPoolConfig("tasks", 10, Duration.ZERO));
    assertTrue(timeout.getMessage().contains("defaultTimeout"), timeout.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new TaskPoolConfig("Bad Name", 10, Duration.ofSeconds(1)));
    assertEquals(
        new TaskPoolConfig("jobs", 64, Duration.ofSeconds(5)),
        TaskPoolConfig.builder()
            .queue("jobs")
            .publishWindow(64)
            .defaultTimeout(Duration.ofSeconds(5))
            .build());
  }

  @Test
  void keptResults_perCallOverPerNameOverTheDefault_from1msTo90Days() {
    TaskPoolConfig c =
        TaskPoolConfig.builder()
            .keepResults(Duration.ofHours(1))
            .keepResults("report", Duration.ofDays(7))
            .build();
    assertEquals(Duration.ofDays(7), c.keepResultsOf("report"));
    assertEquals(Duration.ofHours(1), c.keepResultsOf("square"));
    assertEquals(null, TaskPoolConfig.defaults().keepResultsOf("square"), "none kept by default");
    IllegalArgumentException tooLong =
        assertThrows(
            IllegalArgumentException.class,
            () -> TaskPoolConfig.builder().keepResults("report", Duration.ofDays(91)));
    assertTrue(tooLong.getMessage().contains("90 days"), tooLong.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> TaskOptions.defaults().withKeepResult(Duration.ZERO));
    assertEquals(
        Duration.ofMinutes(5),
        TaskOptions.defaults()
            .withKeepResult(Duration.ofMinutes(5))
            .withPriority(3)
            .withId("a")
            .keepResult(),
        "kept through the other withs");
  }
}
