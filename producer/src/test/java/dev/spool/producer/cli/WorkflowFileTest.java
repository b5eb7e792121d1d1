package dev.spool.producer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

final class WorkflowFileTest {
  @Test
  void parse_chainsGroupsChordsAndOptions_asTheJavaApiBuildsThem() {
    assertEquals(
        "chain[chain[group[square(1), square(2){\"priority\":5}], add()],"
            + " charge(){\"rateKey\":\"acme\",\"delayMs\":30000}]",
        WorkflowFile.parse(
                """
                {"chain": [
                  {"chord": [{"task": "square", "input": 1},
                             {"task": "square", "input": 2, "priority": 5}],
                   "then": {"task": "add"}},
                  {"task": "charge", "rateKey": "acme", "delay": "30s"}]}
                """)
            .toString());
  }

  @Test
  void parse_mistakes_areNamedByTheirPlace() {
    String[][] cases = {
      {"", "the workflow file is empty"},
      {"{\"chain\": [", "the workflow is not JSON"},
      {"[]", "$: a step is an object"},
      {"{\"task\": \"a\", \"chain\": []}", "$: a step is one of [task, chain], not several"},
      {"{\"group\": []}", "$.group: needs at least one step"},
      {"{\"group\": [{\"task\": \"a\", \"inptu\": 1}]}", "$.group[0]: unknown field \"inptu\""},
      {"{\"chord\": [{\"task\": \"a\"}]}", "$: a chord needs \"then\""},
      {"{\"task\": \"a\", \"priority\": 12}", "$: a step's priority is 0 to 9, not 12"},
      {"{\"task\": \"a\", \"priority\": \"high\"}", "$.priority: a priority is a whole number"},
      {"{\"task\": \"a\", \"delay\": \"soon\"}", "$.delay: "},
      {"{\"task\": \"Bad Name!\"}", "$: "},
      {
        "{\"chain\": [{\"task\": \"a\", \"input\": 1}, {\"task\": \"b\", \"input\": 2}]}",
        "$: step 2 of a chain has an input of its own"
      },
      {"{\"chain\": [{\"task\": 7}]}", "$.chain[0].task: the task's name is a string"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> WorkflowFile.parse(c[0]), c[0]);
      assertEquals(true, e.getMessage().startsWith(c[1]), c[0] + " -> " + e.getMessage());
    }
  }
}
