package dev.spool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spool.DistributedLock;
import dev.spool.HandlerRegistry;
import dev.spool.LockLease;
import dev.spool.SharedValue;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.core.SpoolConfig;
import dev.spool.producer.AsyncResult;
import dev.spool.producer.MapOptions;
import dev.spool.producer.Schedule;
import dev.spool.producer.Scheduler;
import dev.spool.producer.Spool;
import dev.spool.producer.SpoolProcess;
import dev.spool.producer.TaskOptions;
import dev.spool.producer.TaskPool;
import dev.spool.producer.TaskPoolConfig;
import dev.spool.producer.TaskStatus;
import dev.spool.producer.Workflow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * The workload of {@code bin/spool-nemesis}: on a cluster under faults, for a number of minutes,
 * several kinds of operations at once, each one's invocation and completion written to a history
 * (JSON lines) that {@code bin/spool-nemesis-check} judges. Runs in a container of the cluster
 * stack, as a producer does.
 *
 * <p>Kinds: {@code map} (unchunked and chunked maps of {@code square}, every result checked),
 * {@code apply}, {@code delayed} (kept tasks with a countdown, read back by id), {@code locked}
 * (maps of {@code locked-increment}, whose values must never repeat and whose fenced writes the
 * checker reads from Redis), {@code workflow} (chains and chords with known results), {@code
 * cancel} (kept delayed tasks, half of them cancelled: those must never succeed), {@code lock} (two
 * threads taking one lock, each holder writing its token fenced: the checker looks for two certain
 * holders at once and a write accepted after a higher token's), {@code tick} (a schedule every 2 s
 * fired by two competing schedulers in this JVM, its occurrences run by a consumer embedded here on
 * a queue of their own, each run recorded), and {@code child} (a second producer JVM submitting
 * kept tasks, which the nemesis kills with SIGKILL and this one restarts; its own history is {@code
 * producer-history.jsonl} beside this one's).
 *
 * <p>Usage: {@code NemesisWorkload MINUTES SEED HISTORY_FILE}; the child: {@code NemesisWorkload
 * child UNTIL_EPOCH_MS SEED HISTORY_FILE}
 */
public final class NemesisWorkload {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration KEEP = Duration.ofHours(2);
  private static final Duration CALL = Duration.ofMinutes(3);

  /** How long, once the faults are over, every kept task has to end. */
  private static final Duration DRAIN = Duration.ofMinutes(5);

  /** How long, after that, the submits cut off by a killed producer have to end. */
  private static final Duration MAYBE_DRAIN = Duration.ofSeconds(30);

  static final String TICK_SCHEDULE = "nemesis-tick";
  static final String TICK_QUEUE = "nemesis-ticks";
  static final Duration TICK_EVERY = Duration.ofSeconds(2);
  static final Duration LOCK_LEASE = Duration.ofSeconds(3);

  private final TaskPool pool;
  private final Spool spool;
  private final BufferedWriter history;
  private final Random random;
  private final long until;
  private final AtomicLong ops = new AtomicLong();
  private final Map<String, Long> pendingKept = new ConcurrentHashMap<>(); // id -> expected
  private final Map<String, Long> maybeKept = new ConcurrentHashMap<>(); // submits cut by a kill

  private NemesisWorkload(
      Spool spool, TaskPool pool, BufferedWriter history, long seed, long until) {
    this.spool = spool;
    this.pool = pool;
    this.history = history;
    this.random = new Random(seed);
    this.until = until;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("child")) {
      Child.run(Long.parseLong(args[1]), Long.parseLong(args[2]), Path.of(args[3]));
      return;
    }
    int minutes = Integer.parseInt(args[0]);
    long seed = Long.parseLong(args[1]);
    Path file = Path.of(args[2]);
    SpoolConfig config = SpoolConfig.fromEnvironment(System.getenv());
    long until = System.currentTimeMillis() + minutes * 60_000L;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        Spool spool = Spool.connect(config);
        TaskPool pool = spool.pool(TaskPoolConfig.builder().defaultTimeout(CALL).build())) {
      NemesisWorkload w = new NemesisWorkload(spool, pool, out, seed, until);
      w.run(file.resolveSibling("producer-history.jsonl"));
    }
  }

  private void run(Path childHistory) throws Exception {
    // The schedule, its two competing schedulers, and the consumer of its occurrences.
    spool.schedules().remove(TICK_SCHEDULE);
    spool
        .schedules()
        .add(Schedule.every(TICK_SCHEDULE, TICK_EVERY, "tick", null).withQueue(TICK_QUEUE));
    record(
        Map.of(
            "op",
            "schedule",
            "phase",
            "info",
            "name",
            TICK_SCHEDULE,
            "everyMs",
            TICK_EVERY.toMillis()));
    HandlerRegistry ticks =
        new HandlerRegistry()
            .register(
                "tick",
                JsonNode.class,
                (JsonNode in, dev.spool.TaskContext ctx) -> {
                  record(
                      Map.of(
                          "op",
                          "tick",
                          "phase",
                          "run",
                          "id",
                          ctx.taskId(),
                          "attempt",
                          ctx.attempt()));
                  return 0L;
                });
    spool.consumer(ConsumerConfig.builder().queue(TICK_QUEUE).concurrency(1).build(), ticks);
    List<Scheduler> schedulers =
        List.of(
            spool.scheduler(Duration.ofSeconds(3), new SimpleMeterRegistry()),
            spool.scheduler(Duration.ofSeconds(3), new SimpleMeterRegistry()));

    List<Thread> threads = new ArrayList<>();
    threads.add(loop("map", this::map));
    threads.add(loop("apply", this::apply));
    threads.add(loop("delayed", this::delayed));
    threads.add(loop("locked", this::locked));
    threads.add(loop("workflow", this::workflow));
    threads.add(loop("cancel", this::cancel));
    threads.add(loop("lock-a", this::lock));
    threads.add(loop("lock-b", this::lock));
    threads.add(Thread.ofPlatform().name("nemesis-child").start(() -> children(childHistory)));
    for (Thread t : threads) t.join();
    spool.schedules().remove(TICK_SCHEDULE);
    long fired = 0;
    for (Scheduler s : schedulers) {
      fired += s.fired();
      s.close();
    }
    record(Map.of("op", "schedule", "phase", "end", "name", TICK_SCHEDULE, "fired", fired));
    // What the child producers submitted: each one acknowledged is read back; each one in flight
    // when its producer was killed may or may not exist.
    for (Map.Entry<String, Boolean> e : Child.submitted(childHistory).entrySet()) {
      if (e.getValue()) {
        pendingKept.put(e.getKey(), Child.expected(e.getKey()));
      } else {
        maybeKept.put(e.getKey(), Child.expected(e.getKey()));
      }
    }
    // The faults are over: every kept task submitted is read back, waiting up to 3 min each.
    record(Map.of("op", "drain", "phase", "invoke", "pending", pendingKept.size()));
    long drainUntil = System.currentTimeMillis() + DRAIN.toMillis();
    for (Map.Entry<String, Long> e : pendingKept.entrySet()) {
      readBack(e.getKey(), e.getValue(), drainUntil, false);
    }
    // A submit cut off by a kill may have written its record and never published: every other
    // task has ended by now, so a short wait tells a late one from one that never went out.
    long maybeUntil = System.currentTimeMillis() + MAYBE_DRAIN.toMillis();
    for (Map.Entry<String, Long> e : maybeKept.entrySet()) {
      readBack(e.getKey(), e.getValue(), maybeUntil, true);
    }
    record(Map.of("op", "drain", "phase", "ok", "ops", ops.get()));
  }

  private interface Op {
    void run(Random r) throws Exception;
  }

  private Thread loop(String name, Op op) {
    long seed = random.nextLong();
    Thread t =
        Thread.ofPlatform()
            .name("nemesis-" + name)
            .start(
                () -> {
                  Random r = new Random(seed);
                  while (System.currentTimeMillis() < until) {
                    try {
                      op.run(r);
                    } catch (InterruptedException e) {
                      return;
                    } catch (Exception e) { // recorded by the op; a pause before the next
                      sleep(500);
                    }
                  }
                });
    return t;
  }

  private void map(Random r) throws Exception {
    long from = r.nextInt(1_000_000);
    int n = 50 + r.nextInt(200);
    boolean chunked = r.nextBoolean();
    String id = "map-" + from + "-" + n;
    List<Long> inputs = LongStream.range(from, from + n).boxed().toList();
    recorded(
        "map",
        id,
        Map.of("n", n, "chunked", chunked),
        () -> {
          List<Long> got =
              pool.map(
                  "square",
                  inputs,
                  Long.class,
                  chunked ? MapOptions.defaults() : MapOptions.defaults().withChunksize(1));
          long wrong = 0;
          for (int i = 0; i < n; i++) if (got.get(i) != inputs.get(i) * inputs.get(i)) wrong++;
          return Map.of("results", got.size(), "wrong", wrong);
        });
  }

  private void apply(Random r) throws Exception {
    long x = r.nextInt(1_000_000);
    String id = "apply-" + ops.incrementAndGet();
    recorded(
        "apply",
        id,
        Map.of("x", x),
        () -> Map.of("wrong", pool.apply("square", x, Long.class) == x * x ? 0 : 1));
  }

  private void delayed(Random r) throws Exception {
    long x = r.nextInt(1_000_000);
    Duration countdown = Duration.ofMillis(500 + r.nextInt(3000));
    String id = "delayed-" + java.util.UUID.randomUUID();
    Instant due = Instant.now().plus(countdown);
    recorded(
        "delayed",
        id,
        Map.of("x", x, "due", due.toString()),
        () -> {
          pool.submit(
              "square",
              x,
              TaskOptions.defaults().withId(id).withCountdown(countdown).withKeepResult(KEEP));
          pendingKept.put(id, x * x);
          return Map.of("submitted", true);
        });
    sleep(200);
  }

  private void locked(Random r) throws Exception {
    int n = 20 + r.nextInt(40);
    String id = "locked-" + ops.incrementAndGet();
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (int i = 0; i < n; i++) inputs.add(Map.of("record", true));
    recorded(
        "locked",
        id,
        Map.of("n", n),
        () ->
            Map.of(
                "values",
                pool.map(
                    "locked-increment",
                    inputs,
                    Long.class,
                    MapOptions.defaults().withChunksize(1))));
  }

  private void workflow(Random r) throws Exception {
    boolean chord = r.nextBoolean();
    Workflow flow;
    long expected;
    if (chord) {
      int n = 5 + r.nextInt(20);
      List<Workflow> members = new ArrayList<>();
      expected = 0;
      for (long i = 1; i <= n; i++) {
        members.add(Workflow.task("square", i));
        expected += i * i;
      }
      flow = Workflow.chord(Workflow.group(members), Workflow.task("add"));
    } else {
      long x = 2 + r.nextInt(3);
      flow = Workflow.chain(Workflow.task("square", x), Workflow.task("square"));
      expected = x * x * x * x;
    }
    String id = "flow-" + java.util.UUID.randomUUID();
    long value = expected;
    Workflow submitted = flow;
    recorded(
        "workflow",
        id,
        Map.of("chord", chord, "expected", expected),
        () -> {
          pool.submit(submitted, TaskOptions.defaults().withId(id).withKeepResult(KEEP));
          pendingKept.put(id, value);
          return Map.of("submitted", true);
        });
    sleep(500);
  }

  private void cancel(Random r) throws Exception {
    String id = "cancel-" + java.util.UUID.randomUUID();
    long x = r.nextInt(1000);
    boolean cancel = r.nextBoolean();
    recorded(
        "cancel",
        id,
        Map.of("x", x, "cancel", cancel),
        () -> {
          pool.submit(
              "square",
              x,
              TaskOptions.defaults()
                  .withId(id)
                  .withCountdown(Duration.ofSeconds(3))
                  .withKeepResult(KEEP));
          if (cancel) pool.admin().cancel(id);
          pendingKept.put(id, cancel ? -1 : x * x); // -1: must not succeed
          return Map.of("cancelled", cancel);
        });
    sleep(1000);
  }

  /**
   * Takes the lock {@code nemesis-lock} (lease 3 s, no watchdog), holds it up to 300 ms, writes its
   * fencing token to a value fenced by the lease, and releases it: a grant, a write and a release,
   * each invoked and ended in the history.
   */
  private void lock(Random r) throws Exception {
    DistributedLock lock = spool.state().lock("nemesis-lock");
    SharedValue<Long> value = spool.state().value("nemesis-lock-value", Long.class);
    String id = "lock-" + ops.incrementAndGet();
    invoke("lock", id, Map.of("leaseMs", LOCK_LEASE.toMillis()));
    LockLease lease;
    try {
      lease = lock.acquire(Duration.ofSeconds(20), LOCK_LEASE);
    } catch (Exception e) {
      failed("lock", id, e);
      throw e;
    }
    long token = lease.fencingToken();
    complete("lock", id, Map.of("token", token));
    try {
      sleep(r.nextInt(300));
      invoke("fenced-write", id, Map.of("token", token));
      try {
        value.set(token, lease);
        complete("fenced-write", id, Map.of("token", token));
      } catch (Exception e) { // refused (the lease ran out) or Redis failed: visibly
        failed("fenced-write", id, e);
      }
    } finally {
      invoke("release", id, Map.of("token", token));
      try {
        lease.close();
        complete("release", id, Map.of());
      } catch (Exception e) {
        failed("release", id, e);
      }
    }
    sleep(r.nextInt(50));
  }

  /** Runs child producers one after another until the end; the nemesis kills them. */
  private void children(Path childHistory) {
    Path pidFile = childHistory.resolveSibling("producer.pid");
    int n = 0;
    while (System.currentTimeMillis() < until - 5_000) {
      SpoolProcess p =
          spool.process(
              NemesisWorkload.class,
              "child",
              Long.toString(until),
              Long.toString(random.nextLong()),
              childHistory.toString());
      n++;
      try {
        Files.writeString(pidFile, Long.toString(p.pid()));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      record(Map.of("op", "child", "phase", "start", "n", n, "pid", p.pid()));
      int code = p.join();
      record(Map.of("op", "child", "phase", "exit", "n", n, "code", code));
      if (code != 0 && code != 137) sleep(1000); // not killed by the nemesis: do not spin
    }
  }

  /** A second producer, in its own JVM: kept submits of {@code square}, until its end time. */
  static final class Child {
    private Child() {}

    static long expected(String id) {
      long x = Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
      return x * x;
    }

    static void run(long until, long seed, Path file) throws Exception {
      Random r = new Random(seed);
      SpoolConfig config = SpoolConfig.fromEnvironment(System.getenv());
      try (BufferedWriter out =
              Files.newBufferedWriter(
                  file,
                  StandardCharsets.UTF_8,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND);
          Spool spool = Spool.connect(config);
          TaskPool pool = spool.pool()) {
        while (System.currentTimeMillis() < until) {
          long x = r.nextInt(1_000_000);
          String id = "child-" + java.util.UUID.randomUUID() + "-" + x;
          line(out, Map.of("op", "child-submit", "id", id, "phase", "invoke"));
          try {
            pool.submit("square", x, TaskOptions.defaults().withId(id).withKeepResult(KEEP));
            line(out, Map.of("op", "child-submit", "id", id, "phase", "ok"));
          } catch (Exception e) {
            line(out, Map.of("op", "child-submit", "id", id, "phase", "fail", "error", error(e)));
            Thread.sleep(500);
          }
          Thread.sleep(r.nextInt(100));
        }
      }
    }

    /** Each id a child invoked: true when its submit was acknowledged, false when cut off. */
    static Map<String, Boolean> submitted(Path file) throws IOException {
      Map<String, Boolean> out = new java.util.LinkedHashMap<>();
      if (!Files.exists(file)) return out;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        JsonNode e;
        try {
          e = JSON.readTree(line);
        } catch (IOException cut) { // a line cut by a kill
          continue;
        }
        if (e == null || !e.path("op").asText().equals("child-submit")) continue;
        String id = e.path("id").asText();
        switch (e.path("phase").asText()) {
          case "invoke" -> out.putIfAbsent(id, false);
          case "ok" -> out.put(id, true);
          case "fail" -> out.putIfAbsent(id, false); // the publish may have gone out all the same
          default -> {}
        }
      }
      return out;
    }
  }

  /** After the faults: what a kept task came to. */
  private void readBack(String id, long expected, long drainUntil, boolean maybe) {
    AsyncResult r = spool.result(id);
    invoke("result", id, Map.of("expected", expected, "maybe", maybe));
    try {
      TaskStatus s;
      if (maybe && r.state() == dev.spool.producer.TaskState.UNKNOWN) {
        complete("result", id, Map.of("state", "unknown", "attempts", 0));
        return;
      }
      try {
        s = r.await(Duration.ofMillis(Math.max(1, drainUntil - System.currentTimeMillis())));
      } catch (dev.spool.core.TaskTimeoutException e) {
        s = r.status(); // not ended by the drain's end: the checker calls it lost
      }
      ObjectNode o = JSON.createObjectNode();
      o.put("state", s.state().toString());
      if (s.resultJson() != null) o.put("result", s.resultJson());
      if (s.started() != null) o.put("started", s.started().toString());
      if (s.due() != null) o.put("due", s.due().toString());
      o.put("attempts", s.attempts());
      complete("result", id, JSON.convertValue(o, Map.class));
    } catch (Exception e) {
      failed("result", id, e);
    }
  }

  private interface Call {
    Map<String, ?> run() throws Exception;
  }

  /** Records {@code op}'s invocation, runs it, then records what it returned, or what it threw. */
  private void recorded(String op, String id, Map<String, ?> detail, Call call) throws Exception {
    invoke(op, id, detail);
    Map<String, ?> done;
    try {
      done = call.run();
    } catch (Exception e) {
      failed(op, id, e);
      throw e;
    }
    complete(op, id, done);
  }

  private void invoke(String op, String id, Map<String, ?> detail) {
    ops.incrementAndGet();
    record(with(Map.of("op", op, "id", id, "phase", "invoke"), detail));
  }

  private void complete(String op, String id, Map<?, ?> detail) {
    record(with(Map.of("op", op, "id", id, "phase", "ok"), detail));
  }

  private void failed(String op, String id, Exception e) {
    record(Map.of("op", op, "id", id, "phase", "fail", "error", error(e)));
  }

  private static String error(Exception e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static Map<String, Object> with(Map<String, ?> base, Map<?, ?> more) {
    Map<String, Object> m = new java.util.LinkedHashMap<>(base);
    more.forEach((k, v) -> m.put(String.valueOf(k), v));
    return m;
  }

  private synchronized void record(Map<String, ?> event) {
    try {
      line(history, event);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** One event, stamped with the time, as a line of JSON, flushed. */
  private static void line(BufferedWriter out, Map<String, ?> event) throws IOException {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("t", System.currentTimeMillis());
    m.putAll(event);
    out.write(JSON.writeValueAsString(m));
    out.newLine();
    out.flush();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
