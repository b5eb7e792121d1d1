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
    return check(dir, history, faults, intervals, LOG);
  }

  private static Run check(Path dir, String history, String faults, String intervals, String log)
      throws Exception {
    Files.writeString(dir.resolve("history.jsonl"), history, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("producer-history.jsonl"), CHILD, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("workload.log"), log, StandardCharsets.UTF_8);
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
      {"t":24,"op":"result","id":"child-u-3","phase":"invoke","expected":9,"maybe":false}
      {"t":25,"op":"result","id":"child-u-3","phase":"ok","state":"succeeded","result":"9","attempts":1}
      {"t":26,"op":"result","id":"child-v-4","phase":"invoke","expected":16,"maybe":true}
      {"t":27,"op":"result","id":"child-v-4","phase":"ok","state":"unknown","attempts":0}
      {"t":40,"op":"lock","id":"lock-1","phase":"invoke","leaseMs":3000}
      {"t":41,"op":"lock","id":"lock-1","phase":"ok","token":5}
      {"t":42,"op":"lock","id":"lock-2","phase":"invoke","leaseMs":3000}
      {"t":42,"op":"fenced-write","id":"lock-1","phase":"invoke","token":5}
      {"t":43,"op":"fenced-write","id":"lock-1","phase":"ok","token":5}
      {"t":44,"op":"release","id":"lock-1","phase":"invoke","token":5}
      {"t":45,"op":"release","id":"lock-1","phase":"ok"}
      {"t":46,"op":"lock","id":"lock-2","phase":"ok","token":6}
      {"t":47,"op":"fenced-write","id":"lock-2","phase":"invoke","token":6}
      {"t":48,"op":"fenced-write","id":"lock-2","phase":"ok","token":6}
      {"t":49,"op":"release","id":"lock-2","phase":"invoke","token":6}
      {"t":50,"op":"release","id":"lock-2","phase":"ok"}
      {"t":60,"op":"schedule","phase":"info","name":"nemesis-tick","everyMs":2000}
      {"t":1000000000100,"op":"tick","phase":"run","id":"schedule.nemesis-tick.1000000000000","attempt":1}
      {"t":1000000002050,"op":"tick","phase":"run","id":"schedule.nemesis-tick.1000000002000","attempt":1}
      {"t":1000000002060,"op":"tick","phase":"run","id":"schedule.nemesis-tick.1000000002000","attempt":2}
      {"t":1000000003000,"op":"schedule","phase":"end","name":"nemesis-tick","fired":2}
      """;
  private static final String CHILD =
      """
      {"t":10,"op":"child-submit","id":"child-u-3","phase":"invoke"}
      {"t":11,"op":"child-submit","id":"child-u-3","phase":"ok"}
      {"t":12,"op":"child-submit","id":"child-v-4","phase":"invoke"}
      {"t":12,"op":"child-su""";
  private static final String LOG =
      """
      10:00:00.000 INFO  Scheduler - schedule nemesis-tick fired task schedule.nemesis-tick.1000000000000 (tick due 2001-09-09T01:46:40Z)
      10:00:02.000 INFO  Scheduler - schedule nemesis-tick fired task schedule.nemesis-tick.1000000002000 (tick due 2001-09-09T01:46:42Z)
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
    assertTrue(r.out().contains("lock grants                     2"), r.out());
    assertTrue(r.out().contains("occurrences run               2  (1 run again)"), r.out());
    assertTrue(r.out().contains("submits cut by a kill           1  (1 never published)"), r.out());
  }

  /**
   * Seed 3's first run: a release and the next grant in the same millisecond were called two
   * holders at once. Times are in milliseconds, so only a strict overlap is certain.
   */
  @Test
  void aGrantInTheMillisecondOfTheRelease_isNotTwoHolders(@TempDir Path dir) throws Exception {
    String sameMs =
        CLEAN
            .replace(
                "\"t\":42,\"op\":\"lock\",\"id\":\"lock-2\"",
                "\"t\":41,\"op\":\"lock\",\"id\":\"lock-2\"")
            .replace("\"t\":46,\"op\":\"lock\"", "\"t\":44,\"op\":\"lock\"");
    Run r = check(dir, sameMs, FAULTS, INTERVALS);
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("two holders at once             0"), r.out());
  }

  @Test
  void twoHoldersWhileRedisFailsOver_areReported_notFailed(@TempDir Path dir) throws Exception {
    String faults =
        FAULTS
            + "{\"fault\":\"kill-redis-primary\",\"target\":\"redis-primary\",\"start\":30,\"end\":40}\n";
    Run r =
        check(
            dir,
            CLEAN.replace("\"t\":46,\"op\":\"lock\"", "\"t\":43,\"op\":\"lock\""),
            faults,
            INTERVALS);
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("while Redis failed over       1"), r.out());
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
      { // a lost submit of the second producer: acknowledged, then no record
        CLEAN.replace(
            "\"state\":\"succeeded\",\"result\":\"9\",\"attempts\":1}",
            "\"state\":\"unknown\",\"attempts\":0}"),
        INTERVALS,
        "kept task child-u-3: still unknown after the faults (lost)"
      },
      { // a second holder granted while the first certainly held the lock
        CLEAN.replace("\"t\":46,\"op\":\"lock\"", "\"t\":43,\"op\":\"lock\""),
        INTERVALS,
        "lock held by lock-1 and lock-2 at once"
      },
      { // a fenced write accepted after a higher token's
        CLEAN.replace(
            "\"fenced-write\",\"id\":\"lock-2\",\"phase\":\"invoke\",\"token\":6",
            "\"fenced-write\",\"id\":\"lock-2\",\"phase\":\"invoke\",\"token\":4"),
        INTERVALS,
        "fenced write lock-2 with token 4 accepted after token 5"
      },
      { // an occurrence run before it was due
        CLEAN.replace("\"t\":1000000000100", "\"t\":999999999000"),
        INTERVALS,
        "schedule occurrence schedule.nemesis-tick.1000000000000 ran before it was due"
      },
      { // an occurrence off the schedule's grid
        CLEAN.replace("nemesis-tick.1000000002000", "nemesis-tick.1000000002500"),
        INTERVALS,
        "schedule occurrence schedule.nemesis-tick.1000000002500 is off its 2000 ms grid"
      },
    };
    for (String[] c : cases) {
      Run r = check(dir, c[0], FAULTS, c[1]);
      assertEquals(1, r.exit(), c[2] + ":\n" + r.out());
      assertTrue(r.out().contains(c[2]), c[2] + ":\n" + r.out());
    }
  }

  @Test
  void aScheduleFiredTwice_orFiredAndNeverRun_failsTheRun(@TempDir Path dir) throws Exception {
    String twice = LOG + LOG.lines().findFirst().orElseThrow() + "\n";
    Run r = check(dir, CLEAN, FAULTS, INTERVALS, twice);
    assertEquals(1, r.exit(), r.out());
    assertTrue(
        r.out().contains("schedule occurrence schedule.nemesis-tick.1000000000000 fired 2 times"),
        r.out());
    String unrun =
        LOG.replace("1000000002000 (tick", "1000000004000 (tick")
            + "10:00:03.000 INFO  Scheduler - schedule nemesis-tick: occurrences from a to b were"
            + " missed (no scheduler ran); fired one, task schedule.nemesis-tick.1000000002000\n";
    r = check(dir, CLEAN, FAULTS, INTERVALS, unrun);
    assertEquals(1, r.exit(), r.out());
    assertTrue(
        r.out()
            .contains(
                "schedule occurrence schedule.nemesis-tick.1000000004000 fired and never run"),
        r.out());
    assertTrue(r.out().contains("the schedulers counted 2 fires, their log 3"), r.out());
  }
}
