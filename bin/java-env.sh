# shellcheck shell=bash
# Sourced by ./mvnw, bin/* and .ci/run: exports JAVA_HOME pointing at a JDK of 21 or newer.
# Order: JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm, then `java` on PATH.

# These run at every launch of every bin/ command, so they use shell builtins where they can: each
# subprocess ($(...), dirname, sed) costs milliseconds, and starting a JVM only to ask 50-300 ms.

spool_java_major() { # $1 = a JDK's home; sets SPOOL_MAJOR_OUT to its feature version ("" if unknown)
  local home="$1" line real
  SPOOL_MAJOR_OUT=""
  if [ ! -f "$home/release" ]; then # e.g. JAVA_HOME=/usr, whose bin/java is a link into a JDK
    real=$(readlink -f "$home/bin/java") || real=""
    [ -n "$real" ] && home="${real%/bin/java}"
  fi
  if [ -f "$home/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in
        JAVA_VERSION=\"[0-9]*)
          line="${line#JAVA_VERSION=\"}"
          SPOOL_MAJOR_OUT="${line%%[!0-9]*}"
          return 0
          ;;
      esac
    done <"$home/release"
  fi
  SPOOL_MAJOR_OUT=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java.specification.version = //p' | head -n1)
}

spool_find_java_home() { # sets SPOOL_JAVA_HOME and SPOOL_JAVA_MAJOR; fails when none is 21+
  local candidate best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    spool_java_major "$JAVA_HOME"
    if [ "${SPOOL_MAJOR_OUT:-0}" -ge 21 ] 2>/dev/null; then
      SPOOL_JAVA_HOME="$JAVA_HOME" SPOOL_JAVA_MAJOR="$SPOOL_MAJOR_OUT"
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    spool_java_major "$candidate"
    if [ "${SPOOL_MAJOR_OUT:-0}" -ge 21 ] 2>/dev/null && [ "$SPOOL_MAJOR_OUT" -gt "$best_major" ]; then
      best="$candidate" best_major="$SPOOL_MAJOR_OUT"
    fi
  done
  if [ -n "$best" ]; then
    SPOOL_JAVA_HOME="$best" SPOOL_JAVA_MAJOR="$best_major"
    return 0
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(readlink -f "$(command -v java)")
    candidate="${candidate%/bin/java}"
    spool_java_major "$candidate"
    if [ "${SPOOL_MAJOR_OUT:-0}" -ge 21 ] 2>/dev/null; then
      SPOOL_JAVA_HOME="$candidate" SPOOL_JAVA_MAJOR="$SPOOL_MAJOR_OUT"
      return 0
    fi
  fi
  return 1
}

if spool_find_java_home; then
  export JAVA_HOME="$SPOOL_JAVA_HOME"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Its feature version, for whatever else depends on it (the launchers' AOT caches).
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
