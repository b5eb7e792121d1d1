package dev.spool.consumer.cli;

import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.HandlerRegistry;
import dev.spool.consumer.RetryPolicy;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.consumer.StopReason;
import dev.spool.core.Durations;
import dev.spool.core.ProcessIdentity;
import dev.spool.core.SpoolConfig;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.core.cli.LogOptions;
import dev.spool.core.cli.SpoolCli;
import dev.spool.core.metrics.MetricsServer;
import dev.spool.core.metrics.SpoolMeters;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

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
          "Deliveries taken ahead of acks (default 2 x concurrency, at least 32); for long"
              + " tasks set it to --concurrency, so that idle consumers get the work.")
  Integer prefetch;

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description = "On stop, wait this long for running tasks (default ${DEFAULT-VALUE}).")
  String drainTimeout;

  @Option(
      names = "--virtual-threads",
      description = "Run handlers on virtual threads (for I/O-bound tasks).")
  boolean virtualThreads;

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
  String retryDelay;

  @Option(
      names = "--retry-max-delay",
      paramLabel = "DURATION",
      defaultValue = "5m",
      description = "Longest wait between attempts (default ${DEFAULT-VALUE}).")
  String retryMaxDelay;

  @Option(
      names = "--retry",
      paramLabel = "TASK=N[/DELAY]",
      description = "Retry policy of one task, e.g. --retry charge=5/2s (repeatable).")
  java.util.List<String> retryByTask = new java.util.ArrayList<>();

  @Option(
      names = "--not-retryable",
      paramLabel = "CLASS",
      description =
          "Exception class (with its subclasses) that fails a task at once (repeatable);"
              + " IllegalArgumentException and dev.spool.consumer.NotRetryableException always do.")
  java.util.List<String> notRetryable = new java.util.ArrayList<>();

  @Option(
      names = "--time-limit",
      paramLabel = "DURATION",
      defaultValue = "15m",
      description =
          "A task running longer is interrupted and counts as failed (default"
              + " ${DEFAULT-VALUE}).")
  String timeLimit;

  @Option(
      names = "--task-time-limit",
      paramLabel = "TASK=DURATION",
      description = "Time limit of one task, e.g. --task-time-limit report=1h (repeatable).")
  java.util.List<String> timeLimitByTask = new java.util.ArrayList<>();

  @Option(
      names = "--broker-consumer-timeout",
      paramLabel = "DURATION",
      defaultValue = "30m",
      description =
          "The broker's consumer_timeout, to warn about longer time limits (default"
              + " ${DEFAULT-VALUE}, RabbitMQ's own default).")
  String brokerConsumerTimeout;

  @Option(
      names = "--idempotency-ttl",
      paramLabel = "DURATION",
      defaultValue = "24h",
      description =
          "How long a task run under an idempotency key is remembered (default"
              + " ${DEFAULT-VALUE}).")
  String idempotencyTtl;

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
    if (!LogOptions.choose("spool-consumer", args, System.getenv(), System.err)) {
      System.exit(SpoolCli.EXIT_USAGE);
    }
    ProcessIdentity me = ProcessIdentity.current("consumer");
    SpoolCli.identify(me.toString());
    System.exit(SpoolCli.commandLine(new ConsumerMain()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    Logger log = LoggerFactory.getLogger(ConsumerMain.class);
    SpoolConfig config = connection.toConfig(System.getenv());
    ConsumerConfig.Builder settings =
        ConsumerConfig.builder()
            .queue(queue)
            .concurrency(concurrency)
            .drainTimeout(Durations.parsePositive("--drain-timeout", drainTimeout))
            .virtualThreads(virtualThreads);
    if (prefetch != null) settings.prefetch(prefetch);
    RetryPolicy retry =
        new RetryPolicy(
            maxAttempts,
            Durations.parsePositive("--retry-delay", retryDelay),
            Durations.parsePositive("--retry-max-delay", retryMaxDelay),
            java.util.Set.copyOf(notRetryable));
    settings
        .retry(retry)
        .timeLimit(Durations.parsePositive("--time-limit", timeLimit))
        .brokerConsumerTimeout(
            Durations.parsePositive("--broker-consumer-timeout", brokerConsumerTimeout))
        .idempotencyTtl(Durations.parsePositive("--idempotency-ttl", idempotencyTtl));
    for (String spec : retryByTask) {
      String[] kv = pair("--retry", spec);
      String[] nd = kv[1].split("/", 2);
      int n = parseAttempts(spec, nd[0]);
      java.time.Duration base =
          nd.length > 1 ? Durations.parsePositive("--retry " + kv[0], nd[1]) : retry.baseDelay();
      java.time.Duration max = base.compareTo(retry.maxDelay()) > 0 ? base : retry.maxDelay();
      settings.retry(kv[0], new RetryPolicy(n, base, max, retry.notRetryable()));
    }
    for (String spec : timeLimitByTask) {
      String[] kv = pair("--task-time-limit", spec);
      settings.timeLimit(kv[0], Durations.parsePositive("--task-time-limit " + kv[0], kv[1]));
    }
    ConsumerConfig cc = settings.build();
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
      throw new IllegalArgumentException("--metrics-port must be 0..65535, was " + metricsPort);
    }
    java.util.List<String> taskPath = new java.util.ArrayList<>(tasks);
    String envPath = System.getenv("SPOOL_TASKS_PATH");
    if (taskPath.isEmpty() && envPath != null && !envPath.isBlank()) taskPath.add(envPath);
    java.util.List<java.nio.file.Path> jars = TaskJars.resolve(taskPath);
    log.info("starting: {}, {}{}", config, cc, jars.isEmpty() ? "" : ", task jars " + jars);
    HandlerRegistry registry =
        HandlerRegistry.withProviders(TaskJars.loader(jars, ConsumerMain.class.getClassLoader()));
    PrometheusMeterRegistry meters = SpoolMeters.prometheus();
    try (SpoolConsumer consumer = SpoolConsumer.start(config, cc, registry, meters);
        MetricsServer server =
            metricsPort == null
                ? null
                : MetricsServer.start(metricsPort, meters, consumer::health)) {
      Signal.handle(new Signal("TERM"), s -> consumer.requestStop("SIGTERM"));
      Signal.handle(new Signal("INT"), s -> consumer.requestStop("SIGINT"));
      StopReason why = consumer.awaitStopRequest();
      return why.failure() ? SpoolCli.EXIT_FAILURE : SpoolCli.EXIT_OK;
    }
  }

  private static String[] pair(String flag, String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0 || eq == spec.length() - 1) {
      throw new IllegalArgumentException(
          flag
              + ": '"
              + spec
              + "' should be TASK=VALUE, e.g. "
              + flag
              + " charge="
              + (flag.equals("--retry") ? "5/2s" : "1h"));
    }
    return new String[] {spec.substring(0, eq), spec.substring(eq + 1)};
  }

  private static int parseAttempts(String spec, String n) {
    try {
      return Integer.parseInt(n);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--retry: '" + spec + "' should be TASK=ATTEMPTS[/DELAY], e.g. charge=5/2s", e);
    }
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
