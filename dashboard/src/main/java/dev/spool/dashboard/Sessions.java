package dev.spool.dashboard;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logged-in sessions, in memory: a random token (the cookie) to who logged in, their role and their
 * CSRF token. A session ends {@code ttl} after its last use, at logout, or when the dashboard
 * restarts. Thread-safe.
 */
final class Sessions {
  /** The most sessions kept; the oldest go first. */
  static final int MAX = 10_000;

  /**
   * The most sessions of one user: a new one ends that user's oldest, never another user's (a
   * viewer logging in thousands of times once ended the admin's session).
   */
  static final int MAX_PER_USER = 20;

  /** What a user may do. */
  enum Role {
    /** Sees everything and acts: replay, purge, cancel. */
    ADMIN,
    /** Sees everything, changes nothing. */
    VIEWER
  }

  record Session(String user, Role role, String csrf, Instant expires) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration ttl;

  Sessions(Clock clock, Duration ttl) {
    this.clock = clock;
    this.ttl = ttl;
  }

  /** Opens a session; returns its token. */
  synchronized String open(String user, Role role) {
    Instant now = clock.instant();
    sessions.values().removeIf(s -> s.expires().isBefore(now));
    var byExpiry =
        Map.Entry.<String, Session>comparingByValue(
            java.util.Comparator.comparing(Session::expires));
    if (sessions.values().stream().filter(s -> s.user().equals(user)).count() >= MAX_PER_USER) {
      sessions.entrySet().stream()
          .filter(e -> e.getValue().user().equals(user))
          .min(byExpiry)
          .ifPresent(e -> sessions.remove(e.getKey()));
    }
    if (sessions.size() >= MAX) {
      sessions.entrySet().stream().min(byExpiry).ifPresent(e -> sessions.remove(e.getKey()));
    }
    String token = random();
    sessions.put(token, new Session(user, role, random(), now.plus(ttl)));
    return token;
  }

  /** The session of {@code token}, its expiry moved on; empty when unknown or expired. */
  Optional<Session> find(String token) {
    if (token == null) return Optional.empty();
    Instant now = clock.instant();
    Session s =
        sessions.computeIfPresent(
            token,
            (k, v) ->
                v.expires().isBefore(now)
                    ? null
                    : new Session(v.user(), v.role(), v.csrf(), now.plus(ttl)));
    return Optional.ofNullable(s);
  }

  /** Sessions of {@code user} open now. */
  long of(String user) {
    return sessions.values().stream().filter(s -> s.user().equals(user)).count();
  }

  void close(String token) {
    if (token != null) sessions.remove(token);
  }

  /** 32 random bytes, URL-safe base64. */
  static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
