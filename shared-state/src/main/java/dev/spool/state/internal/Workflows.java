package dev.spool.state.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spool.StateCodecException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The state of workflows (chains and groups of tasks, nested) as consumers advance them: the store
 * behind {@code chain}, {@code group} and {@code chord}. A workflow is a tree of nodes: tasks
 * (leaves), chains (children one after another, each child's result the next one's input) and
 * groups (children side by side; their results, in order, are the group's result). A chord is a
 * chain of a group and a task.
 *
 * <p>When a step (a task node) succeeds, its consumer calls {@link #complete}: one Lua script marks
 * the node done (once: a step that ran twice is counted once), climbs the tree (the next child of a
 * chain; a group's count of members left, and its results once the last ended) and returns the
 * tasks to send next. Those are stored with the node, so that a consumer that died before sending
 * them can send them again from a redelivery. A failed step fails the whole workflow at once
 * ({@link #fail}), with its error. The workflow's own end is written to its task record ({@link
 * TaskRecords}), so that it is read like any kept result.
 *
 * <p>A workflow is created {@code submitting}, with a time by which its submitter must have seen
 * its first steps confirmed by the broker ({@link #submitted} then makes it {@code running}; so
 * does the first step that ends). One still submitting past that time failed: its submitter gave up
 * or died before the broker had its first steps. Its record reads {@code failed} from then on, and
 * a step of it that ends late is not advanced, so it never reads {@code pending} for a day.
 *
 * <p>Key: {@code <ns>:flow:<id>}, a hash of the nodes ({@code k.N} kind, {@code nm.N} task name,
 * {@code in.N} input JSON, {@code p.N} parent, {@code i.N} index in the parent, {@code c.N}
 * children, {@code ch.N.I} child I, {@code left.N} a group's members not done, {@code done.N},
 * {@code r.N.I} a group member's result, {@code next.N} what node N's end sent), expiring with the
 * workflow's keep time. Thread-safe.
 */
public final class Workflows {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One node of a workflow's tree, by its index in the list given to {@link #create}.
   *
   * @param kind {@code task}, {@code chain} or {@code group}
   * @param name the task name (tasks only)
   * @param inputJson the task's own input as JSON, or null when it takes the previous result
   * @param parent the parent's index, -1 for the root
   * @param index its place among its parent's children
   * @param children its children's indexes, in order
   * @param optionsJson a task's own options as JSON ({@code priority}, {@code rateKey}, {@code
   *     delayMs}), or null
   */
  public record Node(
      String kind,
      String name,
      String inputJson,
      int parent,
      int index,
      List<Integer> children,
      String optionsJson) {
    public Node {
      Objects.requireNonNull(kind, "kind");
      children = List.copyOf(children);
    }

    /** A node without options of its own. */
    public Node(
        String kind, String name, String inputJson, int parent, int index, List<Integer> children) {
      this(kind, name, inputJson, parent, index, children, null);
    }
  }

  /**
   * A task to send: step {@code node} of the workflow.
   *
   * @param node the node's index
   * @param name the task name
   * @param inputJson its input as JSON
   * @param optionsJson its own options as JSON, or null
   */
  public record Step(int node, String name, String inputJson, String optionsJson) {}

  /**
   * What one step's end did.
   *
   * @param counted whether this call counted the step (false: it was counted before)
   * @param next the tasks to send now
   * @param ended whether the workflow has ended (succeeded, or failed earlier)
   */
  public record Completion(boolean counted, List<Step> next, boolean ended) {}

  private static final String NOW =
      """
      local t = redis.call('TIME')
      local now = string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
      """;

  /**
   * What a workflow's record says once its submitter gave up, or died, before the broker had its
   * first steps: nothing of it ran, or what ran is not advanced.
   */
  public static final String ABANDONED_ERROR =
      "{\"type\":\"dev.spool.SpoolException\",\"message\":\"its submitter stopped before"
          + " the broker confirmed its first steps; submit it again\",\"worker\":\"unknown\"}";

  /**
   * A workflow still {@code submitting} (KEYS[1] flow, KEYS[2] record) either becomes {@code
   * running} or, past its abandon time, {@code failed} (ARGV[5] the error); sets {@code state}.
   */
  private static final String SETTLE_SUBMITTING =
      """
      if state == 'submitting' then
        local abandon = tonumber(redis.call('HGET', KEYS[1], 'abandon') or '0')
        if abandon > 0 and tonumber(now) > abandon then
          redis.call('HSET', KEYS[1], 'state', 'failed')
          redis.call('HSET', KEYS[2], 'state', 'failed', 'error', ARGV[5], 'finished', abandon)
          redis.call('HDEL', KEYS[2], 'abandon')
          state = 'failed'
        else
          redis.call('HSET', KEYS[1], 'state', 'running')
          redis.call('HDEL', KEYS[2], 'abandon')
          state = 'running'
        end
      end
      """;

  /**
   * KEYS flow, record; ARGV node, result JSON, republish (1/0), keep ms, abandoned error JSON.
   * Returns {counted, ended, next steps as JSON [node, name, input, options, ...], fields a step};
   * {-1} when the workflow is unknown.
   */
  private static final Script COMPLETE =
      new Script(
          NOW
              + """
              local flow = KEYS[1]
              local state = redis.call('HGET', flow, 'state')
              if not state then return {-1} end
              """
              + SETTLE_SUBMITTING
              + """
              if state ~= 'running' then return {0, 1, '[]', 4} end
              local node = ARGV[1]
              if redis.call('HSETNX', flow, 'done.' .. node, 1) == 0 then
                if ARGV[3] == '1' then
                  local sent = redis.call('HGET', flow, 'nx.' .. node)
                  if sent then return {0, 0, sent, 4} end
                  -- what a consumer before step options stored: three fields a step
                  return {0, 0, redis.call('HGET', flow, 'next.' .. node) or '[]', 3}
                end
                return {0, 0, '[]', 4}
              end
              if redis.call('HGET', KEYS[2], 'state') == 'pending' then
                redis.call('HSET', KEYS[2], 'state', 'started', 'started', now)
              end
              -- a workflow running longer than its keep time must not expire mid-run
              if redis.call('PTTL', flow) < tonumber(ARGV[4]) then
                redis.call('PEXPIRE', flow, ARGV[4])
                redis.call('PEXPIRE', KEYS[2], ARGV[4])
              end
              local out = {}
              local function start(n, value)
                local kind = redis.call('HGET', flow, 'k.' .. n)
                if kind == 'task' then
                  out[#out + 1] = n
                  out[#out + 1] = redis.call('HGET', flow, 'nm.' .. n)
                  out[#out + 1] = value or redis.call('HGET', flow, 'in.' .. n) or 'null'
                  out[#out + 1] = redis.call('HGET', flow, 'o.' .. n) or ''
                elseif kind == 'chain' then
                  start(redis.call('HGET', flow, 'ch.' .. n .. '.0'), value)
                else
                  local c = tonumber(redis.call('HGET', flow, 'c.' .. n))
                  for i = 0, c - 1 do
                    start(redis.call('HGET', flow, 'ch.' .. n .. '.' .. i), value)
                  end
                end
              end
              local value = ARGV[2]
              local n = node
              while true do
                local p = redis.call('HGET', flow, 'p.' .. n)
                if not p then
                  redis.call('HSET', flow, 'state', 'succeeded')
                  redis.call('HSET', KEYS[2], 'state', 'succeeded', 'result', value, 'finished', now)
                  redis.call('PEXPIRE', KEYS[2], ARGV[4])
                  redis.call('PEXPIRE', flow, ARGV[4])
                  return {1, 1, '[]', 4}
                end
                local idx = tonumber(redis.call('HGET', flow, 'i.' .. n))
                if redis.call('HGET', flow, 'k.' .. p) == 'chain' then
                  local c = tonumber(redis.call('HGET', flow, 'c.' .. p))
                  if idx + 1 < c then
                    start(redis.call('HGET', flow, 'ch.' .. p .. '.' .. (idx + 1)), value)
                    break
                  end
                  n = p
                else
                  redis.call('HSET', flow, 'r.' .. p .. '.' .. idx, value)
                  if redis.call('HINCRBY', flow, 'left.' .. p, -1) > 0 then break end
                  local c = tonumber(redis.call('HGET', flow, 'c.' .. p))
                  local parts = {}
                  for i = 0, c - 1 do
                    parts[#parts + 1] = redis.call('HGET', flow, 'r.' .. p .. '.' .. i)
                  end
                  value = '[' .. table.concat(parts, ',') .. ']'
                  n = p
                end
              end
              local encoded = '[]'
              if #out > 0 then encoded = cjson.encode(out) end
              redis.call('HSET', flow, 'nx.' .. node, encoded)
              return {1, 0, encoded, 4}
              """);

  /**
   * KEYS flow, record; ARGV error JSON, keep ms, the failing node. Fails a running (or submitting)
   * workflow; 1 when it did.
   */
  private static final Script FAIL =
      new Script(
          NOW
              + """
              local state = redis.call('HGET', KEYS[1], 'state')
              if state ~= 'running' and state ~= 'submitting' then return 0 end
              redis.call('HDEL', KEYS[2], 'abandon')
              redis.call('HSET', KEYS[1], 'state', 'failed', 'failed', ARGV[3])
              redis.call('HSET', KEYS[2], 'state', 'failed', 'error', ARGV[1], 'finished', now)
              redis.call('HDEL', KEYS[2], 'result')
              redis.call('PEXPIRE', KEYS[2], ARGV[2])
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              return 1
              """);

  /**
   * KEYS flow, record; ARGV error JSON, keep ms. Cancels a running (or submitting) workflow: it
   * advances no further, and its record reads {@code cancelled}. Returns {1, task nodes not done}
   * when it did, {0, state} when it had ended, {-1} when it is unknown.
   */
  private static final Script CANCEL =
      new Script(
          NOW
              + """
              local state = redis.call('HGET', KEYS[1], 'state')
              if not state then return {-1} end
              if state ~= 'running' and state ~= 'submitting' then return {0, state} end
              redis.call('HDEL', KEYS[2], 'abandon')
              redis.call('HSET', KEYS[1], 'state', 'cancelled')
              redis.call('HSET', KEYS[2], 'state', 'cancelled', 'error', ARGV[1], 'finished', now)
              redis.call('HDEL', KEYS[2], 'result')
              redis.call('PEXPIRE', KEYS[2], ARGV[2])
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              local left = {}
              local n = 0
              while true do
                local kind = redis.call('HGET', KEYS[1], 'k.' .. n)
                if not kind then break end
                if kind == 'task' and redis.call('HEXISTS', KEYS[1], 'done.' .. n) == 0 then
                  left[#left + 1] = n
                end
                n = n + 1
              end
              return {1, cjson.encode(left)}
              """);

  /**
   * KEYS flow, record; ARGV keep ms, abandoned error JSON. Its submitter saw the first steps
   * confirmed: a submitting workflow runs (unless it was abandoned meanwhile). Returns its state.
   */
  private static final Script SUBMITTED =
      new Script(
          NOW
              + """
              local state = redis.call('HGET', KEYS[1], 'state')
              if not state then return false end
              local ARGV5 = ARGV[2]
              """
              + SETTLE_SUBMITTING.replace("ARGV[5]", "ARGV5")
              + """
              return state
              """);

  private final Redis redis;
  private final String prefix;
  private final TaskRecords records;

  Workflows(Redis redis, String namespace, TaskRecords records) {
    this.redis = redis;
    this.prefix = namespace + ":flow:";
    this.records = records;
  }

  private String key(String id) {
    return prefix + TaskRecords.requireId(id);
  }

  private String recordKey(String id) {
    return records.keyOf(id);
  }

  /**
   * Stores workflow {@code id} (its record {@code pending}, kind {@code workflow}) with {@code
   * nodes}, the root first, kept {@code keep} after it ends, {@code submitting} until {@link
   * #submitted} or a step's end, and failed when neither came by {@code abandonAt}; returns the
   * tasks to send to start it.
   */
  public List<Step> create(
      String id, List<Node> nodes, Duration keep, java.time.Instant abandonAt) {
    if (nodes.isEmpty()) throw new IllegalArgumentException("a workflow needs at least one task");
    String k = key(id);
    redis.call("DEL " + k, j -> j.del(k));
    List<String> fields = new ArrayList<>();
    for (int n = 0; n < nodes.size(); n++) {
      Node node = nodes.get(n);
      fields.add("k." + n);
      fields.add(node.kind());
      if (node.name() != null) {
        fields.add("nm." + n);
        fields.add(node.name());
      }
      if (node.inputJson() != null) {
        fields.add("in." + n);
        fields.add(node.inputJson());
      }
      if (node.optionsJson() != null) {
        fields.add("o." + n);
        fields.add(node.optionsJson());
      }
      if (node.parent() >= 0) {
        fields.add("p." + n);
        fields.add(Integer.toString(node.parent()));
        fields.add("i." + n);
        fields.add(Integer.toString(node.index()));
      }
      if (!node.children().isEmpty()) {
        fields.add("c." + n);
        fields.add(Integer.toString(node.children().size()));
        for (int i = 0; i < node.children().size(); i++) {
          fields.add("ch." + n + "." + i);
          fields.add(Integer.toString(node.children().get(i)));
        }
        if (node.kind().equals("group")) {
          fields.add("left." + n);
          fields.add(Integer.toString(node.children().size()));
        }
      }
      if (fields.size() >= 2000) flush(k, fields);
    }
    fields.add("abandon");
    fields.add(Long.toString(abandonAt.toEpochMilli()));
    fields.add("state");
    fields.add("submitting");
    flush(k, fields);
    long ms = keep.toMillis();
    redis.call("PEXPIRE " + k, j -> j.pexpire(k, ms));
    records.submitted(id, "workflow", null, keep);
    records.abandonAt(id, abandonAt);
    List<Step> steps = new ArrayList<>();
    start(nodes, 0, steps);
    return steps;
  }

  private void flush(String key, List<String> fields) {
    if (fields.isEmpty()) return;
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < fields.size(); i += 2) m.put(fields.get(i), fields.get(i + 1));
    redis.call("HSET " + key, j -> j.hset(key, m));
    fields.clear();
  }

  private static void start(List<Node> nodes, int n, List<Step> out) {
    Node node = nodes.get(n);
    switch (node.kind()) {
      case "task" ->
          out.add(
              new Step(
                  n,
                  node.name(),
                  node.inputJson() == null ? "null" : node.inputJson(),
                  node.optionsJson()));
      case "chain" -> start(nodes, node.children().getFirst(), out);
      default -> {
        for (int child : node.children()) start(nodes, child, out);
      }
    }
  }

  /**
   * Its submitter saw the first steps of workflow {@code id} confirmed by the broker: it runs (it
   * may be running already, a step having ended first).
   *
   * @return false when it had been abandoned meanwhile (failed) or is unknown
   */
  public boolean submitted(String id) {
    String k = key(id);
    String rk = recordKey(id);
    Object r =
        redis.call(
            "flow.submitted",
            "start workflow " + id,
            j -> SUBMITTED.run(j, List.of(k, rk), List.of("0", ABANDONED_ERROR)));
    return "running".equals(r) || "succeeded".equals(r);
  }

  /**
   * Step {@code node} of workflow {@code id} succeeded with {@code resultJson}. With {@code
   * redelivered} (its consumer may have died after counting it and before sending what came next),
   * a step counted before gets back what its end sent, to send again.
   *
   * @return what to send now; {@code counted} false and nothing to send for a step counted before
   *     (not redelivered), for a workflow that failed already, or that is unknown (expired)
   */
  public Completion complete(
      String id, int node, String resultJson, boolean redelivered, Duration keep) {
    String k = key(id);
    String rk = recordKey(id);
    List<?> r =
        (List<?>)
            redis.call(
                "flow.complete",
                "advance workflow " + id,
                j ->
                    COMPLETE.run(
                        j,
                        List.of(k, rk),
                        List.of(
                            Integer.toString(node),
                            resultJson,
                            redelivered ? "1" : "0",
                            Long.toString(keep.toMillis()),
                            ABANDONED_ERROR)));
    if ((Long) r.getFirst() == -1) return new Completion(false, List.of(), true);
    boolean counted = (Long) r.get(0) == 1;
    boolean ended = (Long) r.get(1) == 1;
    int width = r.size() > 3 ? ((Long) r.get(3)).intValue() : 3;
    return new Completion(counted, steps(String.valueOf(r.get(2)), width), ended);
  }

  private static List<Step> steps(String encoded, int width) {
    if (encoded.equals("[]") || encoded.equals("{}")) return List.of();
    try {
      JsonNode a = JSON.readTree(encoded);
      List<Step> out = new ArrayList<>(a.size() / width);
      for (int i = 0; i + width - 1 < a.size(); i += width) {
        String options = width > 3 ? a.get(i + 3).asText() : "";
        out.add(
            new Step(
                Integer.parseInt(a.get(i).asText()),
                a.get(i + 1).asText(),
                a.get(i + 2).asText(),
                options.isEmpty() ? null : options));
      }
      return out;
    } catch (java.io.IOException e) {
      throw new StateCodecException("unreadable next steps of a workflow: " + e.getMessage(), e);
    }
  }

  /**
   * Step {@code node} of workflow {@code id} failed for good (-1: the workflow as a whole, as when
   * its submitter gave up): the workflow fails now with {@code errorJson}, unless it ended already.
   *
   * @return whether this call failed it
   */
  public boolean fail(String id, int node, String errorJson, Duration keep) {
    String k = key(id);
    String rk = recordKey(id);
    Object r =
        redis.call(
            "flow.fail",
            "fail workflow " + id,
            j ->
                FAIL.run(
                    j,
                    List.of(k, rk),
                    List.of(errorJson, Long.toString(keep.toMillis()), Integer.toString(node))));
    return Long.valueOf(1).equals(r);
  }

  /**
   * What cancelling workflow {@code id} did.
   *
   * @param found whether the workflow exists (it may have expired)
   * @param cancelled whether this call cancelled it (false: it had ended, see {@code state})
   * @param state its state now
   * @param unfinished its task nodes that had not ended: the members to cancel by id
   */
  public record Cancel(boolean found, boolean cancelled, String state, List<Integer> unfinished) {}

  /**
   * Cancels workflow {@code id} unless it has ended: it advances no further and its record reads
   * cancelled with {@code errorJson}, kept {@code keep}. The members already sent are the caller's
   * to cancel by id ({@link Cancel#unfinished}).
   */
  public Cancel cancel(String id, String errorJson, Duration keep) {
    String k = key(id);
    String rk = recordKey(id);
    List<?> r =
        (List<?>)
            redis.call(
                "flow.cancel",
                "cancel workflow " + id,
                j ->
                    CANCEL.run(
                        j, List.of(k, rk), List.of(errorJson, Long.toString(keep.toMillis()))));
    long code = (Long) r.getFirst();
    if (code == -1) return new Cancel(false, false, "unknown", List.of());
    if (code == 0) return new Cancel(true, false, String.valueOf(r.get(1)), List.of());
    List<Integer> left = new ArrayList<>();
    try {
      String encoded = String.valueOf(r.get(1));
      if (!encoded.equals("{}")) JSON.readTree(encoded).forEach(n -> left.add(n.asInt()));
    } catch (java.io.IOException e) {
      throw new StateCodecException("unreadable members of workflow " + id + ": " + e, e);
    }
    return new Cancel(true, true, "cancelled", left);
  }

  /**
   * One node of a stored workflow, as {@link #read} gives it.
   *
   * @param done whether the step succeeded (tasks only)
   * @param options a task's own options as JSON, or null
   */
  public record NodeView(
      int node,
      String kind,
      String name,
      int parent,
      List<Integer> children,
      boolean done,
      String options) {}

  /**
   * A stored workflow: its state ({@code submitting}, {@code running}, {@code succeeded}, {@code
   * failed}, {@code cancelled}), the node whose step failed it (-1: none, or the workflow as a
   * whole), and its nodes, the root first.
   */
  public record View(String id, String state, int failedNode, List<NodeView> nodes) {
    /** The id of task node {@code node}'s step: {@code <workflow>.<node>}. */
    public String stepId(int node) {
      return id + "." + node;
    }
  }

  /**
   * A step's state, from what the store says of it and of its workflow: {@code succeeded}, {@code
   * failed} (it failed the workflow), {@code cancelled}, {@code not run} (the workflow ended
   * first), or {@code pending} (sent, or waiting for the steps before it; whether it started, the
   * task index says).
   */
  public static String stepState(View v, NodeView n) {
    if (n.done()) return "succeeded";
    if (v.failedNode() == n.node()) return "failed";
    return switch (v.state()) {
      case "cancelled" -> "cancelled";
      case "failed", "succeeded" -> "not run";
      default -> "pending";
    };
  }

  /** Whether workflow {@code id} is stored: one call, without reading its nodes. */
  public boolean exists(String id) {
    String k = key(id);
    return redis.call("EXISTS " + k, j -> j.exists(k));
  }

  /** Workflow {@code id} as stored, or empty when unknown (never submitted, or expired). */
  public java.util.Optional<View> read(String id) {
    String k = key(id);
    java.util.Map<String, String> h = redis.call("HGETALL " + k, j -> j.hgetAll(k));
    if (h.isEmpty() || !h.containsKey("state")) return java.util.Optional.empty();
    List<NodeView> nodes = new ArrayList<>();
    for (int n = 0; h.containsKey("k." + n); n++) {
      int c = Integer.parseInt(h.getOrDefault("c." + n, "0"));
      List<Integer> kids = new ArrayList<>(c);
      for (int i = 0; i < c; i++) kids.add(Integer.parseInt(h.get("ch." + n + "." + i)));
      nodes.add(
          new NodeView(
              n,
              h.get("k." + n),
              h.get("nm." + n),
              Integer.parseInt(h.getOrDefault("p." + n, "-1")),
              kids,
              h.containsKey("done." + n),
              h.get("o." + n)));
    }
    return java.util.Optional.of(
        new View(
            id,
            h.get("state"),
            Integer.parseInt(h.getOrDefault("failed", "-1")),
            List.copyOf(nodes)));
  }
}
