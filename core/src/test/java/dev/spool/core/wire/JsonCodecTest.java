package dev.spool.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.core.RemoteError;
import dev.spool.core.SpoolCodecException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class JsonCodecTest {
  private final JsonCodec codec = new JsonCodec();

  record Point(int x, int y) {}

  @Test
  void roundTrip_recordListAndRemoteError_areEqual() {
    Point p = new Point(3, -4);
    assertEquals(p, codec.decode(codec.encode(p), Point.class));
    List<Long> xs = List.of(1L, 2L, 3L);
    assertEquals(
        xs,
        codec.decode(
            codec.encode(xs), codec.types().constructCollectionType(List.class, Long.class)));
    RemoteError e = new RemoteError("a.B", "m", List.of("f1"), "h/1", 2);
    assertEquals(e, codec.decode(codec.encode(e), RemoteError.class));
  }

  @Test
  void decode_classNameInPayload_neverInstantiatesIt() {
    byte[] hostile =
        "{\"@class\":\"java.lang.ProcessBuilder\",\"command\":[\"touch\",\"/tmp/pwned\"]}"
            .getBytes(StandardCharsets.UTF_8);
    Object o = codec.decode(hostile, Object.class);
    assertInstanceOf(Map.class, o); // a plain map: no default typing
    assertThrows(SpoolCodecException.class, () -> codec.decode(hostile, Point.class));
  }

  @Test
  void decode_nestingTooDeep_failsWithCodecError() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    SpoolCodecException e =
        assertThrows(
            SpoolCodecException.class,
            () -> codec.decode(deep.getBytes(StandardCharsets.UTF_8), Object.class));
    assertTrue(e.getMessage().toLowerCase().contains("nesting"), e.getMessage());
  }

  @Test
  void decode_garbage_saysWhatTypeWasExpected() {
    SpoolCodecException e =
        assertThrows(
            SpoolCodecException.class,
            () -> codec.decode("{nope".getBytes(StandardCharsets.UTF_8), Long.class));
    assertTrue(e.getMessage().contains("as Long:"), e.getMessage());
    assertFalse(e.getMessage().contains("simple type"), "no Jackson internals: " + e.getMessage());
  }

  @Test
  void decode_trailingTokens_areRejected() {
    assertThrows(
        SpoolCodecException.class,
        () -> codec.decode("1 2".getBytes(StandardCharsets.UTF_8), Long.class));
  }
}
