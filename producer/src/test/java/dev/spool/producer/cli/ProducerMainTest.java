package dev.spool.producer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ProducerMainTest {
  private static final List<String> ALL =
      List.of(
          "map",
          "apply",
          "result",
          "cancel",
          "schedule",
          "scheduler",
          "pause",
          "resume",
          "stop",
          "demo",
          "dead",
          "status",
          "workers",
          "ping",
          "inspect",
          "state",
          "workflow");

  private static List<String> commands(String... args) {
    return List.copyOf(ProducerMain.commandLine(args).getSubcommands().keySet());
  }

  @Test
  void aNamedCommand_isTheOnlyOneBuilt_whereverItStands() {
    assertEquals(List.of("map"), commands("map", "square", "--range", "0:10"));
    assertEquals(List.of("status"), commands("--verbose", "status"));
    assertEquals(List.of("status"), commands("--log-format=json", "status", "--watch"));
    // a task named like a command is an argument of the command before it
    assertEquals(List.of("apply"), commands("apply", "stop", "3"));
  }

  @Test
  void noCommand_help_orAMisspeltOne_buildAll_inTheUsagesOrder() {
    assertEquals(ALL, commands());
    assertEquals(ALL, commands("--help"));
    assertEquals(ALL, commands("--help", "map")); // the usage of spool-producer itself
    assertEquals(List.of("map"), commands("map", "--help"));
    assertEquals(ALL, commands("mpa", "square"));
  }

  @Test
  void aMisspeltCommand_isAnsweredWithTheNearOnes_andExit2() {
    StringWriter err = new StringWriter();
    CommandLine cl = ProducerMain.commandLine("stats");
    cl.setErr(new PrintWriter(err));
    assertEquals(2, cl.execute("stats"));
    assertTrue(
        err.toString().contains("Did you mean: spool-producer state or spool-producer status"),
        err.toString());
  }

  @Test
  void aCommandBuiltAlone_keepsSpoolsConverters() {
    StringWriter err = new StringWriter();
    CommandLine cl = ProducerMain.commandLine("stop", "--timeout", "-5s");
    cl.setErr(new PrintWriter(err));
    assertEquals(2, cl.execute("stop", "--timeout", "-5s"));
    assertTrue(err.toString().contains("--timeout"), err.toString());
  }
}
