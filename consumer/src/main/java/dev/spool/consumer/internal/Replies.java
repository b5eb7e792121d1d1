package dev.spool.consumer.internal;

import dev.spool.SpoolException;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.ResultBatch;
import dev.spool.core.wire.TaskResult;
import dev.spool.core.wire.Tracing;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends results to reply queues, several to a message when they end close together: to each reply
 * queue at most {@link #inFlight} messages of this consumer are unconfirmed at once, and the
 * results that end meanwhile wait for a confirm and then leave together ({@link ResultBatch}), as
 * many as {@link #MAX_RESULTS} or about {@link #MAX_BYTES} to a message. A result that finds
 * nothing unconfirmed leaves at once, on its worker's thread: a lone call's round trip does not
 * wait. Only for tasks whose producer asked for it ({@link Headers#REPLIES}); the others' results
 * leave one by one, as an older producer reads them.
 *
 * <p>Each result's callback runs once the broker confirmed the message that carried it, so a task
 * is still acked only after its result is stored. When a message cannot be published, each of its
 * tasks goes back to its queue. Thread-safe.
 */
final class Replies {
  private static final Logger log = LoggerFactory.getLogger(Replies.class);

  /** Most results in one message. */
  static final int MAX_RESULTS = 256;

  /** About the most bytes of results in one message (a larger result travels alone). */
  static final int MAX_BYTES = 256 * 1024;

  private final ConfirmingPublisher publisher;
  private final Acks acks;
  private final JsonCodec codec;
  private final String workerId;
  private final int maxBytes;
  private final int inFlight;
  private final ExecutorService flusher;
  private final Map<String, Lane> lanes = new HashMap<>(); // by reply queue; guarded by this
  private final LongAdder results = new LongAdder(); // sent, for the log line at close
  private final LongAdder messages = new LongAdder();

  /**
   * A result on its way, with what to do once it is confirmed, and when it cannot be published
   * ({@code onFailed}; null: the task goes back to its queue).
   */
  record Outgoing(
      Delivery d,
      TaskResult result,
      Span span,
      Runnable onConfirmed,
      java.util.function.Consumer<Exception> onFailed) {
    Outgoing(Delivery d, TaskResult result, Span span, Runnable onConfirmed) {
      this(d, result, span, onConfirmed, null);
    }
  }

  /** One reply queue's results: those waiting, and how many messages are unconfirmed. */
  private static final class Lane {
    final List<Outgoing> waiting = new ArrayList<>();
    int waitingBytes;
    int unconfirmed;
  }

  Replies(
      ConfirmingPublisher publisher,
      Acks acks,
      JsonCodec codec,
      String workerId,
      int maxMessageBytes,
      int inFlight) {
    this(
        publisher,
        acks,
        codec,
        workerId,
        maxMessageBytes,
        inFlight,
        Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("spool-replies").unstarted(r)));
  }

  /** With the executor that publishes what waited for a confirm (a test drives it by hand). */
  Replies(
      ConfirmingPublisher publisher,
      Acks acks,
      JsonCodec codec,
      String workerId,
      int maxMessageBytes,
      int inFlight,
      ExecutorService flusher) {
    if (inFlight < 1) throw new IllegalArgumentException("inFlight must be >= 1, was " + inFlight);
    this.publisher = publisher;
    this.acks = acks;
    this.codec = codec;
    this.workerId = workerId;
    this.maxBytes = Math.min(MAX_BYTES, maxMessageBytes);
    this.inFlight = inFlight;
    this.flusher = flusher;
  }

  /** Whether the task's producer takes several results to a message. */
  static boolean batched(Delivery d) {
    return Headers.REPLIES_BATCH.equals(Headers.string(d.props().getHeaders(), Headers.REPLIES));
  }

  /**
   * Sends {@code o}'s result to {@code d.replyTo()}: now when nothing of this consumer to that
   * queue is unconfirmed (or the task's producer reads results one by one), else with the next
   * batch.
   */
  void send(Outgoing o) {
    String queue = o.d().replyTo();
    if (!batched(o.d())) {
      publish(queue, List.of(o), null);
      return;
    }
    List<List<Outgoing>> go;
    Lane lane;
    synchronized (this) {
      lane = lanes.computeIfAbsent(queue, q -> new Lane());
      lane.waiting.add(o);
      lane.waitingBytes += ResultBatch.size(o.result());
      if (lane.unconfirmed >= inFlight
          && lane.waiting.size() < MAX_RESULTS
          && lane.waitingBytes < maxBytes) {
        return; // leaves with the next confirm
      }
      go = take(lane);
    }
    for (List<Outgoing> batch : go) publish(queue, batch, lane);
  }

  /** Everything waiting in {@code lane}, cut into messages, counted as unconfirmed. */
  private List<List<Outgoing>> take(Lane lane) {
    List<List<Outgoing>> batches = new ArrayList<>();
    List<Outgoing> batch = new ArrayList<>();
    int bytes = 0;
    for (Outgoing o : lane.waiting) {
      int size = ResultBatch.size(o.result());
      if (!batch.isEmpty() && (batch.size() >= MAX_RESULTS || bytes + size > maxBytes)) {
        batches.add(batch);
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(o);
      bytes += size;
    }
    if (!batch.isEmpty()) batches.add(batch);
    lane.waiting.clear();
    lane.waitingBytes = 0;
    lane.unconfirmed += batches.size();
    return batches;
  }

  /**
   * Publishes one message of {@code batch}'s results; once confirmed (or failed), runs their
   * callbacks (or returns their tasks) and lets {@code lane}'s waiting results go.
   */
  private void publish(String queue, List<Outgoing> batch, Lane lane) {
    Runnable confirmed =
        () -> {
          for (Outgoing o : batch) {
            o.span().end();
            o.onConfirmed().run();
          }
          if (lane != null) settled(queue, lane);
        };
    results.add(batch.size());
    messages.increment();
    try {
      if (batch.size() == 1) {
        TaskResult r = batch.get(0).result();
        publisher.publish(queue, r.toProperties(), r.body(), confirmed);
      } else {
        List<TaskResult> results = new ArrayList<>(batch.size());
        for (Outgoing o : batch) results.add(o.result());
        publisher.publish(
            queue,
            ResultBatch.properties(workerId, batch.size()),
            ResultBatch.body(results, codec),
            confirmed);
      }
      return;
    } catch (SpoolException e) {
      log.warn(
          "could not publish {} result(s) to {} ({}); returning their tasks to the queue",
          batch.size(),
          queue,
          e.getMessage());
      failed(batch, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed(batch, e);
    }
    if (lane != null) settled(queue, lane);
  }

  private void failed(List<Outgoing> batch, Exception e) {
    for (Outgoing o : batch) {
      Tracing.failed(o.span(), e);
      if (o.onFailed() != null) o.onFailed().accept(e);
      else acks.reject(o.d().tag(), true);
    }
  }

  /** A message to {@code queue} was confirmed or failed: what waited for it leaves now. */
  private void settled(String queue, Lane lane) {
    List<List<Outgoing>> go;
    synchronized (this) {
      lane.unconfirmed--;
      if (lane.waiting.isEmpty()) {
        if (lane.unconfirmed == 0) {
          lanes.remove(queue, lane);
          notifyAll();
        }
        return;
      }
      go = take(lane);
    }
    // Not on this thread: it is the client's confirm thread, which a full window would block.
    try {
      flusher.execute(() -> go.forEach(batch -> publish(queue, batch, lane)));
    } catch (RejectedExecutionException closed) {
      go.forEach(batch -> publish(queue, batch, lane));
    }
  }

  /**
   * Waits until every result handed over was confirmed (or returned its task), at most {@code
   * timeout}; false when some were not.
   */
  synchronized boolean awaitSent(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!lanes.isEmpty()) {
      long left = end - System.nanoTime();
      if (left <= 0) return false;
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /** Stops the flusher; results sent later leave on their caller's thread. */
  void close() {
    log.info("sent {} results in {} messages", results.sum(), messages.sum());
    flusher.shutdown();
  }
}
