package dev.spool.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class StageEventsTest {
  /** Records one event of each kind, as a producer and a consumer do on their first task. */
  static final class Record {
    public static void main(String[] args) {
      long t = System.nanoTime();
      StageEvents.sent("t1", t, t);
      StageEvents.task("t1", t, t, t, t, t, t);
      StageEvents.result("t1", t);
      System.out.println("recorded");
    }
  }

  private static String loadedClasses(String... jvmOptions) throws Exception {
    String classpath =
        Path.of(StageEvents.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            + File.pathSeparator
            + Path.of(Record.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xlog:class+load=info"));
    cmd.addAll(List.of(jvmOptions));
    cmd.addAll(List.of("-cp", classpath, Record.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("recorded"), out);
    return out;
  }

  @Test
  void events_inAJvmWithoutARecording_leaveJfrUnloaded() throws Exception {
    // Loading an event class sets up JFR's metadata: 50 ms of CPU on a JVM's first task.
    String out = loadedClasses();
    assertFalse(out.contains("dev.spool.core.wire.StageEvents$Sent "), "event class loaded");
    assertFalse(out.contains("jdk.jfr.internal.MetadataRepository "), "JFR set up");
  }

  @Test
  void events_inAJvmWithARecording_areLoaded() throws Exception {
    String out = loadedClasses("-XX:StartFlightRecording:settings=none", "-Xlog:jfr=off");
    assertTrue(out.contains("dev.spool.core.wire.StageEvents$Sent "), "event class not loaded");
    assertTrue(out.contains("dev.spool.core.wire.StageEvents$Task "), "event class not loaded");
  }
}
