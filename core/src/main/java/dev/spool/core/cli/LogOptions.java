package dev.spool.core.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code --log-format text|json} (env {@code SPOOL_LOG_FORMAT}) and {@code --verbose}. Logback sets
 * itself up ({@link CommandsLogging}) when the first logger is made, which may be before picocli
 * has parsed the arguments (a command's class may make one as it loads): the options' setters set
 * the settings, and the logging up again if it was. {@link #prepare} runs first thing in {@code
 * main}, for what must hold before any parsing: the JVM marked as a command, and a bad {@code
 * SPOOL_LOG_FORMAT} refused.
 */
public final class LogOptions {
  /** The format variable; a system property of that name wins over the environment. */
  public static final String VARIABLE = "SPOOL_LOG_FORMAT";

  /** Logback's own setting for its configuration file: given, it wins over the commands'. */
  static final String LOGBACK_CONFIGURATION = "logback.configurationFile";

  /** The log formats. */
  public enum Format {
    text,
    json
  }

  /** The level variable; a system property of that name wins over the environment. */
  public static final String LEVEL = "SPOOL_LOG_LEVEL";

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description =
          "Log what Spool does inside (INFO lines on stderr); a command prints only its results,"
              + " progress and warnings without it (env SPOOL_LOG_LEVEL).")
  void verbose(boolean on) {
    if (!on) return;
    System.setProperty(LEVEL, "INFO");
    changed();
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
    changed();
  }

  /** A flag changed a setting: in a command, whose logging may already be set up, set it again. */
  private static void changed() {
    if (System.getProperty(CommandsLogging.MARK) != null) CommandsLogging.again();
  }

  /**
   * Marks this JVM as a command, whose logging {@link CommandsLogging} sets up, and checks {@code
   * SPOOL_LOG_FORMAT} in {@code env}; call first in {@code main}, before anything logs. Returns
   * false, having printed why on {@code err}, when the variable is neither text nor json.
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
    // The commands' logging is set up in code when the first logger is made (CommandsLogging, a
    // logback service of the core jar): only where this mark says the JVM is a Spool command, so
    // that the library jars never configure the logging of a program that embeds them.
    System.setProperty(CommandsLogging.MARK, "commands");
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
