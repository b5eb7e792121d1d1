package dev.spool.bench;

import dev.spool.core.SpoolConfig;
import dev.spool.producer.MapOptions;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskOptions;
import dev.spool.producer.TaskPool;
import dev.spool.producer.TaskPoolConfig;
import dev.spool.producer.Workflow;
import io.opentelemetry.api.OpenTelemetry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Spool beside the limits of the broker and Redis it runs on, in one run: PerfTest's ceiling, map
 * throughput unchunked and auto-chunked through 2 consumer processes, apply latency, lock cycles
 * and increments against raw Jedis, a consumer's memory after many tasks and its start-up time.
 * Prints a table (figure, reference, ratio, target) and writes the same as JSON.
 */
@Command(
    name = "spool-bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measures Spool beside RabbitMQ PerfTest and raw Jedis on the same broker and Redis, in one",
      "run, and prints each figure, its reference, the ratio and the target; writes JSON too.",
      "Uses SPOOL_AMQP_URI and SPOOL_REDIS_URI (defaults: localhost) and a namespace of its own."
    })
public final class SpoolBench implements Callable<Integer> {
  @Option(
      names = "--tasks",
      defaultValue = "100000",
      description = "Tasks per map (default ${DEFAULT-VALUE}).")
  int tasks;

  @Option(
      names = "--perftest-seconds",
      defaultValue = "15",
      description = "How long PerfTest runs (default ${DEFAULT-VALUE}).")
  int perfTestSeconds;

  @Option(
      names = "--state-seconds",
      defaultValue = "3",
      description = "Seconds per shared-state figure (default ${DEFAULT-VALUE}).")
  double stateSeconds;

  @Option(
      names = "--json",
      defaultValue = "benchmark/target/bench-results.json",
      description = "Where the JSON goes (default ${DEFAULT-VALUE}).")
  Path json;

  private static final List<String> PARTS =
      List.of(
          "perftest",
          "map",
          "apply",
          "stages",
          "delay",
          "chord",
          "state",
          "consumer",
          "heartbeat",
          "index",
          "tracing",
          "startup",
          "collector",
          "warmup",
          "celery",
          "compiler");

  @Option(
      names = "--only",
      split = ",",
      description =
          "Run only these parts: perftest, map, apply, stages (apply's stage-by-stage table alone),"
              + " delay, chord, state, consumer, heartbeat, index, tracing, startup, collector,"
              + " warmup, celery, compiler.")
  List<String> only = new ArrayList<>();

  private final String java = ProcessHandle.current().info().command().orElse("java");

  @Option(
      names = "--consumer-args",
      split = " ",
      paramLabel = "ARGS",
      description = "Extra arguments for every consumer, e.g. '--prefetch 50' (space-separated).")
  List<String> consumerArgs = new ArrayList<>();

  @Option(
      names = "--consumer-java-opts",
      paramLabel = "OPTS",
      description =
          "JVM options for the consumers and commands this starts (their SPOOL_JAVA_OPTS), e.g."
              + " '-XX:+UseSerialGC'; this process keeps its own.")
  String consumerJavaOpts;

  @Option(
      names = "--block",
      paramLabel = "N",
      description =
          "Round trips of one kind in a row before the next kind, in the apply and celery parts'"
              + " interleaving (default 1: call by call; in longer blocks a burst of the machine's"
              + " own work lands on one kind, and two like references differ by up to 1.8x).")
  int block = 1;

  private final String consumerLauncher =
      System.getProperty("spool.consumer.launcher", "bin/spool-consumer");
  private Path logs;
  private SpoolConfig config;
  private SpoolConfig classic; // the namespace of --only celery's classic queues, when it ran
  private final List<String> perfTestQueues = new ArrayList<>();
  private Spool spool; // made on first use

  public static void main(String[] args) {
    System.exit(new CommandLine(new SpoolBench()).execute(args));
  }

  private boolean runs(String part) {
    return only.isEmpty() || only.contains(part);
  }

  @Override
  public Integer call() throws Exception {
    if (tasks < 1000) {
      System.err.println("spool-bench: --tasks must be at least 1000");
      return 2;
    }
    if (block < 1 || block > 2000) {
      System.err.println("spool-bench: --block must be 1 to 2000, was " + block);
      return 2;
    }
    for (String part : only) {
      if (!PARTS.contains(part)) {
        System.err.println(
            "spool-bench: --only: no part '"
                + part
                + "'; the parts are "
                + String.join(", ", PARTS));
        return 2;
      }
    }
    String ns = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    config = SpoolConfig.builderFromEnvironment(System.getenv()).namespace(ns).build();
    logs = json.toAbsolutePath().getParent().resolve("bench-logs");
    Files.createDirectories(logs);
    List<Figure> figures = new ArrayList<>();
    say("namespace %s, %,d tasks per map, logs in %s", ns, tasks, logs);
    try {
      double perfTest = Double.NaN;
      if (runs("perftest") || runs("map")) {
        say(
            "PerfTest, %d s: 1 producer, 1 consumer, quorum queue, persistent, confirms 100, prefetch 100",
            perfTestSeconds);
        PerfTestRun.Rates rates =
            PerfTestRun.run(
                java,
                System.getProperty("perftest.classpath"),
                config.amqpUri().toString(),
                perfTestQueue(""),
                perfTestSeconds,
                logs.resolve("perftest.log"));
        perfTest = rates.received();
        say("  sent %,.0f msg/s, received %,.0f msg/s", rates.sent(), rates.received());
      }
      if (runs("consumer")) figures.addAll(consumerFigures());
      if (runs("map")
          || runs("apply")
          || only.contains("stages")
          || runs("delay")
          || runs("chord")) {
        figures.addAll(poolFigures(perfTest));
      }
      if (runs("state")) figures.addAll(stateFigures());
      if (only.contains("heartbeat")) figures.add(heartbeatFigure());
      if (only.contains("index")) figures.add(indexFigure());
      if (only.contains("tracing")) figures.addAll(tracingFigures());
      if (only.contains("startup")) figures.addAll(startupFigures(perfTest));
      if (only.contains("collector")) figures.addAll(collectorFigures());
      if (only.contains("warmup")) figures.add(warmupFigure());
      if (only.contains("celery")) figures.addAll(celeryFigures());
      if (only.contains("compiler")) figures.addAll(compilerFigures());
    } finally {
      cleanup(config);
      if (classic != null) cleanup(classic);
    }
    report(figures);
    return figures.stream().allMatch(Figure::met) ? 0 : 3;
  }

  /** A consumer at concurrency 8: time to its first task, then resident memory after the tasks. */
  private List<Figure> consumerFigures() throws Exception {
    try (TaskPool pool = pool()) {
      CompletableFuture<Long> first = pool.applyAsync("square", 3L, Long.class);
      try (ConsumerProcess c =
          ConsumerProcess.start(
              consumerLauncher,
              consumerArgs,
              env(),
              logs.resolve("consumer-memory.log"),
              "--concurrency",
              "8")) {
        first.get(60, TimeUnit.SECONDS);
        double startSeconds = (System.nanoTime() - c.startedNanos) / 1e9;
        say(
            "consumer at concurrency 8: first task done %.2f s after its process started",
            startSeconds);
        long t0 = System.nanoTime();
        pool.map("square", inputs(tasks), Long.class, new MapOptions(1, Duration.ofMinutes(30)));
        double s = (System.nanoTime() - t0) / 1e9;
        long rss = c.residentBytes();
        say("  then %,d tasks unchunked in %.1f s; resident memory %,d MB", tasks, s, rss >> 20);
        pool.admin().stopConsumers(1);
        if (!c.awaitExit(60))
          throw new IllegalStateException("the consumer did not stop on its pill");
        return List.of(
            new Figure(
                "consumer start to first task", "s", startSeconds, Double.NaN, "", 2.0, false),
            new Figure(
                "consumer RSS after " + tasks + " tasks (concurrency 8)",
                "MB",
                rss / 1048576.0,
                Double.NaN,
                "",
                110,
                false));
      }
    }
  }

