package dev.spool.state.internal;

import dev.spool.Durations;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Uniqueness keys of tasks: while a task holds a key (from when it is submitted until it ends, or
 * until the key expires), submitting another with an equal key gives the holder's id instead of a
 * new task. Keys are the user's own strings, stored as their SHA-256 ({@code <ns>:unique:<sha256>},
 * holding the task id, with an expiry). Thread-safe.
 */
public final class UniqueKeys {
  /** The longest a key may be held. */
  public static final Duration MAX_HOLD = Duration.ofDays(30);

  private static final Script CLAIM =
      new Script(
          """
          if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
          return redis.call('GET', KEYS[1]) or ''
          """);

  private static final Script RELEASE =
      new Script(
          """
          if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
          return 0
          """);

  private final Redis redis;
  private final String prefix;

  UniqueKeys(Redis redis, String namespace) {
    this.redis = redis;
    this.prefix = namespace + ":unique:";
  }

  /** The stored form of a user's key: its SHA-256 in hex (what a task carries to release it). */
  public static String hash(String key) {
    Objects.requireNonNull(key, "key");
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /**
   * Gives the key (its {@link #hash}) to task {@code id} for at most {@code hold}, unless another
   * task holds it: then that task's id is returned.
   */
  public Optional<String> claim(String hash, String id, Duration hold) {
    TaskRecords.requireId(id);
    Durations.requirePositive("hold", hold);
    if (hold.compareTo(MAX_HOLD) > 0) {
      throw new IllegalArgumentException(
          "a uniqueness key is held at most " + MAX_HOLD.toDays() + " days, not " + hold);
    }
    String k = key(hash);
    Object r =
        redis.call(
            "unique.claim",
            "claim a uniqueness key",
            j -> CLAIM.run(j, List.of(k), List.of(id, Long.toString(hold.toMillis()))));
    return r == null ? Optional.empty() : Optional.of(r.toString());
  }

  /** Lets go of the key (its {@link #hash}) if task {@code id} still holds it; whether it did. */
  public boolean release(String hash, String id) {
    String k = key(hash);
    Object r =
        redis.call(
            "unique.release",
            "release a uniqueness key",
            j -> RELEASE.run(j, List.of(k), List.of(id)));
    return Long.valueOf(1).equals(r);
  }

  private String key(String hash) {
    if (hash == null || !hash.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a uniqueness key hash: " + hash);
    }
    return prefix + hash;
  }
}
