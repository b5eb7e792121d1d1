package dev.spool.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class MapOptionsTest {
  @Test
  void autoChunksize_smallInputs_isOne() {
    assertEquals(1, MapOptions.autoChunksize(10, 3));
    assertEquals(1, MapOptions.autoChunksize(0, 0));
  }

  @Test
  void autoChunksize_manyInputs_aboutSixteenChunksPerConsumerCappedAtMax() {
    assertEquals(209, MapOptions.autoChunksize(10_000, 3)); // ceil(10000 / 48)
    assertEquals(625, MapOptions.autoChunksize(10_000, 0)); // no consumer yet: as if one
    assertEquals(MapOptions.MAX_AUTO_CHUNKSIZE, MapOptions.autoChunksize(10_000_000, 2));
  }

  @Test
  void constructor_badValues_areRejected() {
    assertThrows(IllegalArgumentException.class, () -> new MapOptions(0, null));
    assertThrows(IllegalArgumentException.class, () -> new MapOptions(null, Duration.ZERO));
  }

  @Test
  void taskPoolConfig_badValues_nameTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TaskPoolConfig.builder().publishWindow(0).build());
    assertEquals("publishWindow must be 1 to 100000, was 0", e.getMessage());
  }
}
