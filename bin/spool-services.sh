# shellcheck shell=bash
# Sourced by bin/spool-demo: makes sure RabbitMQ and Redis answer. When one does not, it is on
# this machine, and a Docker engine with Compose v2 answers, it starts the compose file's own
# services for it (rabbitmq and rabbitmq-init, redis; nothing else), on the port configured,
# and points SPOOL_AMQP_URI / SPOOL_REDIS_URI at them. Sets SPOOL_STARTED_SERVICES.

spool_uri_of() { # VARIABLE DEFAULT: the URI from VARIABLE, VARIABLE_FILE, or DEFAULT
  local var=$1 def=$2 file_var="${1}_FILE"
  if [ -n "${!var:-}" ]; then
    printf '%s' "${!var}"
  elif [ -n "${!file_var:-}" ] && [ -r "${!file_var}" ]; then
    head -n 1 "${!file_var}"
  else
    printf '%s' "$def"
  fi
}

spool_host_port() { # URI DEFAULT_PORT: prints "host port"
  local re='^[a-z]+://([^@/]*@)?([^:/?@]+)(:([0-9]+))?'
  [[ $1 =~ $re ]] || return 1
  echo "${BASH_REMATCH[2]} ${BASH_REMATCH[4]:-$2}"
}

spool_answers() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

spool_is_this_machine() { case "$1" in localhost | 127.* | ::1) return 0 ;; *) return 1 ;; esac; }

spool_no_services_line() { # what is missing: one line with both ways to get it
  echo "spool-demo: nothing answers on $1, and no Docker engine with Compose v2 answers to start it." \
    "Either run RabbitMQ and Redis here (Debian: sudo apt-get install rabbitmq-server redis-server;" \
    "elsewhere: your package manager, or set SPOOL_AMQP_URI and SPOOL_REDIS_URI to running ones)," \
    "or install Docker with Compose v2 (Debian: sudo bin/spool-docker-setup; elsewhere: Docker" \
    "Desktop or your distribution's docker and compose packages) and run bin/spool-demo again." >&2
}

spool_compose_health() { # SERVICE: its container's health, or its exit code when it ran once
  local id
  id=$(docker compose -f "$spool_root/docker-compose.yml" ps -a -q "$1" 2>/dev/null | awk 'NR == 1')
  [ -n "$id" ] || { echo none; return; }
  docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}:{{.State.ExitCode}}{{end}}' "$id"
}

