package dev.spool.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

final class WorkflowTest {
  @Test
  void aChord_flattensToAChainOfAGroupAndItsCallback_rootFirst() {
    Workflow chord =
        Workflow.chord(
            Workflow.group(Workflow.task("square", 1), Workflow.task("square", 2)),
            Workflow.task("add"));
    List<Workflow.Flat> flat = chord.flatten();
    assertEquals(5, flat.size());
    assertEquals("chain", flat.get(0).kind());
    assertEquals(List.of(1, 4), flat.get(0).children());
    assertEquals("group", flat.get(1).kind());
    assertEquals(List.of(2, 3), flat.get(1).children());
    assertEquals(1, flat.get(3).index());
    assertEquals(1, flat.get(3).parent());
    assertEquals("add", flat.get(4).name());
    assertEquals(false, flat.get(4).hasInput());
  }

  @Test
  void badShapes_areRefused_sayingWhatToDo() {
    IllegalArgumentException own =
        assertThrows(
            IllegalArgumentException.class,
            () -> Workflow.chain(Workflow.task("square", 1), Workflow.task("square", 2)));
    assertTrue(own.getMessage().contains("takes the previous step's result"), own.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Workflow.chain(
                Workflow.task("square", 1),
                Workflow.group(Workflow.task("square"), Workflow.task("square", 3))));
    assertThrows(IllegalArgumentException.class, () -> Workflow.group(List.of()));
    assertThrows(IllegalArgumentException.class, () -> Workflow.chain());
    assertThrows(IllegalArgumentException.class, () -> Workflow.task(" "));
    IllegalArgumentException notGroup =
        assertThrows(
            IllegalArgumentException.class,
            () -> Workflow.chord(Workflow.task("square", 1), Workflow.task("add")));
    assertTrue(notGroup.getMessage().contains("group"), notGroup.getMessage());
  }
}
