package dev.spool.producer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

final class RecentIdsTest {

  @Test
  void holdsTheLastIdsAdded_evictingTheOldest_acrossGrowth() {
    RecentIds recent = new RecentIds(3000); // grows 1024, 2048, 3000
    for (int i = 0; i < 10_000; i++) recent.add("task-" + i);
    assertEquals(3000, recent.size());
    for (int i = 0; i < 10_000; i++) {
      assertEquals(i >= 7000, recent.contains("task-" + i), "task-" + i);
    }
    assertFalse(recent.contains("never-added"));
  }

  @Test
  void behavesAsAnInsertionOrderedMapOfTheSameCapacity() {
    Random random = new Random(36);
    for (int capacity : new int[] {1, 2, 5, 100, 1500}) {
      RecentIds recent = new RecentIds(capacity);
      Map<String, Boolean> model =
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > capacity;
            }
          };
      String[] ids = new String[capacity * 3 + 1];
      for (int i = 0; i < ids.length; i++) ids[i] = UUID.randomUUID().toString();
      for (int op = 0; op < 50_000; op++) {
        String id = ids[random.nextInt(ids.length)];
        if (random.nextBoolean()) {
          recent.add(id);
          model.putIfAbsent(id, Boolean.TRUE); // an id held already keeps its place
        } else {
          assertEquals(model.containsKey(id), recent.contains(id), "capacity " + capacity);
        }
      }
      assertEquals(model.size(), recent.size(), "capacity " + capacity);
      for (String id : ids) assertEquals(model.containsKey(id), recent.contains(id));
    }
  }

  @Test
  void fingerprints_ofDistinctIds_differ_andAreNeverZero() {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 200_000; i++) {
      long f = RecentIds.fingerprint(UUID.randomUUID().toString());
      assertTrue(f != 0);
      assertTrue(seen.add(f), "a collision among 200,000 fingerprints");
    }
    assertTrue(seen.add(RecentIds.fingerprint("")));
  }

  @Test
  void capacity_belowOne_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RecentIds(0));
  }
}
