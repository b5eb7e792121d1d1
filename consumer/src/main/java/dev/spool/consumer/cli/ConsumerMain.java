package dev.spool.consumer.cli;

import dev.spool.HandlerRegistry;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.RetryPolicy;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.consumer.StopReason;
import dev.spool.consumer.internal.ConsumerRuntime;
import dev.spool.core.ProcessIdentity;
import dev.spool.core.SpoolConfig;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.core.cli.LogOptions;
import dev.spool.core.cli.Signals;
import dev.spool.core.cli.SpoolCli;
import dev.spool.core.cli.TracingSetup;
import dev.spool.core.metrics.MetricsServer;
import dev.spool.core.metrics.SpoolMeters;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spool-consumer}: consumes a work queue until a poison pill or SIGTERM, then exits 0. */
@Command(
    name = "spool-consumer",
    mixinStandardHelpOptions = true,
    versionProvider = ConsumerMain.Version.class,
    sortOptions = false,
    description = {
      "Runs tasks from a Spool work queue until a poison pill or SIGTERM arrives.",
      "On stop it finishes running tasks, returns prefetched ones to the queue, and exits 0.",
      "Tasks: the built-in square, sleep, fail, add, wordcount, wordcount-top and"
          + " locked-increment, plus every TaskHandlerProvider on the classpath and in --tasks"
          + " jars."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped by a poison pill or SIGTERM, work drained",
      "1:could not connect, or the broker closed the channel",
      "2:bad arguments or configuration"
    })
public final class ConsumerMain implements Callable<Integer> {
  @Mixin ConnectionOptions connection = new ConnectionOptions();
  @Mixin LogOptions logging = new LogOptions();

