package dev.spool.consumer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.consumer.ConsumerConfig;
import dev.spool.core.cli.SpoolCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The consumer's options as picocli reads them: durations, per-task maps, and their errors. */
final class ConsumerMainTest {
  private static ConsumerConfig parse(String... args) {
    ConsumerMain main = new ConsumerMain();
    SpoolCli.commandLine(main).parseArgs(args);
    return main.consumerConfig();
  }

  /** Runs the command line on bad arguments: it must stop at parsing, before connecting. */
  private static String[] refuse(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = SpoolCli.commandLine(new ConsumerMain());
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    int rc = cl.execute(args);
    return new String[] {Integer.toString(rc), err.toString()};
  }

  @Test
  void durationsAndPerTaskSettings_readIntoTheConsumerConfig() {
    ConsumerConfig c =
        parse(
            "--drain-timeout",
            "90s",
            "--time-limit",
            "PT20M",
            "--task-time-limit",
            "report=1h",
            "--task-time-limit",
            "ping=500ms",
            "--retry",
            "charge=5/2s",
            "--retry",
            "mail=2",
            "--retry-delay",
            "3s");
    assertEquals(Duration.ofSeconds(90), c.drainTimeout());
    assertEquals(Duration.ofMinutes(20), c.timeLimit());
    assertEquals(Duration.ofHours(1), c.timeLimitFor("report"));
    assertEquals(Duration.ofMillis(500), c.timeLimitFor("ping"));
    assertEquals(5, c.retryFor("charge").maxAttempts());
    assertEquals(Duration.ofSeconds(2), c.retryFor("charge").baseDelay());
    assertEquals(2, c.retryFor("mail").maxAttempts());
    assertEquals(Duration.ofSeconds(3), c.retryFor("mail").baseDelay(), "the default delay");
    assertEquals(Duration.ofSeconds(60), parse().drainTimeout(), "the documented default");
  }

  @Test
  void badValues_exit2NamingTheOptionAndTheFix() {
    String[] junk = refuse("--drain-timeout", "soon");
    assertEquals("2", junk[0]);
    assertTrue(junk[1].contains("--drain-timeout"), junk[1]);
    assertTrue(junk[1].contains("'soon' is not a duration; write e.g. 500ms"), junk[1]);

    String[] zero = refuse("--time-limit", "0s");
    assertEquals("2", zero[0]);
    assertTrue(zero[1].contains("--time-limit") && zero[1].contains("longer than zero"), zero[1]);

    String[] retry = refuse("--retry", "charge=five");
    assertEquals("2", retry[0]);
    assertTrue(retry[1].contains("should be ATTEMPTS[/DELAY]"), retry[1]);

    String[] pair = refuse("--task-time-limit", "report");
    assertEquals("2", pair[0]);
    assertTrue(pair[1].contains("--task-time-limit"), pair[1]);
  }
}
