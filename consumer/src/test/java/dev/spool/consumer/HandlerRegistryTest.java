package dev.spool.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

final class HandlerRegistryTest {
  @Test
  void withProviders_serviceLoader_findsBuiltinsAndTestProvider() {
    HandlerRegistry r = HandlerRegistry.withProviders(getClass().getClassLoader());
    // BuiltinTasks from main, TestTasks from src/test/resources/META-INF/services.
    assertTrue(
        r.names().containsAll(Set.of("square", "sleep", "fail", "add", "test-echo")),
        r.names().toString());
  }

  @Test
  void register_duplicateName_isRejected() {
    HandlerRegistry r =
        new HandlerRegistry().register("x", Long.class, (Long i, TaskContext c) -> i);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> r.register("x", Long.class, (Long i, TaskContext c) -> i));
    assertTrue(e.getMessage().contains("'x' is registered twice"), e.getMessage());
  }

  @Test
  void register_invalidName_isRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new HandlerRegistry()
                    .register("has space", Long.class, (Long i, TaskContext c) -> i));
    assertTrue(e.getMessage().contains("'has space'"), e.getMessage());
  }

  @Test
  void find_registered_returnsItsInputType() {
    HandlerRegistry r =
        new HandlerRegistry().register("x", String.class, (String s, TaskContext c) -> s);
    assertEquals(String.class, r.find("x").orElseThrow().inputType());
    assertTrue(r.find("y").isEmpty());
  }
}
