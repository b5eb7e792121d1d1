package dev.spool.state.internal;

import dev.spool.LockLease;
import dev.spool.LockLostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Named periodic entries and when each next falls due: the store behind periodic schedules. An
 * entry is a name, a text definition (opaque here) and its next due time. Whoever holds the
 * scheduler's lock {@link #fire}s due entries; a fire is fenced inside Redis — refused unless the
 * caller's lease still holds — and atomic: the occurrence is stored in a {@link SharedSchedule}
 * (where delayed tasks wait) under an id of its own, and the entry's next due time advanced, in one
 * script. So an occurrence is stored once even when two schedulers believe they lead, and none is
 * lost when one dies between two fires.
 *
 * <p>Keys: {@code <key>} (a hash of definitions), {@code <key>:next} (a sorted set of next due
 * times, epoch ms) and {@code <key>:last} (a hash of the last occurrence fired). Thread-safe.
 */
public final class SharedTimetable {
  private final Redis redis;
  private final String key;
  private final List<String> keys;

  SharedTimetable(Redis redis, String key) {
    this.redis = redis;
    this.key = key;
    this.keys = List.of(key, key + ":next", key + ":last");
  }

  /** An entry: its definition, its next due time (null while it has none) and its last fire. */
  public record Entry(String name, String definition, Instant nextDue, Instant lastFired) {}

  public String key() {
    return key;
  }

  /** Adds or replaces entry {@code name}, next due at {@code nextDue} (null: none). */
  public void put(String name, String definition, Instant nextDue) {
    Names.require("timetable entry", name);
    Objects.requireNonNull(definition, "definition");
    redis.call(
        "timetable.put",
        "put " + name + " in " + key,
        j -> {
          j.hset(keys.get(0), name, definition);
          if (nextDue == null) j.zrem(keys.get(1), name);
          else j.zadd(keys.get(1), nextDue.toEpochMilli(), name);
          return null;
        });
  }

  /** Replaces the definition of {@code name} only; false when there is no such entry. */
  public boolean redefine(String name, String definition) {
    Object r =
        redis.call(
            "timetable.redefine",
            "redefine " + name + " in " + key,
            j -> Scripts.TIMETABLE_REDEFINE.run(j, keys, List.of(name, definition)));
    return Long.valueOf(1).equals(r);
  }

  /** Removes entry {@code name}; true when there was one. */
  public boolean remove(String name) {
    return redis.call(
            "timetable.remove",
            "remove " + name + " from " + key,
            j -> {
              long n = j.hdel(keys.get(0), name);
              j.zrem(keys.get(1), name);
              j.hdel(keys.get(2), name);
              return n;
            })
        > 0;
  }

  public Optional<Entry> get(String name) {
    return Optional.ofNullable(all().get(name));
  }

  /** Every entry, by name. */
  public Map<String, Entry> all() {
    return redis.call(
        "timetable.all",
        "read " + key,
        j -> {
          Map<String, String> defs = j.hgetAll(keys.get(0));
          Map<String, String> last = j.hgetAll(keys.get(2));
          Map<String, Double> nexts = new java.util.HashMap<>();
          for (var t : j.zrangeWithScores(keys.get(1), 0, -1))
            nexts.put(t.getElement(), t.getScore());
          Map<String, Entry> out = new java.util.TreeMap<>();
          for (var d : defs.entrySet()) {
            Double next = nexts.get(d.getKey());
            String l = last.get(d.getKey());
            out.put(
                d.getKey(),
                new Entry(
                    d.getKey(),
                    d.getValue(),
                    next == null ? null : Instant.ofEpochMilli(next.longValue()),
                    l == null ? null : Instant.ofEpochMilli(Long.parseLong(l))));
          }
          return out;
        });
  }

  /**
   * The entries due by Redis's clock plus {@code lookahead}, earliest first, at most {@code max},
   * with the time each is due; and Redis's clock.
   */
  public record Due(Map<String, Instant> entries, Instant now) {}

  /** Entries due within {@code lookahead} of Redis's clock now, earliest first. */
  public Due due(int max, java.time.Duration lookahead) {
    List<?> flat =
        (List<?>)
            redis.call(
                "timetable.due",
                "read due entries of " + key,
                j ->
                    Scripts.TIMETABLE_DUE.run(
                        j,
                        keys,
                        List.of(Integer.toString(max), Long.toString(lookahead.toMillis()))));
    Map<String, Instant> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.put((String) flat.get(i), Instant.ofEpochMilli(Long.parseLong((String) flat.get(i + 1))));
    }
    return new Due(out, Instant.ofEpochMilli(Long.parseLong((String) flat.get(flat.size() - 1))));
  }

  /** The definition of {@code name}, if there is such an entry (one round trip). */
  public Optional<String> definition(String name) {
    return Optional.ofNullable(
        redis.call("timetable.get", "read " + name + " of " + key, j -> j.hget(keys.get(0), name)));
  }

  /**
   * Fires the occurrence of {@code name} due at {@code due}, under {@code lease}: stores {@code
   * payload} in {@code target} as entry {@code occurrenceId} due at {@code runAt} (unless {@code
   * payload} is null: the occurrence is skipped), records it as the last fired, and sets the
   * entry's next due time to {@code next} (null: none). Does nothing and returns false when the
   * entry is no longer due at {@code due} or its definition is no longer {@code definition}
   * (another fire or an edit got there first).
   *
   * @throws LockLostException when the lease no longer holds (another scheduler leads)
   * @throws StateConnectionException when Redis does not answer, or (with {@code wait-replicas}) no
   *     replica acknowledged the fire
   */
  public boolean fire(
      LockLease lease,
      String name,
      String definition,
      Instant due,
      Instant next,
      SharedSchedule target,
      String occurrenceId,
      String payload,
      Instant runAt) {
    DefaultLease l = DefaultLease.of(lease);
    List<String> k = new ArrayList<>(keys);
    k.add(l.key());
    k.add(target.key());
    k.add(target.key() + ":payloads");
    List<String> args =
        List.of(
            l.value(),
            name,
            Long.toString(due.toEpochMilli()),
            next == null ? "" : Long.toString(next.toEpochMilli()),
            occurrenceId == null ? "" : occurrenceId,
            payload == null ? "" : payload,
            runAt == null ? "0" : Long.toString(runAt.toEpochMilli()),
            definition,
            target.channel());
    String what = "fire " + name + " of " + key;
    Redis.Acked acked = redis.acknowledged("timetable.fire", what, Scripts.TIMETABLE_FIRE, k, args);
    long status = (Long) acked.result();
    if (status == -1) {
      l.markLost();
      throw new LockLostException(
          "fire of '"
              + name
              + "' refused: the lease on lock '"
              + l.name()
              + "' (fencing token "
              + l.fencingToken()
              + ") is no longer held");
    }
    // Not acknowledged by a replica: a failover could lose it, and the next leader fire again.
    redis.requireAcknowledged(acked, "the " + what);
    return status == 1;
  }

  /** Removes every entry. */
  public void clear() {
    redis.call("DEL " + key, j -> j.del(keys.toArray(String[]::new)));
  }
}
