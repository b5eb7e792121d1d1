package dev.spool.core.metrics;

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

  /** {@code {"status":"up"|"down","components":{...}}}, hand-written: no codec needed here. */
  public String toJson() {
    StringBuilder b = new StringBuilder("{\"status\":\"").append(up() ? "up" : "down");
    b.append("\",\"components\":{");
    String sep = "";
    for (Map.Entry<String, String> e : components.entrySet()) {
      b.append(sep).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
      sep = ",";
    }
    return b.append("}}").toString();
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }
}
