package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.spool.LockLease;
import dev.spool.SharedDict;
import dev.spool.core.DeadLetter;
import dev.spool.core.DeadLetter.Reason;
import dev.spool.core.SpoolConfig;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.TaskFailedException;
import dev.spool.core.wire.TaskMessage;
import dev.spool.producer.ChaosTasks.Mark;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import dev.spool.testing.services.OwnServices;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chaos suite: real consumer processes, faults injected on this machine (SIGKILL, SIGTERM,
 * broker connections cut, broker restarted, Redis frozen, a lock holder frozen), and one line of
 * figures per scenario, printed and appended to {@code target/chaos-report.md}. Scale it with
 * {@code -Dspool.chaos.scale=N} (bin/spool-chaos-soak does).
 */
@OwnServices
@ExtendWith(SpoolServicesExtension.class)
final class ChaosIT {
  private static final int SCALE = Integer.getInteger("spool.chaos.scale", 1);
  private static final Duration LONG = Duration.ofMinutes(3L * SCALE);
  // --concurrency 4 and no --prefetch: a window of 32, widened to 128 while tasks are short
  private static final int PREFETCH = dev.spool.consumer.ConsumerConfig.widePrefetch(4);

  private SpoolProcesses procs;
  private final ScheduledExecutorService chaos = Executors.newScheduledThreadPool(2);

  @AfterEach
  void stopEverything() throws Exception {
    chaos.shutdownNow();
    if (procs != null) procs.close();
  }

  @Test
  void s1_sigkillRandomConsumerRepeatedlyDuringMap_nothingLostDuplicatesBounded(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers = new ArrayList<>(procs.startConsumers(3, true));
    int n = 10_000 * SCALE;
    AtomicInteger kills = new AtomicInteger();
    Random random = new Random(42);
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      CompletableFuture<List<Long>> map = mapAsync(pool, n, 2);
      chaos.scheduleWithFixedDelay(
          () -> {
            if (map.isDone()) return;
            int i = random.nextInt(consumers.size());
            consumers.get(i).destroyForcibly(); // SIGKILL
            kills.incrementAndGet();
            try {
              consumers.get(i).waitFor();
              consumers.set(
                  i, procs.startConsumer("consumer-" + i + "-k" + kills.get(), true, Map.of()));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          },
          1000,
          1500,
          TimeUnit.MILLISECONDS);
      List<Long> results = map.get(LONG.toMinutes(), TimeUnit.MINUTES);
      chaos.shutdownNow();
      chaos.awaitTermination(30, TimeUnit.SECONDS);
      long duplicates = duplicateRuns(state, n);
      int exits = stopAll(env, pool, consumers);

      Figures f = figures(env, "1 SIGKILL a consumer every 1.5 s", n, pool, results, duplicates);
      f.report("kills=" + kills.get(), exits);
      assertEquals(0, f.lost());
      assertTrue(kills.get() >= 1, "at least one kill happened during the map");
      assertTrue(
          duplicates <= (long) kills.get() * PREFETCH,
          duplicates + " duplicates > " + kills.get() + " kills x prefetch " + PREFETCH);
      assertEquals(0, exits, "the consumers alive at the end exit 0 on their pills");
    }
  }

