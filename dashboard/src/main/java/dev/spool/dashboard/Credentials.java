package dev.spool.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The two logins: {@code admin} with the admin password, and {@code viewer} with the read-only
 * password when one is set. Passwords are compared in constant time.
 */
final class Credentials {
  static final String ADMIN = "admin";
  static final String VIEWER = "viewer";

  private final byte[] admin;
  private final byte[] viewer; // null: no read-only login

  Credentials(String adminPassword, String viewerPassword) {
    this.admin = digest(adminPassword);
    this.viewer = viewerPassword == null ? null : digest(viewerPassword);
  }

  /** The role of {@code user} when {@code password} is theirs. */
  Optional<Sessions.Role> check(String user, String password) {
    if (user == null || password == null) return Optional.empty();
    byte[] given = digest(password);
    if (user.equals(ADMIN) && MessageDigest.isEqual(given, admin)) {
      return Optional.of(Sessions.Role.ADMIN);
    }
    if (user.equals(VIEWER) && viewer != null && MessageDigest.isEqual(given, viewer)) {
      return Optional.of(Sessions.Role.VIEWER);
    }
    return Optional.empty();
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
