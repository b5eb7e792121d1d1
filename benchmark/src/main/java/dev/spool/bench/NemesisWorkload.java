package dev.spool.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spool.core.SpoolConfig;
import dev.spool.producer.AsyncResult;
import dev.spool.producer.MapOptions;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskOptions;
import dev.spool.producer.TaskPool;
import dev.spool.producer.TaskPoolConfig;
import dev.spool.producer.TaskStatus;
import dev.spool.producer.Workflow;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * cancel} (kept delayed tasks, half of them cancelled: those must never succeed).
 *
 * <p>Usage: {@code NemesisWorkload MINUTES SEED HISTORY_FILE}
 */
public final class NemesisWorkload {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration KEEP = Duration.ofHours(2);
  private static final Duration CALL = Duration.ofMinutes(3);

  /** How long, once the faults are over, every kept task has to end. */
  private static final Duration DRAIN = Duration.ofMinutes(5);

  private final TaskPool pool;
  private final Spool spool;
  private final BufferedWriter history;
  private final Random random;
  private final long until;
  private final AtomicLong ops = new AtomicLong();
  private final Map<String, Long> pendingKept = new ConcurrentHashMap<>(); // id -> expected

  private NemesisWorkload(
      Spool spool, TaskPool pool, BufferedWriter history, long seed, long until) {
    this.spool = spool;
    this.pool = pool;
    this.history = history;
    this.random = new Random(seed);
    this.until = until;
  }

  public static void main(String[] args) throws Exception {
    int minutes = Integer.parseInt(args[0]);
    long seed = Long.parseLong(args[1]);
    Path file = Path.of(args[2]);
    SpoolConfig config = SpoolConfig.fromEnvironment(System.getenv());
    long until = System.currentTimeMillis() + minutes * 60_000L;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        Spool spool = Spool.connect(config);
        TaskPool pool = spool.pool(TaskPoolConfig.builder().defaultTimeout(CALL).build())) {
      NemesisWorkload w = new NemesisWorkload(spool, pool, out, seed, until);
      w.run();
    }
  }

  private void run() throws Exception {
    List<Thread> threads = new ArrayList<>();
    threads.add(loop("map", this::map));
    threads.add(loop("apply", this::apply));
    threads.add(loop("delayed", this::delayed));
    threads.add(loop("locked", this::locked));
    threads.add(loop("workflow", this::workflow));
    threads.add(loop("cancel", this::cancel));
    for (Thread t : threads) t.join();
    // The faults are over: every kept task submitted is read back, waiting up to 3 min each.
    record(Map.of("op", "drain", "phase", "invoke", "pending", pendingKept.size()));
    long drainUntil = System.currentTimeMillis() + DRAIN.toMillis();
    for (Map.Entry<String, Long> e : pendingKept.entrySet()) {
      readBack(e.getKey(), e.getValue(), drainUntil);
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
    invoke("map", id, Map.of("n", n, "chunked", chunked));
    try {
      List<Long> got =
          pool.map(
              "square",
              inputs,
              Long.class,
              chunked ? MapOptions.defaults() : MapOptions.defaults().withChunksize(1));
      long wrong = 0;
      for (int i = 0; i < n; i++) if (got.get(i) != inputs.get(i) * inputs.get(i)) wrong++;
      complete("map", id, Map.of("results", got.size(), "wrong", wrong));
    } catch (Exception e) {
      failed("map", id, e);
      throw e;
    }
  }

  private void apply(Random r) throws Exception {
    long x = r.nextInt(1_000_000);
    String id = "apply-" + ops.incrementAndGet();
    invoke("apply", id, Map.of("x", x));
    try {
      long got = pool.apply("square", x, Long.class);
      complete("apply", id, Map.of("wrong", got == x * x ? 0 : 1));
    } catch (Exception e) {
      failed("apply", id, e);
      throw e;
    }
  }

  private void delayed(Random r) throws Exception {
    long x = r.nextInt(1_000_000);
    Duration countdown = Duration.ofMillis(500 + r.nextInt(3000));
    String id = "delayed-" + java.util.UUID.randomUUID();
    Instant due = Instant.now().plus(countdown);
    invoke("delayed", id, Map.of("x", x, "due", due.toString()));
    try {
      pool.submit(
          "square",
          x,
          TaskOptions.defaults().withId(id).withCountdown(countdown).withKeepResult(KEEP));
      pendingKept.put(id, x * x);
      complete("delayed", id, Map.of("submitted", true));
    } catch (Exception e) {
      failed("delayed", id, e);
      throw e;
    }
    sleep(200);
  }

  private void locked(Random r) throws Exception {
    int n = 20 + r.nextInt(40);
    String id = "locked-" + ops.incrementAndGet();
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (int i = 0; i < n; i++) inputs.add(Map.of("record", true));
    invoke("locked", id, Map.of("n", n));
    try {
      List<Long> values =
          pool.map("locked-increment", inputs, Long.class, MapOptions.defaults().withChunksize(1));
      complete("locked", id, Map.of("values", values));
    } catch (Exception e) {
      failed("locked", id, e);
      throw e;
    }
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
    invoke("workflow", id, Map.of("chord", chord, "expected", expected));
    try {
      pool.submit(flow, TaskOptions.defaults().withId(id).withKeepResult(KEEP));
      pendingKept.put(id, expected);
      complete("workflow", id, Map.of("submitted", true));
    } catch (Exception e) {
      failed("workflow", id, e);
      throw e;
    }
    sleep(500);
  }

  private void cancel(Random r) throws Exception {
    String id = "cancel-" + java.util.UUID.randomUUID();
    long x = r.nextInt(1000);
    boolean cancel = r.nextBoolean();
    invoke("cancel", id, Map.of("x", x, "cancel", cancel));
    try {
      pool.submit(
          "square",
          x,
          TaskOptions.defaults()
              .withId(id)
              .withCountdown(Duration.ofSeconds(3))
              .withKeepResult(KEEP));
      if (cancel) pool.admin().cancel(id);
      pendingKept.put(id, cancel ? -1 : x * x); // -1: must not succeed
      complete("cancel", id, Map.of("cancelled", cancel));
    } catch (Exception e) {
      failed("cancel", id, e);
      throw e;
    }
    sleep(1000);
  }

  /** After the faults: what a kept task came to. */
  private void readBack(String id, long expected, long drainUntil) {
    AsyncResult r = spool.result(id);
    invoke("result", id, Map.of("expected", expected));
    try {
      TaskStatus s;
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

  private void invoke(String op, String id, Map<String, ?> detail) {
    ops.incrementAndGet();
    record(with(Map.of("op", op, "id", id, "phase", "invoke"), detail));
  }

  private void complete(String op, String id, Map<?, ?> detail) {
    record(with(Map.of("op", op, "id", id, "phase", "ok"), detail));
  }

  private void failed(String op, String id, Exception e) {
    record(
        Map.of(
            "op",
            op,
            "id",
            id,
            "phase",
            "fail",
            "error",
            e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage())));
  }

  private static Map<String, Object> with(Map<String, ?> base, Map<?, ?> more) {
    Map<String, Object> m = new java.util.LinkedHashMap<>(base);
    more.forEach((k, v) -> m.put(String.valueOf(k), v));
    return m;
  }

  private synchronized void record(Map<String, ?> event) {
    try {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("t", System.currentTimeMillis());
      m.putAll(event);
      history.write(JSON.writeValueAsString(m));
      history.newLine();
      history.flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
