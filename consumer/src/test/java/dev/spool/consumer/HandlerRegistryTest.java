package dev.spool.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.HandlerRegistry;
import dev.spool.TaskContext;
import dev.spool.TaskHandler;
import dev.spool.TypeToken;
import java.util.List;
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

  @Test
  @SuppressWarnings("unchecked")
  void register_untypedLambda_infersTheInputFromTheClass() throws Exception {
    // Compiles only because the input type is inferred from Long.class: x is a Long here.
    HandlerRegistry r = new HandlerRegistry().register("square", Long.class, (x, ctx) -> x * x);
    var handler = (TaskHandler<Long, Long>) r.find("square").orElseThrow().handler();
    assertEquals(49L, handler.handle(7L, null));
  }

  @Test
  @SuppressWarnings("unchecked")
  void register_typeToken_keepsTheGenericInputType() throws Exception {
    HandlerRegistry r =
        new HandlerRegistry()
            .register(
                "total",
                new TypeToken<List<Long>>() {},
                (xs, ctx) -> xs.stream().mapToLong(Long::longValue).sum());
    var task = r.find("total").orElseThrow();
    assertEquals(new TypeToken<List<Long>>() {}.type(), task.inputType());
    assertEquals(
        6L, ((TaskHandler<List<Long>, Long>) task.handler()).handle(List.of(1L, 2L, 3L), null));
  }
}
