package dev.spool.core.cli;

import dev.spool.SpoolException;
import dev.spool.core.TaskFailedException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Runs a picocli command the Spool way: {@code --help} on every command; a bad argument prints what
 * is wrong and one line naming {@code --help}, and exits 2; bad configuration prints the message
 * naming the setting and exits 2; a Spool failure (an unreachable broker, a failed task) prints one
 * line and exits 1, with no stack trace unless {@code SPOOL_DEBUG} is set.
 */
public final class SpoolCli {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  private SpoolCli() {}

  /**
   * Runs {@code cli} on {@code args} and returns its exit code. picocli passes an {@link Error}
   * thrown by a command on to its caller; out of {@code main}, that would skip {@code System.exit},
   * and the client's threads would keep the JVM up, stopped but not gone (seen: a consumer whose
   * jar was rebuilt under it failed its close with {@code NoClassDefFoundError} and stayed up for
   * an hour and a half). Anything thrown is printed and gives {@link #EXIT_FAILURE}.
   */
  public static int execute(String name, CommandLine cli, String... args) {
    try {
      return cli.execute(args);
    } catch (Throwable t) {
      System.err.println(name + ": stopped by " + t);
      t.printStackTrace();
      return EXIT_FAILURE;
    }
  }

  /** Builds the command line for {@code command}, wired with Spool's error handling. */
  public static CommandLine commandLine(Object command) {
    return configure(new CommandLine(command));
  }

  /**
   * Wires {@code cl} and the subcommands added to it so far with Spool's converters and error
   * handling; returns it.
   */
  public static CommandLine configure(CommandLine cl) {
    // Every DURATION option reads 500ms, 30s, 2m, 1h or ISO-8601, and must be positive; picocli
    // names the option in the error ("Invalid value for option '--timeout': ...").
    cl.registerConverter(java.time.Duration.class, SpoolCli::duration);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(
        (e, args) -> {
          // The error, and where the usage is: not 74 lines of usage that hide the error.
          PrintWriter err = e.getCommandLine().getErr();
          String which = e.getCommandLine().getCommandSpec().qualifiedName();
          err.println(which + ": " + e.getMessage());
          CommandLine.UnmatchedArgumentException.printSuggestions(e, err); // "Did you mean"
          err.println("Try '" + which + " --help' for what it takes.");
          return EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          PrintWriter err = line.getErr();
          String name = line.getCommandSpec().root().name();
          boolean debug = System.getenv("SPOOL_DEBUG") != null;
          if (e instanceof IllegalArgumentException) {
            err.println(name + ": " + e.getMessage());
            if (debug) e.printStackTrace(err);
            return EXIT_USAGE;
          }
          if (e instanceof TaskFailedException failed) {
            err.println(name + ": " + e.getMessage());
            failed.remote().stack().stream().limit(12).forEach(f -> err.println("    at " + f));
            return EXIT_FAILURE;
          }
          if (e instanceof SpoolException) {
            err.println(name + ": " + e.getMessage());
            if (debug) e.printStackTrace(err);
            return EXIT_FAILURE;
          }
          err.println(name + ": unexpected error: " + e);
          e.printStackTrace(err);
          return EXIT_FAILURE;
        });
    return cl;
  }

  /** A positive duration, or a conversion error saying what is wrong with the text. */
  public static java.time.Duration duration(String text) {
    try {
      return dev.spool.Durations.parsePositive(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  /** Sets the id logs start with ({@code %property{spool.id}} in logback.xml). Call first. */
  public static void identify(String id) {
    System.setProperty("spool.id", id);
  }
}
