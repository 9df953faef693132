#!/bin/sh
# Starts redis-server with one ACL user for the services and the default user switched off,
# so that no client gets in without the password. Used by the image (redis/Dockerfile) and by
# the native stack (make dev), with redis-server's own options as arguments.
#
#   REDIS_PASSWORD or REDIS_PASSWORD_FILE  the services' password (required; no spaces)
#   REDIS_USERNAME                         their user name (default: signin)
#   REDIS_ACL_FILE                         where the ACL is written (default: /tmp/users.acl)
#   REDIS_SERVER                           the redis-server program (default: from PATH)
#   REDIS_MAXMEMORY                        Redis's memory limit (default: 256mb; 0: none).
#                                          At the limit Redis evicts nothing and refuses
#                                          writes, which the services answer with a 503
#                                          (docs/storage.md)
#   REDIS_EXTRA_ACL_LINE                   one more ACL line, appended as it is (optional:
#                                          the native test stack's admin user, for tests and
#                                          benchmarks that need INFO or CONFIG; never set in
#                                          the image or a deployment)
set -eu

password=${REDIS_PASSWORD:-}
if [ -n "${REDIS_PASSWORD_FILE:-}" ]; then
  password=$(cat "$REDIS_PASSWORD_FILE") || {
    echo "redis: cannot read REDIS_PASSWORD_FILE ($REDIS_PASSWORD_FILE)" >&2
    exit 1
  }
fi
if [ -z "$password" ]; then
  echo "redis: set REDIS_PASSWORD (or REDIS_PASSWORD_FILE): Redis never runs without one" >&2
  exit 1
fi
case "$password" in
  *[[:space:]]*)
    echo "redis: REDIS_PASSWORD must not contain spaces or line breaks" >&2
    exit 1
    ;;
esac

maxmemory=${REDIS_MAXMEMORY:-256mb}
number=${maxmemory%[kKmMgG][bB]}
number=${number%[bBkKmMgG]}
case "$number" in
  '' | *[!0-9]*)
    echo "redis: REDIS_MAXMEMORY must be a size such as 256mb or 1gb (0: no limit)" >&2
    exit 1
    ;;
esac

username=${REDIS_USERNAME:-signin}
acl_file=${REDIS_ACL_FILE:-/tmp/users.acl}
umask 077
# The services' keys all start with signin: (session records, token caches, refresh locks).
# No admin or dangerous command (CONFIG, FLUSHALL, KEYS, DEBUG, ...) for the services.
printf 'user default off\nuser %s on >%s ~signin:* &* +@all -@dangerous\n' \
  "$username" "$password" >"$acl_file"
if [ -n "${REDIS_EXTRA_ACL_LINE:-}" ]; then
  printf '%s\n' "$REDIS_EXTRA_ACL_LINE" >>"$acl_file"
fi
# Never evict: an evicted session or token cache signs its user out without a word, and an
# evicted refresh lock lets two processes spend one refresh token. The caller's options come
# last and win.
exec "${REDIS_SERVER:-redis-server}" --aclfile "$acl_file" \
  --maxmemory "$maxmemory" --maxmemory-policy noeviction "$@"
