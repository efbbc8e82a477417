#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-metadata-quorum.sh: runs org.apache.kafka.tools.MetadataQuorumCommand through kafka-run-class.sh.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.MetadataQuorumCommand "$@"
