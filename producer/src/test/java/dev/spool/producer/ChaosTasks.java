package dev.spool.producer;

import dev.spool.HandlerRegistry;
import dev.spool.LockLease;
import dev.spool.MultiLease;
import dev.spool.TaskContext;
import dev.spool.TaskHandlerProvider;
import java.time.Duration;
import java.util.List;

/**
 * Tasks for fault-injection tests, loaded into consumer processes from the test classpath the way a
 * user's jar of tasks would be.
 */
public final class ChaosTasks implements TaskHandlerProvider {
  /** Take {@code lock} for {@code leaseMs}, keep it {@code holdMs}, release. */
  public record Hold(String lock, long leaseMs, long holdMs) {}

  /** Take {@code lock}, wait {@code holdMs}, then write {@code dict[key] = value} fenced. */
  public record FencedWrite(
      String lock, long leaseMs, long holdMs, String dict, String key, String value) {}

  /** Take {@code names} together {@code times} times. */
  public record Multi(List<String> names, int times) {}

  @Override
  public void registerTasks(HandlerRegistry registry) {
    registry.register("lock-hold", Hold.class, ChaosTasks::hold);
    registry.register("fenced-write", FencedWrite.class, ChaosTasks::fencedWrite);
    registry.register("multi-lock", Multi.class, ChaosTasks::multi);
    registry.register("mark", Mark.class, ChaosTasks::mark);
    registry.register("stamp", Stamp.class, ChaosTasks::stamp);
    registry.register("tick", String.class, ChaosTasks::tick);
    registry.register("steps", Long.class, ChaosTasks::steps);
    registry.register("crash-once-inc", Long.class, ChaosTasks::crashOnceInc);
    registry.register("tally", long[].class, ChaosTasks::tally);
    registry.register("text-of", Integer.class, (Integer n, TaskContext c) -> "x".repeat(n));
    registry.register("nest", Long.class, ChaosTasks::nest);
    registry.register(
        "halt",
        String.class,
        (String s, TaskContext c) -> {
          Runtime.getRuntime().halt(137); // dies like a SIGKILL: no drain, no ack
          return s;
        });
  }

  /** The pool tasks submitted from a handler go through ({@code nest}), made on first use. */
  private static TaskPool nested;

  /** Submits {@code square} of {@code n} from the handler, waits for it, returns it plus one. */
  static synchronized long nest(Long n, TaskContext ctx) {
    if (nested == null) {
      nested = TestSpools.pool(dev.spool.core.SpoolConfig.fromEnvironment(System.getenv()));
    }
    return nested.apply("square", n, Long.class, Duration.ofMinutes(1)) + 1;
  }

  /** Count one run of task {@code n} in the shared dict {@code runs}, then work {@code ms}. */
  public record Mark(long n, long ms) {}

  /** The dict where {@code mark} counts runs per task. */
  public static final String RUNS = "runs";

  static long mark(Mark m, TaskContext ctx) throws InterruptedException {
    ctx.state().dict(RUNS, Long.class, Long.class).increment(m.n(), 1);
    if (m.ms() > 0) Thread.sleep(m.ms());
    return m.n();
  }

  /** The dict where {@code crash-once-inc} counts runs per task id. */
  public static final String CRASHES = "crash-once";

  /** The first run of each task id dies like a SIGKILL; the second returns its input plus one. */
  static long crashOnceInc(Long x, TaskContext ctx) {
    long run = ctx.state().dict(CRASHES, String.class, Long.class).increment(ctx.taskId(), 1);
    if (run == 1) Runtime.getRuntime().halt(137);
    return x + 1;
  }

  /** A chord's callback: counts its runs under -1 in {@code runs}, returns the sum. */
  static long tally(long[] xs, TaskContext ctx) {
    ctx.state().dict(RUNS, Long.class, Long.class).increment(-1L, 1);
    return java.util.Arrays.stream(xs).sum();
  }

  /** Reports progress {@code n} times, one step a millisecond, then returns {@code n}. */
  static long steps(Long n, TaskContext ctx) throws InterruptedException {
    for (long i = 1; i <= n; i++) {
      ctx.progress(i, n, "step " + i);
      Thread.sleep(1);
    }
    return n;
  }

  /** Task {@code n}, due at {@code due} (epoch ms): {@code stamp} records when it ran. */
  public record Stamp(long n, long due) {}

  /** The dict where {@code stamp} records when each task first ran (epoch ms). */
  public static final String STAMPS = "stamps";

  /** Records when task {@code n} ran (its first run) and counts its runs; returns its lateness. */
  static long stamp(Stamp s, TaskContext ctx) {
    long now = System.currentTimeMillis();
    ctx.state().dict(STAMPS, Long.class, Long.class).putIfAbsent(s.n(), now);
    ctx.state().dict(RUNS, Long.class, Long.class).increment(s.n(), 1);
    return now - s.due();
  }

  /** The dict where {@code tick} counts runs per task id (a schedule's occurrences). */
  public static final String TICKS = "ticks";

  /** The dict where {@code tick} records when each task id first ran (epoch ms). */
  public static final String TICKED_AT = "ticked-at";

  /** Counts a run of this task id and records when it first ran. */
  static String tick(String schedule, TaskContext ctx) {
    ctx.state()
        .dict(TICKED_AT, String.class, Long.class)
        .putIfAbsent(ctx.taskId(), System.currentTimeMillis());
    ctx.state().dict(TICKS, String.class, Long.class).increment(ctx.taskId(), 1);
    return schedule;
  }

  static long hold(Hold h, TaskContext ctx) throws InterruptedException {
    try (LockLease lease =
        ctx.state()
            .lock(h.lock())
            .acquire(Duration.ofSeconds(30), Duration.ofMillis(h.leaseMs()))) {
      Thread.sleep(h.holdMs());
      return lease.fencingToken();
    }
  }

  static String fencedWrite(FencedWrite w, TaskContext ctx) throws InterruptedException {
    try (LockLease lease =
        ctx.state()
            .lock(w.lock())
            .acquire(Duration.ofSeconds(30), Duration.ofMillis(w.leaseMs()))) {
      Thread.sleep(w.holdMs()); // a SIGSTOP here outlives the lease
      ctx.state().dict(w.dict(), String.class, String.class).put(w.key(), w.value(), lease);
      return "written";
    }
  }

  static int multi(Multi m, TaskContext ctx) {
    for (int i = 0; i < m.times(); i++) {
      try (MultiLease lease =
          ctx.state()
              .locks(m.names().toArray(String[]::new))
              .acquire(Duration.ofSeconds(60), Duration.ofSeconds(10))) {
        if (lease.leases().size() != m.names().size()) throw new IllegalStateException("partial");
      }
    }
    return m.times();
  }
}
