# shellcheck shell=bash
# Sourced by bin/*: builds the runnable jars when they are missing or older than the sources.
spool_build_if_needed() {
  local root="$1" jar oldest="" stale=""
  for jar in "$root/consumer/target/spool-consumer.jar" "$root/producer/target/spool-producer.jar" \
      "$root/dashboard/target/spool-dashboard.jar"; do
    if [ ! -f "$jar" ]; then stale=1; break; fi
    if [ -z "$oldest" ] || [ "$jar" -ot "$oldest" ]; then oldest="$jar"; fi
  done
  # A source newer than any jar is newer than the oldest: one walk of the sources, not one per jar
  # (this runs at every command's start).
  if [ -z "$stale" ] && [ -n "$(find "$root/pom.xml" "$root/api" "$root/core" "$root/consumer" "$root/producer" \
      "$root/shared-state" "$root/dashboard" \( -name target -prune \) -o \
      \( -type f -newer "$oldest" -print \) 2>/dev/null | head -n1)" ]; then
    stale=1
  fi
  if [ -n "$stale" ]; then
    echo "spool: building the jars (./mvnw -q -DskipTests package) ..." >&2
    (cd "$root" && ./mvnw -q -B -DskipTests package) >&2 || {
      echo "spool: the build failed; run ./mvnw -DskipTests package to see why" >&2
      return 1
    }
  fi
}
