package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class WorkerPoolTest {
  @Test
  void addReplacement_pastTheBound_addsNoThreadAndAsksForTheProcessToBeReplaced() {
    List<String> asked = new ArrayList<>();
    WorkerPool pool = new WorkerPool(2, false, 2, asked::add);
    try {
      pool.addReplacement();
      pool.addReplacement();
      assertEquals(4, pool.threads());
      assertTrue(asked.isEmpty());

      pool.addReplacement();
      assertEquals(4, pool.threads(), "no thread beyond the bound");
      assertEquals(3, pool.abandoned());
      assertEquals(1, asked.size());
      assertTrue(asked.getFirst().contains("3 worker threads are stuck"), asked.getFirst());

      pool.releaseReplacement();
      assertEquals(4, pool.threads(), "the one beyond the bound had no thread of its own");
      pool.releaseReplacement();
      pool.releaseReplacement();
      assertEquals(2, pool.threads());
      assertEquals(0, pool.abandoned());
    } finally {
      pool.shutdownNow();
    }
  }
}
