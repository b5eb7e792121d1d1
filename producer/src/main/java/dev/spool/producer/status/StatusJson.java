package dev.spool.producer.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.spool.state.HeldLock;
import dev.spool.state.SharedObjects;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code status --json} and the dashboard's API: Jackson writes the status records as they are;
 * mix-ins say what differs from their Java shape (times as ISO text, durations as milliseconds
 * under an {@code ...Ms} name, unknown values left out), so the records stay free of JSON concerns.
 */
public final class StatusJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addMixIn(SpoolStatus.class, StatusMixin.class)
          .addMixIn(HeldLock.class, LockMixin.class)
          .addMixIn(SharedObjects.Entry.class, EntryMixin.class)
          .addMixIn(SpoolStatus.ScheduledStatus.class, ScheduledMixin.class)
          .addModule(
              new SimpleModule()
                  .addSerializer(Instant.class, ToStringSerializer.instance)
                  .addSerializer(Duration.class, new Millis()))
          .build();

  private StatusJson() {}

  /**
   * Writes {@code value} (a {@link SpoolStatus}, or any record or map holding such records) as
   * JSON: times as ISO-8601 text, durations as milliseconds.
   */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("status cannot be written as JSON: " + e.getMessage(), e);
    }
  }

  @JsonPropertyOrder({
    "at",
    "namespace",
    "vhost",
    "queues",
    "consumers",
    "deadLetters",
    "locks",
    "objects"
  })
  abstract static class StatusMixin {
    @JsonProperty("deadLetters")
    abstract long deadLetters();
  }

  @JsonPropertyOrder({"name", "holder", "ageMs", "expiresInMs"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  abstract static class LockMixin {
    @JsonIgnore
    abstract Instant acquiredAt();

    @JsonIgnore
    abstract Instant readAt();

    @JsonProperty("ageMs")
    @JsonSerialize(using = Millis.class)
    abstract Duration age();

    @JsonProperty("expiresInMs")
    @JsonSerialize(using = Millis.class)
    abstract Duration expiresIn();
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  abstract static class EntryMixin {
    @JsonProperty("ttlMs")
    @JsonSerialize(using = Millis.class)
    abstract Duration ttl();
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  abstract static class ScheduledMixin {}

  /** A duration as whole milliseconds. */
  static final class Millis extends StdSerializer<Duration> {
    Millis() {
      super(Duration.class);
    }

    @Override
    public void serialize(Duration d, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeNumber(d.toMillis());
    }
  }
}
