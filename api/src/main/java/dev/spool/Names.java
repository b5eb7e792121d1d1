package dev.spool;

import java.util.regex.Pattern;

/**
 * The rules for names and ids that travel in messages, checked where they enter (the API, the
 * commands, the scheduler, the dashboard), so that nothing accepted at the door can fail later in a
 * consumer, a mover or a scheduler that cannot tell its caller. Every rule fits in an AMQP short
 * string (255 bytes), where names and ids travel.
 */
public final class Names {
  /** A task name: 1 to 128 letters, digits, {@code . _ -}, starting with a letter or digit. */
  public static final Pattern TASK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** A task id: 1 to 200 letters, digits, {@code . _ : -}. */
  public static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

  /** The most characters of a key (a rate key, a uniqueness key, an idempotency key). */
  public static final int MAX_KEY = 200;

  private Names() {}

  /**
   * Checks a task name.
   *
   * @return {@code name}
   * @throws IllegalArgumentException saying what a name may hold, when it does not
   */
  public static String taskName(String name) {
    if (name == null || !TASK_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "task name "
              + shown(name)
              + " is invalid; use 1 to 128 letters, digits, '.', '_' or '-', starting with a"
              + " letter or digit");
    }
    return name;
  }

  /**
   * Checks a task id.
   *
   * @return {@code id}
   * @throws IllegalArgumentException saying what an id may hold, when it does not
   */
  public static String taskId(String id) {
    if (id == null || !TASK_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "task id "
              + shown(id)
              + " is invalid; use 1 to 200 letters, digits, '.', '_', ':' or '-'");
    }
    return id;
  }

  /**
   * Checks a key chosen by the caller (a rate key, a uniqueness key, an idempotency key): 1 to
   * {@value #MAX_KEY} characters, no control characters.
   *
   * @param what what the key is, for the message: "rate key"
   * @return {@code key}
   */
  public static String key(String what, String key) {
    if (key == null
        || key.isEmpty()
        || key.length() > MAX_KEY
        || key.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          what + " " + shown(key) + " is invalid; use 1 to 200 characters, no control characters");
    }
    return key;
  }

  /** A value as an error message shows it: quoted, cut to 60 characters, its length said. */
  static String shown(String s) {
    if (s == null) return "null";
    if (s.isEmpty()) return "'' (empty)";
    String clean =
        s.codePoints().anyMatch(Character::isISOControl) ? s.replaceAll("\\p{Cntrl}", "?") : s;
    return clean.length() <= 60
        ? "'" + clean + "'"
        : "'" + clean.substring(0, 60) + "...' (" + s.length() + " characters)";
  }
}
