package dev.spool.core.wire;

import com.rabbitmq.client.AMQP;
import dev.spool.state.internal.Ids;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Objects;

/**
 * A poison pill: asks the one consumer that takes it to drain and exit.
 *
 * <p>A pill carries the instant it was issued. A consumer obeys only pills issued after it started;
 * an older pill (left over from an earlier job, for example when fewer consumers were alive than
 * pills were sent) is acknowledged and dropped, so it can never stop a consumer started later.
 *
 * <p>Both instants come from the Redis server's clock when the sender and the consumer reach Redis
 * ({@link #CLOCK_REDIS}), so host clocks need not agree; otherwise from the host's own clock
 * ({@link #CLOCK_HOST}), which assumes clocks agree to within the time between a consumer's start
 * and the pill meant for it.
 *
 * @param id the message id
 * @param issuedAt when the pill was issued
 * @param sender the process that sent it
 * @param clock whose clock dated it: {@link #CLOCK_REDIS} or {@link #CLOCK_HOST}
 */
public record PoisonPill(String id, Instant issuedAt, String sender, String clock) {
  public static final String CLOCK_REDIS = "redis";
  public static final String CLOCK_HOST = "host";

  public PoisonPill {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(issuedAt, "issuedAt");
  }

  /** A pill dated by this host's clock. */
  public static PoisonPill issue(Instant now, String sender) {
    return issue(now, sender, CLOCK_HOST);
  }

  /** A pill dated {@code now} by {@code clock} ({@link #CLOCK_REDIS} or {@link #CLOCK_HOST}). */
  public static PoisonPill issue(Instant now, String sender, String clock) {
    return new PoisonPill("pill-" + Ids.random(), now, sender, clock);
  }

  /**
   * True when this pill was issued at or after {@code consumerStart}, so that consumer obeys it.
   */
  public boolean appliesToConsumerStartedAt(Instant consumerStart) {
    return !issuedAt.isBefore(consumerStart);
  }

  public AMQP.BasicProperties toProperties() {
    return new AMQP.BasicProperties.Builder()
        .messageId(id)
        .type("spool.poison-pill")
        .contentType("application/json")
        .deliveryMode(2)
        .timestamp(Date.from(issuedAt))
        .headers(
            Map.of(
                Headers.KIND,
                Headers.KIND_PILL,
                Headers.ISSUED_AT,
                issuedAt.toEpochMilli(),
                Headers.SENDER,
                sender == null ? "unknown" : sender,
                Headers.CLOCK,
                clock == null ? CLOCK_HOST : clock))
        .build();
  }

  /** The body: a readable note for whoever looks at the queue in the dashboard. */
  public byte[] body() {
    return ("{\"pill\":true,\"issuedAt\":\"" + issuedAt + "\"}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** True when the properties mark a poison pill. */
  public static boolean isPill(AMQP.BasicProperties props) {
    return Headers.KIND_PILL.equals(Headers.string(props.getHeaders(), Headers.KIND));
  }

  /**
   * Reads a pill from a delivery's properties.
   *
   * @throws MalformedMessageException when it has no issue time
   */
  public static PoisonPill from(AMQP.BasicProperties props) {
    Long issued = Headers.number(props.getHeaders(), Headers.ISSUED_AT);
    if (issued == null) {
      throw new MalformedMessageException("poison pill " + props.getMessageId() + " has no time");
    }
    String id = props.getMessageId() == null ? "pill-unnamed" : props.getMessageId();
    String clock = Headers.string(props.getHeaders(), Headers.CLOCK);
    return new PoisonPill(
        id,
        Instant.ofEpochMilli(issued),
        Headers.string(props.getHeaders(), Headers.SENDER),
        CLOCK_REDIS.equals(clock) ? CLOCK_REDIS : CLOCK_HOST);
  }
}
