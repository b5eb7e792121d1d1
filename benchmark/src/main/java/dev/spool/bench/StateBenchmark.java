package dev.spool.bench;

import dev.spool.LockLease;
import dev.spool.SharedDict;
import dev.spool.state.SharedStateConfig;
import dev.spool.state.internal.RedisState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;

/**
 * Lock cycles and dict increments through Spool, beside the same operations on raw Jedis, in one
 * run against one Redis. Not a test: run it with {@code bin/spool-bench-state}, or as part of
 * {@code bin/spool-bench}.
 *
 * <p>Raw lock cycle: {@code SET key token NX PX} then the compare-token release script. Spool's
 * cycle also takes a fencing token and announces the release. Each thread uses its own lock name,
 * so the figures measure overhead, not contention.
 */
public final class StateBenchmark {
  private static final String RELEASE =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

  interface Op {
    void run(int thread) throws Exception;
  }

  record Row(String what, int threads, double spool, double raw) {
    double ratio() {
      return spool / raw;
    }
  }

  public static void main(String[] args) throws Exception {
    String uri = System.getenv().getOrDefault("SPOOL_REDIS_URI", "redis://localhost:6379/0");
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
    if (System.getenv("SPOOL_BENCH_REPLICA") != null) {
      printWait(measureWait(uri, seconds), seconds);
      return;
    }
    print(measure(uri, seconds), seconds);
  }

  /**
   * The cost of {@code ?wait-replicas=1}: a lock cycle with one fenced write, with and without
   * waiting for the replica, alternated in one run. {@code uri} is a primary with a replica.
   */
  static List<Row> measureWait(String uri, double seconds) throws Exception {
    String ns = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    String waited = uri + (uri.contains("?") ? "&" : "?") + "wait-replicas=1";
    List<Row> rows = new ArrayList<>();
    try (RedisState plain = state(uri, ns);
        RedisState acked = state(waited, ns)) {
      for (int threads : new int[] {1, 8}) {
        double[] w = new double[2];
        double[] p = new double[2];
        for (int round = 0; round < 2; round++) { // alternated: a drift hits both
          w[round] = rate(threads, seconds / 2, t -> cycle(acked, "w" + t));
          p[round] = rate(threads, seconds / 2, t -> cycle(plain, "p" + t));
        }
        rows.add(new Row("lock+fenced write/s", threads, (w[0] + w[1]) / 2, (p[0] + p[1]) / 2));
      }
      try (JedisPool raw = new JedisPool(java.net.URI.create(uri), 10_000)) {
        cleanup(raw, ns);
      }
    }
    return rows;
  }

  private static RedisState state(String uri, String ns) {
    return RedisState.connect(
        SharedStateConfig.builder().redisUri(uri).namespace(ns).poolSize(16).build());
  }

  private static void cycle(RedisState state, String name) {
    try (LockLease l = state.lock(name).acquire(Duration.ofSeconds(5), Duration.ofSeconds(10))) {
      state.value(name, Long.class).set(l.fencingToken(), l);
    }
  }

