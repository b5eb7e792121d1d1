package dev.spool.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

final class LogOptionsTest {
  @Command(name = "cmd")
  static final class Cmd implements Runnable {
    @Mixin LogOptions logging = new LogOptions();

    @Override
    public void run() {}
  }

  @AfterEach
  void clear() {
    System.clearProperty(LogOptions.VARIABLE);
  }

  @Test
  void prepare_badEnvironmentValue_refusedNamingTheVariable() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertFalse(
        LogOptions.prepare(
            "spool-x", Map.of("SPOOL_LOG_FORMAT", "xml"), new PrintStream(err, true)));
    assertEquals(
        "spool-x: SPOOL_LOG_FORMAT must be text or json, was 'xml'",
        err.toString(StandardCharsets.UTF_8).trim());
    assertTrue(LogOptions.prepare("spool-x", Map.of("SPOOL_LOG_FORMAT", "JSON"), System.err));
    assertEquals("json", System.getProperty(LogOptions.VARIABLE));
    assertEquals("commands", System.getProperty(CommandsLogging.MARK));
  }

  @Test
  void flag_parsedByPicocli_winsOverTheEnvironment() {
    LogOptions.prepare("spool-x", Map.of("SPOOL_LOG_FORMAT", "json"), System.err);
    SpoolCli.commandLine(new Cmd()).parseArgs("--log-format", "Text");
    assertEquals("text", System.getProperty(LogOptions.VARIABLE));
    CommandLine cl = SpoolCli.commandLine(new Cmd());
    cl.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
    assertEquals(2, cl.execute("--log-format", "xml"));
  }
}
