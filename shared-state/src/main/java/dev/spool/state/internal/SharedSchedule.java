package dev.spool.state.internal;

import dev.spool.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Entries that fall due at a time by the Redis server's clock, claimed by whichever process asks
 * first: the store behind delayed tasks. An entry is an id and a text payload. {@link #claim} hands
 * each due entry to one caller for a lease; the caller acts on it and calls {@link #done}; an entry
 * whose lease runs out (its claimer died) falls due again, so every entry is handed out at least
 * once, and more than once only after a claimer died or overran its lease. Cancelling a waiting
 * entry removes it for good.
 *
 * <p>Keys: {@code <key>} (a sorted set of waiting ids by due time in epoch ms), {@code
 * <key>:claimed} (ids by lease end) and {@code <key>:payloads} (a hash). Every operation is one Lua
 * script, atomic, timed by Redis's {@code TIME}: one clock for every process. An entry added ahead
 * of every waiting one is announced on the namespace's channel ({@link #sooner}), so that a claimer
 * can sleep until the next entry is due ({@link Claim#untilNext}) and still wake for it.
 * Thread-safe.
 */
public final class SharedSchedule {
  /** The most entries one {@link #claim} hands out. */
  public static final int MAX_CLAIM = 1000;

  private final Redis redis;
  private final String key;
  private final List<String> keys;
  private final ChannelNotifier notifier;

  /**
   * @param notifier listens on the channel where entries due sooner are announced (the same for
   *     every schedule of a namespace)
   */
  SharedSchedule(Redis redis, String key, ChannelNotifier notifier) {
    this.redis = redis;
    this.key = key;
    this.keys = List.of(key, key + ":claimed", key + ":payloads");
    this.notifier = notifier;
  }

  /** A due entry handed to a claimer. */
  public record Entry(String id, String payload, Instant due) {}

  /**
   * What one claim handed out, and how long until the next entry falls due or a claim's lease runs
   * out, by Redis's clock ({@code null}: nothing waits and nothing is claimed).
   */
  public record Claim(List<Entry> entries, Duration untilNext) {}

  public String key() {
    return key;
  }

  /** The channel where an entry added ahead of every waiting one is announced. */
  String channel() {
    return notifier.channel();
  }

  /**
   * An interest in entries added ahead of every waiting one, on any schedule of this namespace (and
   * in periodic occurrences stored into one): read its generation before {@link #claim}, then sleep
   * on it until {@link Claim#untilNext} at most. Subscribes on first use; close it when done.
   */
  public ChannelNotifier.Interest sooner() {
    notifier.start();
    return notifier.interest(ChannelNotifier.ANY);
  }

  /**
   * Adds entry {@code id} due {@code delay} from now by Redis's clock (replacing one with the same
   * id); returns when it is due.
   */
  public Instant addIn(String id, String payload, Duration delay) {
    Objects.requireNonNull(delay, "delay");
    return add(id, payload, "in", delay.toMillis());
  }

  /** Adds entry {@code id} due at {@code due} (replacing one with the same id). */
  public Instant addAt(String id, String payload, Instant due) {
    return add(id, payload, "at", due.toEpochMilli());
  }

  private Instant add(String id, String payload, String how, long ms) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(payload, "payload");
    Object due =
        redis.call(
            "schedule.add",
            "add to " + key,
            j ->
                Scripts.SCHEDULE_ADD.run(
                    j, keys, List.of(id, payload, how, Long.toString(ms), channel())));
    return Instant.ofEpochMilli((Long) due);
  }

  /**
   * Claims up to {@code max} entries that are due, oldest first, for {@code lease}: none of them is
   * handed to anyone else until the lease runs out. Entries whose lease ran out are due again. Says
   * too how long until the next entry falls due.
   */
  public Claim claim(int max, Duration lease) {
    if (max < 1 || max > MAX_CLAIM) {
      throw new IllegalArgumentException("max must be from 1 to " + MAX_CLAIM + ", was " + max);
    }
    Durations.requirePositive("lease", lease);
    List<?> flat =
        (List<?>)
            redis.call(
                "schedule.claim",
                "claim due entries of " + key,
                j ->
                    Scripts.SCHEDULE_CLAIM.run(
                        j, keys, List.of(Integer.toString(max), Long.toString(lease.toMillis()))));
    List<Entry> out = new ArrayList<>(flat.size() / 3);
    for (int i = 0; i + 2 < flat.size(); i += 3) {
      out.add(
          new Entry(
              (String) flat.get(i),
              (String) flat.get(i + 1),
              Instant.ofEpochMilli(Long.parseLong((String) flat.get(i + 2)))));
    }
    long next = flat.size() % 3 == 1 ? (Long) flat.getLast() : -1;
    return new Claim(out, next < 0 ? null : Duration.ofMillis(next));
  }

  /** The claimed entry {@code id} was acted on: it is gone. */
  public void done(String id) {
    done(List.of(id));
  }

  /** The claimed entries {@code ids} were acted on: they are gone (one round trip). */
  public void done(java.util.Collection<String> ids) {
    if (ids.isEmpty()) return;
    List<String> args = List.copyOf(ids);
    redis.call(
        "schedule.done", "finish entries of " + key, j -> Scripts.SCHEDULE_DONE.run(j, keys, args));
  }

  /**
   * Removes waiting entry {@code id}; true when it was waiting (it will never be handed out), false
   * when it is unknown or already claimed.
   */
  public boolean cancel(String id) {
    return cancel(List.of(id)) == 1;
  }

  /** Removes the waiting entries {@code ids} (one round trip); returns how many were waiting. */
  public long cancel(java.util.Collection<String> ids) {
    if (ids.isEmpty()) return 0;
    List<String> args = List.copyOf(ids);
    Object removed =
        redis.call(
            "schedule.cancel",
            "cancel entries of " + key,
            j -> Scripts.SCHEDULE_CANCEL.run(j, keys, args));
    return (Long) removed;
  }

  /** Entries waiting (not yet claimed). */
  public long waiting() {
    return redis.call("ZCARD " + key, j -> j.zcard(key));
  }

  /** Entries claimed and not yet done. */
  public long claimed() {
    String k = keys.get(1);
    return redis.call("ZCARD " + k, j -> j.zcard(k));
  }

  /** When the next waiting entry is due; empty when none waits. */
  public Optional<Instant> nextDue() {
    var first = redis.call("ZRANGE " + key, j -> j.zrangeWithScores(key, 0, 0));
    return first.isEmpty()
        ? Optional.empty()
        : Optional.of(Instant.ofEpochMilli((long) first.getFirst().getScore()));
  }

  /** Removes every entry. */
  public void clear() {
    redis.call("DEL " + key, j -> j.del(keys.toArray(String[]::new)));
  }
}
