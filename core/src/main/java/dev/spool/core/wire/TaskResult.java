package dev.spool.core.wire;

import com.rabbitmq.client.AMQP;
import java.util.Arrays;
import java.util.Date;
import java.util.Map;
import java.util.Objects;

/**
 * A task's result on the wire. Immutable.
 *
 * @param taskId the task's id, sent as {@code correlation_id}
 * @param ok true for a value, false for an error
 * @param worker the consumer that produced it
 * @param body on success the JSON value (an array of values for a chunk); on error a JSON {@link
 *     dev.spool.core.RemoteError}
 */
public record TaskResult(String taskId, boolean ok, String worker, byte[] body) {

  public TaskResult {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(body, "body");
  }

  public AMQP.BasicProperties toProperties() {
    return new AMQP.BasicProperties.Builder()
        .correlationId(taskId)
        .contentType("application/json")
        .deliveryMode(2)
        .timestamp(new Date())
        .headers(
            Map.of(
                Headers.STATUS,
                ok ? Headers.STATUS_OK : Headers.STATUS_ERROR,
                Headers.WORKER,
                worker))
        .build();
  }

  /**
   * Reads a result from a delivery.
   *
   * @throws MalformedMessageException when it has no correlation id or no valid status
   */
  public static TaskResult from(AMQP.BasicProperties props, byte[] body) {
    String id = props.getCorrelationId();
    if (id == null) throw new MalformedMessageException("result has no correlation_id");
    String status = Headers.string(props.getHeaders(), Headers.STATUS);
    if (!Headers.STATUS_OK.equals(status) && !Headers.STATUS_ERROR.equals(status)) {
      throw new MalformedMessageException("result for " + id + " has status '" + status + "'");
    }
    String worker = Headers.string(props.getHeaders(), Headers.WORKER);
    return new TaskResult(
        id,
        Headers.STATUS_OK.equals(status),
        worker == null ? "unknown" : worker,
        body == null ? new byte[0] : body);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TaskResult r
        && taskId.equals(r.taskId)
        && ok == r.ok
        && worker.equals(r.worker)
        && Arrays.equals(body, r.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(taskId, ok, worker, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "TaskResult[taskId=%s, ok=%s, worker=%s, bytes=%d]"
        .formatted(taskId, ok, worker, body.length);
  }
}
