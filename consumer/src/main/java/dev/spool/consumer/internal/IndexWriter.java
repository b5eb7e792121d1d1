package dev.spool.consumer.internal;

import com.rabbitmq.client.AMQP;
import dev.spool.SharedStateException;
import dev.spool.state.internal.TaskIndex;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
    Instant now = clock.instant();
    Map<String, String> f = new HashMap<>();
    f.put("name", name);
    f.put("queue", queue);
    f.put("state", "started");
    f.put("worker", worker);
    f.put("attempt", Integer.toString(attempt));
    f.put("started", Long.toString(now.toEpochMilli()));
    f.put("input", input(body));
    if (props.getTimestamp() != null) {
      f.put("queued", Long.toString(props.getTimestamp().getTime()));
    }
    Object parent = props.getHeaders() == null ? null : props.getHeaders().get("traceparent");
    if (parent != null) {
      String[] parts = parent.toString().split("-");
      if (parts.length == 4) f.put("trace", parts[1]);
    }
    add(new TaskIndex.Change(id, now, f));
  }

  /** The run of task {@code id} ended: {@code succeeded}, {@code failed} or {@code cancelled}. */
  void ended(String id, String state, long runNanos) {
    Map<String, String> f = new HashMap<>();
    f.put("state", state);
    f.put("finished", Long.toString(clock.millis()));
    f.put("runMs", Long.toString(runNanos / 1_000_000));
    add(new TaskIndex.Change(id, null, f));
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

  /** Writes what waits, merged by task, in one call. */
  synchronized void flush() {
    if (pending.isEmpty()) return;
    Map<String, TaskIndex.Change> merged = new java.util.LinkedHashMap<>();
    List<TaskIndex.Change> taken = new ArrayList<>();
    for (TaskIndex.Change c; (c = pending.poll()) != null; ) {
      size.decrementAndGet();
      taken.add(c);
      merged.merge(
          c.id(),
          c,
          (a, b) -> {
            Map<String, String> f = new HashMap<>(a.fields());
            f.putAll(b.fields());
            return new TaskIndex.Change(a.id(), b.indexAt() != null ? b.indexAt() : a.indexAt(), f);
          });
    }
    try {
      index.write(new ArrayList<>(merged.values()));
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