spool_ensure_services() { # ROOT
  spool_root=$1
  SPOOL_STARTED_SERVICES=""
  local amqp redis ah ap rh rp missing=() where=() services=()
  amqp=$(spool_uri_of SPOOL_AMQP_URI "amqp://guest:guest@localhost:5672/%2F")
  redis=$(spool_uri_of SPOOL_REDIS_URI "redis://localhost:6379/0")
  read -r ah ap <<<"$(spool_host_port "$amqp" 5672)" || true
  read -r rh rp <<<"$(spool_host_port "$redis" 6379)" || true
  # A malformed URI is the Java side's to report, naming the setting.
  [ -n "${ah:-}" ] && [ -n "${rh:-}" ] || return 0
  if ! spool_answers "$ah" "$ap"; then missing+=(rabbitmq); where+=("$ah:$ap (RabbitMQ)"); fi
  if ! spool_answers "$rh" "$rp"; then missing+=(redis); where+=("$rh:$rp (Redis)"); fi
  [ ${#missing[@]} -gt 0 ] || return 0

  local what
  what=$(printf '%s and ' "${where[@]}")
  what=${what% and }
  if ! docker info >/dev/null 2>&1 || ! docker compose version >/dev/null 2>&1; then
    spool_no_services_line "$what"
    return 1
  fi
  local s
  for s in "${missing[@]}"; do
    if [ "$s" = rabbitmq ] && ! spool_is_this_machine "$ah"; then
      echo "spool-demo: RabbitMQ at $ah:$ap (SPOOL_AMQP_URI) does not answer; spool-demo starts services only on this machine" >&2
      return 1
    fi
    if [ "$s" = redis ] && ! spool_is_this_machine "$rh"; then
      echo "spool-demo: Redis at $rh:$rp (SPOOL_REDIS_URI) does not answer; spool-demo starts services only on this machine" >&2
      return 1
    fi
  done

  # The official images, or stand-ins built from Debian packages where none can be pulled.
  if [ -z "${SPOOL_RABBITMQ_IMAGE:-}" ] && ! docker image inspect rabbitmq:3.13-management >/dev/null 2>&1 \
    && ! timeout 30 docker pull -q rabbitmq:3.13-management >/dev/null 2>&1; then
    echo "spool-demo: the official images cannot be pulled here; building stand-ins (bin/spool-standins)" >&2
    eval "$("$spool_root/bin/spool-standins")" || return 1
  fi

  for s in "${missing[@]}"; do
    case "$s" in
      rabbitmq)
        services+=(rabbitmq rabbitmq-init)
        export SPOOL_AMQP_PORT="$ap"
        # The broker's other host ports: moved when taken (say, by a RabbitMQ without AMQP here).
        if [ -z "${SPOOL_DASHBOARD_PORT:-}" ] && spool_answers 127.0.0.1 15672; then export SPOOL_DASHBOARD_PORT=35673; fi
        if [ -z "${SPOOL_BROKER_METRICS_PORT:-}" ] && spool_answers 127.0.0.1 15692; then export SPOOL_BROKER_METRICS_PORT=35692; fi
        ;;
      redis) services+=(redis); export SPOOL_REDIS_PORT="$rp" ;;
    esac
  done
  echo "spool-demo: nothing answers on $what; starting ${services[*]} with docker compose" >&2
  mkdir -p "$spool_root/run/logs"
  if ! docker compose -f "$spool_root/docker-compose.yml" up -d "${services[@]}" \
    >"$spool_root/run/logs/services.log" 2>&1; then
    tail -n 5 "$spool_root/run/logs/services.log" >&2
    echo "spool-demo: docker compose could not start ${services[*]} (see run/logs/services.log)" >&2
    return 1
  fi
  local deadline=$((SECONDS + 180)) ready
  while :; do
    ready=1
    for s in "${services[@]}"; do
      case "$s:$(spool_compose_health "$s")" in
        rabbitmq:healthy | redis:healthy | rabbitmq-init:exited:0) ;;
        rabbitmq-init:exited:*)
          echo "spool-demo: rabbitmq-init failed: $(docker compose -f "$spool_root/docker-compose.yml" logs --no-log-prefix rabbitmq-init 2>&1 | tail -n 3)" >&2
          return 1 ;;
        *) ready="" ;;
      esac
    done
    [ -z "$ready" ] || break
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "spool-demo: ${services[*]} not ready after 180 s (docker compose ps; docker compose logs)" >&2
      return 1
    fi
    sleep 1
  done
  if [[ " ${services[*]} " == *" rabbitmq "* ]]; then
    export SPOOL_AMQP_URI="amqp://spool-app:${SPOOL_APP_PASSWORD:-spool-app}@127.0.0.1:$ap/spool"
    unset SPOOL_AMQP_URI_FILE
  fi
  if [[ " ${services[*]} " == *" redis "* ]]; then
    export SPOOL_REDIS_URI="redis://:${SPOOL_REDIS_PASSWORD:-spool-redis}@127.0.0.1:$rp/0"
    unset SPOOL_REDIS_URI_FILE
  fi
  SPOOL_STARTED_SERVICES="${services[*]}"
  if [ -n "${SPOOL_DASHBOARD_PORT:-}" ] && [[ " ${services[*]} " == *" rabbitmq "* ]]; then
    echo "spool-demo: the RabbitMQ dashboard is on http://localhost:$SPOOL_DASHBOARD_PORT (15672 is taken)" >&2
  fi
  echo "spool-demo: started ${services[*]} with docker compose; stop them with" \
    "'docker compose stop ${services[*]}', or pass --stop-services to stop them after the demo" >&2
}

spool_stop_services() {
  [ -n "${SPOOL_STARTED_SERVICES:-}" ] || return 0
  # shellcheck disable=SC2086
  docker compose -f "$spool_root/docker-compose.yml" stop $SPOOL_STARTED_SERVICES >/dev/null 2>&1 \
    && echo "spool-demo: stopped $SPOOL_STARTED_SERVICES (docker compose)" >&2
}
