package dev.spool.consumer.internal;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acks and rejects on the consuming channel, with acks coalesced: settled deliveries are acked by a
 * flusher thread, the longest run of them from the oldest unsettled delivery in one {@code
 * basic.ack(multiple)}, the rest one by one. Under load many acks share a frame (and, on a quorum
 * queue, one settle in the Raft log); idle, an ack goes out at once. A multiple ack never covers a
 * delivery still running: it stops at the first one not settled.
 *
 * <p>Every delivery must be {@link #delivered registered} before it is settled, and is settled at
 * most once: the first {@link #ack} or {@link #reject} of a tag decides, and any later one is
 * dropped (and counted in {@link #settledTwice()}), because a second frame for one tag is a channel
 * error that would stop the consumer. Frames are sent under one lock, so a reject is never
 * overtaken by a multiple ack that would cover it. A failure is logged, not thrown: when an ack
 * cannot be sent the channel is gone, and the broker redelivers the task, so nothing is lost.
 * Thread-safe.
 */
final class Acks {
  private static final Logger log = LoggerFactory.getLogger(Acks.class);
  private final Channel channel;
  private final ExecutorService flusher;
  private final TreeSet<Long> outstanding = new TreeSet<>(); // delivered, not settled; guarded
  private final TreeSet<Long> done = new TreeSet<>(); // settled by ack, not yet sent; guarded
  private boolean flushQueued; // guarded by this
  private long settledTwice; // guarded by this

  Acks(Channel channel) {
    this(
        channel,
        Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("spool-acks").unstarted(r)));
  }

  /** With the executor that runs flushes (a test drives it by hand). */
  Acks(Channel channel, ExecutorService flusher) {
    this.channel = channel;
    this.flusher = flusher;
  }

  /** A delivery arrived; call before anything settles it. */
  synchronized void delivered(long tag) {
    outstanding.add(tag);
  }

  /** Acks {@code tag} soon, together with whatever else is ready; ignored if it was settled. */
  void ack(long tag) {
    boolean queue;
    synchronized (this) {
      if (!outstanding.contains(tag) || !done.add(tag)) {
        twice(tag, "ack");
        return;
      }
      queue = !flushQueued;
      flushQueued = true;
    }
    if (queue) {
      try {
        flusher.execute(this::flush);
      } catch (RejectedExecutionException closed) {
        flush();
      }
    }
  }

  /**
   * Rejects {@code tag} now, back to the queue when {@code requeue}; ignored if it was settled (an
   * ack waiting to be sent counts).
   */
  synchronized void reject(long tag, boolean requeue) {
    if (done.contains(tag) || !outstanding.remove(tag)) {
      twice(tag, requeue ? "requeue" : "reject");
      return;
    }
    try {
      channel.basicReject(tag, requeue);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "could not reject delivery {} ({}); the broker will redeliver it", tag, e.toString());
    }
  }

  private void twice(long tag, String what) { // holding this
    settledTwice++;
    log.warn(
        "delivery {} was settled already; this {} is dropped, the first settle stands", tag, what);
  }

  /** Settles dropped because the delivery was settled already: a bug elsewhere if not 0. */
  synchronized long settledTwice() {
    return settledTwice;
  }

  /** Sends every ack that is ready: the contiguous run as one multiple ack, the rest singly. */
  synchronized void flush() {
    flushQueued = false;
    long upTo = -1;
    while (!outstanding.isEmpty() && done.remove(outstanding.first())) {
      upTo = outstanding.pollFirst();
    }
    List<Long> singles = new ArrayList<>(done);
    done.clear();
    singles.forEach(outstanding::remove);
    try {
      if (upTo >= 0) channel.basicAck(upTo, true);
      for (long tag : singles) channel.basicAck(tag, false);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "could not ack up to delivery {} ({}); the broker will redeliver", upTo, e.toString());
    }
  }

  /** Sends what is ready and stops the flusher; later acks are sent by their caller. */
  void close() {
    flusher.shutdown();
    flush();
  }
}
