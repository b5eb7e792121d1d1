package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.ResultBatch;
import dev.spool.core.wire.TaskResult;
import io.opentelemetry.api.trace.Span;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Results to a reply queue against a fake channel whose confirms the test sends: what leaves at
 * once, what waits for a confirm and leaves together, and that no task is acked before the message
 * carrying its result was confirmed.
 */
final class RepliesTest {
  private static final String QUEUE = "ns.reply.p1";

  /** What was published, in order, and the rejects sent on the consuming channel. */
  private final List<Sent> sent = new CopyOnWriteArrayList<>();

  private final List<Long> rejected = new CopyOnWriteArrayList<>();
  private volatile boolean broken; // publishing fails as on a closed channel

  private record Sent(long seq, String queue, AMQP.BasicProperties props, byte[] body) {}

  private final JsonCodec codec = new JsonCodec();
  private final ConfirmingPublisher publisher;
  private final Replies replies;
  private final Acks acks;
  private final AcksTest.ManualExecutor flusher = new AcksTest.ManualExecutor();

  RepliesTest() throws Exception {
    AtomicInteger seq = new AtomicInteger(1);
    Channel publishing =
        (Channel)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Channel.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getNextPublishSeqNo" -> (long) seq.get();
                      case "basicPublish" -> {
                        if (broken) throw new java.io.IOException("channel closed");
                        sent.add(
                            new Sent(
                                seq.getAndIncrement(),
                                (String) args[1],
                                (AMQP.BasicProperties) args[3],
                                (byte[]) args[4]));
                        yield null;
                      }
                      case "getCloseReason" -> null;
                      default -> null;
                    });
    Channel consuming =
        (Channel)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Channel.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("basicReject")) rejected.add((Long) args[0]);
                  return null;
                });
    publisher = new ConfirmingPublisher(publishing, 1000);
    acks = new Acks(consuming);
    replies = new Replies(publisher, acks, codec, "w1", 1 << 20, 1, flusher);
  }

  /** A delivery of task {@code id} whose producer takes results several to a message or not. */
  private static Delivery delivery(long tag, String id, boolean batched) {
    Map<String, Object> h = new HashMap<>();
    if (batched) h.put(Headers.REPLIES, Headers.REPLIES_BATCH);
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder().messageId(id).replyTo(QUEUE).headers(h).build();
    return new Delivery(tag, props, new byte[0], false);
  }

  private final List<String> settled = new CopyOnWriteArrayList<>();

  private void send(long tag, String id, boolean batched) {
    acks.delivered(tag);
    TaskResult r =
        new TaskResult(id, true, "w1", ("\"" + id + "\"").getBytes(StandardCharsets.UTF_8));
    replies.send(
        new Replies.Outgoing(
            delivery(tag, id, batched), r, Span.getInvalid(), () -> settled.add(id)));
  }

  private void confirm(Sent s) {
    publisher.handleAck(s.seq(), false);
  }

  private List<String> ids(Sent s) {
    return ResultBatch.results(s.props(), s.body(), codec).stream()
        .map(TaskResult::taskId)
        .toList();
  }

  /** Runs the publish a confirm handed to the flusher, and checks what was then published. */
  private void flushed(int published) {
    assertEquals(1, flusher.queued.size(), "the confirm handed the waiting results over");
    flusher.runOne();
    assertEquals(published, sent.size(), "messages published");
  }

  @Test
  void aLoneResultLeavesAtOnceAndThoseThatEndMeanwhileLeaveTogether() throws Exception {
    send(1, "t1", true);
    assertEquals(1, sent.size(), "nothing was unconfirmed: it leaves at once, on this thread");
    assertFalse(ResultBatch.carriesSeveral(sent.get(0).props()), "alone, as a single result");
    assertEquals(List.of("t1"), ids(sent.get(0)));

    for (int i = 2; i <= 6; i++) send(i, "t" + i, true);
    assertEquals(1, sent.size(), "they wait for the first one's confirm");
    assertTrue(settled.isEmpty(), "nothing is settled before its confirm");

    confirm(sent.get(0));
    assertEquals(List.of("t1"), settled);
    assertEquals(1, sent.size(), "not on the confirm thread");
    flushed(2);
    assertEquals(List.of("t2", "t3", "t4", "t5", "t6"), ids(sent.get(1)));
    assertEquals(QUEUE, sent.get(1).queue());
    assertEquals(List.of("t1"), settled, "the batch is not settled until it is confirmed");

    confirm(sent.get(1));
    assertEquals(List.of("t1", "t2", "t3", "t4", "t5", "t6"), settled);
    assertTrue(replies.awaitSent(Duration.ofSeconds(1)));
  }

  @Test
  void aProducerThatDidNotAskGetsItsResultsOneByOne() throws Exception {
    send(1, "t1", true);
    send(2, "old1", false);
    send(3, "old2", false);
    assertEquals(3, sent.size(), "an older producer's results do not wait");
    assertEquals(List.of("old1"), ids(sent.get(1)));
    assertFalse(ResultBatch.carriesSeveral(sent.get(2).props()));
  }

  @Test
  void aBatchHoldsAtMostMaxResults() throws Exception {
    send(0, "first", true);
    int n = Replies.MAX_RESULTS * 2 + 10;
    IntStream.rangeClosed(1, n).forEach(i -> send(i, "t" + i, true));
    // a full batch leaves without waiting for the confirm
    assertEquals(3, sent.size());
    assertEquals(Replies.MAX_RESULTS, ids(sent.get(1)).size());
    assertEquals(Replies.MAX_RESULTS, ids(sent.get(2)).size());
    confirm(sent.get(0));
    flushed(4);
    assertEquals(10, ids(sent.get(3)).size());
    List<String> all = new ArrayList<>();
    sent.forEach(s -> all.addAll(ids(s)));
    assertEquals(n + 1, all.size());
    assertEquals(n + 1, all.stream().distinct().count(), "each result once");
    sent.forEach(this::confirm);
    assertTrue(replies.awaitSent(Duration.ofSeconds(1)));
    assertEquals(n + 1, settled.size());
  }

  @Test
  void awaitSentWaitsForTheConfirms() throws Exception {
    send(1, "t1", true);
    send(2, "t2", true);
    assertFalse(replies.awaitSent(Duration.ofMillis(50)), "two results unconfirmed");
    confirm(sent.get(0));
    flushed(2);
    assertFalse(replies.awaitSent(Duration.ofMillis(50)), "the second one is unconfirmed");
    confirm(sent.get(1));
    assertTrue(replies.awaitSent(Duration.ofSeconds(1)));
  }

  @Test
  void whenTheBatchCannotBePublishedItsTasksGoBackToTheQueue() throws Exception {
    send(1, "t1", true);
    send(2, "t2", true);
    send(3, "t3", true);
    broken = true;
    confirm(sent.get(0));
    flushed(1);
    assertEquals(List.of(2L, 3L), rejected, "returned, not acked");
    assertEquals(List.of("t1"), settled);
    assertTrue(replies.awaitSent(Duration.ofSeconds(1)), "nothing is left waiting");
  }
}
