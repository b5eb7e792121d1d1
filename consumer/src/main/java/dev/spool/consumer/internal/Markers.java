package dev.spool.consumer.internal;

import dev.spool.SharedValue;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotency markers in Redis: one per key, "running" while a run holds it, "done" with its
 * result.
 */
final class Markers {
  private static final Logger log = LoggerFactory.getLogger(Markers.class);

  private Markers() {}

  /** Keys are the user's own strings; their hash makes a valid, bounded Redis name. */
  static String sha256(String key) {
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(key.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  static void release(SharedValue<Marker> marker) {
    if (marker == null) return;
    try {
      marker.delete();
    } catch (RuntimeException e) {
      log.warn("could not release an idempotency claim ({}); it expires by itself", e.toString());
    }
  }

  /** The idempotency marker: {@code running} while claimed, {@code done} with the result JSON. */
  record Marker(String status, String worker, String result) {}
}
