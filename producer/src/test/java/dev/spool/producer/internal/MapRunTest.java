package dev.spool.producer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.core.RemoteError;
import dev.spool.core.TaskFailedException;
import dev.spool.core.TaskTimeoutException;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.TaskResult;
import dev.spool.producer.internal.PendingTasks.Pending;
import dev.spool.testing.CountingSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Result ordering without a broker: results are completed by hand, in reverse order. */
final class MapRunTest {
  private final JsonCodec codec = new JsonCodec();
  private final PendingTasks pending =
      new PendingTasks(
          new ProducerMeters(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), "q"));
  private final List<Pending> published = new CopyOnWriteArrayList<>();

  private MapRun<Long> run(boolean ordered, List<Long> inputs, int chunksize, Duration timeout) {
    MapRun<Long> run =
        new MapRun<>(
            ordered,
            System.nanoTime() + timeout.toNanos(),
            codec.type(Long.class),
            new ResultDecoder(codec),
            pending,
            () -> "hint",
            MapRun.MAX_AHEAD);
    return run.start(
        inputs.iterator(),
        false,
        chunksize,
        (chunk, position) -> {
          Pending p =
              pending.register(
                  "t" + position, "square", position, chunksize > 1 ? chunk.size() : 0, timeout);
          published.add(p);
          return p;
        });
  }

  /** Completes each published task with the squares of its inputs, last task first. */
  private void answerInReverse(int chunks, int chunksize) {
    org.awaitility.Awaitility.await().until(() -> published.size() == chunks);
    List<Pending> reversed = new ArrayList<>(published);
    Collections.reverse(reversed);
    for (Pending p : reversed) {
      List<Long> squares = new ArrayList<>();
      for (long i = p.position(); i < p.position() + p.inputs(); i++) squares.add(i * i);
      byte[] body = codec.encode(chunksize > 1 ? squares : squares.getFirst());
      pending.complete(new TaskResult(p.id(), true, "w" + (p.position() % 2), body));
    }
  }

  @Test
  void ordered_resultsCompletedInReverse_comeBackInInputOrder() {
    List<Long> inputs = IntStream.range(0, 20).mapToObj(i -> (long) i).toList();
    MapRun<Long> run = run(true, inputs, 3, Duration.ofSeconds(10));
    answerInReverse(7, 3);
    List<Long> out = new ArrayList<>();
    run.forEachRemaining(out::add);
    assertEquals(inputs.stream().map(i -> i * i).toList(), out);
    assertEquals(20, pending.inputsByWorker().values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void unordered_resultsCompletedInReverse_comeBackInCompletionOrder() {
    List<Long> inputs = List.of(0L, 1L, 2L, 3L);
    MapRun<Long> run = run(false, inputs, 1, Duration.ofSeconds(10));
    answerInReverse(4, 1);
    List<Long> out = new ArrayList<>();
    run.forEachRemaining(out::add);
    assertEquals(List.of(9L, 4L, 1L, 0L), out);
  }

  @Test
  void ordered_failedTask_throwsRemoteErrorAndForgetsTheRest() {
    MapRun<Long> run = run(true, List.of(0L, 1L, 2L), 1, Duration.ofSeconds(10));
    org.awaitility.Awaitility.await().until(() -> published.size() == 3);
    RemoteError err = new RemoteError("x.Boom", "bad input 1", List.of(), "w", null);
    pending.complete(new TaskResult("t0", true, "w", "0".getBytes(StandardCharsets.UTF_8)));
    pending.complete(new TaskResult("t1", false, "w", codec.encode(err)));
    assertEquals(0L, run.next());
    TaskFailedException e = assertThrows(TaskFailedException.class, run::hasNext);
    assertEquals("bad input 1", e.remote().message());
    assertEquals(0, pending.waiting(), "the unanswered task is forgotten");
  }

  @Test
  void ordered_noResults_timesOutWithHint() {
    MapRun<Long> run = run(true, List.of(1L), 1, Duration.ofMillis(200));
    TaskTimeoutException e = assertThrows(TaskTimeoutException.class, run::hasNext);
    assertTrue(e.getMessage().contains("hint"), e.getMessage());
  }

  @Test
  void ordered_resultsRead_areNoLongerHeldByTheRun() {
    List<Long> inputs = IntStream.range(0, 5).mapToObj(i -> (long) i).toList();
    MapRun<Long> run = run(true, inputs, 1, Duration.ofSeconds(10));
    answerInReverse(5, 1);
    assertEquals(5, run.held());
    assertEquals(0L, run.next());
    assertEquals(1L, run.next());
    assertEquals(4L, run.next());
    assertEquals(2, run.held(), "only the two results not read yet");
    run.forEachRemaining(x -> {});
    assertEquals(0, run.held());
    assertEquals(5, run.returned());
  }

  @Test
  void close_midRun_stopsPublishingAndForgetsWhatWaits() throws Exception {
    java.util.concurrent.Semaphore publishes = new java.util.concurrent.Semaphore(4);
    java.util.concurrent.atomic.AtomicLong pulled = new java.util.concurrent.atomic.AtomicLong();
    java.util.Iterator<Long> endless =
        java.util.stream.Stream.generate(pulled::getAndIncrement).iterator();
    MapRun<Long> run = unstarted(MapRun.MAX_AHEAD);
    run.start(
        endless,
        false,
        1,
        (chunk, position) -> {
          publishes.acquire(); // the fifth publish waits, as one held up by the broker would
          Pending p =
              pending.register("t" + position, "square", position, 0, Duration.ofMinutes(1));
          published.add(p);
          return p;
        });
    org.awaitility.Awaitility.await().until(() -> published.size() == 4);
    pending.complete(new TaskResult("t0", true, "w", "0".getBytes(StandardCharsets.UTF_8)));
    assertEquals(0L, run.next());
    run.close();
    assertFalse(run.hasNext(), "a closed run has no next result");
    assertEquals(0, pending.waiting(), "the three published and unread are forgotten");
    assertEquals(0, run.held());
    publishes.release(100); // were the feeder still running, it would publish again now
    org.awaitility.Awaitility.await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> published.size() == 4 && pending.waiting() == 0);
    assertTrue(pulled.get() <= 5, "inputs read: " + pulled.get());
    run.close(); // twice is harmless
  }

  @Test
  void endlessInput_publishesAtMostMaxAheadBeyondWhatWasRead() throws Exception {
    java.util.concurrent.atomic.AtomicLong pulled = new java.util.concurrent.atomic.AtomicLong();
    MapRun<Long> run = unstarted(3);
    run.start(
        java.util.stream.Stream.generate(pulled::getAndIncrement).iterator(),
        false,
        1,
        (chunk, position) -> {
          Pending p =
              pending.register("t" + position, "square", position, 0, Duration.ofMinutes(1));
          published.add(p);
          return p;
        });
    org.awaitility.Awaitility.await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(3))
        .until(() -> published.size() == 3);
    pending.complete(new TaskResult("t0", true, "w", "0".getBytes(StandardCharsets.UTF_8)));
    assertEquals(0L, run.next());
    org.awaitility.Awaitility.await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(3))
        .until(() -> published.size() == 4);
    // 4 published, and one more taken by the stream iterator's hasNext() while the feeder waits
    assertTrue(pulled.get() <= 5, "inputs read: " + pulled.get());
    run.close();
  }

  /** Publishes whose frames are in the socket's buffer, not written: a flush writes them all. */
  private final java.util.concurrent.atomic.AtomicInteger unwritten =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Registers each chunk as published: its frames buffered, then a flush, as the client does. */
  private MapRun.ChunkSubmitter publishingThrough(CountingSocket socket) {
    return (chunk, position) -> {
      unwritten.incrementAndGet();
      socket.flush();
      Pending p = pending.register("t" + position, "square", position, 0, Duration.ofMinutes(1));
      published.add(p);
      return p;
    };
  }

  /** An ordered run not started yet, due in 30 s. */
  private MapRun<Long> unstarted(int maxAhead) {
    return new MapRun<>(
        true,
        System.nanoTime() + Duration.ofSeconds(30).toNanos(),
        codec.type(Long.class),
        new ResultDecoder(codec),
        pending,
        () -> "hint",
        maxAhead);
  }

  @Test
  void inMemoryInputs_publishesAreWrittenTogether_andAllBeforeTheFeederWaitsOrEnds()
      throws Exception {
    MapRun<Long> run = unstarted(3);
    CountingSocket socket = new CountingSocket(() -> unwritten.set(0));
    run.start(List.of(0L, 1L, 2L, 3L, 4L).iterator(), true, 1, publishingThrough(socket));
    // Three published, and the feeder waits for the reader: the three went out in one write.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> socket.writes() == 1);
    assertEquals(3, published.size());
    assertEquals(0, unwritten.get());
    answerInReverse(3, 1);
    for (long i = 0; i < 3; i++) assertEquals(i * i, run.next());
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> published.size() == 5 && unwritten.get() == 0);
    assertTrue(socket.writes() <= 3, "writes: " + socket.writes());
    run.close();
  }

  @Test
  void inputsNotInMemory_eachPublishIsWrittenAtOnce() throws Exception {
    MapRun<Long> run = unstarted(MapRun.MAX_AHEAD);
    CountingSocket socket = new CountingSocket(() -> unwritten.set(0));
    run.start(List.of(0L, 1L, 2L, 3L, 4L).iterator(), false, 1, publishingThrough(socket));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> socket.writes() == 5);
    run.close();
  }

  @Test
  void emptyInput_hasNoResults() {
    assertFalse(run(true, List.of(), 1, Duration.ofSeconds(5)).hasNext());
  }

  @Test
  void pending_countsAreVisibleToWhoeverTheResultWakes() {
    Pending p = pending.register("c", "square", 0, 0, Duration.ofSeconds(5));
    long[] seen = new long[2];
    // Runs inside complete(), as a waiting map would wake: the counts must already be there.
    p.future()
        .thenRun(
            () -> {
              seen[0] = pending.received();
              seen[1] = pending.inputsByWorker().getOrDefault("w", 0L);
            });
    pending.complete(new TaskResult("c", true, "w", "4".getBytes(StandardCharsets.UTF_8)));
    assertEquals(1, seen[0]);
    assertEquals(1, seen[1]);
  }

  @Test
  void pending_secondResultForSameTask_isCountedNotDelivered() {
    Pending p = pending.register("a", "square", 0, 0, Duration.ofSeconds(5));
    pending.complete(new TaskResult("a", true, "w1", "1".getBytes(StandardCharsets.UTF_8)));
    pending.complete(new TaskResult("a", true, "w2", "2".getBytes(StandardCharsets.UTF_8)));
    assertEquals("w1", p.future().join().worker());
    assertEquals(1, pending.received());
    assertEquals(1, pending.duplicates());
    assertEquals(0, pending.unmatched());
  }

  @Test
  void pending_resultForATaskNeverRegistered_isUnmatchedNotADuplicate() {
    pending.complete(new TaskResult("stray", true, "w1", "1".getBytes(StandardCharsets.UTF_8)));
    assertEquals(1, pending.unmatched());
    assertEquals(0, pending.duplicates());
  }
}
