#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-console-producer.sh: runs org.apache.kafka.tools.ConsoleProducer through kafka-run-class.sh.
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx512M}
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.ConsoleProducer "$@"
