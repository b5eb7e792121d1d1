package dev.spool.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

final class SpoolCliTest {

  @Command(name = "breaks")
  static final class Breaks implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new NoClassDefFoundError("com/rabbitmq/utility/Utility");
    }
  }

  @Command(name = "works")
  static final class Works implements Callable<Integer> {
    @Override
    public Integer call() {
      return 0;
    }
  }

  @Test
  void execute_anErrorOutOfTheCommand_isPrintedAndAFailure_notThrownPastMain() {
    // picocli itself hands the Error on: a main calling it directly would never reach its exit
    CommandLine direct = SpoolCli.commandLine(new Breaks());
    org.junit.jupiter.api.Assertions.assertThrows(NoClassDefFoundError.class, direct::execute);

    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = SpoolCli.execute("spool-test", SpoolCli.commandLine(new Breaks()));
    } finally {
      System.setErr(err);
    }
    assertEquals(SpoolCli.EXIT_FAILURE, code);
    String printed = captured.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("spool-test: stopped by java.lang.NoClassDefFoundError"), printed);
  }

  @Test
  void execute_aCommandThatSucceeds_returnsItsCode() {
    assertEquals(0, SpoolCli.execute("spool-test", SpoolCli.commandLine(new Works())));
  }
}
