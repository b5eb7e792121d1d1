package dev.spool.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

final class TopologyTest {
  @Test
  void names_areNamespaced() {
    Topology t = new Topology("app");
    assertEquals("app.work.tasks", t.workQueue("tasks"));
    assertEquals("app.reply.p-1", t.replyQueue("p-1"));
  }

  @Test
  void workQueue_badName_isRejectedWithTheName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Topology("app").workQueue("A.B"));
    assertTrue(e.getMessage().contains("'A.B'"), e.getMessage());
  }
}
