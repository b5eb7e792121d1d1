#!/bin/sh
# What the official image's entrypoint does that Spool's compose files rely on: the default
# user from RABBITMQ_DEFAULT_USER/PASS (an administrator), reachable from other containers, a
# shared Erlang cookie for clusters; more configuration goes in /etc/rabbitmq/conf.d/*.conf.
set -eu
mkdir -p /etc/rabbitmq
{
  echo "loopback_users = none"
  echo "listeners.tcp.default = 5672"
  echo "management.tcp.port = 15672"
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then echo "default_user = $RABBITMQ_DEFAULT_USER"; fi
  if [ -n "${RABBITMQ_DEFAULT_PASS:-}" ]; then echo "default_pass = $RABBITMQ_DEFAULT_PASS"; fi
  echo "default_user_tags.administrator = true"
  echo "default_vhost = /"
} > /etc/rabbitmq/rabbitmq.conf
# A cluster's nodes share one Erlang cookie (RABBITMQ_ERLANG_COOKIE, as RabbitMQ reads it).
if [ -n "${RABBITMQ_ERLANG_COOKIE:-}" ]; then
  printf '%s' "$RABBITMQ_ERLANG_COOKIE" > /var/lib/rabbitmq/.erlang.cookie
  chmod 600 /var/lib/rabbitmq/.erlang.cookie
fi
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
# Debian's /usr/sbin/rabbitmq-server runs the server through 'su', leaving a shell as PID 1 that
# ignores SIGTERM (docker stop would SIGKILL the broker 10 s later). The server's own script,
# run directly as the rabbitmq user, stops the node cleanly on SIGTERM, as the official image.
export HOME=/var/lib/rabbitmq
exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
