package dev.spool;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Task handlers by name. Thread-safe. {@link #withProviders(ClassLoader)} fills one from every
 * {@link TaskHandlerProvider} on the classpath, Spool's built-in tasks included.
 */
public final class HandlerRegistry {

  private final Map<String, RegisteredTask<?, ?>> tasks = new ConcurrentHashMap<>();

  /** An empty registry. */
  public HandlerRegistry() {}

  /** A registry holding the tasks of every {@link TaskHandlerProvider} that {@code loader} sees. */
  public static HandlerRegistry withProviders(ClassLoader loader) {
    HandlerRegistry registry = new HandlerRegistry();
    for (TaskHandlerProvider p : ServiceLoader.load(TaskHandlerProvider.class, loader)) {
      p.registerTasks(registry);
    }
    return registry;
  }

  /**
   * Registers {@code handler} as task {@code name}, taking inputs of class {@code inputType}; the
   * handler's input type is inferred from it:
   *
   * <pre>{@code
   * registry.register("square", Long.class, (x, ctx) -> x * x);
   * }</pre>
   *
   * @throws IllegalArgumentException when the name is invalid or already taken
   */
  public <I, R> HandlerRegistry register(
      String name, Class<I> inputType, TaskHandler<I, R> handler) {
    return add(name, inputType, handler);
  }

  /**
   * Registers {@code handler} as task {@code name}, taking inputs of a generic type named by a type
   * token:
   *
   * <pre>{@code
   * registry.register("total", new TypeToken<List<Long>>() {}, (xs, ctx) -> sum(xs));
   * }</pre>
   *
   * @throws IllegalArgumentException when the name is invalid or already taken
   */
  public <I, R> HandlerRegistry register(
      String name, TypeToken<I> inputType, TaskHandler<I, R> handler) {
    return add(name, Objects.requireNonNull(inputType, "inputType").type(), handler);
  }

  private <I, R> HandlerRegistry add(String name, Type inputType, TaskHandler<I, R> handler) {
    Names.taskName(name);
    RegisteredTask<I, R> task =
        new RegisteredTask<>(
            name,
            Objects.requireNonNull(inputType, "inputType"),
            Objects.requireNonNull(handler, "handler"));
    if (tasks.putIfAbsent(name, task) != null) {
      throw new IllegalArgumentException("task '" + name + "' is registered twice");
    }
    return this;
  }

  /** The task registered as {@code name}. */
  public Optional<RegisteredTask<?, ?>> find(String name) {
    return Optional.ofNullable(tasks.get(name));
  }

  /** The registered names, sorted. */
  public Set<String> names() {
    return new TreeSet<>(tasks.keySet());
  }

  /**
   * A handler with its name and input type.
   *
   * @param name the task name
   * @param inputType what the JSON input is read as
   * @param handler the code
   */
  public record RegisteredTask<I, R>(String name, Type inputType, TaskHandler<I, R> handler) {}
}
