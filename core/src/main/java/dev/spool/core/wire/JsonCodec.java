package dev.spool.core.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.spool.core.SpoolCodecException;
import java.io.IOException;
import java.lang.reflect.Type;

/**
 * JSON for task arguments and results. Binds only to the concrete types the caller names: default
 * typing is never enabled, so a payload cannot choose a class to instantiate. Reading is bounded
 * (nesting depth, string and number length) so that a hostile body cannot exhaust a consumer.
 *
 * <p>Thread-safe; create one and share it.
 */
public final class JsonCodec {
  /** Deepest nesting accepted in a body. */
  public static final int MAX_NESTING_DEPTH = 256;

  /** Longest string value accepted in a body, in characters. */
  public static final int MAX_STRING_LENGTH = 16 * 1024 * 1024;

  private final ObjectMapper mapper;

  public JsonCodec() {
    JsonMapper m =
        JsonMapper.builder()
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();
    m.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNumberLength(1000)
                .build());
    this.mapper = m;
  }

  /** Writes {@code value} as UTF-8 JSON. */
  public byte[] encode(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      String type = value == null ? "null" : value.getClass().getName();
      throw new SpoolCodecException("cannot write a " + type + " as JSON: " + e.getMessage(), e);
    }
  }

  /** Writes {@code value} as a JSON string. */
  public String asString(Object value) {
    return new String(encode(value), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Reads {@code json} as a {@code type}. */
  public <T> T decode(byte[] json, Class<T> type) {
    return decode(json, mapper.constructType(type));
  }

  /** Reads {@code json} as a {@code type} (use {@link #type(Type)} for generic types). */
  public <T> T decode(byte[] json, JavaType type) {
    try {
      return mapper.readValue(json, type);
    } catch (IOException e) {
      throw new SpoolCodecException(
          "cannot read " + json.length + " bytes of JSON as " + named(type) + ": " + firstLine(e),
          e);
    }
  }

  /** A type as a reader writes it, {@code Long} or {@code List<Long>}, not Jackson's form. */
  static String named(JavaType type) {
    return type.toCanonical().replaceAll("\\bjava\\.(lang|util)\\.", "");
  }

  /** Reads {@code json} as a tree. */
  public JsonNode tree(byte[] json) {
    try {
      return mapper.readTree(json);
    } catch (IOException e) {
      throw new SpoolCodecException("cannot read JSON: " + firstLine(e), e);
    }
  }

  /** A streaming parser over {@code json}, with the same limits as {@link #decode}. */
  public com.fasterxml.jackson.core.JsonParser parser(byte[] json) throws IOException {
    return mapper.createParser(json);
  }

  /** Binds an already-parsed tree to {@code type}. */
  public <T> T convert(JsonNode node, JavaType type) {
    try {
      return mapper.treeToValue(node, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new SpoolCodecException("cannot read JSON as " + named(type) + ": " + firstLine(e), e);
    }
  }

  /**
   * The Jackson type for a Java type, for generic inputs and results such as {@code List<Long>}.
   */
  public JavaType type(Type type) {
    return mapper.constructType(type);
  }

  public TypeFactory types() {
    return mapper.getTypeFactory();
  }

  private static String firstLine(Exception e) {
    String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    if (m == null) return e.getClass().getSimpleName();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
