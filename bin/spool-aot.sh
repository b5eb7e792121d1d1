# shellcheck shell=bash
# Sourced by the launchers: prints the JVM options that use a jar's ahead-of-time cache
# (<jar without .jar>.aot, written by bin/spool-aot), when the JDK has them (25 or newer) and the
# cache is newer than the jar. The cache holds the classes a real run loaded and linked, and the
# profiles of the methods it ran, so that a process starts and warms up faster. A cache the JVM
# cannot use (another JDK, other GC options) is skipped without a word: the process runs as
# without one. A cache older than its jar (the jars were rebuilt) is skipped with one line on
# stderr: start-up is then about twice as slow until bin/spool-aot trains it again. SPOOL_AOT=off
# starts without a cache (as the image's commands do).
spool_aot_opts() { # $1 = the jar
  local jar="$1" cache="${1%.jar}.aot"
  [ "${SPOOL_AOT:-on}" != off ] || return 0
  [ -f "$cache" ] || return 0
  [ "${SPOOL_JAVA_MAJOR:-0}" -ge 25 ] 2>/dev/null || return 0 # set by java-env.sh
  if [ ! "$cache" -nt "$jar" ]; then
    echo "spool: $cache is older than ${jar##*/} (rebuilt since): starting without it;" \
      "bin/spool-aot trains it again" >&2
    return 0
  fi
  case "$cache" in *[[:space:]]*) return 0 ;; esac # options are split on spaces
  printf '%s\n' "-XX:AOTCache=$cache -Xlog:aot=off -Xlog:cds=off"
}
