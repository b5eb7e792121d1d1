package dev.spool.core.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * The commands' logging, set up in code when logback makes its first logger: stderr only (stdout
 * belongs to a command's output), in {@code SPOOL_LOG_FORMAT} (text, or json for log shippers), at
 * {@code SPOOL_LOG_LEVEL}, each line with the process's id ({@code spool.id}, role@host/pid), the
 * RabbitMQ client's own lines from WARN up.
 *
 * <p>Logback finds it as a service, in any program that has Spool and logback; it acts only in a
 * Spool command ({@link LogOptions#prepare} marks the JVM as one) that was not given a logback
 * configuration file, and otherwise lets logback go on as without it (a {@code logback.xml}, or
 * logback's defaults). It replaced an XML configuration: logback's XML reader took 40 to 60 ms of
 * every command's and consumer's start.
 */
public final class CommandsLogging extends ContextAwareBase implements Configurator {
  /** The system property {@link LogOptions#prepare} sets in a command. */
  static final String MARK = "spool.logging";

  static final String TEXT_PATTERN =
      "%d{HH:mm:ss.SSS} %-5level %property{spool.id} [%thread] %logger{0}: %msg%n";

  /** The context this set up, if it did: a flag parsed after that sets it up again. */
  private static volatile LoggerContext configured;

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (!"commands".equals(System.getProperty(MARK))
        || System.getProperty(LogOptions.LOGBACK_CONFIGURATION) != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    setUp(context);
    configured = context;
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * Sets the logging up again from the settings as they are now, if this set it up: {@code
   * --log-format} and {@code --verbose} are parsed after the command's classes are loaded, and one
   * of them may have made a logger (and so had logback set up) first.
   */
  static void again() {
    LoggerContext context = configured;
    if (context == null) return;
    context.reset();
    setUp(context);
  }

  /**
   * Sets {@code context} up as the commands log, from the system properties {@link LogOptions} and
   * {@link SpoolCli#identify} set (from the variables, then the flags).
   */
  static void setUp(LoggerContext context) {
    context.putProperty("spool.id", setting("spool.id", "unknown"));
    boolean json = setting(LogOptions.VARIABLE, "text").trim().equalsIgnoreCase("json");
    Encoder<ILoggingEvent> encoder;
    if (json) {
      JsonEncoder e = new JsonEncoder();
      e.setWithSequenceNumber(false);
      e.setWithNanoseconds(false);
      e.setWithMessage(false);
      e.setWithArguments(false);
      e.setWithFormattedMessage(true);
      encoder = e;
    } else {
      PatternLayoutEncoder e = new PatternLayoutEncoder();
      e.setPattern(TEXT_PATTERN);
      encoder = e;
    }
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    context.getLogger("com.rabbitmq").setLevel(Level.WARN);
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(setting(LogOptions.LEVEL, "INFO").trim(), Level.INFO));
    root.addAppender(stderr);
  }

  private static String setting(String name, String absent) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? absent : v;
  }
}
