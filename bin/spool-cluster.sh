# shellcheck shell=bash
# Sourced by bin/spool-cluster-test and bin/spool-nemesis, from the repository's root: commands on
# the cluster stack (docker-compose.cluster.yml) of compose project COMPOSE_PROJECT_NAME. The
# sourcing script defines fail (called with a message when a wait runs out).
F=docker-compose.cluster.yml
dc() { docker compose -f "$F" "$@"; }

cluster_images() { # an engine answers; stand-in images where the official ones cannot be pulled
  docker info >/dev/null 2>&1 || fail "no Docker engine answers"
  if [ -z "${SPOOL_RABBITMQ_IMAGE:-}" ] && ! docker image inspect rabbitmq:3.13-management >/dev/null 2>&1 \
    && ! timeout 20 docker pull -q rabbitmq:3.13-management >/dev/null 2>&1; then
    eval "$(bin/spool-standins)"
  fi
}

rabbitctl() { dc exec -T "$1" rabbitmqctl -q --no-table-headers "${@:2}"; }
redis_cli() { dc exec -T "$1" sh -c 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli "$@"' redis-cli "${@:2}"; }
redis_primary() { # the Redis service that is primary now
  local s
  for s in redis-primary redis-replica redis-replica-2; do
    if redis_cli "$s" role 2>/dev/null | head -n 1 | grep -q master; then echo "$s"; return; fi
  done
  return 1
}
live_rabbit() { # a node that is up, to ask
  local n
  for n in rabbit-1 rabbit-2 rabbit-3; do
    if dc exec -T "$n" rabbitmq-diagnostics -q check_running >/dev/null 2>&1; then echo "$n"; return; fi
  done
  return 1
}
leader_of() { # queue name prefix: the node leading the first such queue (asked up to 10 times, 2 s apart); empty if none
  local i n leader
  for i in 1 2 3 4 5 6 7 8 9 10; do
    if n=$(live_rabbit); then
      # awk reads to the end: an early exit would fail rabbitmqctl's write, and with it the pipe
      leader=$({ rabbitctl "$n" list_queues -p spool name leader 2>/dev/null || true; } \
        | awk -v p="$1" 'index($1, p) == 1 && !l {l = $2} END {sub(/^rabbit@/, "", l); print l}')
      if [ -n "$leader" ]; then echo "$leader"; return; fi
    fi
    sleep 2
  done
}
consumers_attached() { # consumers of the work queue, as a node that is up counts them; 0 if none answers
  local n
  n=$(live_rabbit) || { echo 0; return; }
  { rabbitctl "$n" list_queues -p spool name consumers 2>/dev/null || true; } \
    | awk '$1 == "spool.work.tasks" {c = $2} END {print c + 0}'
}
three_consuming() { [ "$(consumers_attached)" = 3 ]; }
wait_until() { # seconds what command...: until the command succeeds, or fail
  local limit=$1 what=$2
  shift 2
  local until=$((SECONDS + limit))
  while ! "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$until" ] || fail "$what: not within $limit s"
    sleep 1
  done
}
