package dev.spool.producer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class ProgressTest {
  private final AtomicLong now = new AtomicLong();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private Progress progress(Progress.Mode mode) {
    return new Progress("map square", 1000, out, mode, Duration.ofSeconds(5), now::get);
  }

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private void at(double seconds) {
    now.set((long) (seconds * 1e9));
  }

  @Test
  void lines_onePlainLineEveryInterval_thenASummary() {
    Progress p = progress(Progress.Mode.lines);
    at(1);
    p.update(100);
    assertEquals("", printed(), "nothing before the interval");
    at(5);
    p.update(250);
    at(6);
    p.update(300);
    at(10);
    p.update(500);
    at(20);
    p.finish(1000);
    assertEquals(
        String.join(
                "\n",
                "map square: 250 of 1,000 (25%), 50/s, 0:15 left",
                "map square: 500 of 1,000 (50%), 50/s, 0:10 left",
                "map square: 1,000 of 1,000 in 20.0 s (50/s)")
            + "\n",
        printed().replace("\r\n", "\n"));
    assertFalse(printed().contains("\u001b"), "no terminal codes");
  }

  @Test
  void bar_redrawnInPlace_withDoneRateAndTimeLeft_thenASummaryLine() {
    Progress p = progress(Progress.Mode.bar);
    at(0.5);
    p.update(500);
    String first = printed();
    assertTrue(first.startsWith("\rmap square ["), first);
    assertTrue(first.contains("[" + "#".repeat(14) + "-".repeat(14) + "]"), first);
    assertTrue(first.contains("500 of 1,000 (50%), 1,000/s, 0:01 left"), first);
    assertFalse(first.contains("\n"), "redrawn on the same line");
    at(0.6);
    p.update(600);
    assertEquals(first, printed(), "not redrawn within 200 ms");
    at(1.0);
    p.finish(1000);
    assertTrue(
        printed()
            .replace("\r\n", "\n")
            .endsWith("\rmap square: 1,000 of 1,000 in 1.0 s (1,000/s)\u001b[K\n"),
        printed());
  }

  @Test
  void none_printsNothing() {
    Progress p = progress(Progress.Mode.none);
    at(60);
    p.update(10);
    p.finish(1000);
    assertEquals("", printed());
  }

  @Test
  void clock_minutesAndHours() {
    assertEquals("0:07", Progress.clock(7));
    assertEquals("2:05", Progress.clock(125));
    assertEquals("1:01:01", Progress.clock(3661));
  }

  @Test
  void stderrIsTerminal_followsTheLaunchersHint_andDumbTerminals() {
    assertTrue(Progress.stderrIsTerminal(Map.of("SPOOL_STDERR_TTY", "1")));
    assertFalse(Progress.stderrIsTerminal(Map.of("SPOOL_STDERR_TTY", "0")));
    assertFalse(Progress.stderrIsTerminal(Map.of("SPOOL_STDERR_TTY", "1", "TERM", "dumb")));
  }

  @Test
  void isTerminal_readsTheHintOfTheStreamAsked() {
    Map<String, String> env = Map.of("SPOOL_STDERR_TTY", "1", "SPOOL_STDOUT_TTY", "0");
    assertTrue(Progress.isTerminal(env, "SPOOL_STDERR_TTY"));
    assertFalse(Progress.isTerminal(env, "SPOOL_STDOUT_TTY"), "stdout redirected: no redraw codes");
  }
}