  private static void printWait(List<Row> rows, double seconds) {
    System.out.printf(
        Locale.ROOT,
        "%-20s %7s %14s %14s %7s%n",
        "operation",
        "threads",
        "wait-replicas=1",
        "no wait",
        "ratio");
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "%-20s %7d %14.0f %14.0f %7.2f%n",
          r.what(),
          r.threads(),
          r.spool(),
          r.raw(),
          r.ratio());
    }
    System.out.println("(" + seconds + " s per figure, each in two alternated halves)");
  }

  /** Lock cycles and increments at 1 and 8 threads, Spool and raw, {@code seconds} each. */
  static List<Row> measure(String uri, double seconds) throws Exception {
    String ns = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    GenericObjectPoolConfig<Jedis> pc = new GenericObjectPoolConfig<>();
    pc.setMaxTotal(16);
    pc.setMaxIdle(16);
    List<Row> rows = new ArrayList<>();
    try (RedisState state =
            RedisState.connect(
                SharedStateConfig.builder().redisUri(uri).namespace(ns).poolSize(16).build());
        JedisPool raw = new JedisPool(pc, java.net.URI.create(uri), 10_000)) {
      String sha;
      try (Jedis j = raw.getResource()) {
        sha = j.scriptLoad(RELEASE);
      }
      for (int threads : new int[] {1, 8}) {
        double s =
            rate(
                threads,
                seconds,
                t -> {
                  try (LockLease l =
                      state
                          .lock("spool-" + t)
                          .acquire(Duration.ofSeconds(5), Duration.ofSeconds(10))) {
                    l.fencingToken();
                  }
                });
        double r =
            rate(
                threads,
                seconds,
                t -> {
                  String key = ns + ":raw-lock:" + t;
                  String token = UUID.randomUUID().toString();
                  try (Jedis j = raw.getResource()) {
                    if (!"OK".equals(j.set(key, token, SetParams.setParams().nx().px(10_000)))) {
                      throw new IllegalStateException("raw lock taken");
                    }
                    j.evalsha(sha, List.of(key), List.of(token));
                  }
                });
        rows.add(new Row("lock cycles/s", threads, s, r));
      }
      SharedDict<String, Long> dict = state.dict("bench", String.class, Long.class);
      String rawKey = ns + ":raw-hash";
      for (int threads : new int[] {1, 8}) {
        double s = rate(threads, seconds, t -> dict.increment("k" + t, 1));
        double r =
            rate(
                threads,
                seconds,
                t -> {
                  try (Jedis j = raw.getResource()) {
                    j.hincrBy(rawKey, "k" + t, 1);
                  }
                });
        rows.add(new Row("dict increments/s", threads, s, r));
      }
      cleanup(raw, ns);
    }
    return rows;
  }

  /** Operations per second over {@code seconds}, after a warm-up of a third of that. */
  static double rate(int threads, double seconds, Op op) throws InterruptedException {
    run(threads, seconds / 3, op);
    return run(threads, seconds, op);
  }

  private static double run(int threads, double seconds, Op op) throws InterruptedException {
    LongAdder done = new LongAdder();
    CountDownLatch start = new CountDownLatch(1);
    long[] window = new long[1];
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      ts.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      start.await();
                      while (System.nanoTime() < window[0]) {
                        op.run(id);
                        done.increment();
                      }
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    long t0 = System.nanoTime();
    window[0] = t0 + (long) (seconds * 1e9);
    start.countDown();
    for (Thread t : ts) t.join();
    return done.sum() / ((System.nanoTime() - t0) / 1e9);
  }

  private static void cleanup(JedisPool raw, String ns) {
    try (Jedis j = raw.getResource()) {
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        var page = j.scan(cursor, new ScanParams().match(ns + ":*").count(1000));
        if (!page.getResult().isEmpty()) j.del(page.getResult().toArray(String[]::new));
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
  }

  private static void print(List<Row> rows, double seconds) {
    System.out.printf(
        Locale.ROOT,
        "%-20s %7s %12s %12s %7s %7s%n",
        "operation",
        "threads",
        "spool",
        "raw jedis",
        "ratio",
        "target");
    for (Row r : rows) {
      double target = r.what().startsWith("lock") ? 0.5 : 0.7;
      System.out.printf(
          Locale.ROOT,
          "%-20s %7d %12.0f %12.0f %7.2f %7s%n",
          r.what(),
          r.threads(),
          r.spool(),
          r.raw(),
          r.ratio(),
          ">=" + target + (r.ratio() >= target ? " ok" : " MISS"));
    }
    StringBuilder json = new StringBuilder("[");
    for (Row r : rows) {
      if (json.length() > 1) json.append(',');
      json.append(
          String.format(
              Locale.ROOT,
              "{\"operation\":\"%s\",\"threads\":%d,\"spool\":%.0f,\"raw\":%.0f,\"ratio\":%.3f}",
              r.what(),
              r.threads(),
              r.spool(),
              r.raw(),
              r.ratio()));
    }
    System.out.println("json: " + json.append(']') + " (" + seconds + " s per figure)");
  }
}
