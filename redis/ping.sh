#!/bin/sh
# The image's health check: PING as the services' user (start-redis.sh's variables).
set -eu
if [ -n "${REDIS_PASSWORD_FILE:-}" ]; then REDIS_PASSWORD=$(cat "$REDIS_PASSWORD_FILE"); fi
REDISCLI_AUTH=${REDIS_PASSWORD:-} redis-cli --user "${REDIS_USERNAME:-signin}" ping | grep -q PONG
