package dev.spool.state.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The most recent runs of every task, kept result or not: what the dashboard's task list shows
 * (name, state, input, worker, attempt, queued, started and finished times, run time), with filters
 * by name and state and a search by id. Written by consumers in batches (one Lua call a batch),
 * read by anyone.
 *
 * <p>Keys: {@code <ns>:ti:<id>}, a hash per task (its latest attempt), expiring after {@link #TTL};
 * {@code <ns>:tindex}, a sorted set of ids by start time, trimmed to the newest {@link #KEPT} (the
 * hashes of the ids trimmed are deleted with them). Thread-safe.
 */
public final class TaskIndex {
  /** How many tasks the index holds: the newest by start time. */
  public static final int KEPT = 10_000;

  /** How long an entry is kept after its last change, at most. */
  public static final Duration TTL = Duration.ofDays(1);

  /** The most characters of a task's input kept. */
  public static final int INPUT_CHARS = 200;

  /**
   * A task's latest run, as the index has it.
   *
   * @param state {@code started}, {@code succeeded}, {@code failed} (this attempt; it may be
   *     retried), {@code cancelled}
   * @param input its input JSON, cut to {@link #INPUT_CHARS}
   * @param runMs how long the handler ran, once it ended
   * @param traceId the W3C trace id of its run, when traced
   */
  public record Entry(
      String id,
      String name,
      String queue,
      String state,
      String input,
      String worker,
      int attempt,
      Instant queued,
      Instant started,
      Instant finished,
      Long runMs,
      String traceId) {}

  /**
   * KEYS the index; ARGV kept, ttl ms, then per task: id, score (0: keep its place), n, then n
   * field-value pairs. Sets the fields, puts new ids in the index, trims it.
   */
  private static final Script WRITE =
      new Script(
          """
          local prefix = string.sub(KEYS[1], 1, -7) .. 'ti:'
          local i = 3
          while i <= #ARGV do
            local id = ARGV[i]
            local score = ARGV[i + 1]
            local n = tonumber(ARGV[i + 2])
            local key = prefix .. id
            if n > 0 then
              redis.call('HSET', key, unpack(ARGV, i + 3, i + 2 + 2 * n))
              redis.call('PEXPIRE', key, ARGV[2])
            end
            if score ~= '0' then redis.call('ZADD', KEYS[1], score, id) end
            i = i + 3 + 2 * n
          end
          local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[1])
          if over > 0 then
            local old = redis.call('ZRANGE', KEYS[1], 0, over - 1)
            for _, id in ipairs(old) do redis.call('DEL', prefix .. id) end
            redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
          end
          return 1
          """);

  /**
   * KEYS the index; ARGV name or '', state or '', limit. The newest entries that match, each as its
   * id and then its hash as a flat list, [id, n, f, v, ...].
   */
  private static final Script RECENT =
      new Script(
          """
          local prefix = string.sub(KEYS[1], 1, -7) .. 'ti:'
          local limit = tonumber(ARGV[3])
          local out = {}
          local found = 0
          local ids = redis.call('ZREVRANGE', KEYS[1], 0, -1)
          for _, id in ipairs(ids) do
            local h = redis.call('HGETALL', prefix .. id)
            if #h > 0 then
              local keep = true
              if ARGV[1] ~= '' or ARGV[2] ~= '' then
                local name, state = nil, nil
                for j = 1, #h, 2 do
                  if h[j] == 'name' then name = h[j + 1] elseif h[j] == 'state' then state = h[j + 1] end
                end
                if ARGV[1] ~= '' and name ~= ARGV[1] then keep = false end
                if ARGV[2] ~= '' and state ~= ARGV[2] then keep = false end
              end
              if keep then
                out[#out + 1] = id
                out[#out + 1] = #h / 2
                for j = 1, #h do out[#out + 1] = h[j] end
                found = found + 1
                if found >= limit then break end
              end
            end
          end
          return out
          """);

  private final Redis redis;
  private final String index;
  private final String prefix;

  TaskIndex(Redis redis, String namespace) {
    this.redis = redis;
    this.index = namespace + ":tindex";
    this.prefix = namespace + ":ti:";
  }

  /**
   * One change to a task's entry: {@code fields} set (a name, its value, the next name, ...), and,
   * with a start time ({@code indexAtMs} above 0), the task put in the index (or moved to that
   * time).
   */
  public record Change(String id, long indexAtMs, String... fields) {
    public Change {
      if (fields.length % 2 != 0) {
        throw new IllegalArgumentException("fields are name-value pairs: " + fields.length);
      }
    }

    /** This change and then {@code later}, as one: a field both set takes {@code later}'s value. */
    public Change then(Change later) {
      String[] both = java.util.Arrays.copyOf(fields, fields.length + later.fields.length);
      System.arraycopy(later.fields, 0, both, fields.length, later.fields.length);
      return new Change(id, later.indexAtMs > 0 ? later.indexAtMs : indexAtMs, both);
    }
  }

  /** Writes {@code changes}, in order, in one call. */
  public void write(List<Change> changes) {
    if (changes.isEmpty()) return;
    int n = 2;
    for (Change c : changes) n += 3 + c.fields().length;
    List<String> args = new ArrayList<>(n);
    args.add(Integer.toString(KEPT));
    args.add(Long.toString(TTL.toMillis()));
    for (Change c : changes) {
      args.add(c.id());
      args.add(c.indexAtMs() > 0 ? Long.toString(c.indexAtMs()) : "0");
      args.add(Integer.toString(c.fields().length / 2)); // HSET sets them in order: the last wins
      java.util.Collections.addAll(args, c.fields());
    }
    redis.call(
        "index.write",
        "write " + changes.size() + " task index entries",
        j -> WRITE.run(j, List.of(index), args));
  }

  /** Task {@code id}'s latest run, if the index has it. */
  public Optional<Entry> read(String id) {
    String k = prefix + TaskRecords.requireId(id);
    Map<String, String> h =
        redis.call("index.read", "read task index entry " + id, j -> j.hgetAll(k));
    return h.isEmpty() ? Optional.empty() : Optional.of(entry(id, h));
  }

  /**
   * The newest entries, of task {@code name} and in {@code state} when given, at most {@code
   * limit}.
   */
  public List<Entry> recent(String name, String state, int limit) {
    if (limit < 1) return List.of();
    List<?> r =
        (List<?>)
            redis.call(
                "index.recent",
                "list recent tasks",
                j ->
                    RECENT.run(
                        j,
                        List.of(index),
                        List.of(
                            name == null ? "" : name,
                            state == null ? "" : state,
                            Integer.toString(limit))));
    List<Entry> out = new ArrayList<>();
    int i = 0;
    while (i < r.size()) {
      String id = String.valueOf(r.get(i));
      int n = Integer.parseInt(String.valueOf(r.get(i + 1)));
      Map<String, String> h = new LinkedHashMap<>();
      for (int j = 0; j < n; j++) {
        h.put(String.valueOf(r.get(i + 2 + 2 * j)), String.valueOf(r.get(i + 3 + 2 * j)));
      }
      out.add(entry(id, h));
      i += 2 + 2 * n;
    }
    return out;
  }

  /** How many tasks the index holds now. */
  public long size() {
    return redis.call("index.size", "count the task index", j -> j.zcard(index));
  }

  private static Entry entry(String id, Map<String, String> h) {
    return new Entry(
        id,
        h.get("name"),
        h.get("queue"),
        h.get("state"),
        h.get("input"),
        h.get("worker"),
        Integer.parseInt(h.getOrDefault("attempt", "1")),
        instant(h.get("queued")),
        instant(h.get("started")),
        instant(h.get("finished")),
        h.containsKey("runMs") ? Long.valueOf(h.get("runMs")) : null,
        h.get("trace"));
  }

  private static Instant instant(String ms) {
    return ms == null ? null : Instant.ofEpochMilli(Long.parseLong(ms));
  }
}
