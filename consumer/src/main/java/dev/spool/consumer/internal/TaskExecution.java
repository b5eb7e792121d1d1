package dev.spool.consumer.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.consumer.HandlerRegistry.RegisteredTask;
import dev.spool.consumer.TaskContext;
import dev.spool.consumer.TaskHandler;
import dev.spool.core.SpoolCodecException;
import dev.spool.core.wire.TaskMessage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one delivered task on a worker thread: reads the input, calls the handler (once per input
 * for a chunk), and sends the result. Unstarted executions are handed back to the queue when the
 * consumer stops ({@link #deliveryTag()}).
 */
final class TaskExecution implements Runnable, TaskContext {
  private static final Logger log = LoggerFactory.getLogger(TaskExecution.class);

  private final TaskMessage task;
  private final RegisteredTask<?, ?> registered;
  private final long deliveryTag;
  private final boolean redelivered;
  private final Replies replies;
  private final Counters counters;

  TaskExecution(
      TaskMessage task,
      RegisteredTask<?, ?> registered,
      long deliveryTag,
      boolean redelivered,
      Replies replies,
      Counters counters) {
    this.task = task;
    this.registered = registered;
    this.deliveryTag = deliveryTag;
    this.redelivered = redelivered;
    this.replies = replies;
    this.counters = counters;
  }

  long deliveryTag() {
    return deliveryTag;
  }

  @Override
  public void run() {
    List<Object> inputs;
    try {
      inputs = readInputs();
    } catch (SpoolCodecException e) {
      counters.rejected.increment();
      log.warn("task {} ({}): bad input, rejected: {}", task.id(), task.name(), e.getMessage());
      replies.badInput(task, deliveryTag, e);
      return;
    }
    List<Object> results = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      try {
        results.add(call(inputs.get(i)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.warn(
            "task {} ({}) interrupted while stopping; returned to the queue",
            task.id(),
            task.name());
        replies.acks().reject(deliveryTag, true);
        return;
      } catch (Exception e) {
        counters.failed.increment();
        log.info("task {} ({}) failed: {}", task.id(), task.name(), e.toString());
        replies.failure(task, deliveryTag, e, task.isChunk() ? i : null);
        return;
      }
    }
    byte[] json;
    try {
      json = replies.codec().encode(task.isChunk() ? results : results.getFirst());
    } catch (SpoolCodecException e) {
      counters.failed.increment();
      replies.failure(task, deliveryTag, e, null);
      return;
    }
    counters.succeeded.increment();
    replies.success(task, deliveryTag, json);
  }

  private List<Object> readInputs() {
    JavaType type = replies.codec().type(registered.inputType());
    if (!task.isChunk()) {
      return java.util.Collections.singletonList(replies.codec().decode(task.body(), type));
    }
    JsonNode array = replies.codec().tree(task.body());
    if (!array.isArray() || array.size() != task.chunk()) {
      throw new SpoolCodecException(
          "chunk of task " + task.id() + " should be a JSON array of " + task.chunk() + " inputs");
    }
    List<Object> inputs = new ArrayList<>(array.size());
    for (JsonNode element : array) {
      inputs.add(replies.codec().convert(element, type));
    }
    return inputs;
  }

  @SuppressWarnings("unchecked")
  private Object call(Object input) throws Exception {
    return ((TaskHandler<Object, Object>) registered.handler()).handle(input, this);
  }

  @Override
  public String taskId() {
    return task.id();
  }

  @Override
  public String taskName() {
    return task.name();
  }

  @Override
  public int attempt() {
    return task.attempt();
  }

  @Override
  public boolean redelivered() {
    return redelivered;
  }

  @Override
  public String workerId() {
    return replies.workerId();
  }

  @Override
  public dev.spool.state.SharedState state() {
    return replies.state();
  }
}
