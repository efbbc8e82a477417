#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-topics.sh: runs org.apache.kafka.tools.TopicCommand through kafka-run-class.sh.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "$@"
