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
