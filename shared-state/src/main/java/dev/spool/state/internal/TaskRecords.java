package dev.spool.state.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Where a task whose result is kept records what became of it, readable by id from any process: the
 * store behind results by id. A record moves from {@code pending} or {@code scheduled} through
 * {@code started} and {@code retrying} to one end: {@code succeeded}, {@code failed}, {@code
 * cancelled} or {@code dead}.
 *
 * <p>A success or a cancel is written once: once a record holds one, nothing changes it again (a
 * task that ran twice keeps its first result), and {@link #start} says so, so that a second run is
 * not needed. A failure or a dead letter can be followed by a later run (a dead letter replayed),
 * whose end replaces it.
 *
 * <p>Key: {@code <ns>:task:<id>}, a hash with the fields below, expiring {@code keep} after its
 * last write. Times are the Redis server's clock in epoch ms. Every write is one Lua script,
 * atomic. Thread-safe.
 */
public final class TaskRecords {
  /** The states a record can hold. */
  public static final String PENDING = "pending";

  public static final String SCHEDULED = "scheduled";
  public static final String STARTED = "started";
  public static final String RETRYING = "retrying";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";
  public static final String DEAD = "dead";

  /** The longest a record may be kept. */
  public static final Duration MAX_KEEP = Duration.ofDays(90);

  /** The largest result (its JSON, in bytes) a record keeps. */
  public static final int MAX_RESULT_BYTES = 1 << 20;

  /** Task ids as producers give them: 1 to 200 letters, digits, {@code . _ : -}. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

  private final Redis redis;
  private final String prefix;
  private final String inProgress; // a sorted set: ids of started tasks by their last report

  TaskRecords(Redis redis, String namespace) {
    this.redis = redis;
    this.prefix = namespace + ":task:";
    this.inProgress = namespace + ":progress";
  }

  /**
   * What a record says.
   *
   * @param id the task id
   * @param state one of the state constants
   * @param name the task name
   * @param submitted when it was submitted, or null when no producer recorded it
   * @param due when it is due (a delayed task), or null
   * @param started when its latest attempt started, or null
   * @param finished when it ended, or null
   * @param attempts attempts started so far
   * @param worker the consumer of the latest attempt, or null
   * @param result the result's JSON once succeeded, or null
   * @param error the error's JSON (failed, dead, cancelled; the last failure while retrying), or
   *     null
   * @param progress the latest progress report's JSON, or null
   * @param ttl how long the record is kept from now, or null when it does not expire
   */
  public record Record(
      String id,
      String state,
      String name,
      Instant submitted,
      Instant due,
      Instant started,
      Instant finished,
      int attempts,
      String worker,
      String result,
      String error,
      String progress,
      Duration ttl) {
    /** Whether it has ended: succeeded, failed, cancelled or dead. */
    public boolean ended() {
      return ended(state);
    }

    static boolean ended(String state) {
      return SUCCEEDED.equals(state)
          || FAILED.equals(state)
          || CANCELLED.equals(state)
          || DEAD.equals(state);
    }
  }

  /**
   * Checks a task id.
   *
   * @throws IllegalArgumentException when it is not 1 to 200 letters, digits, {@code . _ : -}
   */
  public static String requireId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      String shown = id == null ? "null" : id.length() > 60 ? id.substring(0, 60) + "..." : id;
      throw new IllegalArgumentException(
          "task id must be 1 to 200 letters, digits, '.', '_', ':' or '-', was '" + shown + "'");
    }
    return id;
  }

  private String key(String id) {
    return prefix + requireId(id);
  }

  /** The key of task {@code id}'s record (for scripts that write it with another key). */
  String keyOf(String id) {
    return key(id);
  }

  private static String keepMs(Duration keep) {
    Objects.requireNonNull(keep, "keep");
    if (keep.isNegative() || keep.isZero() || keep.compareTo(MAX_KEEP) > 0) {
      throw new IllegalArgumentException(
          "a result is kept from 1 ms to " + MAX_KEEP.toDays() + " days, not " + keep);
    }
    return Long.toString(keep.toMillis());
  }

  /**
   * Records task {@code id} as submitted: {@code pending}, or {@code scheduled} when it is {@code
   * due} later. A new submission under an id replaces what was recorded under it. Kept {@code keep}
   * past its due time.
   */
  public void submitted(String id, String name, Instant due, Duration keep) {
    submitted(id, name, due, keep, "");
  }

  /**
   * As {@link #submitted(String, String, Instant, Duration)}, for submission {@code submission} (a
   * random token the task carries): when a consumer recorded this submission first (the producer
   * wrote the record while it published), its record is kept and completed, not replaced.
   */
  public void submitted(String id, String name, Instant due, Duration keep, String submission) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(submission, "submission");
    String k = key(id);
    String ms = keepMs(keep);
    String dueMs = due == null ? "" : Long.toString(due.toEpochMilli());
    redis.call(
        "task.submitted",
        "record task " + id,
        j -> TaskScripts.SUBMITTED.run(j, List.of(k), List.of(name, dueMs, ms, submission)));
  }

  /**
   * Records attempt {@code attempt} of task {@code id} as started by {@code worker}, unless the
   * record already holds a success or a cancel: that state is returned, and the task need not run.
   * Creates the record when there is none (its producer kept no record, or it expired).
   *
   * @return empty when it was recorded as started; else the record, which holds a success or a
   *     cancel
   */
  public Optional<Record> start(String id, String name, int attempt, String worker, Duration keep) {
    return start(id, name, attempt, worker, keep, "");
  }

  /**
   * As {@link #start(String, String, int, String, Duration)}, for submission {@code submission}
   * (empty when unknown): a record of another submission under the same id is replaced.
   */
  public Optional<Record> start(
      String id, String name, int attempt, String worker, Duration keep, String submission) {
    String k = key(id);
    String ms = keepMs(keep);
    Object r =
        redis.call(
            "task.start",
            "record the start of task " + id,
            j ->
                TaskScripts.START.run(
                    j,
                    List.of(k),
                    List.of(name, Integer.toString(attempt), worker, ms, submission)));
    if (r instanceof Long) return Optional.empty();
    return Optional.of(record(id, (List<?>) r, null));
  }

  /**
   * Records that attempt {@code attempt} failed with {@code errorJson} and that the task will be
   * tried again; nothing when it has ended.
   */
  public void retrying(String id, String name, int attempt, String errorJson, Duration keep) {
    String k = key(id);
    String ms = keepMs(keep);
    redis.call(
        "task.retrying",
        "record the retry of task " + id,
        j ->
            TaskScripts.RETRYING.run(
                j, List.of(k), List.of(name, Integer.toString(attempt), errorJson, ms)));
  }

  /**
   * Records the end of task {@code id}: {@code state} (succeeded, failed, cancelled or dead) with
   * its result's or error's JSON, kept {@code keep} from now.
   *
   * @return false when the record already held a success or a cancel, which stays
   */
  public boolean finished(
      String id, String name, String state, String json, int attempts, Duration keep) {
    return finished(id, name, state, json, attempts, keep, "");
  }

  /**
   * As {@link #finished(String, String, String, String, int, Duration)}, for submission {@code
   * submission} (empty when unknown): false too when the record belongs to another submission.
   */
  public boolean finished(
      String id,
      String name,
      String state,
      String json,
      int attempts,
      Duration keep,
      String submission) {
    if (!Record.ended(state)) throw new IllegalArgumentException("not an end state: " + state);
    if (json != null
        && json.length() > MAX_RESULT_BYTES / 4
        && utf8Length(json) > MAX_RESULT_BYTES) {
      throw new IllegalArgumentException(
          "a kept result is at most "
              + MAX_RESULT_BYTES
              + " bytes of JSON, was "
              + utf8Length(json));
    }
    String k = key(id);
    String ms = keepMs(keep);
    Object r =
        redis.call(
            "task.finished",
            "record the end of task " + id,
            j ->
                TaskScripts.FINISHED.run(
                    j,
                    List.of(k, inProgress),
                    List.of(
                        name,
                        state,
                        json == null ? "" : json,
                        Integer.toString(attempts),
                        ms,
                        id,
                        submission)));
    return Long.valueOf(1).equals(r);
  }

  /**
   * Records a progress report (JSON) of a started task; nothing when it is not started. Keeps the
   * record's expiry.
   */
  public void progress(String id, String json) {
    String k = key(id);
    redis.call(
        "task.progress",
        "record progress of task " + id,
        j -> TaskScripts.PROGRESS.run(j, List.of(k, inProgress), List.of(json, id)));
  }

  /**
   * Up to {@code limit} started tasks that reported progress, the latest report first (for status).
   * Entries whose task ended or whose record expired are dropped as they are met.
   */
  public List<Record> inProgress(int limit) {
    if (limit < 1) return List.of();
    List<String> ids =
        redis.call("ZREVRANGE " + inProgress, j -> j.zrevrange(inProgress, 0, limit * 2L - 1));
    List<Record> out = new java.util.ArrayList<>();
    for (String id : ids) {
      Optional<Record> r;
      try {
        r = read(id);
      } catch (IllegalArgumentException e) {
        r = Optional.empty();
      }
      if (r.isPresent() && STARTED.equals(r.get().state()) && r.get().progress() != null) {
        if (out.size() < limit) out.add(r.get());
      } else {
        redis.call("ZREM " + inProgress, j -> j.zrem(inProgress, id));
      }
    }
    return out;
  }

  /**
   * Cancels the tasks of {@code ids} that have not started (pending or scheduled): a producer that
   * took them out of Redis before they were due records that here, since no consumer will. Each
   * keeps its expiry. Ids without a record are passed over.
   *
   * @return how many were recorded as cancelled
   */
  public long cancelIfWaiting(List<String> ids, String errorJson) {
    if (ids.isEmpty()) return 0;
    List<String> keys = ids.stream().map(this::key).toList();
    Object r =
        redis.call(
            "task.cancel",
            "cancel " + ids.size() + " task record(s)",
            j -> TaskScripts.CANCEL_WAITING.run(j, keys, List.of(errorJson)));
    return (Long) r;
  }

  /**
   * Kept records, the most recent first (by their latest time: finished, started, submitted), for a
   * list of recent tasks. Redis keeps no index of them by time: this scans at most {@code budget}
   * records of the namespace, so with more than that kept the list is the most recent of a sample,
   * not of all.
   *
   * @param name only tasks of this name, or null for all
   * @param state only tasks in this state (a state constant), or null for all
   * @param limit the most returned
   * @param budget the most records read
   */
  public List<Record> recent(String name, String state, int limit, int budget) {
    if (limit < 1 || budget < 1) return List.of();
    ScanParams params = new ScanParams().match(prefix + "*").count(500);
    String cursor = ScanParams.SCAN_POINTER_START;
    List<Record> found = new java.util.ArrayList<>();
    int read = 0;
    do {
      String c = cursor;
      ScanResult<String> r = redis.call("SCAN", "listing task records", j -> j.scan(c, params));
      for (String key : r.getResult()) {
        if (read++ >= budget) break;
        String id = key.substring(prefix.length());
        if (!ID.matcher(id).matches()) continue;
        read(id)
            .filter(x -> name == null || name.equals(x.name()))
            .filter(x -> state == null || state.equals(x.state()))
            .ifPresent(found::add);
      }
      cursor = r.getCursor();
    } while (read < budget && !cursor.equals(ScanParams.SCAN_POINTER_START));
    found.sort(java.util.Comparator.comparing(TaskRecords::latest).reversed());
    return found.size() > limit ? List.copyOf(found.subList(0, limit)) : List.copyOf(found);
  }

  private static Instant latest(Record r) {
    if (r.finished() != null) return r.finished();
    if (r.started() != null) return r.started();
    return r.submitted() != null ? r.submitted() : Instant.EPOCH;
  }

  /** The record of task {@code id}, or empty when there is none (never kept, or expired). */
  public Optional<Record> read(String id) {
    String k = key(id);
    Object r =
        redis.call(
            "task.read",
            "read task " + id,
            j -> TaskScripts.READ.run(j, List.of(k), List.of(Workflows.ABANDONED_ERROR)));
    List<?> flat = (List<?>) r;
    if (flat.size() <= 1) return Optional.empty();
    long pttl = (Long) flat.get(flat.size() - 1);
    return Optional.of(record(id, flat.subList(0, flat.size() - 1), pttl));
  }

  /**
   * A workflow's record: pending until {@code abandonAt}, failed after it unless it started (see
   * {@link Workflows#create}).
   */
  void abandonAt(String id, Instant abandonAt) {
    String k = key(id);
    String ms = Long.toString(abandonAt.toEpochMilli());
    redis.call("HSET " + k, j -> j.hset(k, "abandon", ms));
  }

  /** Deletes the record of task {@code id}; whether there was one. */
  public boolean delete(String id) {
    String k = key(id);
    return redis.call("DEL " + k, j -> j.del(k)) > 0;
  }

  private static int utf8Length(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  private static Record record(String id, List<?> flat, Long pttl) {
    Map<String, String> f = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      f.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
    }
    return new Record(
        id,
        f.getOrDefault("state", PENDING),
        f.get("name"),
        instant(f.get("submitted")),
        instant(f.get("due")),
        instant(f.get("started")),
        instant(f.get("finished")),
        f.containsKey("attempts") ? Integer.parseInt(f.get("attempts")) : 0,
        f.get("worker"),
        f.get("result"),
        f.get("error"),
        f.get("progress"),
        pttl == null || pttl < 0 ? null : Duration.ofMillis(pttl));
  }

  private static Instant instant(String ms) {
    return ms == null || ms.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(ms));
  }
}
