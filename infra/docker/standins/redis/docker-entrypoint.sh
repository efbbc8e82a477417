#!/bin/sh
# The redis stand-in's entrypoint (our own), as the official image's behaves:
#   - a first argument that is an option (-x, --x) or a configuration file (*.conf) runs redis-server;
#   - redis-server started as root: /data (the working directory) is given to the redis user, then
#     this script runs again as redis (setpriv);
#   - protected mode off unless asked for: the official image builds Redis with protected-mode
#     defaulting to no (a container is reached from other containers, not from localhost); Debian's
#     binary defaults to yes, so `--protected-mode no` is added unless the arguments or the given
#     configuration file set protected-mode themselves;
#   - umask 0077 when the umask is the default 0022.
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

if [ "$1" = 'redis-server' ]; then
  sets_protected_mode=no
  for arg in "$@"; do
    case "$arg" in --protected-mode|--protected-mode=*) sets_protected_mode=yes ;; esac
  done
  # redis-server [config-file] [options]: a config file comes first, and options must follow it.
  if [ $# -ge 2 ] && [ "${2#-}" = "$2" ]; then
    if [ "$2" != '-' ] && [ -f "$2" ] && grep -Eqi '^[[:space:]]*protected-mode[[:space:]]' "$2"; then
      sets_protected_mode=yes
    fi
    if [ "$sets_protected_mode" = no ]; then
      server=$1 conf=$2; shift 2
      set -- "$server" "$conf" --protected-mode no "$@"
    fi
  elif [ "$sets_protected_mode" = no ]; then
    shift
    set -- redis-server --protected-mode no "$@"
  fi
fi

if [ "$(umask)" = '0022' ]; then umask 0077; fi

exec "$@"
