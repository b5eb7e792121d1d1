package dev.spool.core.wire;

import com.rabbitmq.client.AMQP;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The messages of a workflow's steps: sent by the producer that submits the workflow (its first
 * steps) and by the consumers that advance it (the next ones). A step's id is {@code
 * <workflow>.<node>}; it has no reply queue and always runs.
 */
public final class FlowSteps {
  private FlowSteps() {}

  /** The properties of step {@code node} (task {@code name}) of workflow {@code flow}. */
  public static AMQP.BasicProperties properties(
      String flow, int node, String name, Duration keep, String sender) {
    TaskMessage m =
        new TaskMessage(flow + "." + node, name, null, 1, 0, 0, null, sender, new byte[0]);
    AMQP.BasicProperties props = m.toProperties();
    Map<String, Object> h = new HashMap<>(props.getHeaders());
    h.put(Headers.FLOW, flow);
    h.put(Headers.FLOW_NODE, node);
    h.put(Headers.FLOW_KEEP, keep.toMillis());
    h.put(Headers.IF_ABANDONED, Headers.IF_ABANDONED_RUN);
    return props.builder().headers(h).build();
  }

  /** A step's body: its input JSON. */
  public static byte[] body(String inputJson) {
    return inputJson.getBytes(StandardCharsets.UTF_8);
  }
}
