package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spool.core.wire.Topology;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spool-producer workflow submit|status|cancel}, run as processes on the file and the
 * commands docs/guides/workflows.md prints, against consumer processes.
 */
@ExtendWith(SpoolServicesExtension.class)
final class WorkflowCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private SpoolProcesses procs;

  @AfterEach
  void stop() throws Exception {
    if (procs != null) procs.close();
  }

  /** The JSON block of the guide's command-line section, as a user copies it. */
  private static String guideFile() throws Exception {
    String guide =
        Files.readString(Path.of("..", "docs", "guides", "workflows.md"), StandardCharsets.UTF_8);
    String section = guide.substring(guide.indexOf("## From the command line"));
    Matcher m = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(section);
    assertTrue(m.find(), "the guide's section has a JSON block");
    return m.group(1);
  }

  @Test
  void theGuidesChord_submittedWaitedForAndShown(SpoolTestEnv env, TestInfo info, @TempDir Path dir)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(2, false);
    Path file = Files.writeString(dir.resolve("sums.json"), guideFile());

    SpoolProcesses.Run waited =
        procs.runProducer("workflow", "submit", file.toString(), "--wait", "1m");
    assertEquals(0, waited.exit(), waited.stderr());
    assertEquals("14", waited.stdout().trim());

    SpoolProcesses.Run submitted = procs.runProducer("workflow", "submit", file.toString());
    assertEquals(0, submitted.exit(), submitted.stderr());
    String id = submitted.stdout().trim();
    try (Spool spool = TestSpools.connect(env)) {
      assertEquals(14L, spool.result(id).get(Long.class, Duration.ofMinutes(1)));
    }
    SpoolProcesses.Run status = procs.runProducer("workflow", "status", id);
    assertEquals(0, status.exit(), status.stderr());
    assertTrue(
        status.stdout().startsWith("workflow " + id + ": succeeded, 4 of 4 steps succeeded\n"),
        status.stdout());
    assertTrue(
        status.stdout().contains("    square  " + id + ".4  succeeded  {\"priority\":5}\n"),
        status.stdout());
    assertTrue(status.stdout().contains("  add  " + id + ".5  succeeded\n"), status.stdout());
    assertTrue(status.stdout().endsWith("result: 14\n"), status.stdout());

    JsonNode json = JSON.readTree(procs.runProducer("workflow", "status", id, "--json").stdout());
    assertEquals("succeeded", json.get("state").asText());
    assertEquals(14, json.get("result").asInt());
    assertEquals(6, json.get("nodes").size(), "chain, group, three squares, add");
    assertEquals(5, json.get("nodes").get(4).get("options").get("priority").asInt());
  }

  @Test
  void aFailingChord_namesTheStepThatFailedIt(SpoolTestEnv env, TestInfo info, @TempDir Path dir)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(1, false);
    Path file =
        Files.writeString(
            dir.resolve("fails.json"),
            """
            {"chord": [{"task": "square", "input": 1},
                       {"task": "fail", "input": "no such customer"}],
             "then": {"task": "add"}}
            """);
    SpoolProcesses.Run run =
        procs.runProducer("workflow", "submit", file.toString(), "--wait", "1m", "--id", "wf-fail");
    assertEquals(1, run.exit(), run.stdout());
    assertTrue(
        run.stderr().contains("workflow wf-fail failed: ")
            && run.stderr().contains("step wf-fail.3 ('fail') failed: "),
        run.stderr());

    SpoolProcesses.Run status = procs.runProducer("workflow", "status", "wf-fail");
    assertEquals(1, status.exit());
    assertTrue(status.stdout().contains("fail  wf-fail.3  failed\n"), status.stdout());
    assertTrue(status.stdout().contains("add  wf-fail.4  not run\n"), status.stdout());
  }

  @Test
  void cancel_stopsAChainWaitingOnADelayedStep_whichNeverRuns(
      SpoolTestEnv env, TestInfo info, @TempDir Path dir) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(1, false);
    Path file =
        Files.writeString(
            dir.resolve("later.json"),
            """
            {"chain": [{"task": "square", "input": 3},
                       {"task": "square", "delay": "1h"},
                       {"task": "square"}]}
            """);
    SpoolProcesses.Run submitted =
        procs.runProducer("workflow", "submit", file.toString(), "--id", "wf-later");
    assertEquals(0, submitted.exit(), submitted.stderr());
    try (RedisState state = env.sharedState()) {
      var delayed = state.schedule(Topology.delayedSchedule("tasks"));
      // The first step ran; the second waits in Redis for its hour.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> state.workflows().read("wf-later").orElseThrow().nodes().get(1).done());
      await().atMost(Duration.ofSeconds(10)).until(() -> delayed.waiting() == 1);
      SpoolProcesses.Run pending = procs.runProducer("workflow", "status", "wf-later");
      assertEquals(3, pending.exit(), "still running");
      assertTrue(pending.stdout().contains("wf-later.2  pending  {\"delayMs\":3600000}"));

      SpoolProcesses.Run cancel = procs.runProducer("workflow", "cancel", "wf-later");
      assertEquals(0, cancel.exit(), cancel.stderr());
      assertEquals("wf-later cancelled, with its steps not yet ended", cancel.stdout().trim());
      SpoolProcesses.Run status = procs.runProducer("workflow", "status", "wf-later");
      assertEquals(1, status.exit());
      assertTrue(status.stdout().startsWith("workflow wf-later: cancelled"), status.stdout());
      assertTrue(status.stdout().contains("wf-later.2  cancelled"), status.stdout());
      assertEquals(0, delayed.waiting(), "the delayed step is out of Redis: it never runs");

      SpoolProcesses.Run again = procs.runProducer("workflow", "cancel", "wf-later");
      assertEquals(1, again.exit());
      assertTrue(again.stdout().contains("already ended (cancelled)"), again.stdout());
      SpoolProcesses.Run task = procs.runProducer("workflow", "cancel", "no-such-flow");
      assertEquals(1, task.exit());
      assertTrue(task.stderr().contains("no workflow no-such-flow"), task.stderr());
    }
  }

  @Test
  void aWrongFile_isNamedByItsPlace_andNothingIsSubmitted(
      SpoolTestEnv env, TestInfo info, @TempDir Path dir) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    Path file =
        Files.writeString(
            dir.resolve("typo.json"),
            "{\"chord\": [{\"task\": \"square\", \"input\": 1}, {\"task\": \"square\","
                + " \"inptu\": 2}], \"then\": {\"task\": \"add\"}}");
    SpoolProcesses.Run run = procs.runProducer("workflow", "submit", file.toString());
    assertEquals(2, run.exit(), run.stderr());
    assertTrue(run.stderr().contains("$.chord[1]: unknown field \"inptu\""), run.stderr());
    assertEquals("", run.stdout());
  }
}
