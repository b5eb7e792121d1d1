package dev.spool.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class ConsumerConfigTest {
  @Test
  void build_defaults_prefetchIsTwiceConcurrencyAndAtLeast32() {
    ConsumerConfig c = ConsumerConfig.builder().concurrency(3).build();
    assertEquals("tasks", c.queue());
    assertEquals(32, c.prefetch());
    assertEquals(40, ConsumerConfig.builder().concurrency(20).build().prefetch());
  }

  @Test
  void build_outOfRange_namesTheSettingAndValue() {
    assertMessage(() -> ConsumerConfig.builder().concurrency(0).build(), "concurrency", "was 0");
    assertMessage(
        () -> ConsumerConfig.builder().concurrency(4).prefetch(2).build(), "prefetch", "was 2");
    assertMessage(() -> ConsumerConfig.builder().queue("Bad Name").build(), "'Bad Name'", "");
    assertMessage(
        () -> ConsumerConfig.builder().drainTimeout(Duration.ZERO).build(), "drainTimeout", "PT0S");
  }

  @Test
  void toBuilder_keepsEverySetting_andRevalidates() {
    ConsumerConfig c =
        ConsumerConfig.builder()
            .queue("jobs")
            .concurrency(8)
            .prefetch(20)
            .timeLimit("slow", Duration.ofHours(1))
            .retry("flaky", RetryPolicy.DEFAULT)
            .virtualThreads(true)
            .build();
    assertEquals(c, c.toBuilder().build());
    assertEquals(c.toString(), c.toBuilder().build().toString());
    assertEquals(16, c.toBuilder().concurrency(16).build().concurrency());
    assertMessage(() -> c.toBuilder().concurrency(40).build(), "prefetch", "was 20");
  }

  private static void assertMessage(Runnable r, String a, String b) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(a) && e.getMessage().contains(b), e.getMessage());
  }
}