  /**
   * What the heartbeat (a report to Redis every 2 s, a ping check every 200 ms, the running tasks
   * kept in memory) costs: the same unchunked map on two consumers without it ({@code
   * --no-heartbeat}) and with it, alternating, five rounds each. Judged on the consumers' CPU
   * seconds per 1,000 tasks (medians), which a shared machine disturbs less than throughput.
   */
  private Figure heartbeatFigure() throws Exception {
    Rounds r =
        alternate(
            "heartbeat",
            5,
            on -> {
              List<String> args = new ArrayList<>(consumerArgs);
              if (!on) args.add("--no-heartbeat");
              return args;
            },
            on -> env(),
            on -> pool());
    // Rounds differ by more than 1 % on a shared machine, so the share is also computed from the
    // heartbeat's own CPU: 5 refreshes a second (one in ten writes the report), against what one
    // consumer spends a second at the measured rate.
    double refreshCpu = heartbeatRefreshCpuSeconds();
    double consumerCpuPerSecond = median(r.off().cpu()) / 1000 * median(r.off().rate()) / 2;
    double share = 5 * refreshCpu / consumerCpuPerSecond;
    say(
        "heartbeat: one refresh costs %.1f us of CPU; 5 a second against %.3f CPU s a second of a"
            + " busy consumer: %.2f %%",
        refreshCpu * 1e6, consumerCpuPerSecond, share * 100);
    return new Figure(
        "heartbeat's share of a busy consumer's CPU", "%", share * 100, Double.NaN, "", 1.0, false);
  }

  /**
   * What the task index (the dashboard's list of every task) costs: the same unchunked map on two
   * consumers with it (the default) and with {@code --no-task-index}, alternating, five rounds
   * each; the figure is the medians' ratio, on against off.
   */
  private Figure indexFigure() throws Exception {
    Rounds r =
        alternate(
            "task index",
            5,
            on -> {
              List<String> args = new ArrayList<>(consumerArgs);
              if (!on) args.add("--no-task-index");
              return args;
            },
            on -> env(),
            on -> pool());
    double ratio = median(r.on().rate()) / median(r.off().rate());
    say(
        "task index: %,.0f tasks/s with it, %,.0f without (medians of 5 rounds each): %.3f",
        median(r.on().rate()), median(r.off().rate()), ratio);
    return new Figure(
        "task index on: map throughput against off (medians)",
        "x",
        ratio,
        Double.NaN,
        "",
        0.95,
        true);
  }

  /**
   * The consumer's collector: G1 (the JVM's choice on a machine of 2 cores or more) against Serial
   * (its choice on a smaller one; {@code bin/spool-consumer} leaves the choice to the JVM),
   * alternating, five rounds each of the same unchunked map on two consumers: throughput, the
   * consumers' CPU, and the larger consumer's resident memory after the map.
   */
  private List<Figure> collectorFigures() throws Exception {
    Rounds r =
        alternate(
            "collector Serial (on) against G1 (off)",
            5,
            on -> consumerArgs,
            on -> {
              Map<String, String> e = new LinkedHashMap<>(env());
              String opts = e.getOrDefault("SPOOL_JAVA_OPTS", "");
              e.put(
                  "SPOOL_JAVA_OPTS", (opts + (on ? " -XX:+UseSerialGC" : " -XX:+UseG1GC")).trim());
              return e;
            },
            on -> pool());
    return List.of(
        new Figure(
            "Serial collector: throughput against G1 (medians)",
            "x",
            median(r.on().rate()) / median(r.off().rate()),
            Double.NaN,
            "",
            0.95,
            true),
        new Figure(
            "Serial collector: consumers' CPU against G1 (medians)",
            "x",
            median(r.on().cpu()) / median(r.off().cpu()),
            Double.NaN,
            "",
            1.05,
            false),
        new Figure(
            "consumer RSS after " + tasks + " tasks, Serial collector (median)",
            "MB",
            median(r.on().rss()),
            Double.NaN,
            "",
            160,
            false),
        new Figure(
            "consumer RSS after " + tasks + " tasks, G1 (median)",
            "MB",
            median(r.off().rss()),
            Double.NaN,
            "",
            0, // no target: the figure Serial is compared with
            true));
  }

  /**
   * What tracing costs. Off (the default), the hooks a task passes through are timed in this
   * process against the CPU the consumers spend on a task. On, the same unchunked map is run with
   * and without it, alternating, three rounds each: the consumers export over OTLP/HTTP to a sink
   * in this process, which answers and drops, and the pool traces too.
   */
  private List<Figure> tracingFigures() throws Exception {
    try (TracingSink sink = TracingSink.start()) {
      Rounds r =
          alternate(
              "tracing",
              3,
              on -> consumerArgs,
              on -> {
                Map<String, String> e = new LinkedHashMap<>(env());
                if (on) e.putAll(sink.environment());
                return e;
              },
              on ->
                  spool()
                      .pool(
                          TaskPoolConfig.builder()
                              .defaultTimeout(Duration.ofMinutes(30))
                              .openTelemetry(on ? sink.openTelemetry() : OpenTelemetry.noop())
                              .build()));
      double offNanos = TracingSink.offPathNanosPerTask();
      double consumerNanosPerTask = median(r.off().cpu()) / 1000 * 1e9;
      double share = offNanos / consumerNanosPerTask;
      say(
          "tracing off: its hooks cost %.1f ns of CPU per task, against %,.0f ns of consumers' CPU"
              + " per task: %.4f %%; spans exported while on: %,d",
          offNanos, consumerNanosPerTask, share * 100, sink.spans());
      return List.of(
          new Figure(
              "tracing off: share of the consumers' CPU per task",
              "%",
              share * 100,
              Double.NaN,
              "",
              0.1,
              false),
          new Figure(
              "tracing on: throughput against off (medians)",
              "x",
              median(r.on().rate()) / median(r.off().rate()),
              Double.NaN,
              "",
              0, // no target: what tracing on costs, for the README
              true));
    }
  }

  /**
   * Starts two consumers by the launcher (logs {@code <name>-0.log} and {@code <name>-1.log}) into
   * {@code into}, which the caller closes, and waits until both take tasks.
   */
  private void startTwo(
      TaskPool pool,
      List<String> args,
      Map<String, String> env,
      String name,
      List<ConsumerProcess> into)
      throws Exception {
    for (int i = 0; i < 2; i++) {
      into.add(
          ConsumerProcess.start(
              consumerLauncher, args, env, logs.resolve(name + "-" + i + ".log")));
    }
    awaitConsumers(pool, into);
  }

  /** Waits until {@code processes} all consume, failing as soon as one of them has ended. */
  private static void awaitConsumers(TaskPool pool, List<ConsumerProcess> processes)
      throws InterruptedException {
    while (pool.admin().consumerCount() < processes.size()) {
      processes.forEach(ConsumerProcess::checkAlive);
      Thread.sleep(50);
    }
  }

