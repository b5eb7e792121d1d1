package dev.spool.consumer.cli;

import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.HandlerRegistry;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.consumer.StopReason;
import dev.spool.core.Durations;
import dev.spool.core.SpoolConfig;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.core.cli.SpoolCli;
import dev.spool.core.wire.ProcessIdentity;
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
      "Tasks: the built-in square, sleep, fail, add, plus every TaskHandlerProvider on the"
          + " classpath."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped by a poison pill or SIGTERM, work drained",
      "1:could not connect, or the broker closed the channel",
      "2:bad arguments or configuration"
    })
public final class ConsumerMain implements Callable<Integer> {
  @Mixin ConnectionOptions connection = new ConnectionOptions();

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
      description = "Deliveries taken ahead of acks (default 2 x concurrency).")
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

  public static void main(String[] args) {
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
    ConsumerConfig cc = settings.build();
    log.info("starting: {}, {}", config, cc);
    HandlerRegistry registry = HandlerRegistry.withProviders(ConsumerMain.class.getClassLoader());
    try (SpoolConsumer consumer = SpoolConsumer.start(config, cc, registry)) {
      Signal.handle(new Signal("TERM"), s -> consumer.requestStop("SIGTERM"));
      Signal.handle(new Signal("INT"), s -> consumer.requestStop("SIGINT"));
      StopReason why = consumer.awaitStopRequest();
      return why.failure() ? SpoolCli.EXIT_FAILURE : SpoolCli.EXIT_OK;
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