  @Test
  void s2_sigtermDuringMap_runningTasksFinishNothingDuplicatedExitZero(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    Process first = procs.startConsumers(1, true).getFirst();
    int n = 400 * SCALE;
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      CompletableFuture<List<Long>> map = mapAsync(pool, n, 25);
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      await().atMost(LONG).until(() -> runs.size() >= n / 10);
      SpoolProcesses.signal(first, "TERM");
      assertTrue(first.waitFor(2, TimeUnit.MINUTES), "drained and exited");
      int termExit = first.exitValue();
      Process second = procs.startConsumer("consumer-after-term", true, Map.of());
      List<Long> results = map.get(LONG.toMinutes(), TimeUnit.MINUTES);
      long duplicates = duplicateRuns(state, n);
      int exits = stopAll(env, pool, List.of(second));

      Figures f = figures(env, "2 SIGTERM a consumer mid-map", n, pool, results, duplicates);
      f.report("term-exit=" + termExit, exits);
      assertEquals(0, termExit);
      assertEquals(0, f.lost());
      assertEquals(0, duplicates, "a drained consumer's tasks run once");
      assertEquals(0, exits);
    }
  }

  @Test
  void s3_kConsumersKPills_allExitZeroEachTaskRanOnce(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers = procs.startConsumers(3, true);
    int n = 3000 * SCALE;
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      List<Long> results = mapAsync(pool, n, 0).get(LONG.toMinutes(), TimeUnit.MINUTES);
      long duplicates = duplicateRuns(state, n);
      int exits = stopAll(env, pool, consumers);
      Figures f = figures(env, "3 K consumers, K pills", n, pool, results, duplicates);
      f.report("pills=3", exits);
      assertEquals(0, f.lost());
      assertEquals(0, duplicates);
      assertEquals(0, exits);
      assertEquals(0, f.ready() + f.unacked(), "nothing stranded");
    }
  }

  @Test
  void s4_badInputAndACrashingHandler_eachDeadLetteredOnceConsumersKeepRunning(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    Map<String, String> limit3 = Map.of("SPOOL_DELIVERY_LIMIT", "3");
    SpoolConfig config = env.config().toBuilder().deliveryLimit("3").build();
    String[] args = {"--max-attempts", "2", "--retry-delay", "100ms"};
    List<Process> consumers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      consumers.add(procs.startConsumer("consumer-" + i, true, limit3, args));
    }
    AtomicInteger restarts = new AtomicInteger();
    chaos.scheduleWithFixedDelay(
        () -> {
          for (int i = 0; i < consumers.size(); i++) {
            if (!consumers.get(i).isAlive()) {
              try {
                consumers.set(
                    i,
                    procs.startConsumer(
                        "consumer-" + i + "-r" + restarts.incrementAndGet(), true, limit3, args));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }
          }
        },
        200,
        200,
        TimeUnit.MILLISECONDS);

    String queue;
    Map<String, Reason> expected = new HashMap<>();
    try (Channel ch = env.connection().createChannel()) {
      // Confirmed, so that a message the broker did not take fails here, not as a missing dead
      // letter three minutes later (once, in a CI run, the last two never reached a consumer).
      ch.confirmSelect();
      queue = new dev.spool.core.wire.Topology(config).declareWorkQueue(ch, "tasks");
      expected.put(raw(ch, queue, "square", "{oops"), Reason.DECODE_ERROR);
      expected.put(raw(ch, queue, "no-such-task", "1"), Reason.UNKNOWN_TASK);
      expected.put(raw(ch, queue, "fail", "\"always\""), Reason.RETRIES_EXHAUSTED);
      expected.put(
          raw(ch, queue, "square", "[".repeat(100_000) + "]".repeat(100_000)), Reason.DECODE_ERROR);
      expected.put(raw(ch, queue, "square", " ".repeat(5 << 20) + "1"), Reason.TOO_LARGE);
      expected.put(
          raw(
              ch,
              queue,
              "square",
              "{\"@class\":\"java.lang.ProcessBuilder\",\"command\":[\"id\"]}"),
          Reason.DECODE_ERROR);
      ch.waitForConfirmsOrDie(30_000);
    }
    String deadQueue = env.topology().deadQueue("tasks");
    awaitDeadLetters(env, config, deadQueue, expected);
    // Last: the handler that kills its consumer. Its neighbours are never blamed
    // (CrashIsolationIT).
    try (Channel ch = env.connection().createChannel()) {
      ch.confirmSelect();
      expected.put(raw(ch, queue, "halt", "\"bye\""), Reason.CRASHED);
      ch.waitForConfirmsOrDie(30_000);
    }
    awaitDeadLetters(env, config, deadQueue, expected);
    // Settled: nothing left to run anywhere, and still exactly one dead letter per bad message.
    await()
        .atMost(LONG)
        .until(
            () -> {
              long[] c = counts(env);
              return c[0] + c[1] == 0;
            });
    Map<String, DeadLetter> dead = new HashMap<>();
    try (Spool spool = Spool.connect(config);
        DeadLetters letters = spool.deadLetters("tasks")) {
      assertEquals(expected.size(), letters.count(), "each bad message dead-lettered once");
      for (DeadLetter d : letters.list(100)) dead.merge(d.taskId(), d, (a, b) -> a);
    }
    expected.forEach((id, reason) -> assertEquals(reason, dead.get(id).reason(), id));
    chaos.shutdownNow();
    chaos.awaitTermination(30, TimeUnit.SECONDS);
    try (TaskPool pool = TestSpools.pool(config)) {
      assertEquals(25L, pool.apply("square", 5, Long.class), "the consumers still work");
      int exits = stopAll(env, pool, consumers);
      long[] c = counts(env);
      new Figures(
              "4 bad input + a JVM-killing handler",
              expected.size(),
              0,
              0,
              0,
              0,
              expected.size(),
              c[0],
              c[1])
          .report("crash-restarts=" + restarts.get(), exits);
      assertEquals(0, exits);
      // Once beside others (nobody knew yet), then twice alone: then it is the culprit.
      assertEquals(3, restarts.get(), "consumers the halting handler killed");
    }
  }

  @Test
  void s5_brokerConnectionsCutAndBrokerRestarted_nothingConfirmedLostConsumersReturn(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers = procs.startConsumers(3, true);
    int n = 10_000 * SCALE;
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      CompletableFuture<List<Long>> map = mapAsync(pool, n, 1);
      await().atMost(LONG).until(() -> runs.size() >= n / 5);
      env.faults().closeAllConnections();
      await().atMost(LONG).until(() -> runs.size() >= n / 2);
      env.faults().restartBroker();
      List<Long> results = map.get(LONG.toMinutes(), TimeUnit.MINUTES);
      await()
          .atMost(Duration.ofMinutes(1))
          .ignoreExceptionsInstanceOf(SpoolConnectionException.class) // the pool may be recovering
          .until(() -> pool.admin().consumerCount() == 3); // they came back by themselves
      long duplicates = duplicateRuns(state, n);
      int exits = stopAll(env, pool, consumers);
      Figures f =
          figures(env, "5 connections cut, then broker restarted", n, pool, results, duplicates);
      f.report("faults=2", exits);
      assertEquals(0, f.lost());
      assertEquals(0, exits);
    }
  }

  @Test
  void s6_redisFrozenMidJob_noTaskAckedWithoutItsWriteConsumersSurvive(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers = procs.startConsumers(2, true);
    int n = 3000 * SCALE;
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      CompletableFuture<List<Long>> map = mapAsync(pool, n, 2);
      await().atMost(LONG).until(() -> runs.size() >= n / 6);
      env.faults().pauseRedis(); // longer than the client's 10 s timeout: writes fail
      CompletableFuture<Void> resumed = new CompletableFuture<>();
      chaos.schedule(
          () -> {
            env.faults().resumeRedis();
            resumed.complete(null);
          },
          12,
          TimeUnit.SECONDS);
      try {
        resumed.get(1, TimeUnit.MINUTES);
      } finally {
        env.faults().resumeRedis();
      }
      List<Long> results = map.get(LONG.toMinutes(), TimeUnit.MINUTES);
      Map<Long, Long> counted = runs.entries();
      long missingWrites = LongStream.range(0, n).filter(i -> !counted.containsKey(i)).count();
      long duplicates = duplicateRuns(state, n);
      boolean survived = consumers.stream().allMatch(Process::isAlive);
      int exits = stopAll(env, pool, consumers);
      Figures f = figures(env, "6 Redis frozen 12 s mid-job", n, pool, results, duplicates);
      f.report("acked-without-write=" + missingWrites, exits);
      assertEquals(0, f.lost());
      assertEquals(0, missingWrites, "every result's task has its state write");
      assertTrue(survived, "consumers survived the outage");
      assertEquals(0, exits);
    }
  }

  @Test
  void s7_lockHolderFrozenPastItsLease_zeroStaleWritesAccepted(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    // One attempt: a retry would take the lock again, legitimately, and hide the refusal.
    Process holder = procs.startConsumers(1, true, "--max-attempts", "1").getFirst();
    int rounds = 3 * SCALE;
    int stale = 0;
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      SharedDict<String, String> ledger = state.dict("ledger", String.class, String.class);
      for (int r = 0; r < rounds; r++) {
        String lock = "paused-" + r;
        CompletableFuture<String> write =
            pool.applyAsync(
                "fenced-write",
                new ChaosTasks.FencedWrite(lock, 1500, 1000, "ledger", lock, "stale"),
                String.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> state.lock(lock).holder().isPresent());
        SpoolProcesses.signal(holder, "STOP"); // frozen while holding, before its write
        await().atMost(Duration.ofSeconds(10)).until(() -> state.lock(lock).holder().isEmpty());
        try (LockLease mine =
            state.lock(lock).acquire(Duration.ofSeconds(5), Duration.ofSeconds(30))) {
          ledger.put(lock, "fresh", mine);
          SpoolProcesses.signal(holder, "CONT");
          try {
            write.get(1, TimeUnit.MINUTES);
          } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof TaskFailedException, e.toString());
          }
          if (!Optional.of("fresh").equals(ledger.get(lock))) stale++;
        }
      }
      int exits = stopAll(env, pool, List.of(holder));
      long[] c = counts(env);
      new Figures("7 lock holder frozen past its lease", rounds, 0, rounds, 0, 0, 0, c[0], c[1])
          .report("stale-writes-accepted=" + stale, exits);
      assertEquals(0, stale, "0 stale writes accepted");
      assertEquals(0, exits);
    }
  }

  // --- helpers ---

  private static CompletableFuture<List<Long>> mapAsync(TaskPool pool, int n, long ms) {
    List<Mark> inputs = LongStream.range(0, n).mapToObj(i -> new Mark(i, ms)).toList();
    return CompletableFuture.supplyAsync(
        () -> pool.map("mark", inputs, Long.class, new MapOptions(1, LONG)));
  }

  /** Runs beyond the first, summed over tasks {@code 0..n-1}, from the consumers' own counts. */
  private static long duplicateRuns(RedisState state, int n) {
    Map<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class).entries();
    return runs.values().stream().mapToLong(r -> r - 1).sum();
  }

  /** Pills for the live consumers; returns the worst exit code (0 when all exited 0). */
  private static int stopAll(SpoolTestEnv env, TaskPool pool, List<Process> consumers)
      throws Exception {
    List<Process> alive = consumers.stream().filter(Process::isAlive).toList();
    // A pill applies only to consumers started before it: wait until every live one is attached.
    await().atMost(Duration.ofMinutes(1)).until(() -> pool.admin().consumerCount() == alive.size());
    pool.admin().stopConsumers(alive.size());
    int worst = 0;
    for (Process p : alive) {
      assertTrue(p.waitFor(2, TimeUnit.MINUTES), "consumer exited on its pill");
      worst = Math.max(worst, p.exitValue());
    }
    return worst;
  }

  /**
   * Waits for a dead letter for each of {@code expected}; when they do not all come, fails saying
   * which are missing and what the work queue holds, the first things to know about such a run.
   */
  private static void awaitDeadLetters(
      SpoolTestEnv env, SpoolConfig config, String deadQueue, Map<String, Reason> expected)
      throws Exception {
    try {
      await().atMost(LONG).until(() -> env.ready(deadQueue) >= expected.size());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      Map<String, Reason> missing = new HashMap<>(expected);
      try (Spool spool = Spool.connect(config);
          DeadLetters letters = spool.deadLetters("tasks")) {
        for (DeadLetter d : letters.list(100)) missing.remove(d.taskId());
      }
      long[] c = counts(env);
      throw new AssertionError(
          "dead letters missing for "
              + missing
              + "; the work queue holds "
              + c[0]
              + " ready and "
              + c[1]
              + " unacked",
          e);
    }
  }

  private static String raw(Channel ch, String queue, String task, String body) throws Exception {
    String id = UUID.randomUUID().toString();
    TaskMessage m =
        new TaskMessage(
            id, task, null, 1, 0, 0, null, "chaos", body.getBytes(StandardCharsets.UTF_8));
    AMQP.BasicProperties props = m.toProperties();
    ch.basicPublish("", queue, props, m.body());
    return id;
  }

  /**
   * Ready and unacked messages left in the work queue. Ready comes from the queue itself; unacked
   * from the broker's listing, whose quorum-queue figures lag by seconds, so it is read until it
   * agrees with the ready count (or 20 s pass).
   */
  private static long[] counts(SpoolTestEnv env) throws Exception {
    String queue = env.topology().workQueue("tasks");
    long[] last = new long[2];
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    do {
      long ready = env.ready(queue);
      long[] listed = env.faults().queueCounts(queue).getOrDefault(queue, new long[2]);
      last = new long[] {ready, listed[1]};
      if (listed[0] == ready && listed[1] == 0) break;
      await().pollDelay(Duration.ofMillis(500)).until(() -> true);
    } while (System.nanoTime() < deadline);
    return last;
  }

  private static Figures figures(
      SpoolTestEnv env, String scenario, int n, TaskPool pool, List<Long> results, long dups)
      throws Exception {
    PoolStats s = pool.stats();
    long distinct = results.stream().distinct().count();
    long lost = n - LongStream.range(0, n).filter(i -> results.get((int) i) == i).count();
    long dead = env.ready(env.topology().deadQueue("tasks"));
    long[] c = counts(env);
    return new Figures(
        scenario,
        n,
        s.publishesConfirmed(),
        distinct,
        lost,
        dups + s.resultsDuplicate(),
        dead,
        c[0],
        c[1]);
  }

  /** One line of the chaos table. */
  record Figures(
      String scenario,
      long submitted,
      long confirmed,
      long results,
      long lost,
      long duplicates,
      long deadLettered,
      long ready,
      long unacked) {

    static final String HEADER =
        "| scenario | submitted | confirmed | results | lost | duplicates | dead-lettered | ready"
            + " left | unacked left | consumer exits | notes |\n|---|---|---|---|---|---|---|---|---|---|---|\n";

    static boolean started;

    synchronized void report(String notes, int worstExit) throws Exception {
      String line =
          "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %s | %s |%n"
              .formatted(
                  scenario,
                  submitted,
                  confirmed,
                  results,
                  lost,
                  duplicates,
                  deadLettered,
                  ready,
                  unacked,
                  worstExit == 0 ? "all 0" : "worst " + worstExit,
                  notes);
      System.out.print("CHAOS " + line);
      Path report = Path.of("target", "chaos-report.md");
      if (!started) { // a fresh report per run
        started = true;
        Files.writeString(report, "Chaos suite, scale " + SCALE + "\n\n" + HEADER);
      }
      Files.writeString(report, line, StandardOpenOption.APPEND);
    }
  }
}
