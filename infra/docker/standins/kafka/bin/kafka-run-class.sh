#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-run-class.sh (written for the lab, not Kafka's script): runs a main class on
# /opt/kafka/libs with the JVM settings Kafka's launcher reads from the environment.
#   kafka-run-class.sh [-daemon] [-name NAME] [-loggc] CLASS [ARGS...]
# KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_JMX_OPTS (+ JMX_PORT), KAFKA_LOG4J_OPTS, KAFKA_OPTS,
# KAFKA_DEBUG (+ JAVA_DEBUG_PORT, DEBUG_SUSPEND_FLAG), JAVA_HOME, CLASSPATH and LOG_DIR are honoured as there.
# The build-time class-data-sharing archives (kafka.jsa, tools.jsa) are mapped when present (see below).
# -loggc is accepted and ignored (no GC log file: the stand-in logs to stdout only).
set -e
if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] [-name servicename] [-loggc] classname [opts]" >&2
  exit 1
fi
base_dir=$(cd "$(dirname "$0")/.." && pwd)

DAEMON_MODE=false
DAEMON_NAME=
while [ $# -gt 0 ]; do
  case "$1" in
    -daemon) DAEMON_MODE=true; shift ;;
    -name) DAEMON_NAME=$2; shift 2 ;;
    -loggc) shift ;;
    *) break ;;
  esac
done

CLASSPATH="${CLASSPATH:+$CLASSPATH:}$base_dir/libs/*"
LOG_DIR=${LOG_DIR:-$base_dir/logs}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx256M}
KAFKA_JVM_PERFORMANCE_OPTS=${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}
KAFKA_JMX_OPTS=${KAFKA_JMX_OPTS:--Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false}
if [ -n "${JMX_PORT:-}" ]; then
  KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.port=$JMX_PORT"
  if ! [[ "$KAFKA_JMX_OPTS" == *"-Dcom.sun.management.jmxremote.rmi.port="* ]]; then
    KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.rmi.port=$JMX_PORT"
  fi
fi
KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base_dir/config/tools-log4j2.yaml}
if [ -n "${KAFKA_DEBUG:-}" ]; then
  KAFKA_OPTS="-agentlib:jdwp=transport=dt_socket,server=y,suspend=${DEBUG_SUSPEND_FLAG:-n},address=${JAVA_DEBUG_PORT:-0.0.0.0:5005} ${KAFKA_OPTS:-}"
fi
# Class-data-sharing archives made at build time (as the official image's kafka.jsa): the broker's, and the
# command-line tools' (they share the admin client). Used unless the class path or the JVM options say otherwise.
if [ "$CLASSPATH" = "$base_dir/libs/*" ] \
  && [[ "${KAFKA_OPTS:-} $KAFKA_JVM_PERFORMANCE_OPTS" != *Archive* ]]; then
  archive=$base_dir/tools.jsa
  [ "${1:-}" = kafka.Kafka ] && archive=$base_dir/kafka.jsa
  if [ -r "$archive" ]; then
    KAFKA_JVM_PERFORMANCE_OPTS="$KAFKA_JVM_PERFORMANCE_OPTS -XX:SharedArchiveFile=$archive -Xlog:cds=off,cds+dynamic=off"
  fi
fi
JAVA=java
if [ -n "${JAVA_HOME:-}" ]; then JAVA="$JAVA_HOME/bin/java"; fi

# The option variables are word-split on purpose, as in Kafka's script.
# shellcheck disable=SC2086
set -- $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_JMX_OPTS "-Dkafka.logs.dir=$LOG_DIR" $KAFKA_LOG4J_OPTS \
  -cp "$CLASSPATH" ${KAFKA_OPTS:-} "$@"
if [ "$DAEMON_MODE" = true ]; then
  mkdir -p "$LOG_DIR"
  nohup "$JAVA" "$@" >"$LOG_DIR/${DAEMON_NAME:-kafka}.out" 2>&1 </dev/null &
else
  exec "$JAVA" "$@"
fi
