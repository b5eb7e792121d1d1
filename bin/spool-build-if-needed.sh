# shellcheck shell=bash
# Sourced by bin/*: builds the runnable jars when they are missing or older than the sources.

# Whether a jar is missing or a source is newer than one (exit 0 when stale).
spool_jars_stale() {
  local root="$1" jar oldest=""
  for jar in "$root/consumer/target/spool-consumer.jar" "$root/producer/target/spool-producer.jar" \
      "$root/dashboard/target/spool-dashboard.jar"; do
    [ -f "$jar" ] || return 0
    if [ -z "$oldest" ] || [ "$jar" -ot "$oldest" ]; then oldest="$jar"; fi
  done
  # A source newer than any jar is newer than the oldest: one walk of the sources, not one per jar
  # (this runs at every command's start).
  [ -n "$(find "$root/pom.xml" "$root/api" "$root/core" "$root/consumer" "$root/producer" \
      "$root/shared-state" "$root/dashboard" \( -name target -prune \) -o \
      \( -type f -newer "$oldest" -print \) 2>/dev/null | head -n1)" ]
}

spool_build_if_needed() {
  local root="$1" fd=""
  spool_jars_stale "$root" || return 0
  # Commands started together (two consumers, say) would each run Maven into the same target/
  # directories and break each other's jars: one builds, the others wait for it, then look again.
  if command -v flock >/dev/null 2>&1 && mkdir -p "$root/target" 2>/dev/null \
      && exec {fd}>>"$root/target/spool-build.lock"; then
    if ! flock -n "$fd"; then
      echo "spool: waiting for another command that is building the jars ..." >&2
      flock "$fd"
    fi
    if ! spool_jars_stale "$root"; then
      exec {fd}>&-
      return 0
    fi
  fi
  echo "spool: building the jars (./mvnw -q -DskipTests package) ..." >&2
  if ! (cd "$root" && ./mvnw -q -B -DskipTests package) >&2; then
    [ -z "$fd" ] || exec {fd}>&-
    echo "spool: the build failed; run ./mvnw -DskipTests package to see why" >&2
    return 1
  fi
  [ -z "$fd" ] || exec {fd}>&-
}
