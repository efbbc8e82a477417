#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-consumer-groups.sh: runs org.apache.kafka.tools.consumer.group.ConsumerGroupCommand through kafka-run-class.sh.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
