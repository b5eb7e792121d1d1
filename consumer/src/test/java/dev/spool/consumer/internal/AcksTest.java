package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ack coalescer driven by hand: a fake channel that behaves as the broker does (a multiple ack
 * settles every unacked delivery up to its tag; an unknown tag is a channel error) and an executor
 * whose flushes run when the test says, so every interleaving of settles and flushes can be tried.
 */
final class AcksTest {
  /** Runs submitted flushes only when told to. */
  static final class ManualExecutor extends AbstractExecutorService {
    final Deque<Runnable> queued = new ArrayDeque<>();
    boolean shutdown;

    @Override
    public void execute(Runnable r) {
      if (shutdown) throw new java.util.concurrent.RejectedExecutionException("shut down");
      queued.add(r);
    }

    void runOne() {
      Runnable r = queued.poll();
      if (r != null) r.run();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return new ArrayList<>(queued);
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown && queued.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  /** The broker's view of one channel, checking what the application said about each delivery. */
  static final class Broker {
    final TreeSet<Long> unacked = new TreeSet<>();
    final Set<Long> settledByApp = new HashSet<>(); // acked by the application, not running
    final Set<Long> rejectedByApp = new HashSet<>();
    final List<String> frames = new ArrayList<>();

    Channel channel() {
      return (Channel)
          Proxy.newProxyInstance(
              Channel.class.getClassLoader(),
              new Class<?>[] {Channel.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "basicAck" -> ack((Long) args[0], (Boolean) args[1]);
                  case "basicReject" -> reject((Long) args[0]);
                  default -> throw new UnsupportedOperationException(method.getName());
                }
                return null;
              });
    }

    private void ack(long tag, boolean multiple) {
      frames.add("ack " + tag + (multiple ? " multiple" : ""));
      if (!unacked.contains(tag)) throw new AssertionError("unknown delivery tag " + tag);
      List<Long> covered = multiple ? new ArrayList<>(unacked.headSet(tag, true)) : List.of(tag);
      for (long t : covered) {
        if (!settledByApp.contains(t)) {
          throw new AssertionError(
              "ack " + tag + (multiple ? " multiple" : "") + " covers " + t + ", still running");
        }
        unacked.remove(t);
      }
    }

    private void reject(long tag) {
      frames.add("reject " + tag);
      if (!unacked.remove(tag)) throw new AssertionError("unknown delivery tag " + tag);
      if (!rejectedByApp.contains(tag)) throw new AssertionError("reject " + tag + " unasked");
    }
  }

  @Test
  void contiguousRunFromTheOldest_goesAsOneMultipleAck_theRestSingly() {
    Broker broker = new Broker();
    ManualExecutor flusher = new ManualExecutor();
    Acks acks = new Acks(broker.channel(), flusher);
    for (long t = 1; t <= 6; t++) {
      acks.delivered(t);
      broker.unacked.add(t);
    }
    for (long t : List.of(1L, 2L, 3L, 5L)) {
      broker.settledByApp.add(t);
      acks.ack(t);
    }
    assertEquals(1, flusher.queued.size(), "one flush queued for four acks");
    flusher.runOne();
    assertEquals(List.of("ack 3 multiple", "ack 5"), broker.frames);
    assertEquals(Set.of(4L, 6L), broker.unacked, "4 and 6 are still running");
  }

  @Test
  void settle_secondTimeForOneTag_isDropped_theFirstStands() {
    Broker broker = new Broker();
    ManualExecutor flusher = new ManualExecutor();
    Acks acks = new Acks(broker.channel(), flusher);
    for (long t = 1; t <= 3; t++) {
      acks.delivered(t);
      broker.unacked.add(t);
    }
    broker.settledByApp.add(1L);
    acks.ack(1); // a result confirmed ...
    acks.reject(1, true); // ... and then a failure that would put it back: dropped
    broker.rejectedByApp.add(2L);
    acks.reject(2, true); // put back ...
    acks.ack(2); // ... and then a late confirm that would ack it: dropped
    broker.settledByApp.add(3L);
    acks.ack(3);
    acks.ack(3); // twice: dropped
    flusher.runOne();
    assertEquals(List.of("reject 2", "ack 3 multiple"), broker.frames, "2 is the broker's no more");
    assertEquals(3, acks.settledTwice());
    assertTrue(broker.unacked.isEmpty());
  }

  @Test
  void settle_ofATagNeverDelivered_sendsNothing() {
    Broker broker = new Broker();
    Acks acks = new Acks(broker.channel(), new ManualExecutor());
    acks.ack(7);
    acks.reject(8, false);
    acks.close();
    assertEquals(List.of(), broker.frames, "an unknown tag would be a channel error");
    assertEquals(2, acks.settledTwice());
  }

  @Test
  void everyInterleavingOfSettlesAndFlushes_neverAcksARunningTask_andSettlesAll() {
    for (long seed = 0; seed < 300; seed++) {
      run(new Random(seed), seed);
    }
  }

  private static void run(Random random, long seed) {
    Broker broker = new Broker();
    ManualExecutor flusher = new ManualExecutor();
    Acks acks = new Acks(broker.channel(), flusher);
    List<Long> running = new ArrayList<>();
    List<Long> settled = new ArrayList<>();
    long next = 1;
    int deliveries = 50 + random.nextInt(100);
    while (next <= deliveries || !running.isEmpty()) {
      int op = random.nextInt(10);
      if (op < 4 && next <= deliveries) {
        broker.unacked.add(next); // the broker delivers before the application sees it
        acks.delivered(next);
        running.add(next++);
      } else if (op < 8 && !running.isEmpty()) {
        long tag = running.remove(random.nextInt(running.size()));
        settled.add(tag);
        if (random.nextInt(5) == 0) {
          broker.rejectedByApp.add(tag);
          acks.reject(tag, random.nextBoolean());
        } else {
          broker.settledByApp.add(tag);
          acks.ack(tag);
        }
      } else if (op == 8 && !settled.isEmpty()) {
        // A second settle of a settled delivery (a late confirm, a failure after a result): the
        // fake broker fails on any frame for a tag it no longer holds.
        long tag = settled.get(random.nextInt(settled.size()));
        if (random.nextBoolean()) acks.ack(tag);
        else acks.reject(tag, random.nextBoolean());
      } else {
        flusher.runOne();
      }
    }
    acks.close(); // sends what is ready
    while (!flusher.queued.isEmpty()) flusher.runOne();
    assertTrue(
        broker.unacked.isEmpty(),
        "seed " + seed + ": still unacked " + broker.unacked + " after " + broker.frames);
  }
}
