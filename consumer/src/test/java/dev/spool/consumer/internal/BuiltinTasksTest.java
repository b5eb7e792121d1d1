package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

final class BuiltinTasksTest {
  @Test
  void square_overflow_throwsInsteadOfWrapping() {
    assertEquals(81L, BuiltinTasks.square(9L));
    assertEquals(9L, BuiltinTasks.square(-3L));
    assertThrows(ArithmeticException.class, () -> BuiltinTasks.square(Long.MAX_VALUE));
  }

  @Test
  void sleep_outOfRange_isRejected() throws Exception {
    assertEquals(0L, BuiltinTasks.sleep(0L));
    assertThrows(IllegalArgumentException.class, () -> BuiltinTasks.sleep(-1L));
    assertThrows(IllegalArgumentException.class, () -> BuiltinTasks.sleep(10L * 60 * 1000 + 1));
  }
}
