package dev.spool.core.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import java.io.IOException;
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
  private static final ObjectMapper JSON = new ObjectMapper();

  private FlowSteps() {}

  /**
   * A step's own options, stored with its node: the priority it is sent with (0, or 1 to 9 on the
   * urgent lane), its rate key, and how long after its turn comes it is sent (parked in Redis
   * meanwhile, as a delayed task).
   */
  public record StepOptions(int priority, String rateKey, Duration delay) {
    public static final StepOptions NONE = new StepOptions(0, null, null);

    public StepOptions {
      if (priority < 0 || priority > 9) {
        throw new IllegalArgumentException("a step's priority is 0 to 9, not " + priority);
      }
      if (delay != null && (delay.isNegative() || delay.compareTo(Duration.ofDays(366)) > 0)) {
        throw new IllegalArgumentException("a step's delay is 0 to 366 days, not " + delay);
      }
      if (delay != null && delay.isZero()) delay = null;
    }

    /** Options as stored: {@code {"priority":5,"rateKey":"k","delayMs":30000}}; null for none. */
    public String toJson() {
      if (equals(NONE)) return null;
      ObjectNode o = JSON.createObjectNode();
      if (priority > 0) o.put("priority", priority);
      if (rateKey != null) o.put("rateKey", rateKey);
      if (delay != null) o.put("delayMs", delay.toMillis());
      return o.toString();
    }

    /** What {@link #toJson()} wrote; {@link #NONE} for null. */
    public static StepOptions parse(String json) {
      if (json == null || json.isEmpty()) return NONE;
      try {
        JsonNode o = JSON.readTree(json);
        return new StepOptions(
            o.path("priority").asInt(0),
            o.hasNonNull("rateKey") ? o.get("rateKey").asText() : null,
            o.hasNonNull("delayMs") ? Duration.ofMillis(o.get("delayMs").asLong()) : null);
      } catch (IOException e) {
        throw new MalformedMessageException("unreadable step options " + json + ": " + e);
      }
    }
  }

  /** The properties of step {@code node} (task {@code name}) of workflow {@code flow}. */
  public static AMQP.BasicProperties properties(
      String flow, int node, String name, Duration keep, String sender) {
    return properties(flow, node, name, keep, sender, StepOptions.NONE);
  }

  /** As above, with the step's own priority and rate key in its headers. */
  public static AMQP.BasicProperties properties(
      String flow, int node, String name, Duration keep, String sender, StepOptions options) {
    TaskMessage m =
        new TaskMessage(flow + "." + node, name, null, 1, 0, 0, null, sender, new byte[0]);
    AMQP.BasicProperties props = m.toProperties();
    Map<String, Object> h = new HashMap<>(props.getHeaders());
    h.put(Headers.FLOW, flow);
    h.put(Headers.FLOW_NODE, node);
    h.put(Headers.FLOW_KEEP, keep.toMillis());
    h.put(Headers.IF_ABANDONED, Headers.IF_ABANDONED_RUN);
    if (options.rateKey() != null) h.put(Headers.RATE_KEY, options.rateKey());
    if (options.priority() > 0) {
      h.put(Headers.PRIORITY, options.priority());
      return props.builder().headers(h).priority(options.priority()).build();
    }
    return props.builder().headers(h).build();
  }

  /** A step's body: its input JSON. */
  public static byte[] body(String inputJson) {
    return inputJson.getBytes(StandardCharsets.UTF_8);
  }
}
