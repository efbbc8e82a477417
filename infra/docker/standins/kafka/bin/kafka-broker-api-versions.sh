#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-broker-api-versions.sh: runs org.apache.kafka.tools.BrokerApiVersionsCommand through kafka-run-class.sh.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
