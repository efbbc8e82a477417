#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-server-stop.sh: SIGTERM (a controlled shutdown) to every kafka.Kafka process,
# found through /proc (the image has no ps).
pids=
for cmdline in /proc/[0-9]*/cmdline; do
  pid=${cmdline#/proc/}; pid=${pid%/cmdline}
  if tr '\0' ' ' <"$cmdline" 2>/dev/null | grep -q ' kafka\.Kafka '; then pids="$pids $pid"; fi
done
if [ -z "$pids" ]; then
  echo "No kafka server to stop"
  exit 1
fi
# shellcheck disable=SC2086
kill -s TERM $pids
