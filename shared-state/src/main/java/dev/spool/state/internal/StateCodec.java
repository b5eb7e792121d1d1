package dev.spool.state.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.spool.StateCodecException;
import java.lang.reflect.Type;

/**
 * JSON for stored values, bound to the types callers name; default typing is never enabled.
 * Thread-safe.
 */
final class StateCodec {
  private final ObjectMapper mapper;

  StateCodec() {
    JsonMapper m =
        JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    m.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(256).maxStringLength(64 << 20).build());
    this.mapper = m;
  }

  JavaType type(Type type) {
    return mapper.constructType(type);
  }

  String encode(Object value, String key) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new StateCodecException(
          "cannot write a " + value.getClass().getName() + " as JSON for key '" + key + "'", e);
    }
  }

  /** Null in, null out. */
  <T> T decode(String json, JavaType type, String key) {
    if (json == null) return null;
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException e) {
      String shown = json.length() > 60 ? json.substring(0, 60) + "..." : json;
      throw new StateCodecException(
          "cannot read key '"
              + key
              + "' as "
              + type
              + ": stored value '"
              + shown
              + "' ("
              + e.getOriginalMessage()
              + ")",
          e);
    }
  }
}
