package dev.spool.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/spool-nemesis-check}, the judge of a nemesis run's history: it passes a clean history
 * and fails each kind of violation it promises to catch, naming it.
 */
final class NemesisCheckTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  private record Run(int exit, String out) {}

  private static Run check(Path dir, String history, String faults, String intervals)
      throws Exception {
    Files.writeString(dir.resolve("history.jsonl"), history, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("faults.jsonl"), faults, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("intervals.jsonl"), intervals, StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(
                "python3", ROOT.resolve("bin/spool-nemesis-check").toString(), dir.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return new Run(p.exitValue(), out);
  }

  private static final String CLEAN =
      """
      {"t":1,"op":"map","id":"m1","phase":"invoke","n":3,"chunked":false}
      {"t":9,"op":"map","id":"m1","phase":"ok","results":3,"wrong":0}
      {"t":2,"op":"locked","id":"l1","phase":"invoke","n":2}
      {"t":5,"op":"locked","id":"l1","phase":"ok","values":[1,2]}
      {"t":3,"op":"delayed","id":"d1","phase":"invoke","x":3,"due":"2026-12-05T10:00:01Z"}
      {"t":3,"op":"delayed","id":"d1","phase":"ok","submitted":true}
      {"t":4,"op":"cancel","id":"c1","phase":"invoke","x":2,"cancel":true}
      {"t":4,"op":"cancel","id":"c1","phase":"ok","cancelled":true}
      {"t":20,"op":"result","id":"d1","phase":"invoke","expected":9}
      {"t":21,"op":"result","id":"d1","phase":"ok","state":"succeeded","result":"9","started":"2026-12-05T10:00:01.200Z","attempts":1}
      {"t":22,"op":"result","id":"c1","phase":"invoke","expected":-1}
      {"t":23,"op":"result","id":"c1","phase":"ok","state":"cancelled","attempts":0}
      """;
  private static final String FAULTS =
      """
      {"fault":"kill9-node","target":"rabbit-2","start":2,"end":8}
      """;
  private static final String INTERVALS =
      """
      {"fencingToken":1,"startMicros":100,"endMicros":200,"worker":"a"}
      {"fencingToken":2,"startMicros":300,"endMicros":400,"worker":"b"}
      """;

  @Test
  void aCleanHistory_passes_withItsFigures(@TempDir Path dir) throws Exception {
    Run r = check(dir, CLEAN, FAULTS, INTERVALS);
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("kill9-node                      1"), r.out());
    assertTrue(r.out().contains("OK: no failure in the history"), r.out());
    assertTrue(r.out().contains("during: kill9-node rabbit-2"), r.out());
  }

  @Test
  void eachViolation_failsTheRun_namingIt(@TempDir Path dir) throws Exception {
    String[][] cases = {
      { // a map that never ended
        CLEAN + "{\"t\":30,\"op\":\"map\",\"id\":\"m2\",\"phase\":\"invoke\",\"n\":5}\n",
        INTERVALS,
        "map m2: invoked at 30 and never ended"
      },
      { // a wrong result
        CLEAN.replace("\"result\":\"9\"", "\"result\":\"10\""),
        INTERVALS,
        "kept task d1: result 10, expected 9"
      },
      { // lost: still pending after the faults
        CLEAN.replace("\"state\":\"succeeded\"", "\"state\":\"pending\""),
        INTERVALS,
        "kept task d1: still pending after the faults (lost)"
      },
      { // a delayed task run early
        CLEAN.replace("10:00:01.200Z", "10:00:00.500Z"),
        INTERVALS,
        "delayed task d1: started 2026-12-05T10:00:00.500Z"
      },
      { // a cancelled task that ran
        CLEAN.replace("\"state\":\"cancelled\"", "\"state\":\"succeeded\""),
        INTERVALS,
        "cancelled task c1 succeeded"
      },
      { // a counter value twice
        CLEAN.replace("\"values\":[1,2]", "\"values\":[1,1]"),
        INTERVALS,
        "locked-increment value 1 returned 2 times"
      },
      { // a stale fenced write accepted
        CLEAN,
        INTERVALS + "{\"fencingToken\":1,\"startMicros\":500,\"endMicros\":600,\"worker\":\"c\"}\n",
        "fenced write with token 1 accepted after token 2"
      },
    };
    for (String[] c : cases) {
      Run r = check(dir, c[0], FAULTS, c[1]);
      assertEquals(1, r.exit(), c[2] + ":\n" + r.out());
      assertTrue(r.out().contains(c[2]), c[2] + ":\n" + r.out());
    }
  }
}
