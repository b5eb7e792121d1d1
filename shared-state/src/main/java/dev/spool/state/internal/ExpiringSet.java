package dev.spool.state.internal;

import dev.spool.Durations;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A set of strings whose members expire one by one, by the Redis server's clock, with a version
 * that grows at every change: the store behind cancelled task ids. Readers that keep a copy in
 * memory (every consumer) ask for the {@link #version()} — one small read — and fetch the members
 * only when it changed, so checking a task against the set costs them nothing per task.
 *
 * <p>Keys: {@code <key>} (a sorted set of members by expiry in epoch ms) and {@code <key>:version}.
 * Both expire with their last member. Every change is one Lua script, atomic. Thread-safe.
 */
public final class ExpiringSet {
  /** The longest a member may be kept. */
  public static final Duration MAX_TTL = Duration.ofDays(90);

  private final Redis redis;
  private final String key;
  private final List<String> keys;
  private final Runnable changed;

  /**
   * @param changed runs after each change (an announcement to its readers); it must not throw
   */
  ExpiringSet(Redis redis, String key, Runnable changed) {
    this.redis = redis;
    this.key = key;
    this.keys = List.of(key, key + ":version");
    this.changed = changed;
  }

  /** The members alive now and the version they were read at. */
  public record Snapshot(long version, Set<String> members) {}

  public String key() {
    return key;
  }

  /**
   * Adds {@code members}, each kept for {@code ttl} from now (a member added again gets the later
   * expiry); returns how many were not members before. Members past their expiry are dropped.
   */
  public long add(Collection<String> members, Duration ttl) {
    Objects.requireNonNull(members, "members");
    Durations.requirePositive("ttl", ttl);
    if (ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("ttl must be at most " + MAX_TTL + ", was " + ttl);
    }
    if (members.isEmpty()) return 0;
    List<String> args = new java.util.ArrayList<>(members.size() + 1);
    args.add(Long.toString(ttl.toMillis()));
    for (String m : members) args.add(Objects.requireNonNull(m, "member"));
    Object added =
        redis.call(
            "expiringset.add", "add to " + key, j -> Scripts.EXPIRING_SET_ADD.run(j, keys, args));
    changed.run();
    return (Long) added;
  }

  /** Removes {@code member}; true when it was a member. */
  public boolean remove(String member) {
    Object removed =
        redis.call(
            "expiringset.remove",
            "remove from " + key,
            j -> Scripts.EXPIRING_SET_REMOVE.run(j, keys, List.of(member)));
    changed.run();
    return Long.valueOf(1).equals(removed);
  }

  /** Grows at every change; 0 while the set was never changed (or has expired as a whole). */
  public long version() {
    String v = redis.call("GET " + keys.get(1), j -> j.get(keys.get(1)));
    return v == null ? 0 : Long.parseLong(v);
  }

  /** The members alive now, with the version they belong to, read atomically. */
  public Snapshot snapshot() {
    List<?> flat =
        (List<?>)
            redis.call(
                "expiringset.read",
                "read " + key,
                j -> Scripts.EXPIRING_SET_READ.run(j, keys, List.of()));
    Set<String> members = new HashSet<>(Math.max(16, flat.size() * 2));
    for (int i = 1; i < flat.size(); i++) members.add((String) flat.get(i));
    return new Snapshot((Long) flat.getFirst(), members);
  }

  /** Whether {@code member} is in the set and not expired (one round trip). */
  public boolean contains(String member) {
    Object in =
        redis.call(
            "expiringset.contains",
            "look up in " + key,
            j -> Scripts.EXPIRING_SET_CONTAINS.run(j, keys, List.of(member)));
    return Long.valueOf(1).equals(in);
  }

  /** Members, counting any past their expiry not yet dropped. */
  public long size() {
    return redis.call("ZCARD " + key, j -> j.zcard(key));
  }

  /** Removes every member. */
  public void clear() {
    redis.call("DEL " + key, j -> j.del(keys.toArray(String[]::new)));
  }
}
