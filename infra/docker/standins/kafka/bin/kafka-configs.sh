#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-configs.sh: runs kafka.admin.ConfigCommand through kafka-run-class.sh.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.ConfigCommand "$@"
