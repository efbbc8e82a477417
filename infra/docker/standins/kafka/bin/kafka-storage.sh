#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-storage.sh: runs kafka.tools.StorageTool through kafka-run-class.sh.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