  /** Stops {@code consumers} with a pill each, waits for them to exit, and kills any left. */
  private static void stopAll(TaskPool pool, List<ConsumerProcess> consumers)
      throws InterruptedException {
    try {
      pool.admin().stopConsumers(consumers.size());
      for (ConsumerProcess c : consumers) c.awaitExit(60);
    } finally {
      consumers.forEach(ConsumerProcess::close);
    }
  }

  /** This command rebuilt the jars, which makes any cache stale: trains them afresh. */
  private void trainCaches() throws Exception {
    Process aot =
        new ProcessBuilder(Path.of(consumerLauncher).resolveSibling("spool-aot").toString())
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve("spool-aot.log").toFile())
            .start();
    if (aot.waitFor() != 0) {
      throw new IllegalStateException(
          "bin/spool-aot failed (JDK 25 or newer needed); see " + logs.resolve("spool-aot.log"));
    }
    say("caches trained by bin/spool-aot (%s)", logs.resolve("spool-aot.log"));
  }

  /**
   * How warm a fresh consumer is from its first map: two consumers started by the launcher (with
   * the caches {@code bin/spool-aot} trains, as a user's are), then four unchunked maps of {@code
   * --tasks} from this process, whose pool is warm; the first map's rate over the fourth's. Three
   * rounds, each with fresh consumers, after one that warms this process and is not counted.
   */
  private Figure warmupFigure() throws Exception {
    trainCaches();
    List<Double> ratios = new ArrayList<>();
    try (TaskPool pool = pool()) {
      for (int round = 0; round <= 3; round++) {
        List<ConsumerProcess> consumers = new ArrayList<>();
        try {
          startTwo(pool, consumerArgs, env(), "warmup-" + round, consumers);
          double[] rates = new double[4];
          for (int m = 0; m < 4; m++) {
            rates[m] = mapRate(pool, new MapOptions(1, Duration.ofMinutes(30)));
          }
          say(
              "%s: fresh consumers' maps of %,d unchunked: %,.0f, %,.0f, %,.0f, %,.0f tasks/s;"
                  + " first / fourth %.2f",
              round == 0 ? "warming this process (not counted)" : "round " + round,
              tasks,
              rates[0],
              rates[1],
              rates[2],
              rates[3],
              rates[0] / rates[3]);
          if (round > 0) ratios.add(rates[0] / rates[3]);
        } finally {
          stopAll(pool, consumers);
        }
      }
    }
    double m = median(ratios);
    return new Figure(
        "fresh consumers: first map / fourth, median of 3", "x", m, Double.NaN, "", 0.8, true);
  }

  /**
   * What the launchers' ahead-of-time caches ({@code bin/spool-aot}) change, as a user meets it: a
   * consumer's start to its first result, and {@code bin/spool-producer map square --range 0:N
   * --chunksize 1} timed from the command's start, with two consumers already running. Five rounds
   * each with the caches and without them ({@code -XX:AOTMode=off}), alternating; the map also
   * against {@code perfTest} / 2 when PerfTest ran ({@code --only perftest,startup}).
   */
  private List<Figure> startupFigures(double perfTest) throws Exception {
    List<Double> startOn = new ArrayList<>(), startOff = new ArrayList<>();
    List<Double> mapOn = new ArrayList<>(), mapOff = new ArrayList<>();
    trainCaches();
    for (int round = 0; round < 5; round++) {
      for (boolean on :
          round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
        Map<String, String> e = new LinkedHashMap<>(env());
        if (!on) e.put("SPOOL_JAVA_OPTS", "-XX:AOTMode=off");
        double start;
        try (TaskPool pool = pool()) {
          CompletableFuture<Long> first = pool.applyAsync("square", 3L, Long.class);
          try (ConsumerProcess c =
              ConsumerProcess.start(
                  consumerLauncher, consumerArgs, e, logs.resolve("startup-" + on + ".log"))) {
            first.get(60, TimeUnit.SECONDS);
            start = (System.nanoTime() - c.startedNanos) / 1e9;
            try (ConsumerProcess second =
                ConsumerProcess.start(
                    consumerLauncher, consumerArgs, e, logs.resolve("startup-" + on + "-2.log"))) {
              awaitConsumers(pool, List.of(c, second));
              double rate = mapCommand(e, "startup-map-" + on + ".log");
              (on ? mapOn : mapOff).add(rate);
              (on ? startOn : startOff).add(start);
              say(
                  "caches %s, round %d: consumer start to first result %.2f s; map command of %,d"
                      + " unchunked: %,.0f tasks/s from its start",
                  on ? "on " : "off", round + 1, start, tasks, rate);
              pool.admin().stopConsumers(2);
              c.awaitExit(60);
              second.awaitExit(60);
            }
          }
        }
      }
    }
    say(
        "caches: median consumer start %.2f s on, %.2f s off; median map command %,.0f tasks/s on,"
            + " %,.0f off (%.2f)",
        median(startOn),
        median(startOff),
        median(mapOn),
        median(mapOff),
        median(mapOn) / median(mapOff));
    List<Figure> out = new ArrayList<>();
    if (!Double.isNaN(perfTest)) {
      out.add(
          new Figure(
              "map command of " + tasks + " unchunked, from its start, AOT caches",
              "tasks/s",
              median(mapOn),
              perfTest / 2,
              "PerfTest msg/s / 2",
              0.8,
              true));
    }
    out.addAll(
        List.of(
            new Figure(
                "consumer start to first result, AOT caches",
                "s",
                median(startOn),
                Double.NaN,
                "",
                0.5,
                false),
            new Figure(
                "map command of " + tasks + " unchunked, from its start, AOT caches",
                "tasks/s",
                median(mapOn),
                median(mapOff),
                "without the caches",
                1.0,
                true)));
    return out;
  }

  /**
   * {@code bin/spool-producer map square --range 0:N --chunksize 1} of {@code --tasks}, as a user
   * types it, timed from the command's start: tasks per second.
   */
  private double mapCommand(Map<String, String> env, String log) throws Exception {
    ProcessBuilder map =
        new ProcessBuilder(
                System.getProperty("spool.producer.launcher", "bin/spool-producer"),
                "map",
                "square",
                "--range",
                "0:" + tasks,
                "--chunksize",
                "1",
                "--progress",
                "none")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(logs.resolve(log).toFile());
    map.environment().putAll(env);
    long t0 = System.nanoTime();
    int rc = map.start().waitFor();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (rc != 0) throw new IllegalStateException("the map command exited " + rc + "; see " + log);
    if (Files.readString(logs.resolve(log)).contains("building the jars")) {
      // A source changed after the benchmark built: the launcher built again inside the timing.
      throw new IllegalStateException(
          "the map command built the jars first (a source changed during the benchmark), so its"
              + " time is not the command's; see "
              + log);
    }
    return tasks / seconds;
  }

  /**
   * Spool beside the broker's ceiling and Celery 5 (targets 2 and 3b of the third performance
   * round). The map: two consumers warmed by four unchunked maps of {@code --tasks} (consumers run
   * for days), two Celery workers of 8 threads on the same broker, then three rounds, the order
   * turning, of PerfTest, the map command ({@link #mapCommand}) and a Celery group of the same
   * tasks. The round trip at Celery's durability: two consumers of a second namespace with classic
   * queues ({@code SPOOL_QUEUE_TYPE=classic}), the bare client on classic queues, and Celery's
   * {@code delay().get()} over {@code rpc://}, 2,000 calls each after a warm-up, interleaved in
   * blocks of {@link #block}.
   */
  private List<Figure> celeryFigures() throws Exception {
    Path script =
        Path.of(
            System.getProperty("spool.celery.script", "benchmark/celery/spool_celery_bench.py"));
    List<Double> perf = new ArrayList<>(), command = new ArrayList<>(), celery = new ArrayList<>();
    List<Figure> out = new ArrayList<>();
    trainCaches(); // the map command starts as a user's does, with the launchers' caches
    say("Celery: 2 workers, --pool threads --concurrency 8, python %s", CeleryRun.python());
    try (CeleryRun cel =
            CeleryRun.start(script, config, config.namespace() + ".celery", 2, 8, logs);
        TaskPool pool = pool()) {
      List<ConsumerProcess> consumers = new ArrayList<>();
      try {
        startTwo(pool, consumerArgs, env(), "celery-spool", consumers);
        MapOptions unchunked = new MapOptions(1, Duration.ofMinutes(30));
        for (int i = 1; i <= 4; i++) {
          say("warming the consumers, map %d of 4: %,.0f tasks/s", i, mapRate(pool, unchunked));
        }
        say("warming Celery: a group of 2,000 in %.2f s", cel.mapSeconds(2000));
        for (int round = 0; round < 3; round++) {
          for (int k = 0; k < 3; k++) {
            switch ((round + k) % 3) {
              case 0 -> {
                PerfTestRun.Rates r =
                    PerfTestRun.run(
                        java,
                        System.getProperty("perftest.classpath"),
                        config.amqpUri().toString(),
                        perfTestQueue("-" + round),
                        perfTestSeconds,
                        logs.resolve("perftest-celery-" + round + ".log"));
                perf.add(r.received());
                say("round %d: PerfTest received %,.0f msg/s", round + 1, r.received());
              }
              case 1 -> {
                double rate = mapCommand(env(), "celery-map-command-" + round + ".log");
                command.add(rate);
                say("round %d: the map command, %,.0f tasks/s from its start", round + 1, rate);
              }
              default -> {
                double rate = tasks / cel.mapSeconds(tasks);
                celery.add(rate);
                say("round %d: Celery's group of %,d, %,.0f tasks/s", round + 1, tasks, rate);
              }
            }
          }
        }
      } finally {
        stopAll(pool, consumers);
      }
      out.add(
          new Figure(
              "map command of " + tasks + " unchunked, warm consumers (median of 3)",
              "tasks/s",
              median(command),
              median(perf) / 2,
              "PerfTest msg/s / 2",
              0.9,
              true));
      out.add(
          new Figure(
              "the same against Celery threads-8, 2 workers",
              "tasks/s",
              median(command),
              median(celery),
              "Celery group tasks/s",
              8,
              true));
      out.addAll(classicApplyFigures(cel));
    }
    return out;
  }

  /**
   * The apply round trip on classic queues beside the bare client's (at Spool's durability and at
   * Celery's) and Celery's own.
   */
  private List<Figure> classicApplyFigures(CeleryRun cel) throws Exception {
    classic =
        config.toBuilder().namespace(config.namespace() + "-classic").queueType("classic").build();
    Map<String, String> e = env();
    e.put("SPOOL_NAMESPACE", classic.namespace());
    e.put("SPOOL_QUEUE_TYPE", "classic");
    String[] names = {"apply", "bare client", "bare client at Celery's durability", "Celery rpc"};
    long[][] sorted;
    try (Spool s = Spool.connect(classic);
        TaskPool pool =
            s.pool(TaskPoolConfig.builder().defaultTimeout(Duration.ofMinutes(5)).build());
        RawRoundTrip bare =
            new RawRoundTrip(config.amqpUri(), classic.namespace(), "classic", true);
        RawRoundTrip light =
            new RawRoundTrip(config.amqpUri(), classic.namespace() + ".light", "classic", false)) {
      List<ConsumerProcess> consumers = new ArrayList<>();
      try {
        startTwo(pool, consumerArgs, e, "celery-classic", consumers);
        for (int i = 0; i < 2000; i++) pool.apply("square", (long) i, Long.class);
        bare.sorted(2000, 1);
        light.sorted(2000, 1);
        cel.apply(500);
        sorted =
            interleaved(
                2000,
                List.of(
                    timed(i -> pool.apply("square", (long) i, Long.class)),
                    timed(bare::once),
                    timed(light::once),
                    cel::apply));
      } finally {
        stopAll(pool, consumers);
      }
    }
    double[] p50 = new double[4], p99 = new double[4];
    for (int i = 0; i < 4; i++) {
      p50[i] = percentile(sorted[i], 0.5) / 1e6;
      p99[i] = percentile(sorted[i], 0.99) / 1e6;
      say(
          "round trip on classic queues, %s: p50 %.2f ms, p99 %.2f ms (2,000 calls, interleaved"
              + " in blocks of %d)",
          names[i], p50[i], p99[i], block);
    }
    return List.of(
        new Figure(
            "apply p99, classic queues / Celery rpc p99",
            "ms",
            p99[0],
            p99[3],
            "Celery delay().get() p99",
            1.0,
            false),
        new Figure(
            "apply p99, classic queues / bare client's",
            "ms",
            p99[0],
            p99[1],
            "bare client p99, classic",
            1.15,
            false),
        new Figure(
            "bare client p99 at Celery's durability / Celery's",
            "ms",
            p99[2],
            p99[3],
            "Celery delay().get() p99",
            Double.NaN,
            false),
        new Figure(
            "apply p50, classic queues / Celery rpc p50",
            "ms",
            p50[0],
            p50[3],
            "Celery delay().get() p50",
            Double.NaN,
            false));
  }

  private static long[] sortedArray(List<Long> xs) {
    return xs.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /** A way to run the consumers' JIT, as the compiler part compares them. */
  private enum Jit {
    SPLIT("SPOOL_JIT=split", "Spool on C1, handlers C1 and C2", "split", ""),
    BOTH("C1 and C2 for all", "SPOOL_JIT=c2", "c2", ""),
    C1("C1 alone", "-XX:TieredStopAtLevel=1", "c2", "-XX:TieredStopAtLevel=1");

    final String title;
    final String label;
    final String spoolJit;
    final String javaOpts;

    Jit(String title, String detail, String spoolJit, String javaOpts) {
      this.title = title;
      this.label = title + " (" + detail + ")";
      this.spoolJit = spoolJit;
      this.javaOpts = javaOpts;
    }
  }

  /** One pair of fresh consumers' figures under one {@link Jit}. */
  private record JitRound(double first, double fourth, double crunch, double crunchCpuMs) {}

  /**
   * The launcher's JIT setting against the JVM's default and C1 alone: what each costs a handler
   * that computes, beside what it saves Spool's own path. Pairs of fresh consumers, three rounds of
   * each setting, the order turning. Each pair runs four unchunked maps of {@code --tasks} {@code
   * square} (the first cold, the fourth warm), then maps of {@code crunch} ({@link
   * BenchTasks#crunch}) of a tenth of that: two to warm up, a third timed, with the consumers' CPU
   * per task.
   */
  private List<Figure> compilerFigures() throws Exception {
    trainCaches();
    int n = Math.max(1000, tasks / 10);
    Map<Jit, List<JitRound>> rounds = new java.util.EnumMap<>(Jit.class);
    for (Jit jit : Jit.values()) rounds.put(jit, new ArrayList<>());
    List<Long> seeds = LongStream.range(0, n).boxed().toList();
    MapOptions unchunked = new MapOptions(1, Duration.ofMinutes(30));
    Jit[] order = Jit.values();
    try (TaskPool pool = pool()) {
      for (int round = 0; round < 3; round++) {
        for (int k = 0; k < order.length; k++) {
          Jit jit = order[(k + round) % order.length];
          Map<String, String> e = envWithBenchTasks();
          e.put("SPOOL_JIT", jit.spoolJit);
          String opts =
              ((consumerJavaOpts == null ? "" : consumerJavaOpts) + " " + jit.javaOpts).trim();
          if (!opts.isEmpty()) e.put("SPOOL_JAVA_OPTS", opts);
          List<ConsumerProcess> consumers = new ArrayList<>();
          try {
            startTwo(
                pool,
                consumerArgs,
                e,
                "compiler-" + jit.name().toLowerCase(Locale.ROOT),
                consumers);
            double first = mapRate(pool, unchunked);
            for (int m = 0; m < 2; m++) mapRate(pool, unchunked);
            double fourth = mapRate(pool, unchunked);
            for (int warm = 0; warm < 2; warm++) pool.map("crunch", seeds, Long.class, unchunked);
            CpuUse cpu = CpuUse.start(consumers);
            long t0 = System.nanoTime();
            List<Long> out = pool.map("crunch", seeds, Long.class, unchunked);
            double crunch = n / ((System.nanoTime() - t0) / 1e9);
            double cpuMs = cpu.consumerSecondsPerThousand(n); // CPU ms per task
            if (out.get(n - 1) != BenchTasks.crunch(n - 1)) {
              throw new IllegalStateException("crunch returned a wrong result");
            }
            rounds.get(jit).add(new JitRound(first, fourth, crunch, cpuMs));
            say(
                "%s, round %d: square maps of %,d: first %,.0f, fourth %,.0f tasks/s; third map of"
                    + " %,d crunch %,.0f tasks/s, %.2f CPU ms a task",
                jit.label, round + 1, tasks, first, fourth, n, crunch, cpuMs);
          } finally {
            stopAll(pool, consumers);
          }
        }
      }
    }
    List<Figure> out = new ArrayList<>();
    JitRound both = medians(rounds.get(Jit.BOTH));
    for (Jit jit : List.of(Jit.SPLIT, Jit.C1)) {
      JitRound r = medians(rounds.get(jit));
      String name = jit.title;
      out.add(
          new Figure(
              name + ": first square map",
              "tasks/s",
              r.first(),
              both.first(),
              Jit.BOTH.title,
              Double.NaN,
              true));
      out.add(
          new Figure(
              name + ": fourth square map",
              "tasks/s",
              r.fourth(),
              both.fourth(),
              Jit.BOTH.title,
              Double.NaN,
              true));
      out.add(
          new Figure(
              name + ": crunch, warm",
              "tasks/s",
              r.crunch(),
              both.crunch(),
              Jit.BOTH.title,
              Double.NaN,
              true));
      out.add(
          new Figure(
              name + ": CPU per crunch task",
              "ms",
              r.crunchCpuMs(),
              both.crunchCpuMs(),
              Jit.BOTH.title,
              Double.NaN,
              false));
    }
    return out;
  }

  /** Each figure's median over the rounds. */
  private static JitRound medians(List<JitRound> rounds) {
    return new JitRound(
        median(rounds.stream().map(JitRound::first).toList()),
        median(rounds.stream().map(JitRound::fourth).toList()),
        median(rounds.stream().map(JitRound::crunch).toList()),
        median(rounds.stream().map(JitRound::crunchCpuMs).toList()));
  }

  /** Throughput, the consumers' CPU per 1,000 tasks and the larger consumer's RSS, a round each. */
  private record Side(List<Double> rate, List<Double> cpu, List<Double> rss) {
    Side() {
      this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }
  }

  /** The rounds with a thing on and those with it off. */
  private record Rounds(Side on, Side off) {
    Side side(boolean on) {
      return on ? this.on : off;
    }
  }

  /**
   * Runs an unchunked map of {@code --tasks} on two fresh consumers per round, {@code rounds} times
   * with the thing on and off, alternating which goes first; prints each round and the medians.
   */
  private Rounds alternate(
      String thing,
      int rounds,
      java.util.function.Function<Boolean, List<String>> argsFor,
      java.util.function.Function<Boolean, Map<String, String>> envFor,
      java.util.function.Function<Boolean, TaskPool> poolFor)
      throws Exception {
    Rounds r = new Rounds(new Side(), new Side());
    for (int round = 0; round < rounds; round++) {
      for (boolean on :
          round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
        try (TaskPool pool = poolFor.apply(on)) {
          List<ConsumerProcess> consumers = new ArrayList<>();
          startTwo(pool, argsFor.apply(on), envFor.apply(on), thing + "-" + on, consumers);
          pool.map("square", inputs(10_000), Long.class, new MapOptions(1, Duration.ofMinutes(5)));
          CpuUse cpu = CpuUse.start(consumers);
          double rate = mapRate(pool, new MapOptions(1, Duration.ofMinutes(30)));
          double perK = cpu.consumerSecondsPerThousand(tasks);
          double rssMb = 0;
          for (ConsumerProcess c : consumers)
            rssMb = Math.max(rssMb, c.residentBytes() / 1048576.0);
          Side side = r.side(on);
          side.rate().add(rate);
          side.cpu().add(perK);
          side.rss().add(rssMb);
          say(
              "%s %s, round %d: map unchunked %,.0f tasks/s, consumers' CPU %.3f s per 1,000 tasks,"
                  + " the larger consumer's RSS %.0f MB",
              thing, on ? "on " : "off", round + 1, rate, perK, rssMb);
          stopAll(pool, consumers);
        }
      }
    }
    say(
        "%s: median throughput on %,.0f, off %,.0f tasks/s (%.3f); median consumers' CPU on"
            + " %.3f, off %.3f s per 1,000 tasks (%.3f); median RSS on %.0f, off %.0f MB",
        thing,
        median(r.on().rate()),
        median(r.off().rate()),
        median(r.on().rate()) / median(r.off().rate()),
        median(r.on().cpu()),
        median(r.off().cpu()),
        median(r.on().cpu()) / median(r.off().cpu()),
        median(r.on().rss()),
        median(r.off().rss()));
    return r;
  }

  /** The CPU one heartbeat refresh takes on the calling thread, one in ten writing the report. */
  private double heartbeatRefreshCpuSeconds() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (dev.spool.state.internal.RedisState state =
        dev.spool.state.internal.RedisState.connect(
            dev.spool.state.SharedStateConfig.builder()
                .redisUri(config.redisUri().toString())
                .namespace(config.namespace())
                .build())) {
      long[] clock = {0};
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("id", "bench/1");
      report.put("state", "running");
      report.put("tasks", List.of("add", "fail", "sleep", "square", "wordcount"));
      report.put(
          "active",
          IntStream.range(0, 8)
              .mapToObj(i -> Map.of("id", UUID.randomUUID().toString(), "name", "square"))
              .toList());
      dev.spool.consumer.internal.Heartbeat beat =
          new dev.spool.consumer.internal.Heartbeat(
              state.workers(),
              "bench/1",
              () -> report,
              new dev.spool.core.wire.JsonCodec(),
              () -> clock[0]);
      int n = 5000;
      for (int i = 0; i < n; i++) { // warm-up
        clock[0] += 200_000_000L;
        beat.refresh();
      }
      long t0 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        clock[0] += 200_000_000L;
        beat.refresh();
      }
      double perRefresh = (threads.getCurrentThreadCpuTime() - t0) / 1e9 / n;
      beat.close();
      return perRefresh;
    }
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = xs.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  /** Two consumers with default settings: map unchunked and auto-chunked, then apply latency. */
  private List<Figure> poolFigures(double perfTest) throws Exception {
    List<Figure> out = new ArrayList<>();
    List<ConsumerProcess> consumers = new ArrayList<>();
    try (TaskPool pool = pool()) {
      startTwo(pool, consumerArgs, envWithBenchTasks(), "consumer", consumers);
      pool.map("square", inputs(10_000), Long.class, new MapOptions(1, Duration.ofMinutes(5)));
      if (runs("map")) {
        CpuUse cpu = CpuUse.start(consumers);
        double unchunked = mapRate(pool, new MapOptions(1, Duration.ofMinutes(30)));
        say("map, chunksize 1: %,.0f tasks/s; %s", unchunked, cpu.perThousand(tasks));
        out.add(
            new Figure(
                "map unchunked (tasks/s)",
                "tasks/s",
                unchunked,
                perfTest / 2,
                "PerfTest msg/s / 2",
                1.0,
                true));
        double chunked = mapRate(pool, MapOptions.defaults().withTimeout(Duration.ofMinutes(30)));
        say("map, automatic chunksize: %,.0f tasks/s", chunked);
        out.add(
            new Figure(
                "map auto-chunked (tasks/s)", "tasks/s", chunked, Double.NaN, "", 50_000, true));
      }
      if (runs("apply")) {
        List<long[][]> rounds = applyLatencies(pool, APPLY_ROUNDS, 2000);
        long[][] trips = pooled(rounds);
        long[] nanos = trips[0];
        long[] raw = trips[2];
        double rawP50 = percentile(raw, 0.50) / 1e6;
        double rawP99 = percentile(raw, 0.99) / 1e6;
        say(
            "the bare client's round trip (quorum queue, persistent, confirms; reply to a classic"
                + " queue) over %d: p50 %.2f ms, p99 %.2f ms",
            raw.length, rawP50, rawP99);
        double handOffP50 = percentile(trips[3], 0.50) / 1e6;
        double handOffP99 = percentile(trips[3], 0.99) / 1e6;
        say(
            "the same with the responder replying on a worker thread: p50 %.2f ms, p99 %.2f ms",
            handOffP50, handOffP99);
        double p50 = percentile(nanos, 0.50) / 1e6;
        double p99 = percentile(nanos, 0.99) / 1e6;
        say("apply round trip over %d calls: p50 %.2f ms, p99 %.2f ms", nanos.length, p50, p99);
        out.add(new Figure("apply p50", "ms", p50, Double.NaN, "", 1.0, false));
        out.add(new Figure("apply p99", "ms", p99, Double.NaN, "", 2.5, false));
        out.add(
            new Figure(
                "apply p50 / bare client's", "ms", p50, rawP50, "bare client p50", 1.5, false));
        out.add(
            medianRound(
                rounds, 0, 2, "apply p99 / bare client's (median round)", "bare client p99", 1.15));
        out.add(
            medianRound(
                rounds,
                0,
                3,
                "apply p99 / bare client's, replying on a worker thread (median round)",
                "bare client + hand-off p99",
                Double.NaN)); // no target: how much of the excess one thread hand-off explains
        double keptP50 = percentile(trips[1], 0.50) / 1e6;
        double keptP99 = percentile(trips[1], 0.99) / 1e6;
        say(
            "apply with its result kept in Redis, calls interleaved with those: p50 %.2f ms (%+.2f"
                + " ms), p99 %.2f ms",
            keptP50, keptP50 - p50, keptP99);
        out.add(
            new Figure(
                "apply kept result p50 - apply p50",
                "ms",
                keptP50 - p50,
                Double.NaN,
                "",
                0.5,
                false));
        out.add(new Figure("apply kept result p99", "ms", keptP99, Double.NaN, "", 5.0, false));
        stageBreakdown(pool, consumers, 2000);
        out.addAll(freshFigures(p99, rawP99));
      }
      if (only.contains("stages") && !runs("apply")) {
        // the table alone, over more calls (its tail is the slowest 1 %): with the two consumers,
        // then with one, as the bare client has one responder
        stageBreakdown(pool, consumers, 6000);
        pool.admin().stopConsumers(1);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (consumers.stream().allMatch(c -> c.process.isAlive())) {
          if (System.nanoTime() > until) throw new IllegalStateException("no consumer stopped");
          Thread.sleep(50);
        }
        consumers.removeIf(c -> !c.process.isAlive()); // stopped: the last stop needs one pill less
        say("one consumer stopped on a pill; the same with the other alone:");
        stageBreakdown(pool, consumers, 6000);
      }
      if (runs("delay")) {
        // warm-up, as map and apply have: the consumers' move path (claim, decode, publish) runs
        // for the first time here; cold, it made the first 5 s of due tasks up to 1.1 s late
        long[] warm = delayLateness(pool, 10_000, Duration.ofSeconds(5));
        say("  warm-up: 10,000 delayed tasks due over 5 s, p99 %d ms", percentile(warm, 0.99));
        long[] late = delayLateness(pool, tasks, Duration.ofSeconds(60));
        double p50 = percentile(late, 0.50);
        double p99 = percentile(late, 0.99);
        say(
            "%,d delayed tasks due over 60 s: lateness of their results p50 %.0f ms, p99 %.0f ms,"
                + " max %d ms",
            late.length, p50, p99, late[late.length - 1]);
        out.add(new Figure("delayed task lateness p99", "ms", p99, Double.NaN, "", 1000, false));
      }
      if (runs("chord")) out.add(chordFigure(pool));
      pool.admin().stopConsumers(consumers.size());
      for (ConsumerProcess c : consumers) c.awaitExit(60);
    } finally {
      consumers.forEach(ConsumerProcess::close);
    }
    return out;
  }

  /**
   * A chord of 10,000 {@code square} members and an {@code add} callback, from submit to the
   * callback's result, beside a map of the same 10,000 tasks unchunked (the same work without the
   * workflow's bookkeeping); after a chord of 1,000 to warm up.
   */
  private Figure chordFigure(TaskPool pool) {
    chordSeconds(pool, 1_000);
    long t0 = System.nanoTime();
    pool.map("square", inputs(10_000), Long.class, new MapOptions(1, Duration.ofMinutes(30)));
    double map = (System.nanoTime() - t0) / 1e9;
    double chord = chordSeconds(pool, 10_000);
    say(
        "chord of 10,000 squares and an add: callback's result after %.2f s; the same map,"
            + " chunksize 1: %.2f s",
        chord, map);
    return new Figure(
        "chord of 10,000 to callback (s)", "s", chord, map, "map of 10,000 (s)", 2.0, false);
  }

  private static double chordSeconds(TaskPool pool, int n) {
    List<Workflow> members = new ArrayList<>();
    long expected = 0;
    for (long i = 0; i < n; i++) {
      members.add(Workflow.task("square", i));
      expected += i * i;
    }
    long t0 = System.nanoTime();
    String id =
        pool.submit(
            Workflow.chord(Workflow.group(members), Workflow.task("add")), TaskOptions.defaults());
    long sum = pool.result(id).get(Long.class, Duration.ofMinutes(30));
    if (sum != expected) throw new IllegalStateException("wrong chord result: " + sum);
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The {@code q} quantile of {@code sorted} (nearest rank below). */
  private static long percentile(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))];
  }

  private double mapRate(TaskPool pool, MapOptions options) {
    List<Long> in = inputs(tasks);
    long t0 = System.nanoTime();
    List<Long> results = pool.map("square", in, Long.class, options);
    double s = (System.nanoTime() - t0) / 1e9;
    if (results.get(tasks - 1) != (long) (tasks - 1) * (tasks - 1)) {
      throw new IllegalStateException("wrong result: " + results.get(tasks - 1));
    }
    return tasks / s;
  }

  /**
   * Parks {@code n} tasks due evenly over {@code window}, starting once all are parked, and returns
   * each result's arrival minus its due time in ms, sorted: how late a delayed task is, result trip
   * included (an upper bound on when it ran).
   */
  private static long[] delayLateness(TaskPool pool, int n, Duration window) throws Exception {
    long t0 = System.currentTimeMillis();
    long base = t0 + 5_000 + n / 4; // parking costs about a quarter of a millisecond each
    long[] due = new long[n];
    List<CompletableFuture<Long>> results = new ArrayList<>(n);
    long[] late = new long[n];
    for (int i = 0; i < n; i++) {
      due[i] = base + i * window.toMillis() / n;
      int k = i;
      results.add(
          pool.applyAsync(
                  "square",
                  (long) i,
                  Long.class,
                  TaskOptions.defaults()
                      .withEta(Instant.ofEpochMilli(due[i]))
                      .withTimeout(Duration.ofMinutes(10)))
              .whenComplete((r, e) -> late[k] = System.currentTimeMillis() - due[k]));
    }
    say("  parked %,d delayed tasks in %.1f s", n, (System.currentTimeMillis() - t0) / 1e3);
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(15, TimeUnit.MINUTES);
    StringBuilder tail = new StringBuilder("  worst lateness per 5 s of due time (ms):");
    int per = Math.max(1, (int) (n * 5_000L / window.toMillis()));
    for (int from = 0; from < n; from += per) {
      long worst = 0;
      for (int i = from; i < Math.min(n, from + per); i++) worst = Math.max(worst, late[i]);
      tail.append(' ').append(worst);
    }
    say("%s", tail);
    Arrays.sort(late);
    return late;
  }

  /** New JVMs of each kind, one after the other: the median of their p99s is the figure. */
  private static final int FRESH_JVMS = 3;

  /**
   * Target 4: the first 200 calls of new JVMs against the steady p99 ({@code steadyP99}, ms),
   * beside the same for the bare client against its own steady p99 ({@code bareSteadyP99}): the
   * floor, as the client and the JIT of a new JVM set it on this machine. {@link #FRESH_JVMS} of
   * each kind, alternating; the bare client's responder runs warm in this JVM.
   */
  private List<Figure> freshFigures(double steadyP99, double bareSteadyP99) throws Exception {
    int n = 200;
    List<Double> spoolP99 = new ArrayList<>(), bareP99 = new ArrayList<>();
    try (RawRoundTrip responder =
        new RawRoundTrip(config.amqpUri(), config.namespace() + ".fresh")) {
      responder.sorted(2000, 1); // the responder warm, as the consumers are
      for (int k = 0; k < FRESH_JVMS; k++) {
        long[] spool = freshJvm(n, "spool-" + k);
        long[] bare =
            freshJvm(n, "bare-" + k, "bare", config.amqpUri().toString(), responder.workQueue());
        long[] spoolSorted = spool.clone(), bareSorted = bare.clone();
        Arrays.sort(spoolSorted);
        Arrays.sort(bareSorted);
        spoolP99.add(percentile(spoolSorted, 0.99) / 1e6);
        bareP99.add(percentile(bareSorted, 0.99) / 1e6);
        say(
            "the first %d calls of a new JVM (%d of %d): apply p50 %.2f ms, p99 %.2f ms, first"
                + " %.1f ms; bare client p50 %.2f ms, p99 %.2f ms, first %.1f ms",
            n,
            k + 1,
            FRESH_JVMS,
            percentile(spoolSorted, 0.50) / 1e6,
            spoolP99.get(k),
            spool[0] / 1e6,
            percentile(bareSorted, 0.50) / 1e6,
            bareP99.get(k),
            bare[0] / 1e6);
      }
    }
    double spoolMedian = median(spoolP99), bareMedian = median(bareP99);
    return List.of(
        new Figure(
            "apply p99, first 200 calls of a new JVM / steady p99 (median of "
                + FRESH_JVMS
                + " JVMs)",
            "ms",
            spoolMedian,
            steadyP99,
            "steady apply p99",
            2.0,
            false),
        new Figure(
            "bare client p99, first 200 calls of a new JVM / its steady p99 (the floor)",
            "ms",
            bareMedian,
            bareSteadyP99,
            "bare client steady p99",
            Double.NaN,
            false),
        new Figure(
            "apply p99, first 200 calls of a new JVM / bare client's first 200",
            "ms",
            spoolMedian,
            bareMedian,
            "bare client p99, new JVM",
            Double.NaN,
            false));
  }

  /**
   * The round trips of the first {@code n} calls of a new JVM ({@link FreshApply} with {@code
   * args}), against the consumers or responder already running; in call order.
   */
  private long[] freshJvm(int n, String name, String... args) throws Exception {
    Path log = logs.resolve("fresh-" + name + ".log");
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            java,
            "-Xms32m",
            "-cp",
            System.getProperty("java.class.path"),
            FreshApply.class.getName(),
            Integer.toString(n)));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
    pb.environment().putAll(env());
    Process p = pb.start();
    List<String> lines;
    try (var in = p.inputReader()) {
      lines = in.lines().toList();
    }
    if (p.waitFor() != 0 || lines.size() != n) {
      throw new IllegalStateException(
          "the new JVM's calls failed (exit " + p.exitValue() + "); see " + log);
    }
    return lines.stream().mapToLong(Long::parseLong).toArray();
  }

  /**
   * Where {@code apply}'s time goes, stage by stage, beside the bare client's with and without a
   * hand-off: 2,000 calls of each, interleaved ({@link Stages}).
   */
  private void stageBreakdown(TaskPool pool, List<ConsumerProcess> consumers, int n)
      throws Exception {
    List<Long> pids = consumers.stream().map(c -> c.process.pid()).toList();
    Stages.Measured kinds;
    try (RawRoundTrip bare = new RawRoundTrip(config.amqpUri(), config.namespace());
        RawRoundTrip handOff =
            RawRoundTrip.withHandOff(config.amqpUri(), config.namespace() + ".handoff")) {
      kinds = Stages.measure(pool, pids, bare, handOff, n, block, logs);
    }
    say(
        "  where the round trip goes, %,d calls of each, in interleaved blocks of %d (Flight"
            + " Recorder files in %s):",
        n, block, logs);
    Stages.table(kinds).forEach(line -> say("%s", line));
  }

  /** Rounds of the apply part: target 3a is the median round's ratio. */
  private static final int APPLY_ROUNDS = 5;

  /**
   * {@code rounds} rounds of round trips, each kind sorted within a round, of {@code n} of each:
   * plain calls, calls whose result is kept in Redis, the bare client's ({@link RawRoundTrip}) and
   * the bare client's replying on a worker thread; in blocks of {@link #block}, the order turning,
   * so that all meet the same machine.
   */
  private List<long[][]> applyLatencies(TaskPool pool, int rounds, int n) throws Exception {
    TaskOptions kept = TaskOptions.defaults().withKeepResult(Duration.ofMinutes(5));
    try (RawRoundTrip bare = new RawRoundTrip(config.amqpUri(), config.namespace());
        RawRoundTrip handOff =
            RawRoundTrip.withHandOff(config.amqpUri(), config.namespace() + ".handoff")) {
      for (int i = 0; i < 2000; i++) { // warm-up
        pool.apply("square", (long) i, Long.class);
        pool.apply("square", (long) i, Long.class, kept);
      }
      bare.sorted(2000, 1);
      handOff.sorted(2000, 1);
      List<long[][]> out = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        out.add(
            interleaved(
                n,
                List.of(
                    timed(i -> pool.apply("square", (long) i, Long.class)),
                    timed(i -> pool.apply("square", (long) i, Long.class, kept)),
                    timed(bare::once),
                    timed(handOff::once))));
      }
      return out;
    }
  }

  /** Every round's trips of each kind together, sorted. */
  private static long[][] pooled(List<long[][]> rounds) {
    long[][] all = new long[rounds.getFirst().length][];
    for (int k = 0; k < all.length; k++) {
      int kind = k;
      all[k] = rounds.stream().flatMapToLong(r -> Arrays.stream(r[kind])).sorted().toArray();
    }
    return all;
  }

  /**
   * The figure of the round whose p99 of kind {@code a} over kind {@code b} is the median of the
   * rounds'; says every round's ratio.
   */
  private Figure medianRound(
      List<long[][]> rounds, int a, int b, String name, String reference, double target) {
    List<long[][]> byRatio = new ArrayList<>(rounds);
    java.util.function.ToDoubleFunction<long[][]> ratio =
        r -> (double) percentile(r[a], 0.99) / percentile(r[b], 0.99);
    StringBuilder each = new StringBuilder();
    for (long[][] r : rounds) each.append(String.format(" %.2f", ratio.applyAsDouble(r)));
    byRatio.sort(Comparator.comparingDouble(ratio));
    long[][] median = byRatio.get(byRatio.size() / 2);
    say("%s, round by round:%s; median %.2f", name, each, ratio.applyAsDouble(median));
    return new Figure(
        name,
        "ms",
        percentile(median[a], 0.99) / 1e6,
        percentile(median[b], 0.99) / 1e6,
        reference,
        target,
        false);
  }

  /** A block of round trips of one kind: runs {@code k} and returns each one's nanoseconds. */
  @FunctionalInterface
  private interface Trips {
    long[] run(int k) throws Exception;
  }

  /** One call of a kind, given its number in the block. */
  @FunctionalInterface
  private interface Call {
    void run(int i) throws Exception;
  }

  /** Blocks of {@code call}, each call timed here. */
  private static Trips timed(Call call) {
    return k -> {
      long[] nanos = new long[k];
      for (int i = 0; i < k; i++) {
        long t0 = System.nanoTime();
        call.run(i);
        nanos[i] = System.nanoTime() - t0;
      }
      return nanos;
    };
  }

  /**
   * {@code n} round trips of each kind, in blocks of {@link #block} whose order turns from block to
   * block, so that every kind meets the same machine; each kind's sorted, in the order given.
   */
  private long[][] interleaved(int n, List<Trips> kinds) throws Exception {
    List<List<Long>> nanos = new ArrayList<>();
    for (int k = 0; k < kinds.size(); k++) nanos.add(new ArrayList<>());
    for (int b = 0; b * block < n; b++) {
      for (int k = 0; k < kinds.size(); k++) {
        int who = (b + k) % kinds.size();
        for (long t : kinds.get(who).run(Math.min(block, n - b * block))) nanos.get(who).add(t);
      }
    }
    long[][] sorted = new long[kinds.size()][];
    for (int k = 0; k < kinds.size(); k++) sorted[k] = sortedArray(nanos.get(k));
    return sorted;
  }

  private List<Figure> stateFigures() throws Exception {
    List<Figure> out = new ArrayList<>();
    for (StateBenchmark.Row r :
        StateBenchmark.measure(config.redisUri().toString(), stateSeconds)) {
      say(
          "%s, %d thread(s): spool %,.0f, raw %,.0f (%.2f)",
          r.what(), r.threads(), r.spool(), r.raw(), r.ratio());
      boolean lock = r.what().startsWith("lock");
      out.add(
          new Figure(
              r.what() + ", " + r.threads() + " thread(s)",
              "ops/s",
              r.spool(),
              r.raw(),
              lock ? "raw Jedis SET NX PX + release" : "raw Jedis HINCRBY",
              lock ? 0.5 : 0.7,
              true));
    }
    return out;
  }

  private TaskPool pool() {
    return spool().pool(TaskPoolConfig.builder().defaultTimeout(Duration.ofMinutes(30)).build());
  }

  /** One connection for the bench's pools, as a program has; closed when the JVM exits. */
  private synchronized Spool spool() {
    if (spool == null) spool = Spool.connect(config);
    return spool;
  }

  /** The processes' environment: this run's services and namespace; a new map each call. */
  private Map<String, String> env() {
    Map<String, String> e = new HashMap<>();
    e.put("SPOOL_AMQP_URI", config.amqpUri().toString());
    e.put("SPOOL_REDIS_URI", config.redisUri().toString());
    e.put("SPOOL_NAMESPACE", config.namespace());
    e.put("SPOOL_QUEUE_TYPE", config.queueType().toString().toLowerCase(Locale.ROOT));
    if (consumerJavaOpts != null) e.put("SPOOL_JAVA_OPTS", consumerJavaOpts);
    return e;
  }

  /** {@link #env()}, with the benchmark's own tasks ({@link BenchTasks}) on the classpath. */
  private Map<String, String> envWithBenchTasks() throws URISyntaxException {
    Map<String, String> e = env();
    e.put(
        "SPOOL_CLASSPATH",
        Path.of(BenchTasks.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString());
    return e;
  }

  private static List<Long> inputs(int n) {
    return LongStream.range(0, n).boxed().toList();
  }

  /** A queue for PerfTest in this run's namespace, deleted at the end. */
  private String perfTestQueue(String suffix) {
    String q = config.namespace() + ".perftest" + suffix;
    perfTestQueues.add(q);
    return q;
  }

  private void cleanup(SpoolConfig config) {
    List<String> extra = config == this.config ? perfTestQueues : List.of();
    for (String failed : dev.spool.producer.internal.NamespaceCleanup.delete(config, extra)) {
      say("cleanup: could not delete %s", failed);
    }
  }

  private void report(List<Figure> figures) throws Exception {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%-44s %12s %12s %-30s %7s %12s %5s%n",
        "figure",
        "spool",
        "reference",
        "reference is",
        "ratio",
        "target",
        "");
    for (Figure f : figures) {
      System.out.printf(
          Locale.ROOT,
          "%-44s %12s %12s %-30s %7s %12s %5s%n",
          f.name(),
          Figure.format(f.spool()) + " " + f.unit().replace("tasks/s", "").replace("ops/s", ""),
          Figure.format(f.reference()),
          f.referenceName(),
          Figure.format(f.ratio()),
          f.targetText(),
          !f.hasTarget() ? "" : f.met() ? "ok" : "MISS");
    }
    StringBuilder b = new StringBuilder("{\"figures\":[");
    for (int i = 0; i < figures.size(); i++)
      b.append(i > 0 ? "," : "").append(figures.get(i).json());
    b.append("],\"tasks\":")
        .append(tasks)
        .append(",\"cores\":")
        .append(Runtime.getRuntime().availableProcessors())
        .append('}');
    Files.writeString(json, b.append('\n').toString());
    System.out.println("\nJSON: " + json);
  }

  private static void say(String format, Object... args) {
    System.out.printf(Locale.ROOT, "spool-bench: " + format + "%n", args);
  }
}
