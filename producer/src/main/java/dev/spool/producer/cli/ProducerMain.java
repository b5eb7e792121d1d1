package dev.spool.producer.cli;

import dev.spool.core.ProcessIdentity;
import dev.spool.core.cli.LogOptions;
import dev.spool.core.cli.SpoolCli;
import dev.spool.core.cli.TracingSetup;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code spool-producer}: map tasks over inputs, run the demo, stop consumers with pills. */
@Command(
    name = "spool-producer",
    mixinStandardHelpOptions = true,
    versionProvider = ProducerMain.Version.class,
    description = "Publishes Spool tasks to consumer processes and collects their results.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:a task failed, timed out, or RabbitMQ could not be reached",
      "2:bad arguments or configuration",
      "3:result: the task has not ended yet"
    })
public final class ProducerMain implements Runnable {
  /** The commands, in the order the usage lists them. */
  static final List<Class<?>> COMMANDS =
      List.of(
          MapCommand.class,
          ApplyCommand.class,
          ResultCommand.class,
          CancelCommand.class,
          ScheduleCommand.class,
          SchedulerCommand.class,
          PauseCommand.Pause.class,
          PauseCommand.Resume.class,
          StopCommand.class,
          DemoCommand.class,
          DeadCommand.class,
          StatusCommand.class,
          WorkersCommand.ListWorkers.class,
          WorkersCommand.Ping.class,
          WorkersCommand.Inspect.class,
          StateCommand.class,
          WorkflowCommand.class);

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin LogOptions logging = new LogOptions();

  public static void main(String[] args) {
    // A command prints its results and progress; its INFO lines only with --verbose. The
    // scheduler is a service: it logs as the consumer does.
    boolean scheduler = args.length > 0 && args[0].equals("scheduler");
    if (!LogOptions.prepare(
        "spool-producer", System.getenv(), System.err, scheduler ? "INFO" : "WARN", args)) {
      System.exit(SpoolCli.EXIT_USAGE);
    }
    SpoolCli.identify(ProcessIdentity.current("producer").toString());
    // Tracing from the OTEL_* variables; off unless they ask. Closed (spans flushed) before exit.
    String service = scheduler ? "spool-scheduler" : "spool-producer";
    TracingSetup tracing = TracingSetup.start(service, System.getenv(), System.err);
    if (tracing == null) System.exit(SpoolCli.EXIT_USAGE);
    int code;
    try (tracing) {
      code = SpoolCli.execute(service, commandLine(args), args);
    }
    System.exit(code);
  }

  /**
   * The command line for {@code args}: with only the command they name, when they name one, else
   * with all of them (for the usage, and the suggestions after a misspelt name). picocli builds a
   * command's model (its options, their types, its object) as it is added; all of them took 70 ms
   * of every command's start, with the launcher's caches.
   */
  static CommandLine commandLine(String... args) {
    CommandLine cl = new CommandLine(new ProducerMain());
    List<Class<?>> chosen = COMMANDS;
    for (String arg : args) {
      if (List.of("-h", "--help", "-V", "--version").contains(arg)) break; // the usage lists all
      if (arg.startsWith("-")) continue;
      Class<?> named = COMMANDS.stream().filter(c -> name(c).equals(arg)).findFirst().orElse(null);
      if (named != null) {
        chosen = List.of(named);
        break;
      }
    }
    for (Class<?> c : chosen) cl.addSubcommand(new CommandLine(c));
    return SpoolCli.configure(cl);
  }

  private static String name(Class<?> command) {
    return command.getAnnotation(Command.class).name();
  }

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(),
        "name a command: map, apply, result, cancel, schedule, scheduler, pause, resume, stop, demo, dead or status");
  }

  /** The version from the jar's manifest. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ProducerMain.class.getPackage().getImplementationVersion();
      return new String[] {"spool-producer " + (v == null ? "(development build)" : v)};
    }
  }
}
