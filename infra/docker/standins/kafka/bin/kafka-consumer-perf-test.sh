#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-consumer-perf-test.sh: runs org.apache.kafka.tools.ConsumerPerformance through kafka-run-class.sh.
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx512M}
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.ConsumerPerformance "$@"
