package dev.spool.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Throttles wrong passwords without ever locking the right one out of a browser that knows it.
 * Failures are counted per user and client address ({@link #ATTEMPTS} a minute): someone guessing
 * from one address does not lock out the same user at another. A browser that logged in before
 * carries a device cookie for that user (signed with a key only the admin password makes, as OWASP
 * advises against lockout attacks); its attempts are counted per device instead, so the guesses of
 * another client at the same address (everyone behind one proxy) never refuse it. Thread-safe.
 */
final class LoginGuard {
  /** Failed logins a minute, per user and address or per user and device, before a refusal. */
  static final int ATTEMPTS = 10;

  /** The most throttle entries kept; the oldest go first, whoever floods the map. */
  static final int MAX_TRACKED = 100_000;

  static final String DEVICE_COOKIE = "spool_device";

  private static final Duration WINDOW = Duration.ofMinutes(1);

  private final Clock clock;
  private final byte[] key;
  private final Map<String, Window> failures = new LinkedHashMap<>(); // guarded by this

  /** Failures of one key within the current minute. */
  private static final class Window {
    Instant since;
    int count;
  }

  /**
   * @param adminPassword what the device cookies' signing key is made from
   */
  LoginGuard(Clock clock, String adminPassword) {
    this.clock = clock;
    this.key = sha256("spool-dashboard-device\0" + adminPassword);
  }

  /**
   * Whose attempts these are: a device of {@code user} when {@code deviceCookie} is a valid one for
   * that user, else {@code user} at {@code address}.
   */
  String who(String user, String address, String deviceCookie) {
    String u = user == null ? "" : user;
    return device(deviceCookie)
        .filter(d -> d.startsWith(u + "."))
        .map(d -> "device " + d)
        .orElse(u + " at " + address);
  }

  /** Whether {@code who} may try a password now. */
  synchronized boolean allowed(String who) {
    Window w = failures.get(who);
    if (w == null) return true;
    if (Duration.between(w.since, clock.instant()).compareTo(WINDOW) >= 0) {
      failures.remove(who);
      return true;
    }
    return w.count < ATTEMPTS;
  }

  /** {@code who} gave a wrong password. */
  synchronized void failed(String who) {
    Window w = failures.get(who);
    if (w == null || Duration.between(w.since, clock.instant()).compareTo(WINDOW) >= 0) {
      if (failures.size() >= MAX_TRACKED) failures.remove(failures.keySet().iterator().next());
      w = new Window();
      w.since = clock.instant();
      failures.remove(who);
      failures.put(who, w);
    }
    w.count++;
  }

  /** {@code who} logged in: its failures are forgotten. */
  synchronized void succeeded(String who) {
    failures.remove(who);
  }

  /** A new device cookie's value for {@code user}: {@code user.nonce.signature}. */
  String newDevice(String user) {
    String d = user + "." + Sessions.random().substring(0, 22);
    return d + "." + sign(d);
  }

  /** The device a cookie names ({@code user.nonce}), when its signature is right. */
  Optional<String> device(String cookie) {
    if (cookie == null || cookie.length() > 200) return Optional.empty();
    int dot = cookie.lastIndexOf('.');
    if (dot <= 0) return Optional.empty();
    String d = cookie.substring(0, dot);
    byte[] given = cookie.substring(dot + 1).getBytes(StandardCharsets.UTF_8);
    byte[] expected = sign(d).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, expected) ? Optional.of(d) : Optional.empty();
  }

  private String sign(String device) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(mac.doFinal(device.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("this JVM cannot compute HMAC-SHA256", e);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
