package dev.spool.producer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import dev.spool.DistributedLock;
import dev.spool.LockLease;
import dev.spool.LockLostException;
import dev.spool.SharedState;
import dev.spool.SharedStateException;
import dev.spool.core.ProcessIdentity;
import dev.spool.core.metrics.Health;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.ParkedTask;
import dev.spool.core.wire.TaskMessage;
import dev.spool.core.wire.Topology;
import dev.spool.state.internal.RedisState;
import dev.spool.state.internal.SharedTimetable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires the {@link Schedules} of a namespace. Any number of schedulers may run, on any hosts; the
 * one holding the lock {@code scheduler} fires, the others wait to take over. A fire is one Redis
 * script, refused unless the caller's lease still holds, that stores the occurrence with the
 * delayed tasks of its work queue (where a consumer publishes it when due) and advances the
 * schedule: so no occurrence is stored twice, even when a paused leader wakes up believing it still
 * leads, and none is lost when a leader dies between two fires — the next leader finds it due.
 *
 * <p>Occurrences found up to {@link Schedule#MISFIRE_GRACE} late (the lease time of a dead leader,
 * say) fire late, each of them; ones found later follow the schedule's {@link Schedule.Missed}
 * policy. Each occurrence is a task with id {@code schedule.<name>.<due epoch ms>}, which {@code
 * spool-producer cancel} can cancel.
 *
 * <p>A scheduler needs only Redis. It takes the lock for {@code lease} (10 s by default) and renews
 * it every third of that; when a leader dies, another fires within about the lease time.
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The default lease on the scheduler lock. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);

  /** How often the leader looks for due schedules. */
  static final Duration POLL = Duration.ofMillis(200);

  /**
   * How far ahead of its time an occurrence is stored with the delayed tasks (it is published at
   * its time, not before): a leader that stalls briefly still gets it out on time.
   */
  static final Duration LOOKAHEAD = Duration.ofSeconds(1);

  private final RedisState state;
  private final SharedTimetable table;
  private final DistributedLock lock;
  private final Duration lease;
  private final String sender;
  private final Thread thread;
  private final AtomicLong fired = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final MeterRegistry meters;
  private final dev.spool.core.wire.Tracing tracing = dev.spool.core.wire.Tracing.ofOrGlobal(null);
  private volatile LockLease held;
  private volatile boolean closed;
  private volatile Runnable onClose; // a Spool's, which stops tracking this
  private volatile String redisError; // the last failure to reach Redis, null once it answers

  private Scheduler(RedisState state, Duration lease, MeterRegistry meters) {
    if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("the scheduler lease " + lease + " is not 1s to 10m");
    }
    this.state = state;
    this.table = state.timetable(Schedules.TIMETABLE);
    this.lock = state.lock(Schedules.LOCK);
    this.lease = lease;
    ProcessIdentity me = ProcessIdentity.current("scheduler");
    this.sender = me.host().replaceAll("[^A-Za-z0-9_-]", "_") + "-" + me.pid() + "-scheduler";
    this.thread = new Thread(this::run, "spool-scheduler");
    this.meters = meters;
    Gauge.builder("spool.scheduler.leading", () -> held == null ? 0 : 1)
        .description("1 while this scheduler holds the lead and fires, 0 while it stands by")
        .register(meters);
  }

  /**
   * Starts a scheduler on {@code state} alone, for a process that needs only Redis ({@code
   * spool-producer scheduler}); a program with a {@link Spool} uses {@link Spool#scheduler()}. It
   * holds the lead for {@code lease} at a time (1 s to 10 m) and counts in {@code meters}: {@code
   * spool_schedule_fires_total} and {@code spool_schedule_skips_total} per schedule, and {@code
   * spool_scheduler_leading}. Close it to stop.
   *
   * @throws IllegalArgumentException for a lease out of range
   */
  public static Scheduler start(SharedState state, Duration lease, MeterRegistry meters) {
    Scheduler s = new Scheduler(RedisState.of(state), lease, meters);
    s.thread.start();
    return s;
  }

  /** True while this scheduler holds the lead (as of its last renewal). */
  public boolean leading() {
    return held != null;
  }

  /** The fencing token of the lead this scheduler holds, if it holds it. */
  public Optional<Long> fencingToken() {
    LockLease l = held;
    return l == null ? Optional.empty() : Optional.of(l.fencingToken());
  }

  /**
   * Up while Redis answers, leading or standing by ({@code spool_scheduler_leading} says which);
   * down with the reason while this scheduler cannot reach Redis (and so cannot fire or take over).
   */
  public Health health() {
    String e = redisError;
    return new Health(java.util.Map.of("redis", e == null ? Health.UP : e));
  }

  /** Occurrences this scheduler has fired. */
  public long fired() {
    return fired.get();
  }

  /** Occurrences this scheduler has skipped: paused schedules, or missed under SKIP. */
  public long skipped() {
    return skipped.get();
  }

  private void run() {
    long renewedAt = 0;
    long backoffMs = POLL.toMillis();
    while (!closed) {
      try {
        if (held == null) {
          Optional<LockLease> l = lock.tryAcquire(Duration.ofSeconds(1), lease);
          redisError = null;
          if (l.isEmpty()) continue;
          held = l.get();
          renewedAt = System.nanoTime();
          log.info(
              "scheduler leading (fencing token {}, lease {})",
              held.fencingToken(),
              dev.spool.Durations.format(lease));
        } else if (System.nanoTime() - renewedAt > lease.toNanos() / 3) {
          held.extend(lease);
          renewedAt = System.nanoTime();
        }
        int n = tick(held);
        redisError = null;
        backoffMs = POLL.toMillis();
        if (n < 100) sleep(POLL.toMillis());
      } catch (LockLostException e) {
        log.warn("scheduler lost the lead: {}", e.getMessage());
        letGo();
      } catch (SharedStateException e) {
        redisError = e.getMessage();
        log.warn("scheduler cannot reach Redis ({}); retrying in {} ms", e.getMessage(), backoffMs);
        sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5_000);
        if (held != null && System.nanoTime() - renewedAt > lease.toNanos()) {
          log.warn("scheduler's lease has run out while Redis was away; it no longer leads");
          letGo();
        }
      } catch (RuntimeException e) {
        log.error("scheduler failed; retrying in 1 s", e);
        sleep(1_000);
      }
    }
    LockLease l = held;
    held = null;
    if (l != null) {
      try {
        l.close();
      } catch (RuntimeException e) {
        log.debug("releasing the scheduler lock failed", e);
      }
    }
  }

  /**
   * Forgets a lead that was lost: its lease is closed (it is no longer counted as held by this
   * thread, so taking the lock again is not a nested take, warned about every second), whatever
   * Redis says of it.
   */
  private void letGo() {
    LockLease lost = held;
    held = null;
    if (lost == null) return;
    try {
      lost.close();
    } catch (SharedStateException e) { // LockLostException too: it was lost, as we know
      log.debug("the lost lead's lease: {}", e.getMessage());
    }
  }

  /** Fires what is due; returns how many entries were due. */
  private int tick(LockLease l) {
    SharedTimetable.Due due = table.due(100, LOOKAHEAD);
    for (Map.Entry<String, Instant> e : due.entries().entrySet()) {
      if (closed) break;
      fireOne(l, e.getKey(), e.getValue(), due.now());
    }
    return due.entries().size();
  }

  private void fireOne(LockLease l, String name, Instant due, Instant now) {
    Optional<String> def = table.definition(name);
    if (def.isEmpty()) return; // removed meanwhile
    Schedule s;
    try {
      s = Schedule.fromJson(name, def.get());
    } catch (IllegalArgumentException e) {
      log.error("{}; it will not fire until it is added again", e.getMessage());
      // Nothing is stored (no payload), so the target schedule does not matter.
      table.fire(
          l, name, def.get(), due, null, scheduleOf(Topology.DEFAULT_QUEUE), null, null, null);
      return;
    }
    var target = scheduleOf(s.queue());
    long lateMs = now.toEpochMilli() - due.toEpochMilli();
    if (s.paused()) {
      Instant next = s.nextAfter(due.isAfter(now) ? due : now);
      if (table.fire(l, name, def.get(), due, next, target, null, null, null)) {
        skipped.incrementAndGet();
        counted("skips", name);
      }
      return;
    }
    if (lateMs <= Schedule.MISFIRE_GRACE.toMillis()) {
      Instant next = s.nextAfter(due);
      String id = occurrenceId(name, due);
      if (table.fire(l, name, def.get(), due, next, target, id, payload(s, id, due), due)) {
        fired.incrementAndGet();
        counted("fires", name);
        log.info("schedule {} fired task {} ({} due {})", name, id, s.task(), due);
      }
      return;
    }
    Instant next = s.nextAfter(now);
    if (s.missed() == Schedule.Missed.SKIP) {
      if (table.fire(l, name, def.get(), due, next, target, null, null, null)) {
        skipped.incrementAndGet();
        counted("skips", name);
        log.warn(
            "schedule {}: occurrences from {} to {} were missed (no scheduler ran); skipped them"
                + " (missed: skip), next at {}",
            name,
            due,
            now,
            next);
      }
      return;
    }
    Instant last = s.lastAtOrBefore(now);
    Instant occurrence = last == null || last.isBefore(due) ? due : last;
    String id = occurrenceId(name, occurrence);
    if (table.fire(l, name, def.get(), due, next, target, id, payload(s, id, now), now)) {
      fired.incrementAndGet();
      counted("fires", name);
      log.warn(
          "schedule {}: occurrences from {} to {} were missed (no scheduler ran); fired one, task {}"
              + " (missed: once), next at {}",
          name,
          due,
          occurrence,
          id,
          next);
    }
  }

  private void counted(String what, String schedule) {
    Counter.builder("spool.schedule." + what)
        .description(
            what.equals("fires")
                ? "Occurrences of a schedule fired (stored to be published when due)"
                : "Occurrences of a schedule skipped: paused, or missed under --missed skip")
        .tag("schedule", schedule)
        .register(meters)
        .increment();
  }

  private dev.spool.state.internal.SharedSchedule scheduleOf(String queue) {
    return state.schedule(Topology.delayedSchedule(queue));
  }

  static String occurrenceId(String name, Instant due) {
    return "schedule." + name + "." + due.toEpochMilli();
  }

  /** The task of one occurrence, as the delayed tasks keep it: run even if no one waits. */
  private String payload(Schedule s, String id, Instant runAt) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(s.input());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write the input of schedule " + s.name(), e);
    }
    AMQP.BasicProperties base =
        new TaskMessage(id, s.task(), null, 1, 0, 0, null, sender, body).toProperties();
    Map<String, Object> h = new HashMap<>(base.getHeaders());
    h.put(Headers.IF_ABANDONED, Headers.IF_ABANDONED_RUN);
    h.put(Headers.DUE, runAt.toEpochMilli());
    // Each occurrence starts a trace of its own (its wait span includes its time in Redis).
    tracing.publish(s.task(), id, s.queue(), 1, h).end();
    AMQP.BasicProperties props = base.builder().headers(h).build();
    return ParkedTask.of(props, body).toJson();
  }

  private void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  void onClose(Runnable action) {
    onClose = action;
  }

  /** Stops firing and gives up the lead at once, so another scheduler takes over. */
  @Override
  public void close() {
    closed = true;
    Runnable then = onClose;
    if (then != null) then.run();
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
