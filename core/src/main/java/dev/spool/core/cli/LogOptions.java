package dev.spool.core.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code --log-format text|json} (env {@code SPOOL_LOG_FORMAT}). Logging is configured when the
 * first logger is made, before picocli parses anything, so {@link #choose} reads the flag from the
 * raw arguments first thing in {@code main}; the option here documents and validates it.
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
  Format format;

  /**
   * Picks the log format from {@code --log-format} in {@code args}, else {@code SPOOL_LOG_FORMAT};
   * call before anything logs. Returns false, having printed why on {@code err}, when the value is
   * neither text nor json.
   */
  public static boolean choose(
      String command, String[] args, Map<String, String> env, PrintStream err) {
    // The commands' logback configuration is a named resource, not a logback.xml at the root of a
    // jar, so that the library jars never configure the logging of a program that embeds them.
    if (System.getProperty(LOGBACK_CONFIGURATION) == null) {
      System.setProperty(LOGBACK_CONFIGURATION, COMMANDS_CONFIGURATION);
    }
    String value = env.get(VARIABLE);
    String from = VARIABLE;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--log-format") && i + 1 < args.length) {
        value = args[i + 1];
        from = "--log-format";
      } else if (args[i].startsWith("--log-format=")) {
        value = args[i].substring("--log-format=".length());
        from = "--log-format";
      }
    }
    if (value == null || value.isBlank()) return true;
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (!v.equals("text") && !v.equals("json")) {
      err.println(command + ": " + from + " must be text or json, was '" + value + "'");
      return false;
    }
    System.setProperty(VARIABLE, v);
    return true;
  }
}
