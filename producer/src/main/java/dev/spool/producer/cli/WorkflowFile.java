package dev.spool.producer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spool.producer.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A workflow described in JSON, as {@code spool-producer workflow submit FILE} reads it. Each step
 * is an object with one of four keys:
 *
 * <pre>
 * {"task": "square", "input": 3, "priority": 5, "rateKey": "acme", "delay": "30s"}
 * {"chain": [step, step, ...]}
 * {"group": [step, step, ...]}
 * {"chord": [step, step, ...], "then": step}
 * </pre>
 *
 * A task without {@code input} takes what comes before it: the previous step's result in a chain,
 * the list of the group's results as a chord's {@code then}. {@code priority} (1 to 9), {@code
 * rateKey} and {@code delay} (e.g. {@code 30s}, {@code 5m}) are the task's own. An error names the
 * place in the file, as {@code $.chain[1].chord[0]}.
 */
final class WorkflowFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TASK_FIELDS =
      Set.of("task", "input", "priority", "rateKey", "delay");

  private WorkflowFile() {}

  /**
   * The workflow {@code text} describes.
   *
   * @throws IllegalArgumentException naming where the description is wrong
   */
  static Workflow parse(String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the workflow is not JSON: " + e.getOriginalMessage() + location(e));
    }
    if (root == null || root.isMissingNode()) {
      throw new IllegalArgumentException("the workflow file is empty");
    }
    return step(root, "$");
  }

  private static String location(JsonProcessingException e) {
    var l = e.getLocation();
    return l == null ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
  }

  private static Workflow step(JsonNode n, String at) {
    if (!n.isObject()) {
      throw wrong(at, "a step is an object with \"task\", \"chain\", \"group\" or \"chord\"");
    }
    List<String> kinds = new ArrayList<>();
    for (String k : List.of("task", "chain", "group", "chord")) if (n.has(k)) kinds.add(k);
    if (kinds.size() != 1) {
      throw wrong(
          at,
          kinds.isEmpty()
              ? "a step needs one of \"task\", \"chain\", \"group\", \"chord\""
              : "a step is one of " + kinds + ", not several");
    }
    try {
      return switch (kinds.getFirst()) {
        case "task" -> task(n, at);
        case "chain" -> {
          only(n, at, Set.of("chain"));
          yield Workflow.chain(steps(n.get("chain"), at + ".chain"));
        }
        case "group" -> {
          only(n, at, Set.of("group"));
          yield Workflow.group(steps(n.get("group"), at + ".group"));
        }
        default -> {
          only(n, at, Set.of("chord", "then"));
          if (!n.has("then")) throw wrong(at, "a chord needs \"then\": the step after its group");
          yield Workflow.chord(
              Workflow.group(steps(n.get("chord"), at + ".chord")),
              step(n.get("then"), at + ".then"));
        }
      };
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("$")) throw e;
      throw wrong(at, e.getMessage());
    }
  }

  private static Workflow task(JsonNode n, String at) {
    only(n, at, TASK_FIELDS);
    JsonNode name = n.get("task");
    if (!name.isTextual()) throw wrong(at + ".task", "the task's name is a string");
    Workflow w;
    if (n.has("input")) {
      w = Workflow.task(name.asText(), JSON.convertValue(n.get("input"), Object.class));
    } else {
      w = Workflow.task(name.asText());
    }
    if (n.has("priority")) {
      JsonNode p = n.get("priority");
      if (!p.canConvertToInt() || !p.isIntegralNumber()) {
        throw wrong(at + ".priority", "a priority is a whole number from 0 to 9");
      }
      w = w.withPriority(p.asInt());
    }
    if (n.has("rateKey")) {
      if (!n.get("rateKey").isTextual()) throw wrong(at + ".rateKey", "a rate key is a string");
      w = w.withRateKey(n.get("rateKey").asText());
    }
    if (n.has("delay")) {
      if (!n.get("delay").isTextual()) {
        throw wrong(at + ".delay", "a delay is a duration such as \"30s\" or \"5m\"");
      }
      Duration d;
      try {
        d = dev.spool.Durations.parsePositive(n.get("delay").asText());
      } catch (IllegalArgumentException e) {
        throw wrong(at + ".delay", e.getMessage());
      }
      w = w.withDelay(d);
    }
    return w;
  }

  private static List<Workflow> steps(JsonNode a, String at) {
    if (!a.isArray()) throw wrong(at, "a list of steps, [...]");
    if (a.isEmpty()) throw wrong(at, "needs at least one step");
    List<Workflow> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) out.add(step(a.get(i), at + "[" + i + "]"));
    return out;
  }

  private static void only(JsonNode n, String at, Set<String> allowed) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw wrong(at, "unknown field \"" + f + "\" (a step of this kind takes " + allowed + ")");
      }
    }
  }

  private static IllegalArgumentException wrong(String at, String what) {
    return new IllegalArgumentException(at + ": " + what);
  }
}
