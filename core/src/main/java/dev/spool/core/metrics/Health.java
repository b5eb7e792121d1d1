package dev.spool.core.metrics;

import dev.spool.core.wire.JsonCodec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A process's health: up only when every component is up.
 *
 * @param components each component's state, {@code "up"} or a short reason it is not
 */
public record Health(Map<String, String> components) {
  public static final String UP = "up";

  public Health {
    components = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(components));
  }

  /** True when every component reports {@value #UP}. */
  public boolean up() {
    return components.values().stream().allMatch(UP::equals);
  }

  /** {@code {"status":"up"|"down","components":{...}}}. */
  public String toJson() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", up() ? "up" : "down");
    body.put("components", components);
    return new JsonCodec().asString(body);
  }
}
