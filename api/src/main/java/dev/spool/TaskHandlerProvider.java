package dev.spool;

/**
 * Contributes tasks to a consumer from a jar on its classpath. Implement it, list the class in
 * {@code META-INF/services/dev.spool.TaskHandlerProvider}, and put the jar beside Spool's:
 *
 * <pre>{@code
 * public final class MyTasks implements TaskHandlerProvider {
 *   public void registerTasks(HandlerRegistry registry) {
 *     registry.register("resize", ResizeRequest.class, (req, ctx) -> Images.resize(req));
 *   }
 * }
 * }</pre>
 */
@FunctionalInterface
public interface TaskHandlerProvider {
  void registerTasks(HandlerRegistry registry);
}
