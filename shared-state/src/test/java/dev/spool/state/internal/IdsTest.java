package dev.spool.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdsTest {
  @TempDir Path dir;

  @Test
  void random_isAVersion4Uuid_andNeverRepeats_acrossManyBuffers() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) { // 16 bytes each: 390 refills of the 4 KB buffer
      String id = Ids.random();
      UUID u = UUID.fromString(id);
      assertEquals(4, u.version(), id);
      assertEquals(2, u.variant(), id);
      assertEquals(id, u.toString());
      assertTrue(seen.add(id), "repeated: " + id);
    }
  }

  @Test
  void theBytes_areTheSourcesInOrder_withTheVersionAndVariantBitsSet() throws Exception {
    byte[] source = new byte[8192];
    for (int i = 0; i < source.length; i++) source[i] = (byte) 0xFF;
    source[16] = 0; // the second id's first byte
    Ids ids = new Ids(Files.write(dir.resolve("random"), source));
    assertEquals(UUID.fromString("ffffffff-ffff-4fff-bfff-ffffffffffff"), ids.next());
    assertEquals(UUID.fromString("00ffffff-ffff-4fff-bfff-ffffffffffff"), ids.next());
  }

  @Test
  void withoutTheSource_orWhenItRunsShort_SecureRandomMakesThem() throws Exception {
    Ids none = new Ids(dir.resolve("absent"));
    Ids shortOne = new Ids(Files.write(dir.resolve("short"), new byte[100]));
    for (Ids ids : new Ids[] {none, shortOne}) {
      Set<UUID> seen = new HashSet<>();
      for (int i = 0; i < 1000; i++) {
        UUID u = ids.next();
        assertEquals(4, u.version());
        assertTrue(seen.add(u));
      }
    }
  }
}
