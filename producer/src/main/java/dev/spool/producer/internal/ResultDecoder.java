package dev.spool.producer.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.SpoolException;
import dev.spool.core.RemoteError;
import dev.spool.core.SpoolCodecException;
import dev.spool.core.TaskCancelledException;
import dev.spool.core.TaskFailedException;
import dev.spool.core.TaskTimeoutException;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.TaskResult;
import dev.spool.producer.internal.PendingTasks.Pending;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Turns results into values, and errors into the exceptions the caller sees. Thread-safe. */
public final class ResultDecoder {
  private final JsonCodec codec;

  public ResultDecoder(JsonCodec codec) {
    this.codec = codec;
  }

  /**
   * The values of a result: one for a single task, one per input for a chunk.
   *
   * @throws TaskFailedException when the task failed remotely
   */
  public <R> List<R> values(Pending p, TaskResult r, JavaType type) {
    if (!r.ok()) {
      RemoteError error = remoteError(r);
      if (TaskCancelledException.describes(error)) {
        throw new TaskCancelledException(p.task(), p.id(), error);
      }
      throw new TaskFailedException(p.task(), p.id(), error);
    }
    if (p.size() == 0) {
      return Collections.singletonList(codec.decode(r.body(), type));
    }
    JsonNode array = codec.tree(r.body());
    if (!array.isArray() || array.size() != p.size()) {
      throw new SpoolCodecException(
          "result of chunk " + p.id() + " should be a JSON array of " + p.size() + " values");
    }
    List<R> values = new ArrayList<>(p.size());
    for (JsonNode v : array) {
      values.add(codec.convert(v, type));
    }
    return values;
  }

  private RemoteError remoteError(TaskResult r) {
    try {
      return codec.decode(r.body(), RemoteError.class);
    } catch (SpoolCodecException e) {
      return new RemoteError(
          "unknown", "unreadable error result: " + e.getMessage(), null, r.worker(), null);
    }
  }

  /** The exception to throw for a future that failed or timed out. */
  public static RuntimeException failure(Pending p, Throwable e, String hint) {
    Throwable cause =
        (e instanceof ExecutionException || e instanceof CompletionException)
                && e.getCause() != null
            ? e.getCause()
            : e;
    if (cause instanceof TimeoutException) {
      return new TaskTimeoutException(
          "no result for task '" + p.task() + "' (id " + p.id() + ") in time; " + hint);
    }
    if (cause instanceof SpoolException s) return s;
    if (cause instanceof CancellationException) {
      return new SpoolException("task " + p.id() + " was cancelled", cause);
    }
    return new SpoolException("task " + p.id() + " failed: " + cause, cause);
  }
}
