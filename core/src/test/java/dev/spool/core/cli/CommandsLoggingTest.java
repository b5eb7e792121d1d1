package dev.spool.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

final class CommandsLoggingTest {
  @AfterEach
  void clear() {
    for (String p :
        new String[] {
          CommandsLogging.MARK,
          LogOptions.LOGBACK_CONFIGURATION,
          LogOptions.VARIABLE,
          LogOptions.LEVEL,
          "spool.id"
        }) {
      System.clearProperty(p);
    }
  }

  private static ConsoleAppender<ILoggingEvent> stderr(LoggerContext context) {
    return (ConsoleAppender<ILoggingEvent>)
        context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
  }

  @Test
  void text_byDefault_onStderr_atTheVariablesLevel_withTheProcessId() {
    LoggerContext context = new LoggerContext();
    System.setProperty("spool.id", "consumer@box/7");
    System.setProperty(LogOptions.LEVEL, "warn"); // as LogOptions.prepare sets it from the variable
    CommandsLogging.setUp(context);
    ConsoleAppender<ILoggingEvent> out = stderr(context);
    assertEquals("System.err", out.getTarget());
    assertTrue(out.isStarted());
    PatternLayoutEncoder encoder = assertInstanceOf(PatternLayoutEncoder.class, out.getEncoder());
    assertEquals(CommandsLogging.TEXT_PATTERN, encoder.getPattern());
    assertEquals("consumer@box/7", context.getProperty("spool.id"));
    assertEquals(Level.WARN, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
    assertEquals(Level.WARN, context.getLogger("com.rabbitmq").getLevel());
  }

  @Test
  void json_whenThePropertySaysSo() {
    LoggerContext context = new LoggerContext();
    System.setProperty(LogOptions.VARIABLE, "json");
    System.setProperty(LogOptions.LEVEL, "DEBUG");
    CommandsLogging.setUp(context);
    assertInstanceOf(JsonEncoder.class, stderr(context).getEncoder());
    assertEquals(Level.DEBUG, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
    assertEquals("unknown", context.getProperty("spool.id"));
  }

  @Test
  void outsideACommand_orWithALogbackFileGiven_logbackGoesOnAsWithoutIt() {
    CommandsLogging c = new CommandsLogging();
    LoggerContext context = new LoggerContext();
    assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, c.configure(context));
    System.setProperty(CommandsLogging.MARK, "commands");
    System.setProperty(LogOptions.LOGBACK_CONFIGURATION, "mine.xml");
    assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, c.configure(context));
    assertNull(stderr(context));
    System.clearProperty(LogOptions.LOGBACK_CONFIGURATION);
    assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, c.configure(context));
    assertTrue(stderr(context).isStarted());
  }

  @picocli.CommandLine.Command(name = "cmd")
  static final class Cmd implements Runnable {
    @picocli.CommandLine.Mixin LogOptions logging = new LogOptions();

    @Override
    public void run() {}
  }

  @Test
  void theFlags_parsedAfterLogbackWasSetUp_setItUpAgain() {
    LoggerContext context = new LoggerContext();
    System.setProperty(CommandsLogging.MARK, "commands");
    System.setProperty(LogOptions.LEVEL, "WARN");
    new CommandsLogging().configure(context); // a class made a logger before the parsing
    assertInstanceOf(PatternLayoutEncoder.class, stderr(context).getEncoder());
    SpoolCli.commandLine(new Cmd()).parseArgs("--log-format", "json", "--verbose");
    assertInstanceOf(JsonEncoder.class, stderr(context).getEncoder());
    assertTrue(stderr(context).isStarted());
    assertEquals(Level.INFO, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
    assertEquals(1, countAppenders(context));
  }

  private static int countAppenders(LoggerContext context) {
    int n = 0;
    for (var it = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        it.hasNext();
        it.next()) {
      n++;
    }
    return n;
  }
}
