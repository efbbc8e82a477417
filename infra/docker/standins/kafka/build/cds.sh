#!/usr/bin/env bash
# Build time only (Dockerfile): class-data-sharing archives, as the official image ships kafka.jsa and storage.jsa.
# A throw-away single-node broker on 127.0.0.1 runs with -XX:ArchiveClassesAtExit while a tool talks to it, so
# /opt/kafka/kafka.jsa holds the broker's classes and /opt/kafka/tools.jsa the admin client's (what the compose
# healthcheck, kafka-broker-api-versions.sh every 10 s, and the other CLIs load): a JVM that maps them starts on
# about half the CPU. bin/kafka-run-class.sh uses them when present. Best effort: on any failure no archive is
# kept and the image works as before, only slower to start. (Builds share the host's network: hence loopback
# only, on ports found free.)
set -u
KAFKA_HOME=/opt/kafka
work=$(mktemp -d)
cleanup () { [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail () { echo "cds: $1; no archives"; rm -f "$KAFKA_HOME/kafka.jsa" "$KAFKA_HOME/tools.jsa"; exit 0; }

free_port () {
  local port
  for port in $(seq "$1" $(( $1 + 200 ))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  return 1
}
port=$(free_port 47092) || fail "no free port"
cport=$(free_port $(( port + 1 ))) || fail "no free port"

cat >"$work/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$work/data
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
export KAFKA_HEAP_OPTS="-Xms128m -Xmx256m"
"$KAFKA_HOME/bin/kafka-storage.sh" format -t 5L6g3nShT-eMCtK--X86sw -c "$work/server.properties" >/dev/null || fail "format failed"
KAFKA_OPTS="-XX:ArchiveClassesAtExit=$KAFKA_HOME/kafka.jsa" \
  "$KAFKA_HOME/bin/kafka-server-start.sh" "$work/server.properties" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do
  grep -q 'Kafka Server started' "$work/server.log" && break
  kill -0 "$pid" 2>/dev/null || fail "the broker exited: $(tail -n 5 "$work/server.log")"
  sleep 0.5
done
grep -q 'Kafka Server started' "$work/server.log" || fail "the broker did not start"
bootstrap=127.0.0.1:$port
KAFKA_OPTS="-XX:ArchiveClassesAtExit=$KAFKA_HOME/tools.jsa" \
  "$KAFKA_HOME/bin/kafka-broker-api-versions.sh" --bootstrap-server "$bootstrap" >/dev/null || fail "api versions failed"
# Broker paths beyond start-up (topic creation, produce, fetch, a group) before its archive is written at exit.
"$KAFKA_HOME/bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --create --topic cds --partitions 1 --replication-factor 1 >/dev/null || fail "create topic failed"
echo cds | "$KAFKA_HOME/bin/kafka-console-producer.sh" --bootstrap-server "$bootstrap" --topic cds || fail "produce failed"
"$KAFKA_HOME/bin/kafka-console-consumer.sh" --bootstrap-server "$bootstrap" --topic cds --group cds --from-beginning \
  --max-messages 1 --timeout-ms 30000 >/dev/null 2>&1 || fail "consume failed"
kill -TERM "$pid"
wait "$pid"
pid=
[ -s "$KAFKA_HOME/kafka.jsa" ] && [ -s "$KAFKA_HOME/tools.jsa" ] || fail "an archive is missing"
chmod 444 "$KAFKA_HOME/kafka.jsa" "$KAFKA_HOME/tools.jsa"
ls -l "$KAFKA_HOME"/*.jsa
