# shellcheck shell=bash
# Sourced by ./mvnw, bin/* and .ci/run: exports JAVA_HOME pointing at a JDK of 21 or newer.
# Order: JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm, then `java` on PATH.

spool_java_major() { # $1 = path to a java binary; prints its feature version
  # From the JDK's release file when it has one: starting a JVM only to ask costs 50-300 ms at
  # every launch of every bin/ command.
  local home
  home=$(dirname "$(dirname "$(readlink -f "$1")")")
  if [ -f "$home/release" ] && grep -q '^JAVA_VERSION="' "$home/release"; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" | head -n1
    return 0
  fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}

spool_find_java_home() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(spool_java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null; then echo "$JAVA_HOME"; return 0; fi
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(spool_java_major "$candidate/bin/java")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then
      best="$candidate"; best_major="$major"
    fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    major=$(spool_java_major "$candidate/bin/java")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null; then echo "$candidate"; return 0; fi
  fi
  return 1
}

if SPOOL_JAVA_HOME=$(spool_find_java_home); then
  export JAVA_HOME="$SPOOL_JAVA_HOME"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Its feature version, for whatever else depends on it (the launchers' AOT caches).
  SPOOL_JAVA_MAJOR=$(spool_java_major "$JAVA_HOME/bin/java")
  export SPOOL_JAVA_MAJOR
  # Maven's Guice calls sun.misc.Unsafe, which JDK 24+ warns about (4 lines before anything else);
  # the option exists only from JDK 23, so it is set only there.
  if [ "${SPOOL_JAVA_MAJOR:-0}" -ge 23 ] 2>/dev/null; then
    case " ${MAVEN_OPTS:-} " in
      *sun-misc-unsafe-memory-access*) ;;
      *) export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
else
  echo "spool: no JDK 21 or newer found (looked at JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm/*, and java on PATH)." >&2
  echo "spool: install one (for example: apt-get install openjdk-21-jdk-headless, or Temurin 21) or set JAVA_HOME to it." >&2
  return 1 2>/dev/null || exit 1
fi
