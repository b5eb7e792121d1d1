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
}
