package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.RetryPolicy;
import dev.spool.core.DeadLetter.Reason;
import dev.spool.core.RemoteError;
import dev.spool.core.wire.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Settling deliveries against a fake broker whose confirms the test sends: nothing is acked before
 * what it published was confirmed, every delivery is settled exactly once (no second frame for a
 * tag, whatever fails and in whatever order), and a nack publishes again on the resender.
 */
final class OutcomesTest {
  private final FakeBroker broker = new FakeBroker();
  private final Outcomes outcomes =
      broker.outcomes(
          ConsumerConfig.builder().retry(RetryPolicy.of(3, Duration.ofMillis(100))).build());

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The invariant of every test: no delivery was settled twice, none acked unknown. */
  private void settledOnce() {
    assertEquals(List.of(), broker.channelErrors, "frames: " + broker.frames);
    assertEquals(0, broker.acks.settledTwice(), "second settles dropped by Acks");
  }

  @Test
  void success_ackedOnlyOnceTheResultIsConfirmed_andAfterANackOnlyOnceItsRepublishIs()
      throws Exception {
    Delivery d = broker.deliver(1, FakeBroker.task("t1", "square", Map.of()), "3");
    outcomes.success(d, json("9"));
    assertEquals(1, broker.to("ns.reply.p1").size(), "the result went out");
    broker.flushAcks();
    assertEquals(List.of(), broker.frames, "not acked before its confirm");

    broker.nack(broker.published.getFirst());
    broker.flushAcks();
    assertEquals(List.of(), broker.frames, "a nack is no confirm");
    assertEquals(1, broker.published.size(), "not published again on the reader thread");
    broker.resend();
    assertEquals(2, broker.to("ns.reply.p1").size(), "published again by the resender");
    broker.confirm(broker.published.get(1));
    broker.flushAcks();
    assertEquals(List.of("ack 1"), broker.frames);
    settledOnce();
  }

  @Test
  void keptResult_recordCannotBeWritten_replyConfirmed_comesBackLaterOnce() throws Exception {
    Delivery d =
        broker.deliver(
            2, FakeBroker.task("k1", "square", Map.of(Headers.KEEP_RESULT, 60_000L)), "3");
    outcomes.success(d, json("9")); // Redis is down: the record write fails at once
    broker.confirm(broker.to("ns.reply.p1").getFirst()); // the caller has its result
    List<FakeBroker.Published> later = broker.toPrefix("ns.delay.tasks.");
    assertEquals(1, later.size(), "put back for later, through a delay queue");
    assertEquals("1", later.getFirst().header(Headers.REQUEUES));
    broker.flushAcks();
    assertEquals(List.of(), broker.frames, "acked only once the copy is stored");
    broker.confirm(later.getFirst());
    broker.flushAcks();
    assertEquals(List.of("ack 2"), broker.frames);
    settledOnce();
  }

  @Test
  void keptResult_recordAndReplyBothFail_returnedOnce_neverAlsoAcked() throws Exception {
    Delivery d =
        broker.deliver(
            3, FakeBroker.task("k2", "square", Map.of(Headers.KEEP_RESULT, 60_000L)), "3");
    broker.publishingBroken = true; // the reply cannot be published either
    outcomes.success(d, json("9"));
    broker.flushAcks();
    assertEquals(List.of("requeue 3"), broker.frames, "back to its queue, once");
    assertEquals(List.of(), broker.toPrefix("ns.delay."), "and no copy of it for later");
    settledOnce();
  }

  @Test
  void deadLetter_itsErrorCannotReachTheCaller_isAckedOnce_notDeadLetteredTwice() throws Exception {
    Delivery d = broker.deliver(4, FakeBroker.task("t4", "fail", Map.of()), "\"x\"");
    outcomes.deadLetter(d, Reason.NOT_RETRYABLE, new RemoteError("E", "boom", null, "w1", null), 1);
    List<FakeBroker.Published> dead = broker.to("ns.dead.tasks");
    assertEquals(1, dead.size());
    assertEquals("not-retryable", dead.getFirst().header(Headers.DEAD_REASON));
    broker.confirm(dead.getFirst());
    broker.flushAcks();
    assertEquals(List.of(), broker.frames, "the caller's error is not confirmed yet");
    broker.confirm(broker.to("ns.reply.p1").getFirst());
    broker.flushAcks();
    assertEquals(List.of("ack 4"), broker.frames);
    settledOnce();

    // The same, when the caller's error cannot be published at all: the dead letter counts.
    Delivery e = broker.deliver(5, FakeBroker.task("t5", "fail", Map.of()), "\"x\"");
    broker.brokenQueue = "ns.reply.p1";
    outcomes.deadLetter(e, Reason.NOT_RETRYABLE, new RemoteError("E", "boom", null, "w1", null), 1);
    broker.brokenQueue = null;
    List<FakeBroker.Published> dead2 = broker.to("ns.dead.tasks");
    assertEquals(2, dead2.size(), "its dead letter went out");
    broker.flushAcks();
    assertEquals(List.of("ack 4"), broker.frames, "not acked before the dead letter's confirm");
    broker.confirm(dead2.get(1));
    broker.flushAcks();
    assertEquals(List.of("ack 4", "ack 5"), broker.frames, "acked, not requeued to die twice");
    settledOnce();
  }

  @Test
  void failed_retriesThroughADelayQueueWithTheNextAttempt_ackedOnceStored() throws Exception {
    Delivery d = broker.deliver(6, FakeBroker.task("t6", "fail", Map.of()), "\"x\"");
    outcomes.failed(d, new IllegalStateException("flaky"), null);
    List<FakeBroker.Published> retry = broker.toPrefix("ns.delay.tasks.");
    assertEquals(1, retry.size());
    assertEquals("2", retry.getFirst().header(Headers.ATTEMPT));
    broker.flushAcks();
    assertEquals(List.of(), broker.frames);
    broker.confirm(retry.getFirst());
    broker.flushAcks();
    assertEquals(List.of("ack 6"), broker.frames);
    settledOnce();
  }

  @Test
  void handBack_returnsEachUnstartedDeliveryOnce_evenWhenOneIsHandedBackTwice() {
    Delivery a = broker.deliver(7, FakeBroker.task("a", "square", Map.of()), "1");
    Delivery b = broker.deliver(8, FakeBroker.task("b", "square", Map.of()), "1");
    outcomes.handBack(List.of(a, b)); // Redis is down: not marked, returned all the same
    outcomes.handBack(a); // a stop and a pause at once
    assertEquals(List.of("requeue 7", "requeue 8"), broker.frames);
    assertEquals(List.of(), broker.channelErrors);
    assertEquals(1, broker.acks.settledTwice(), "the second hand-back was dropped");
  }

  @Test
  void cancelled_answersTheCallerAndAcksOnceConfirmed_neverDeadLettered() throws Exception {
    Delivery d = broker.deliver(9, FakeBroker.task("t9", "square", Map.of()), "1");
    outcomes.cancelled(d, false);
    assertEquals(List.of(), broker.to("ns.dead.tasks"));
    FakeBroker.Published told = broker.to("ns.reply.p1").getFirst();
    assertTrue(new String(told.body(), StandardCharsets.UTF_8).contains("cancelled before"));
    broker.confirm(told);
    broker.flushAcks();
    assertEquals(List.of("ack 9"), broker.frames);
    settledOnce();
  }
}
