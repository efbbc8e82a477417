#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-dump-log.sh: runs kafka.tools.DumpLogSegments through kafka-run-class.sh.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.DumpLogSegments "$@"
