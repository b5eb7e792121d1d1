package dev.spool.core.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code --log-format text|json} (env {@code SPOOL_LOG_FORMAT}). Logback reads its configuration
 * when the first logger is made, which in a Spool command is after picocli has parsed the
 * arguments: the option's setter sets the format then. {@link #prepare} runs first thing in {@code
 * main}, for what must hold before any parsing: the configuration file, and a bad {@code
 * SPOOL_LOG_FORMAT} refused.
 */
public final class LogOptions {
  /** The variable logback.xml reads; a system property of that name wins over the environment. */
  public static final String VARIABLE = "SPOOL_LOG_FORMAT";

  /** Logback's own setting for its configuration file; the user's value wins. */
  static final String LOGBACK_CONFIGURATION = "logback.configurationFile";

  /** The configuration the commands log with, a resource of the core jar. */
  static final String COMMANDS_CONFIGURATION = "dev/spool/logging/commands.xml";

  /** The log formats. */
  public enum Format {
    text,
    json
  }

  /** The variable logback.xml reads for the level of Spool's own lines. */
  public static final String LEVEL = "SPOOL_LOG_LEVEL";

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description =
          "Log what Spool does inside (INFO lines on stderr); a command prints only its results,"
              + " progress and warnings without it (env SPOOL_LOG_LEVEL).")
  void verbose(boolean on) {
    if (on) System.setProperty(LEVEL, "INFO");
  }

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      scope = ScopeType.INHERIT,
      description =
          "text, or json for one JSON object per line for log shippers (env SPOOL_LOG_FORMAT;"
              + " default text).")
  void format(Format format) {
    System.setProperty(VARIABLE, format.name());
  }

  /**
   * Points logback at the commands' configuration and checks {@code SPOOL_LOG_FORMAT} in {@code
   * env}; call first in {@code main}, before anything logs. Returns false, having printed why on
   * {@code err}, when the variable is neither text nor json.
   */
  public static boolean prepare(String command, Map<String, String> env, PrintStream err) {
    return prepare(command, env, err, "INFO");
  }

  /**
   * As {@link #prepare(String, Map, PrintStream)}, logging at {@code level} unless {@code
   * SPOOL_LOG_LEVEL} or {@code --verbose} says otherwise: WARN for a command that prints its own
   * results, INFO for a service (a consumer, a scheduler, the dashboard).
   */
  public static boolean prepare(
      String command, Map<String, String> env, PrintStream err, String level, String... args) {
    String given = env.get(LEVEL);
    // Read from the arguments here too: the first logger (a class's static one) may be made
    // before the arguments are parsed, and logback reads its level then.
    boolean verbose =
        java.util.Arrays.asList(args).contains("--verbose")
            || java.util.Arrays.asList(args).contains("-v");
    if (System.getProperty(LEVEL) == null) {
      String chosen = verbose ? "INFO" : given == null || given.isBlank() ? level : given.trim();
      System.setProperty(LEVEL, chosen);
    }
    // The commands' logback configuration is a named resource, not a logback.xml at the root of a
    // jar, so that the library jars never configure the logging of a program that embeds them.
    if (System.getProperty(LOGBACK_CONFIGURATION) == null) {
      System.setProperty(LOGBACK_CONFIGURATION, COMMANDS_CONFIGURATION);
    }
    String value = env.get(VARIABLE);
    if (value == null || value.isBlank()) return true;
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (!v.equals("text") && !v.equals("json")) {
      err.println(command + ": " + VARIABLE + " must be text or json, was '" + value + "'");
      return false;
    }
    System.setProperty(VARIABLE, v);
    return true;
  }
}