  @Option(
      names = "--queue",
      paramLabel = "NAME",
      defaultValue = "tasks",
      description = "Work queue to consume (default ${DEFAULT-VALUE}).")
  String queue;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "4",
      description = "Tasks run at once (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--prefetch",
      paramLabel = "N",
      description =
          "Deliveries taken ahead of acks (default: 2 x concurrency, at least 32, widened to at"
              + " least 128 while tasks take 5 ms or less); set, it never changes; for long"
              + " tasks set it to --concurrency, so that idle consumers get the work.")
  Integer prefetch;

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description = "On stop, wait this long for running tasks (default ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(
      names = "--virtual-threads",
      description = "Run handlers on virtual threads (for I/O-bound tasks).")
  boolean virtualThreads;

  @Option(
      names = "--no-heartbeat",
      description =
          "Publish no report: this consumer is not listed by spool-producer workers or the"
              + " dashboard, and answers no ping (for benchmarks; default: every 2 s to Redis).")
  boolean noHeartbeat;

  @Option(
      names = "--no-task-index",
      description =
          "Write no run to the task index, the dashboard's list of every recent task (env"
              + " SPOOL_TASK_INDEX=off; default: each run's start and end, in a batch every 200 ms).")
  boolean noTaskIndex;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Runs of a failing task, the first included, before it is dead-lettered"
              + " (default ${DEFAULT-VALUE}; 1: no retries).")
  int maxAttempts;

  @Option(
      names = "--retry-delay",
      paramLabel = "DURATION",
      defaultValue = "1s",
      description =
          "Wait before the second attempt; it doubles for each further one, with"
              + " jitter (default ${DEFAULT-VALUE}).")
  Duration retryDelay;

  @Option(
      names = "--retry-max-delay",
      paramLabel = "DURATION",
      defaultValue = "5m",
      description = "Longest wait between attempts (default ${DEFAULT-VALUE}).")
  Duration retryMaxDelay;

  @Option(
      names = "--retry",
      paramLabel = "TASK=N[/DELAY]",
      converter = {CommandLine.UseDefaultConverter.class, RetrySpec.Converter.class},
      description = "Retry policy of one task, e.g. --retry charge=5/2s (repeatable).")
  Map<String, RetrySpec> retryByTask = new LinkedHashMap<>();

  /** A task's own retry policy on the command line: attempts, and optionally the first delay. */
  record RetrySpec(int attempts, Duration delay) {
    static final class Converter implements CommandLine.ITypeConverter<RetrySpec> {
      @Override
      public RetrySpec convert(String value) {
        String[] nd = value.split("/", 2);
        try {
          int n = Integer.parseInt(nd[0].trim());
          return new RetrySpec(n, nd.length > 1 ? SpoolCli.duration(nd[1]) : null);
        } catch (NumberFormatException e) {
          throw new CommandLine.TypeConversionException(
              "'" + value + "' should be ATTEMPTS[/DELAY], e.g. charge=5/2s");
        }
      }
    }
  }

  @Option(
      names = "--not-retryable",
      paramLabel = "CLASS",
      description =
          "Exception class (with its subclasses) that fails a task at once (repeatable);"
              + " IllegalArgumentException and dev.spool.NotRetryableException always do.")
  java.util.List<String> notRetryable = new java.util.ArrayList<>();

  @Option(
      names = "--time-limit",
      paramLabel = "DURATION",
      defaultValue = "15m",
      description =
          "A task running longer is interrupted and counts as failed (default"
              + " ${DEFAULT-VALUE}).")
  Duration timeLimit;

  @Option(
      names = "--task-time-limit",
      paramLabel = "TASK=DURATION",
      description = "Time limit of one task, e.g. --task-time-limit report=1h (repeatable).")
  Map<String, Duration> timeLimitByTask = new LinkedHashMap<>();

  @Option(
      names = "--rate-limit",
      paramLabel = "TASK=N/PERIOD",
      description =
          "At most N starts of TASK per PERIOD across every consumer of every host, counted in"
              + " Redis, e.g. --rate-limit charge=10/s (repeatable; PERIOD s, m, h, d or e.g. 10s)."
              + " A task submitted with a rate key gets the limit per key. Give every consumer"
              + " the same limits.")
  Map<String, String> rateLimitByTask = new LinkedHashMap<>();

  @Option(
      names = "--broker-consumer-timeout",
      paramLabel = "DURATION",
      defaultValue = "30m",
      description =
          "The broker's consumer_timeout, to warn about longer time limits (default"
              + " ${DEFAULT-VALUE}, RabbitMQ's own default).")
  Duration brokerConsumerTimeout;

  @Option(
      names = "--idempotency-ttl",
      paramLabel = "DURATION",
      defaultValue = "24h",
      description =
          "How long a task run under an idempotency key is remembered (default"
              + " ${DEFAULT-VALUE}).")
  Duration idempotencyTtl;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      defaultValue = "${env:SPOOL_METRICS_PORT}",
      description =
          "Serve Prometheus /metrics and /health on this port (env SPOOL_METRICS_PORT; default:"
              + " not served).")
  Integer metricsPort;

  @Option(
      names = "--tasks",
      paramLabel = "PATH",
      description =
          "A jar of your own task handlers, or a directory of them (repeatable; env"
              + " SPOOL_TASKS_PATH, entries separated by '${sys:path.separator}').")
  java.util.List<String> tasks = new java.util.ArrayList<>();

  public static void main(String[] args) {
    if (!LogOptions.prepare("spool-consumer", System.getenv(), System.err)) {
      System.exit(SpoolCli.EXIT_USAGE);
    }
    ProcessIdentity me = ProcessIdentity.current("consumer");
    SpoolCli.identify(me.toString());
    // Tracing from the OTEL_* variables; off unless they ask. Closed (spans flushed) before exit.
    TracingSetup tracing = TracingSetup.start("spool-consumer", System.getenv(), System.err);
    if (tracing == null) System.exit(SpoolCli.EXIT_USAGE);
    int code;
    try (tracing) {
      code = SpoolCli.execute("spool-consumer", SpoolCli.commandLine(new ConsumerMain()), args);
    }
    System.exit(code);
  }

  @Override
  public Integer call() throws InterruptedException {
    Logger log = LoggerFactory.getLogger(ConsumerMain.class);
    SpoolConfig config = connection.toConfig(System.getenv());
    ConsumerConfig cc = consumerConfig();
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
      throw new IllegalArgumentException("--metrics-port must be 0..65535, was " + metricsPort);
    }
    java.util.List<String> taskPath = new java.util.ArrayList<>(tasks);
    String envPath = System.getenv("SPOOL_TASKS_PATH");
    if (taskPath.isEmpty() && envPath != null && !envPath.isBlank()) taskPath.add(envPath);
    java.util.List<java.nio.file.Path> jars = TaskJars.resolve(taskPath);
    log.info("starting: {}, {}{}", config, cc, jars.isEmpty() ? "" : ", task jars " + jars);
    ClassLoader loader = TaskJars.loader(jars, ConsumerMain.class.getClassLoader());
    TaskJars.warnAboutOldServiceFiles(loader);
    HandlerRegistry registry = HandlerRegistry.withProviders(loader);
    PrometheusMeterRegistry meters = SpoolMeters.prometheus();
    try (SpoolConsumer consumer = ConsumerRuntime.start(config, cc, registry, meters);
        MetricsServer server =
            metricsPort == null
                ? null
                : MetricsServer.start(metricsPort, meters, consumer::health)) {
      Signals.onStop(() -> consumer.requestStop("SIGTERM or SIGINT"));
      log.info(
          "ready: taking tasks from {} ({} task(s) registered), {} ms after the JVM started",
          consumer.queue(),
          registry.names().size(),
          sinceJvmStart());
      StopReason why = consumer.awaitStopRequest();
      return why.failure() ? SpoolCli.EXIT_FAILURE : SpoolCli.EXIT_OK;
    }
  }

  /** Milliseconds since the JVM started (what start-up costs; JMX is loaded for the metrics). */
  static long sinceJvmStart() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
  }

  /** The consumer's settings from the options. */
  ConsumerConfig consumerConfig() {
    ConsumerConfig.Builder settings =
        ConsumerConfig.builder()
            .queue(queue)
            .concurrency(concurrency)
            .drainTimeout(drainTimeout)
            .virtualThreads(virtualThreads)
            .heartbeat(!noHeartbeat)
            .taskIndex(!noTaskIndex && !"off".equalsIgnoreCase(System.getenv("SPOOL_TASK_INDEX")));
    if (prefetch != null) settings.prefetch(prefetch);
    RetryPolicy retry =
        new RetryPolicy(maxAttempts, retryDelay, retryMaxDelay, java.util.Set.copyOf(notRetryable));
    settings
        .retry(retry)
        .timeLimit(timeLimit)
        .brokerConsumerTimeout(brokerConsumerTimeout)
        .idempotencyTtl(idempotencyTtl);
    retryByTask.forEach(
        (task, spec) -> {
          Duration base = spec.delay() != null ? spec.delay() : retry.baseDelay();
          Duration max = base.compareTo(retry.maxDelay()) > 0 ? base : retry.maxDelay();
          settings.retry(task, new RetryPolicy(spec.attempts(), base, max, retry.notRetryable()));
        });
    timeLimitByTask.forEach(settings::timeLimit);
    rateLimitByTask.forEach(
        (task, text) -> {
          try {
            settings.rateLimit(task, dev.spool.consumer.RateLimit.parse(text));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--rate-limit " + task + ": " + e.getMessage(), e);
          }
        });
    return settings.build();
  }

  /** The version from the jar's manifest. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ConsumerMain.class.getPackage().getImplementationVersion();
      return new String[] {"spool-consumer " + (v == null ? "(development build)" : v)};
    }
  }
}
