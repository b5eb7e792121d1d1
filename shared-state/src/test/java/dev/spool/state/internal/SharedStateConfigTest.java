package dev.spool.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.state.SharedStateConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class SharedStateConfigTest {
  @Test
  void build_badValues_nameTheSetting() {
    assertStarts("redisUri", () -> SharedStateConfig.builder().redisUri("http://x").build());
    assertStarts("namespace", () -> SharedStateConfig.builder().namespace("A:B").build());
    assertStarts("poolSize", () -> SharedStateConfig.builder().poolSize(0).build());
    assertStarts(
        "holdWarning",
        () -> SharedStateConfig.builder().holdWarning(Duration.ofSeconds(-1)).build());
  }

  @Test
  void redacted_hidesPassword() {
    SharedStateConfig c = SharedStateConfig.builder().redisUri("redis://:pw@h:6379/0").build();
    assertEquals("redis://:***@h:6379/0", c.redisUriRedacted());
    assertTrue(!c.toString().contains("pw@"), c.toString());
  }

  @Test
  void names_invalid_areRejectedWithTheName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Names.require("lock", ""));
    assertTrue(e.getMessage().contains("lock name ''"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Names.require("dict", "x".repeat(129)));
    assertThrows(IllegalArgumentException.class, () -> Names.require("dict", "a b"));
  }

  private static void assertStarts(String prefix, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
  }
}
