package dev.spool.state.internal;

import java.util.regex.Pattern;

/** Names of shared objects and locks: 1 to 128 letters, digits, '.', '-', '_'. */
final class Names {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private Names() {}

  static String require(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what + " name '" + name + "' is invalid; use 1 to 128 letters, digits, '.', '-' or '_'");
    }
    return name;
  }
}
