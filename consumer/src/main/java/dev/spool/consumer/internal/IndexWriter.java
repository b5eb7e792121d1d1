package dev.spool.consumer.internal;

import com.rabbitmq.client.AMQP;
import dev.spool.SharedStateException;
import dev.spool.state.internal.TaskIndex;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This consumer's part of the {@link TaskIndex}: each run's start and end, queued by the workers
 * without waiting, and written by the {@link ControlPoller} every 200 ms in one Redis call (a start
 * and an end of the same task in one batch are one change). When Redis does not answer, the changes
 * wait for the next time, up to {@link #MAX_PENDING}; beyond that the oldest are dropped (the index
 * is a view, not a record: the tasks are not affected).
 */
final class IndexWriter implements ControlPoller.Refreshable {
  private static final Logger log = LoggerFactory.getLogger(IndexWriter.class);

  /** The most changes waiting to be written. */
  static final int MAX_PENDING = 50_000;

  private final TaskIndex index;
  private final String queue;
  private final String worker;
  private final Clock clock;
  private final ConcurrentLinkedDeque<TaskIndex.Change> pending = new ConcurrentLinkedDeque<>();
  private final AtomicInteger size = new AtomicInteger();
  private boolean warned;

  IndexWriter(TaskIndex index, String queue, String worker, Clock clock) {
    this.index = index;
    this.queue = queue;
    this.worker = worker;
    this.clock = clock;
  }

  /** Run {@code attempt} of task {@code id} starts now. */
  void started(String id, String name, int attempt, AMQP.BasicProperties props, byte[] body) {
    long now = clock.millis();
    String trace = traceId(props.getHeaders());
    Date queued = props.getTimestamp();
    int n = 14 + (queued != null ? 2 : 0) + (trace != null ? 2 : 0);
    String[] f = new String[n];
    int i = 0;
    f[i++] = "name";
    f[i++] = name;
    f[i++] = "queue";
    f[i++] = queue;
    f[i++] = "state";
    f[i++] = "started";
    f[i++] = "worker";
    f[i++] = worker;
    f[i++] = "attempt";
    f[i++] = Integer.toString(attempt);
    f[i++] = "started";
    f[i++] = Long.toString(now);
    f[i++] = "input";
    f[i++] = input(body);
    if (queued != null) {
      f[i++] = "queued";
      f[i++] = Long.toString(queued.getTime());
    }
    if (trace != null) {
      f[i++] = "trace";
      f[i++] = trace;
    }
    add(new TaskIndex.Change(id, now, f));
  }

  /** The run of task {@code id} ended: {@code succeeded}, {@code failed} or {@code cancelled}. */
  void ended(String id, String state, long runNanos) {
    add(
        new TaskIndex.Change(
            id,
            0,
            "state",
            state,
            "finished",
            Long.toString(clock.millis()),
            "runMs",
            Long.toString(runNanos / 1_000_000)));
  }

  /** The trace id of a W3C {@code traceparent} header ("00-<trace id>-<span id>-<flags>"). */
  private static String traceId(Map<String, Object> headers) {
    Object parent = headers == null ? null : headers.get("traceparent");
    if (parent == null) return null;
    String[] parts = parent.toString().split("-");
    return parts.length == 4 ? parts[1] : null;
  }

  private static String input(byte[] body) {
    int n = Math.min(body.length, TaskIndex.INPUT_CHARS * 4); // at most 4 bytes a character
    String s = new String(body, 0, n, StandardCharsets.UTF_8);
    return s.length() > TaskIndex.INPUT_CHARS ? s.substring(0, TaskIndex.INPUT_CHARS) + "…" : s;
  }

  private void add(TaskIndex.Change c) {
    pending.add(c);
    if (size.incrementAndGet() > MAX_PENDING && pending.poll() != null) size.decrementAndGet();
  }

  @Override
  public void refresh() {
    flush();
  }

  /** Writes what waits, merged by task (a start and an end are one change), in one call. */
  synchronized void flush() {
    if (pending.isEmpty()) return;
    List<TaskIndex.Change> taken = new ArrayList<>();
    List<TaskIndex.Change> merged = new ArrayList<>();
    Map<String, Integer> at = new HashMap<>();
    for (TaskIndex.Change c; (c = pending.poll()) != null; ) {
      size.decrementAndGet();
      taken.add(c);
      Integer i = at.putIfAbsent(c.id(), merged.size());
      if (i == null) merged.add(c);
      else merged.set(i, merged.get(i).then(c));
    }
    try {
      index.write(merged);
      warned = false;
    } catch (SharedStateException e) {
      if (!warned) log.warn("cannot write the task index ({}); trying again", e.getMessage());
      warned = true;
      for (int i = taken.size() - 1; i >= 0; i--) { // next time, before what came since
        pending.addFirst(taken.get(i));
        size.incrementAndGet();
      }
    }
  }

  @Override
  public String what() {
    return "the task index";
  }
}
