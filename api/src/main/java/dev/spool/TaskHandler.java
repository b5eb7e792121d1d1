package dev.spool;

/**
 * The code that runs a task: like the {@code target} of a {@code multiprocessing.Process}.
 *
 * <pre>{@code
 * registry.register("square", Long.class, (x, ctx) -> x * x);
 * }</pre>
 *
 * <p>Called from worker threads, several at once: implementations must be thread-safe. Whatever it
 * throws becomes an error result that the producer re-raises as a {@link
 * dev.spool.core.TaskFailedException}. A handler should respond to interruption, which a consumer
 * uses only when a drain times out.
 *
 * @param <I> the input, read from the task's JSON
 * @param <R> the result, written as JSON
 */
@FunctionalInterface
public interface TaskHandler<I, R> {
  R handle(I input, TaskContext context) throws Exception;
}
